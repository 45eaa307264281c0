"""The prior over code columns: a small causal GRU whose context runs through a whole stream
of files, and per-level heads that predict the next column's codes coarse to fine (DESIGN.md
13).

Each column enters as the sum of its level embeddings (a column of NO_CODE, -1, is the start
of a file). The GRU's output at column t is the context for column t + 1; level l of that
column is predicted from the context plus the embeddings of the levels above it, which is
the coarse-to-fine factorisation of RAVE's msprior. A recurrent context, not attention: its
state *is* the cached context, so generating a column costs one step whatever came before,
and a file of any length is one sequence, never independent windows.

Version 2 priors (the default since issue 28) add two things:
- an end-of-file event: level 1's head has one more class, END (= K), "the sound ends here";
  training reads the files as one stream (..., last column, END, start column, next file's
  first column, ...), so the prior learns endings and what follows them;
- each level's head also sees the previous column's code of its own level directly: in the
  summed column embedding a fine level's code is drowned by the coarse ones, and a plain
  count of "what follows this code on its own level" predicted levels 2-3 better than the
  version-1 prior did (bench/README.md, issue 28).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import nn

from distill.models.records import read_record

START = -1  # a column of -1s: "the file starts here" (the same value as NO_CODE)
PRIOR_VERSION = 2  # what this code writes; it reads 1 and 2


@dataclass(frozen=True)
class PriorConfig:
    """Everything needed to rebuild a CodePrior; saved in the model file beside it. Files
    written before version 2 have neither `end_of_file` nor `previous_codes` (their defaults)."""

    num_levels: int  # L, the autoencoder's
    codebook_size: int  # K, the autoencoder's
    hidden_size: int = 128  # H: 0.36 M parameters at L 4, K 64 (small data, CPU speed)
    num_layers: int = 2
    dropout: float = 0.4  # on inputs, between GRU layers and in the heads: small collections
    version: int = 1
    end_of_file: bool = False  # level 1 predicts END (class K) after a file's last column
    previous_codes: bool = False  # each head sees its level's code in the previous column
    fine_dropout: float | None = None  # in the heads of levels 2+; None: `dropout`

    def __post_init__(self) -> None:
        if not 1 <= self.num_levels <= 16 or not 2 <= self.codebook_size <= 4096:
            raise ValueError("a prior needs 1-16 levels and 2-4096 codes per level")
        if not 8 <= self.hidden_size <= 2048 or not 1 <= self.num_layers <= 6:
            raise ValueError("a prior's hidden size must be 8-2048 and its layers 1-6")
        if not 0.0 <= self.dropout < 1.0 or not 0.0 <= (self.fine_dropout or 0.0) < 1.0:
            raise ValueError("a prior's dropout must be at least 0 and under 1")
        if not 1 <= self.version <= PRIOR_VERSION:
            raise ValueError(
                f"its prior is version {self.version}, made by a newer Distill than this one "
                f"(which reads up to version {PRIOR_VERSION}): update Distill to use it"
            )

    @property
    def end_code(self) -> int | None:
        """Level 1's END class (K), None for priors without endings."""
        return self.codebook_size if self.end_of_file else None

    @property
    def num_classes(self) -> int:
        """Logits per level: K, plus END where the prior has endings."""
        return self.codebook_size + int(self.end_of_file)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any, where: str = "prior.config") -> PriorConfig:
        return read_record(cls, data, where)


class ColumnEmbedding(nn.Module):
    """codes [B, T, L] -> [B, T, H]: the sum of each level's code embedding; -1 adds nothing,
    and a column that is all -1 is the learned start-of-file vector."""

    def __init__(self, config: PriorConfig):
        super().__init__()
        self.levels = nn.ModuleList(
            nn.Embedding(config.codebook_size, config.hidden_size) for _ in range(config.num_levels)
        )
        self.start = nn.Parameter(torch.randn(config.hidden_size) * 0.02)

    def forward(self, codes: torch.Tensor) -> torch.Tensor:
        present = codes >= 0  # [B, T, L]
        total = self.start * (~present.any(dim=-1, keepdim=True)).to(self.start.dtype)
        for level, embedding in enumerate(self.levels):
            mask = present[..., level, None].to(total.dtype)
            total = total + embedding(codes[..., level].clamp(min=0)) * mask
        return total


class LevelHead(nn.Module):
    """[..., H] -> logits [..., classes] for one level."""

    def __init__(self, config: PriorConfig, classes: int, dropout: float):
        super().__init__()
        self.net = nn.Sequential(
            nn.LayerNorm(config.hidden_size),
            nn.Linear(config.hidden_size, config.hidden_size),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(config.hidden_size, classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class LevelHeads(nn.Module):
    """Coarse to fine inside a column: level l sees the context, the codes of levels < l in
    this column and (version 2) its own level's code in the previous column."""

    def __init__(self, config: PriorConfig):
        super().__init__()
        self.config = config
        fine = config.dropout if config.fine_dropout is None else config.fine_dropout
        self.heads = nn.ModuleList(
            LevelHead(config, config.num_classes, config.dropout)
            if level == 0
            else LevelHead(config, config.codebook_size, fine)
            for level in range(config.num_levels)
        )
        self.chosen = nn.ModuleList(
            nn.Embedding(config.codebook_size, config.hidden_size)
            for _ in range(config.num_levels - 1)
        )
        # index K: "no previous column" (the start of a file)
        self.previous = nn.ModuleList(
            nn.Embedding(config.codebook_size + 1, config.hidden_size)
            for _ in range(config.num_levels if config.previous_codes else 0)
        )

    def logits(
        self, level: int, state: torch.Tensor, previous: torch.Tensor | None = None
    ) -> torch.Tensor:
        """state [..., H] (and the previous column [..., L]) -> logits [..., K(+1)] of `level`."""
        if self.previous and previous is not None:
            code = previous[..., level]
            code = torch.where(code < 0, self.config.codebook_size, code)
            state = state + self.previous[level](code)
        return self.heads[level](state)

    def after(self, level: int, state: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        """The state for level + 1 once `level`'s codes [...] are known: [..., H]."""
        return state + self.chosen[level](codes.clamp(0, self.config.codebook_size - 1))

    def forward(
        self, context: torch.Tensor, previous: torch.Tensor, targets: torch.Tensor
    ) -> torch.Tensor:
        """context [B, T, H], previous columns [B, T, L], targets [B, T, L] (teacher forcing)
        -> logits [B, T, L, K(+1)] (finer levels' END logit: -inf)."""
        state, logits = context, []
        width = self.config.num_classes
        for level in range(len(self.heads)):
            level_logits = self.logits(level, state, previous)
            missing = width - level_logits.shape[-1]
            logits.append(nn.functional.pad(level_logits, (0, missing), value=-torch.inf))
            if level < len(self.chosen):
                state = self.after(level, state, targets[..., level])
        return torch.stack(logits, dim=2)


class CodePrior(nn.Module):
    """A causal model over code columns: p(column t + 1 | columns <= t), level by level."""

    def __init__(self, config: PriorConfig):
        super().__init__()
        self.config = config
        self.embed = ColumnEmbedding(config)
        self.dropout = nn.Dropout(config.dropout)
        self.context = nn.GRU(
            config.hidden_size,
            config.hidden_size,
            num_layers=config.num_layers,
            batch_first=True,
            dropout=config.dropout if config.num_layers > 1 else 0.0,
        )
        self.levels = LevelHeads(config)

    @property
    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def advance(
        self, columns: torch.Tensor, hidden: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """columns [B, T, L] read in order -> (context [B, T, H], hidden [layers, B, H]).

        context[:, t] is what predicts the column after columns[:, t]; `hidden` carries the
        whole past on to the next call (the cached context)."""
        context, hidden = self.context(self.dropout(self.embed(columns)), hidden)
        return self.dropout(context), hidden

    def forward(
        self, inputs: torch.Tensor, targets: torch.Tensor, hidden: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """inputs [B, T, L] (targets shifted right, a start column first), targets [B, T, L]
        -> (logits [B, T, L, K(+1)], hidden [layers, B, H])."""
        context, hidden = self.advance(inputs, hidden)
        return self.levels(context, inputs, targets), hidden


def start_column(config: PriorConfig) -> torch.Tensor:
    """The start-of-file column [1, 1, L] that the first column is predicted from."""
    return torch.full((1, 1, config.num_levels), START, dtype=torch.long)

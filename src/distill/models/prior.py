"""The prior over code columns: a small causal GRU whose context runs through a whole file, and
per-level heads that predict the next column's codes coarse to fine (DESIGN.md 13).

Each column enters as the sum of its level embeddings (a column of NO_CODE, -1, is the start
of a file). The GRU's output at column t is the context for column t + 1; level l of that
column is predicted from the context plus the embeddings of the levels above it, which is
the coarse-to-fine factorisation of RAVE's msprior. A recurrent context, not attention: its
state *is* the cached context, so generating a column costs one step whatever came before,
and a file of any length is one sequence, never independent windows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import nn

from distill.models.records import read_record

START = -1  # a column of -1s: "the file starts here" (the same value as NO_CODE)


@dataclass(frozen=True)
class PriorConfig:
    """Everything needed to rebuild a CodePrior; saved in the model file beside it."""

    num_levels: int  # L, the autoencoder's
    codebook_size: int  # K, the autoencoder's
    hidden_size: int = 128  # H: 0.36 M parameters at L 4, K 64 (small data, CPU speed)
    num_layers: int = 2
    dropout: float = 0.4  # on inputs, between GRU layers and in the heads: small collections

    def __post_init__(self) -> None:
        if not 1 <= self.num_levels <= 16 or not 2 <= self.codebook_size <= 4096:
            raise ValueError("a prior needs 1-16 levels and 2-4096 codes per level")
        if not 8 <= self.hidden_size <= 2048 or not 1 <= self.num_layers <= 6:
            raise ValueError("a prior's hidden size must be 8-2048 and its layers 1-6")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("a prior's dropout must be at least 0 and under 1")

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
    """[..., H] -> logits [..., K] for one level."""

    def __init__(self, config: PriorConfig):
        super().__init__()
        self.net = nn.Sequential(
            nn.LayerNorm(config.hidden_size),
            nn.Linear(config.hidden_size, config.hidden_size),
            nn.GELU(),
            nn.Dropout(config.dropout),
            nn.Linear(config.hidden_size, config.codebook_size),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class LevelHeads(nn.Module):
    """Coarse to fine inside a column: level l sees the context and the codes of levels < l."""

    def __init__(self, config: PriorConfig):
        super().__init__()
        self.heads = nn.ModuleList(LevelHead(config) for _ in range(config.num_levels))
        self.chosen = nn.ModuleList(
            nn.Embedding(config.codebook_size, config.hidden_size)
            for _ in range(config.num_levels - 1)
        )

    def logits(self, level: int, state: torch.Tensor) -> torch.Tensor:
        """state [..., H] -> logits [..., K] of `level`."""
        return self.heads[level](state)

    def after(self, level: int, state: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        """The state for level + 1 once `level`'s codes [...] are known: [..., H]."""
        return state + self.chosen[level](codes.clamp(min=0))

    def forward(self, context: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """context [B, T, H], targets [B, T, L] (teacher forcing) -> logits [B, T, L, K]."""
        state, logits = context, []
        for level in range(len(self.heads)):
            logits.append(self.logits(level, state))
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
        -> (logits [B, T, L, K], hidden [layers, B, H])."""
        context, hidden = self.advance(inputs, hidden)
        return self.levels(context, targets), hidden


def start_column(config: PriorConfig) -> torch.Tensor:
    """The start-of-file column [1, 1, L] that the first column is predicted from."""
    return torch.full((1, 1, config.num_levels), START, dtype=torch.long)

"""What a model file keeps about its prior: how it was trained and how well (PriorMetadata,
JSON in the header), and the code grids it was trained on (one int16 tensor), which
generation compares its results with to say how much it copied."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import torch

from distill.models.prior import CodePrior, PriorConfig
from distill.models.records import read_record


@dataclass(frozen=True)
class PriorFile:
    """One file whose code grid the prior was trained or measured on."""

    name: str
    columns: int  # F'
    held_out: bool  # measured on (early stopping, perplexity), never trained on


@dataclass(frozen=True)
class PriorMetadata:
    """How the prior was trained, and its held-out perplexity beside a unigram baseline's.

    Perplexity is per code: exp of the mean negative log-likelihood over every code of the
    held-out grids. The unigram baseline predicts each level's codes from their frequencies
    in the training grids (add-one smoothed), ignoring all context.
    """

    files: tuple[PriorFile, ...]
    heldout_perplexity: float
    unigram_perplexity: float
    heldout_is_training: bool = False  # under 4 files: measured on the training grids
    steps: int = 0
    best_step: int = 0
    elapsed_s: float = 0.0
    stopped_early: bool = False  # held-out perplexity stopped improving before the budget
    device: str = "cpu"
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    train_config: dict[str, Any] = field(default_factory=dict)
    # Per level, the temperature at which the held-out files' codes are likeliest (temperature
    # scaling, after training); generation draws at these times the user's. () in files made
    # before: 1 on every level.
    temperatures: tuple[float, ...] = ()
    # Level 1's temperature for drawing takes (prior.pace): temperatures[0], lowered where
    # takes drawn that hot change codes far more often than the training files. None in
    # files made before: temperatures[0].
    draw_temperature: float | None = None
    # Added to END's log-odds so takes start new sounds as often as the training files do
    # (prior.pace; the events setting counts from there). None in files made before: 0.
    end_bias: float | None = None

    @property
    def drawn_temperatures(self) -> tuple[float, ...]:
        """The calibrated temperatures generation multiplies the user's by, per level:
        `temperatures` with level 1's draw temperature in place of its likeliest."""
        if self.draw_temperature is None or not self.temperatures:
            return self.temperatures
        return (self.draw_temperature, *self.temperatures[1:])

    @property
    def end_offset(self) -> float:
        return self.end_bias or 0.0

    @property
    def num_columns(self) -> int:
        return sum(f.columns for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any, where: str = "prior.metadata") -> PriorMetadata:
        return read_record(cls, data, where)

    def summary(self) -> str:
        """'held-out perplexity 12.3 per code (unigram 40.1), 30 files': for lists and logs."""
        which = "training-set" if self.heldout_is_training else "held-out"
        text = (
            f"{which} perplexity {self.heldout_perplexity:.1f} per code (unigram "
            f"{self.unigram_perplexity:.1f}), trained on {sum(not f.held_out for f in self.files)} "
            f"of {len(self.files)} files"
        )
        if self.temperatures:  # generation uses level 1's (prior.draw.CALIBRATED_LEVELS)
            likeliest, drawn = self.temperatures[0], self.drawn_temperatures[0]
            text += f", level 1 drawn at x{drawn:g} "
            text += (
                "(the temperature its held-out files are likeliest at)"
                if drawn == likeliest
                else f"(its held-out files are likeliest at x{likeliest:g}; drawn that hot, "
                "takes change codes far more often than your files do)"
            )
        if self.heldout_perplexity >= self.unigram_perplexity:
            text += "; no better than code frequencies alone yet: train it longer"
        return text


@dataclass(frozen=True, eq=False)
class TrainedPrior:
    """A prior with what it was trained on: the network, its record and the grids.

    grids: codes [N, L] int64, the files' grids one after another in `metadata.files` order
    (N = metadata.num_columns).
    """

    network: CodePrior
    metadata: PriorMetadata
    grids: torch.Tensor

    def __post_init__(self) -> None:
        config = self.network.config
        wanted = (self.metadata.num_columns, config.num_levels)
        if tuple(self.grids.shape) != wanted:
            raise ValueError(f"the prior's grids are {list(self.grids.shape)}, not {list(wanted)}")
        if self.grids.numel() and (
            int(self.grids.min()) < 0 or int(self.grids.max()) >= config.codebook_size
        ):
            raise ValueError("the prior's grids hold codes outside its codebook")

    @property
    def config(self) -> PriorConfig:
        return self.network.config

    def file_grids(self, held_out: bool | None = None) -> list[tuple[PriorFile, torch.Tensor]]:
        """Each file with its codes [F', L]; held_out True/False picks one side, None both."""
        pieces = torch.split(self.grids, [f.columns for f in self.metadata.files])
        return [
            (f, codes)
            for f, codes in zip(self.metadata.files, pieces, strict=True)
            if held_out is None or f.held_out == held_out
        ]

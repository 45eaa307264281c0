"""Sample code grids from a model's prior: new sound, the continuation of a grid, or a fresh
take on a region of one. Each result is a `CodeGrid` (its `operations` say how it was made)
with a memorisation report.

The prior's recurrent state is the cached context: the prefix is read once, then each new
column costs one step (never a re-read of everything before it), and the context runs
through the whole length (no independent chunks). Sampling runs on the CPU with its own
seeded generator: the same model, grid, settings and seed give the same codes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from distill.inference.grid import CodeGrid, check_code_grid, seconds_per_column
from distill.inference.validation import is_whole_number
from distill.models.labels import get_level_labels
from distill.models.persistence import LoadedVQModel
from distill.models.prior import CodePrior, start_column
from distill.models.prior_records import TrainedPrior
from distill.prior.memorisation import Memorisation, measure_memorisation

MAX_SECONDS = 600.0  # one generation: 10 minutes at most


class PriorError(ValueError):
    """Generation cannot run: no prior, or an argument outside what it accepts."""


@dataclass(frozen=True)
class SamplingSettings:
    """How codes are drawn: logits / temperature, then top-k, then top-p (nucleus)."""

    temperature: float = 1.0  # > 0; lower is more conservative
    top_k: int = 0  # keep the k likeliest codes; 0: no limit; 1: greedy
    top_p: float = 1.0  # keep the likeliest codes whose probabilities sum to p, in (0, 1]
    seed: int = 0

    def __post_init__(self) -> None:
        if not _is_number(self.temperature) or not self.temperature > 0:
            raise PriorError(f"The temperature must be a number above 0, got {self.temperature!r}.")
        if not is_whole_number(self.top_k) or self.top_k < 0:
            raise PriorError(
                f"top-k must be a whole number, 0 or more (0: no limit), got {self.top_k!r}."
            )
        if not _is_number(self.top_p) or not 0 < self.top_p <= 1:
            raise PriorError(f"top-p must be above 0 and at most 1, got {self.top_p!r}.")
        if not is_whole_number(self.seed) or self.seed < 0:
            raise PriorError(f"The seed must be a whole number, 0 or more, got {self.seed!r}.")

    def describe(self) -> str:
        top_k = "off" if self.top_k == 0 else str(self.top_k)
        return (
            f"seed {self.seed}, temperature {self.temperature:g}, top-k {top_k}, "
            f"top-p {self.top_p:g}"
        )


@dataclass(frozen=True)
class GenerationResult:
    """A generated grid, which of its columns and levels were sampled, and what it copies."""

    grid: CodeGrid
    columns: tuple[int, int]  # sampled columns [start, end)
    levels: tuple[int, ...]  # sampled levels (0 = top row)
    memorisation: Memorisation


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def require_prior(loaded: LoadedVQModel) -> TrainedPrior:
    """The model's prior, or a PriorError saying it has none and how to give it one."""
    prior = loaded.trained_prior
    if prior is None:
        name = loaded.metadata.name
        raise PriorError(
            f"The model '{name}' has no prior, so it cannot generate: add one with "
            f"`distill train-prior {name} FOLDER` (the folder it was trained on)."
        )
    return prior


def columns_for(loaded: LoadedVQModel, seconds: Any) -> int:
    """Columns for `seconds` of sound: at least the two that make one whole STFT window."""
    if not _is_number(seconds) or not 0 < seconds <= MAX_SECONDS:
        raise PriorError(
            f"The length must be a number of seconds above 0 and at most {MAX_SECONDS:.0f}, "
            f"got {seconds!r}."
        )
    return max(_min_columns(loaded), round(seconds / seconds_per_column(loaded)))


def _min_columns(loaded: LoadedVQModel) -> int:
    config, step = loaded.spectrogram.config, loaded.model.config.time_downsample
    return math.ceil((config.n_fft // config.hop_length + 1) / step)


def _pick(logits: torch.Tensor, settings: SamplingSettings, generator: torch.Generator) -> int:
    """logits [K] -> one code, drawn after temperature, top-k and top-p."""
    logits = logits.double() / settings.temperature
    if 0 < settings.top_k < logits.shape[0]:
        kth = torch.topk(logits, settings.top_k).values[-1]
        logits = logits.masked_fill(logits < kth, -math.inf)
    probs = torch.softmax(logits, dim=-1)
    if settings.top_p < 1.0:
        ordered, order = torch.sort(probs, descending=True)
        before = torch.cumsum(ordered, dim=0) - ordered  # mass of the likelier codes
        ordered[before >= settings.top_p] = 0.0  # the likeliest code is always kept
        probs = torch.zeros_like(probs).scatter(0, order, ordered)
    return int(torch.multinomial(probs, 1, generator=generator))


@torch.no_grad()
def sample_columns(
    prior: CodePrior,
    prefix: torch.Tensor,
    plan: torch.Tensor,
    resample: torch.Tensor,
    settings: SamplingSettings,
) -> torch.Tensor:
    """Columns after `prefix` [P, L] (P may be 0): plan [N, L] with resample [N, L] (bool)
    True where a code is drawn, the plan's codes kept elsewhere -> codes [N, L].

    Inside a column the levels go coarse to fine, each drawn given the levels above it
    (drawn or kept); the finished column then advances the state by one step."""
    prior.eval()
    generator = torch.Generator().manual_seed(settings.seed)
    context, hidden = prior.advance(torch.cat([start_column(prior.config)[0], prefix])[None])
    state_in = context[:, -1]  # [1, H]: what predicts the first planned column
    codes = plan.clone()
    num_levels = prior.config.num_levels
    for column in range(plan.shape[0]):
        state = state_in
        for level in range(num_levels):
            if resample[column, level]:
                codes[column, level] = _pick(
                    prior.levels.logits(level, state)[0], settings, generator
                )
            if level < num_levels - 1:
                state = prior.levels.after(level, state, codes[column, level].view(1))
        context, hidden = prior.advance(codes[column].view(1, 1, num_levels), hidden)
        state_in = context[:, -1]
    return codes


def _new_grid(
    loaded: LoadedVQModel, codes: torch.Tensor, base: CodeGrid | None, operation: str
) -> CodeGrid:
    """A grid of codes [N, L] that the model decodes: N x frames-per-column mel frames, as
    many samples as those frames span; a base grid's gain, labels and history carry over."""
    config, step = loaded.spectrogram.config, loaded.model.config.time_downsample
    frames = codes.shape[0] * step
    labels = get_level_labels(codes.shape[1], loaded.metadata.level_labels)
    grid = CodeGrid(
        codes=codes.unsqueeze(0),
        codebook_size=loaded.model.codebook_size,
        mel_shape=(config.n_mels, frames),
        num_samples=(frames - 1) * config.hop_length,
        sample_rate=config.sample_rate,
        seconds_per_column=seconds_per_column(loaded),
        loudness_gain=base.loudness_gain if base else 1.0,
        level_labels=base.level_labels if base and base.level_labels else tuple(labels),
        operations=(*(base.operations if base else ()), operation),
    )
    return check_code_grid(grid, loaded)


def _result(
    loaded: LoadedVQModel,
    prior: TrainedPrior,
    grid: CodeGrid,
    columns: tuple[int, int],
    levels: Sequence[int],
) -> GenerationResult:
    sampled = grid.codes[0, columns[0] : columns[1]]
    memorisation = measure_memorisation(sampled, prior, grid.seconds_per_column)
    return GenerationResult(grid, columns, tuple(levels), memorisation)


def generate(
    loaded: LoadedVQModel,
    seconds: float,
    temperature: float = 1.0,
    top_k: int = 0,
    top_p: float = 1.0,
    seed: int = 0,
) -> GenerationResult:
    """New sound in the style of the collection: `seconds` of columns, every level drawn,
    from the start-of-file state. Decoded at the training loudness (gain 1)."""
    prior = require_prior(loaded)
    settings = SamplingSettings(temperature, top_k, top_p, seed)
    count, levels = columns_for(loaded, seconds), prior.config.num_levels
    plan = torch.zeros(count, levels, dtype=torch.long)
    codes = sample_columns(
        prior.network, plan[:0], plan, torch.ones_like(plan, dtype=torch.bool), settings
    )
    grid = _new_grid(loaded, codes, None, f"generated {count} columns ({settings.describe()})")
    return _result(loaded, prior, grid, (0, count), range(levels))


def continue_grid(
    loaded: LoadedVQModel,
    grid: CodeGrid,
    seconds: float,
    temperature: float = 1.0,
    top_k: int = 0,
    top_p: float = 1.0,
    seed: int = 0,
) -> GenerationResult:
    """`grid` followed by `seconds` of new columns drawn given all of it: its own columns
    are kept bit for bit, and the result keeps its gain, labels and history."""
    prior = require_prior(loaded)
    check_code_grid(grid, loaded)
    settings = SamplingSettings(temperature, top_k, top_p, seed)
    count, levels = columns_for(loaded, seconds), grid.num_levels
    plan = torch.zeros(count, levels, dtype=torch.long)
    prefix = grid.codes[0]
    new = sample_columns(
        prior.network, prefix, plan, torch.ones_like(plan, dtype=torch.bool), settings
    )
    operation = f"continued by {count} columns ({settings.describe()})"
    result = _new_grid(loaded, torch.cat([prefix, new]), grid, operation)
    return _result(loaded, prior, result, (grid.num_columns, result.num_columns), range(levels))


def _checked_region(grid: CodeGrid, columns: Any, levels: Any) -> tuple[tuple[int, int], list[int]]:
    """(start, end) with 0 <= start < end <= F', and distinct levels in [0, L), sorted."""
    if (
        not isinstance(columns, (tuple, list))
        or len(columns) != 2
        or not all(is_whole_number(c) for c in columns)
        or not 0 <= columns[0] < columns[1] <= grid.num_columns
    ):
        raise PriorError(
            f"The columns to regenerate must be (start, end) with 0 <= start < end <= "
            f"{grid.num_columns}, got {columns!r}."
        )
    picked = (
        sorted({int(v) for v in levels if is_whole_number(v)})
        if isinstance(levels, (Sequence, range))
        else []
    )
    if (
        not picked
        or len(picked) != len(levels)
        or not all(0 <= v < grid.num_levels for v in picked)
    ):
        raise PriorError(
            f"The levels to regenerate must be distinct whole numbers from 0 to "
            f"{grid.num_levels - 1}, got {levels!r}."
        )
    return (int(columns[0]), int(columns[1])), picked


def regenerate_region(
    loaded: LoadedVQModel,
    grid: CodeGrid,
    columns: tuple[int, int],
    levels: Sequence[int],
    temperature: float = 1.0,
    top_k: int = 0,
    top_p: float = 1.0,
    seed: int = 0,
) -> GenerationResult:
    """A fresh take on columns [start, end) x `levels` of `grid`; every other code is kept.

    The region is drawn given everything before it (all levels of the earlier columns) and,
    inside each of its columns, the kept levels above a drawn one. The columns after the
    region are kept as they are and do not shape it: the prior is causal, it cannot look
    ahead, so the seam at the region's end is not smoothed. Same size, gain and labels.
    """
    prior = require_prior(loaded)
    check_code_grid(grid, loaded)
    (start, end), picked = _checked_region(grid, columns, levels)
    settings = SamplingSettings(temperature, top_k, top_p, seed)
    plan = grid.codes[0, start:end]
    resample = torch.zeros_like(plan, dtype=torch.bool)
    resample[:, picked] = True
    drawn = sample_columns(prior.network, grid.codes[0, :start], plan, resample, settings)
    codes = grid.codes.clone()
    codes[0, start:end] = drawn
    names = ", ".join(str(v + 1) for v in picked)
    operation = f"regenerated levels {names}, columns {start}-{end - 1} ({settings.describe()})"
    return _result(loaded, prior, grid.with_codes(codes, operation), (start, end), picked)

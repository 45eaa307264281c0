"""Sample code grids from a model's prior: new sound (several takes at once), the continuation
of a grid, or a fresh take on a region of one. Each result is a `CodeGrid` (its `operations`
say how it was made) with a memorisation report.

The prior's recurrent state is the cached context: the prefix is read once, then each new
column costs one step (never a re-read of everything before it), and the context runs
through the whole length (no independent chunks). Sampling runs on the CPU with seeded
generators: the same model, grid, settings and seed give the same codes.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from distill.inference.grid import CodeGrid, check_code_grid, seconds_per_column
from distill.inference.validation import is_whole_number
from distill.models.labels import get_level_labels
from distill.models.persistence import LoadedVQModel
from distill.models.prior_records import TrainedPrior
from distill.prior.draw import Steering, draw_columns
from distill.prior.habits import collection_habits
from distill.prior.memorisation import Memorisation, measure_memorisation
from distill.prior.settings import PriorError, SamplingSettings, is_number

__all__ = [
    "GenerationResult",
    "PriorError",
    "SamplingSettings",
    "continue_grid",
    "draw_takes",
    "generate",
    "regenerate_region",
    "require_prior",
]

MAX_SECONDS = 600.0  # one generation: 10 minutes at most


@dataclass(frozen=True)
class GenerationResult:
    """A generated grid, which of its columns and levels were sampled, what it copies, and
    the columns where a new sound starts (after the prior ended the one before)."""

    grid: CodeGrid
    columns: tuple[int, int]  # sampled columns [start, end)
    levels: tuple[int, ...]  # sampled levels (0 = top row)
    memorisation: Memorisation
    sound_starts: tuple[int, ...] = ()


def settings_with(settings: SamplingSettings | None, changes: dict[str, Any]) -> SamplingSettings:
    """`settings` (the defaults when None) with `changes` applied, as one checked record."""
    base = settings or SamplingSettings()
    unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(SamplingSettings)})
    if unknown:
        raise PriorError(f"Unknown sampling setting(s): {', '.join(unknown)}.")
    return dataclasses.replace(base, **changes)


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
    if not is_number(seconds) or not 0 < seconds <= MAX_SECONDS:
        raise PriorError(
            f"The length must be a number of seconds above 0 and at most {MAX_SECONDS:.0f}, "
            f"got {seconds!r}."
        )
    return max(_min_columns(loaded), round(seconds / seconds_per_column(loaded)))


def _min_columns(loaded: LoadedVQModel) -> int:
    config, step = loaded.spectrogram.config, loaded.model.config.time_downsample
    return math.ceil((config.n_fft // config.hop_length + 1) / step)


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


def _steering(
    loaded: LoadedVQModel,
    settings: SamplingSettings,
    allow_end: bool,
    continued: torch.Tensor | None = None,
) -> Steering:
    """What the settings ask of this model's prior, by its training files' habits and its
    calibrated temperatures; new sounds only where `allow_end`; a continuation keeps to the
    level-1 codes of `continued` [P]."""
    prior = require_prior(loaded)
    habits = collection_habits(prior, seconds_per_column(loaded))
    size = prior.config.codebook_size
    meta = prior.metadata
    return Steering.of(
        settings, habits, allow_end, meta.drawn_temperatures, continued, size, meta.end_offset
    )


def _result(
    loaded: LoadedVQModel,
    prior: TrainedPrior,
    grid: CodeGrid,
    columns: tuple[int, int],
    levels: Sequence[int],
    sound_starts: Sequence[int] = (),
) -> GenerationResult:
    sampled = grid.codes[0, columns[0] : columns[1]]
    memorisation = measure_memorisation(sampled, prior, grid.seconds_per_column)
    starts = tuple(columns[0] + s for s in sound_starts)
    return GenerationResult(grid, columns, tuple(levels), memorisation, starts)


def draw_takes(
    loaded: LoadedVQModel,
    seconds: float,
    settings: SamplingSettings,
    takes: int = 1,
    first_take: int = 0,
    base: CodeGrid | None = None,
) -> list[GenerationResult]:
    """Takes first_take .. first_take + takes - 1 of the settings' seed (take i of a seed is
    always the same), drawn side by side: `seconds` of new columns, every level drawn, from
    the start-of-file state, new sounds starting as the settings' events ask; or, given a
    `base` grid, its continuation (its columns kept bit for bit, its gain, labels and
    history carried over; the sound goes on: no new sound starts inside a continuation, and
    level 1 keeps mostly to the codes the grid uses, draw.CONTINUE_STRAY)."""
    prior = require_prior(loaded)
    count, levels = columns_for(loaded, seconds), prior.config.num_levels
    if base is not None:
        check_code_grid(base, loaded)
    prefix = base.codes[0] if base is not None else torch.zeros(0, levels, dtype=torch.long)
    plan = torch.zeros(count, levels, dtype=torch.long)
    resample = torch.ones_like(plan, dtype=torch.bool)
    continued = prefix[:, 0] if base is not None else None
    steering = _steering(loaded, settings, allow_end=base is None, continued=continued)
    drawn = draw_columns(prior.network, prefix, plan, resample, settings, steering, takes,
                         first_take)  # fmt: skip
    verb = "generated" if base is None else "continued by"
    results = []
    for take, codes in enumerate(drawn.codes):
        number = f", take {first_take + take + 1}" if takes > 1 or first_take else ""
        what = f"{verb} {count} columns ({settings.describe()}{number})"
        grid = _new_grid(loaded, torch.cat([prefix, codes]), base, what)
        sampled = (len(prefix), len(prefix) + count)
        starts = drawn.sound_starts[take]
        results.append(_result(loaded, prior, grid, sampled, range(levels), starts))
    return results


def generate(
    loaded: LoadedVQModel,
    seconds: float,
    settings: SamplingSettings | None = None,
    **changes: Any,
) -> GenerationResult:
    """New sound in the style of the collection: `seconds` of columns from the start-of-file
    state; one take (`takes.generate_takes` draws several and sets aside silent or stuck
    ones). Decoded at the training loudness (gain 1). `changes`: settings by name (seed=3,
    temperature=0.8, ...)."""
    return draw_takes(loaded, seconds, settings_with(settings, changes))[0]


def continue_grid(
    loaded: LoadedVQModel,
    grid: CodeGrid,
    seconds: float,
    settings: SamplingSettings | None = None,
    **changes: Any,
) -> GenerationResult:
    """`grid` followed by `seconds` of new columns drawn given all of it (`draw_takes`)."""
    return draw_takes(loaded, seconds, settings_with(settings, changes), base=grid)[0]


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
    settings: SamplingSettings | None = None,
    **changes: Any,
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
    settings = settings_with(settings, changes)
    plan = grid.codes[0, start:end]
    resample = torch.zeros_like(plan, dtype=torch.bool)
    resample[:, picked] = True
    steering = _steering(loaded, settings, allow_end=False)
    prefix = grid.codes[0, :start]
    drawn = draw_columns(prior.network, prefix, plan, resample, settings, steering).codes[0]
    codes = grid.codes.clone()
    codes[0, start:end] = drawn
    names = ", ".join(str(v + 1) for v in picked)
    operation = f"regenerated levels {names}, columns {start}-{end - 1} ({settings.describe()})"
    return _result(loaded, prior, grid.with_codes(codes, operation), (start, end), picked)

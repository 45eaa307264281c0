"""The code grid: one file's codes and its time axis, as one frozen record (DESIGN.md 11).

A `CodeGrid` travels from encode to the UI session, the codes JSON, the CLI and the renderer.
Its time axis is the model's: `seconds_per_column` = hop x mel frames per column / sample
rate, so column p starts at p x seconds_per_column whatever the file's length (the last
column is usually only partly sounding). `check_code_grid` is the one validator and
`CodeGridError` the one error type (inference/validation.py, beside the one check of an index
into a grid); `NO_CODE` (-1) means "this level contributes nothing".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from numbers import Real
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from distill.inference.validation import CodeGridError, is_whole_number

if TYPE_CHECKING:
    from distill.models.persistence import LoadedVQModel

NO_CODE = -1  # "this level contributes nothing here": silent in decodes, grey in the grid


def _is_positive_number(value: Any) -> bool:
    return (
        isinstance(value, Real)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
        and float(value) > 0
    )


def checked_codes(
    codes: Any, codebook_size: int, num_levels: int | None = None, num_columns: int | None = None
) -> torch.Tensor:
    """codes [1, F', L] (tensor or array) as a fresh int64 CPU tensor, each in [0, K) or -1.

    num_levels / num_columns, when given, must match. Raises CodeGridError.
    """
    if isinstance(codes, np.ndarray):
        codes = torch.from_numpy(np.ascontiguousarray(codes))
    if not isinstance(codes, torch.Tensor):
        raise CodeGridError(f"codes must be a tensor or array, got {type(codes).__name__}.")
    if codes.is_floating_point() or codes.is_complex() or codes.dtype == torch.bool:
        raise CodeGridError(f"codes must be whole numbers, got dtype {codes.dtype}.")
    found = tuple(codes.shape)
    wanted = (
        1,
        num_columns or (found[1] if codes.dim() == 3 else 0),
        num_levels or (found[2] if codes.dim() == 3 else 0),
    )
    if found != wanted or 0 in wanted:
        shape = "[1, columns, levels]"
        if num_columns and num_levels:
            shape = f"[1, {num_columns}, {num_levels}] (1, columns, levels)"
        raise CodeGridError(f"codes must have shape {shape}, got {list(found)}.")
    if not is_whole_number(codebook_size) or codebook_size < 1:
        raise CodeGridError(f"codebook_size must be a whole number >= 1, got {codebook_size!r}.")
    outside = (codes < NO_CODE) | (codes >= codebook_size)
    if bool(outside.any()):
        _, position, level = (int(v) for v in outside.nonzero()[0])
        raise CodeGridError(
            f"Code {int(codes[0, position, level])} at level {level + 1}, column {position} is "
            f"outside 0 to {codebook_size - 1} (or {NO_CODE} for a silent level)."
        )
    return codes.detach().to("cpu", torch.long).clone()


@dataclass(frozen=True, eq=False)
class CodeGrid:
    """The codes of one file and what turning them back into its sound needs.

    Frozen: edits make new grids (`with_codes`). The codes tensor is a private copy.
    """

    codes: torch.Tensor  # [1, F', L] int64 on the CPU, each in [0, K) or NO_CODE
    codebook_size: int  # K
    mel_shape: tuple[int, int]  # (M, F) of the encoded (padded) input
    num_samples: int  # S of the original at sample_rate (not of any padding)
    sample_rate: int
    seconds_per_column: float  # from the model: hop x frames per column / sample_rate
    loudness_gain: float = 1.0  # linear gain the loudness normalisation applied at encode
    level_labels: tuple[str, ...] = ()  # the names the grid shows, one per level, or ()
    operations: tuple[str, ...] = ()  # what was done to the encoded codes, oldest first

    def __post_init__(self) -> None:
        object.__setattr__(self, "codes", checked_codes(self.codes, self.codebook_size))
        object.__setattr__(self, "mel_shape", tuple(self.mel_shape))
        object.__setattr__(self, "level_labels", tuple(self.level_labels))
        object.__setattr__(self, "operations", tuple(str(op) for op in self.operations))
        check_code_grid(self)

    def __eq__(self, other: object) -> bool:
        """Same codes and the same file (labels and the edit record are how it is shown and
        how it came to be, not what it is)."""
        if not isinstance(other, CodeGrid):
            return NotImplemented
        return torch.equal(self.codes, other.codes) and (
            self.codebook_size,
            self.mel_shape,
            self.num_samples,
            self.sample_rate,
            self.seconds_per_column,
            self.loudness_gain,
        ) == (
            other.codebook_size,
            other.mel_shape,
            other.num_samples,
            other.sample_rate,
            other.seconds_per_column,
            other.loudness_gain,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable tensor inside: not hashable

    @property
    def num_levels(self) -> int:
        return int(self.codes.shape[2])

    @property
    def num_columns(self) -> int:
        return int(self.codes.shape[1])

    @property
    def spatial_shape(self) -> tuple[int, int]:
        return (1, self.num_columns)

    @property
    def duration_s(self) -> float:
        return self.num_samples / self.sample_rate

    @property
    def columns_per_second(self) -> float:
        return 1.0 / self.seconds_per_column

    def column_time(self, position: int) -> float:
        """Start time in seconds of column `position`."""
        return position * self.seconds_per_column

    def with_codes(self, codes: Any, operation: str | None = None) -> CodeGrid:
        """The same file with other codes of the same shape (checked); `operation`, when
        given, is added to the record of what was done to it."""
        codes = checked_codes(codes, self.codebook_size, self.num_levels, self.num_columns)
        operations = (*self.operations, operation) if operation else self.operations
        return replace(self, codes=codes, operations=operations)

    def with_labels(self, labels: list[str] | tuple[str, ...]) -> CodeGrid:
        return replace(self, level_labels=tuple(labels))

    def as_plan_dict(self) -> dict[str, Any]:
        """The plan's keys (indices, spatial_shape, mel_shape, num_quantizers, codebook_size,
        duration_s), plus loudness_gain and num_samples, which decoding back needs."""
        return {
            "indices": self.codes.clone(),
            "spatial_shape": self.spatial_shape,
            "mel_shape": self.mel_shape,
            "num_quantizers": self.num_levels,
            "codebook_size": self.codebook_size,
            "duration_s": self.duration_s,
            "loudness_gain": self.loudness_gain,
            "num_samples": self.num_samples,
        }


def seconds_per_column(loaded: LoadedVQModel) -> float:
    """The model's time axis: hop x mel frames per column / sample rate (~42.7 ms)."""
    config = loaded.spectrogram.config
    return config.hop_length * loaded.model.config.time_downsample / config.sample_rate


def grid_for_model(
    codes: Any,
    mel_shape: Any,
    loaded: LoadedVQModel,
    *,
    spatial_shape: Any = None,
    num_samples: int | None = None,
    loudness_gain: float = 1.0,
) -> CodeGrid:
    """A checked grid from the plan's loose arguments (codes, shapes) and a model.

    Without num_samples the grid lasts (F - 1) x hop samples: what the mel frames span.
    """
    config = loaded.spectrogram.config
    columns = None
    if spatial_shape is not None:
        height, columns = shape_pair("spatial_shape", spatial_shape)
        if height != 1:
            raise CodeGridError(f"spatial_shape must be (1, columns), got {spatial_shape}.")
    mel_shape = shape_pair("mel_shape", mel_shape)
    step = loaded.model.config.time_downsample
    if columns is not None and math.ceil(mel_shape[1] / step) != columns:
        raise CodeGridError(
            f"mel_shape {mel_shape} gives {math.ceil(mel_shape[1] / step)} columns at {step} "
            f"frames per column, but spatial_shape {spatial_shape} says {columns}."
        )
    codes = checked_codes(codes, loaded.model.codebook_size, loaded.model.num_quantizers, columns)
    if num_samples is None:
        num_samples = max(1, (mel_shape[1] - 1) * config.hop_length)
    grid = CodeGrid(
        codes=codes,
        codebook_size=loaded.model.codebook_size,
        mel_shape=mel_shape,
        num_samples=num_samples,
        sample_rate=config.sample_rate,
        seconds_per_column=seconds_per_column(loaded),
        loudness_gain=loudness_gain,
    )
    return check_code_grid(grid, loaded)


def shape_pair(name: str, value: Any) -> tuple[int, int]:
    if (
        not isinstance(value, (tuple, list))
        or len(value) != 2
        or not all(is_whole_number(v) and int(v) >= 1 for v in value)
    ):
        raise CodeGridError(f"{name} must be two positive whole numbers, got {value!r}.")
    return int(value[0]), int(value[1])


def check_code_grid(grid: CodeGrid, loaded: LoadedVQModel | None = None) -> CodeGrid:
    """The one validator: the grid is consistent in itself and, with a model, is its own.

    Returns the grid; raises CodeGridError with one sentence naming what is wrong.
    """
    shape_pair("mel_shape", grid.mel_shape)
    for name in ("num_samples", "sample_rate"):
        if not is_whole_number(getattr(grid, name)) or getattr(grid, name) < 1:
            raise CodeGridError(f"{name} must be a whole number >= 1, got {getattr(grid, name)!r}.")
    for name in ("seconds_per_column", "loudness_gain"):
        if not _is_positive_number(getattr(grid, name)):
            raise CodeGridError(f"{name} must be a positive number, got {getattr(grid, name)!r}.")
    if grid.num_columns > grid.mel_shape[1]:
        raise CodeGridError(
            f"The grid has {grid.num_columns} columns but only {grid.mel_shape[1]} mel frames."
        )
    if grid.level_labels and len(grid.level_labels) != grid.num_levels:
        raise CodeGridError(
            f"The grid has {grid.num_levels} levels but {len(grid.level_labels)} level labels."
        )
    if loaded is not None:
        _check_fits_model(grid, loaded)
    return grid


def _check_fits_model(grid: CodeGrid, loaded: LoadedVQModel) -> None:
    """Same levels, codebook, mel bins, sample rate and time axis; frames that fit the length."""
    model, spectrogram = loaded.model, loaded.spectrogram
    config = spectrogram.config
    step = model.config.time_downsample
    expected = {
        "levels": (grid.num_levels, model.num_quantizers),
        "codebook size": (grid.codebook_size, model.codebook_size),
        "mel bins": (grid.mel_shape[0], config.n_mels),
        "sample rate": (grid.sample_rate, config.sample_rate),
        "columns for its mel frames": (grid.num_columns, math.ceil(grid.mel_shape[1] / step)),
    }
    for what, (found, wanted) in expected.items():
        if found != wanted:
            raise CodeGridError(
                f"These codes do not fit this model: {what} {found} in the codes, {wanted} "
                "for the model."
            )
    padded = max(grid.num_samples, config.n_fft)  # inputs shorter than a window are padded
    if grid.mel_shape[1] != spectrogram.num_frames(padded):
        raise CodeGridError(
            f"These codes do not fit this model: mel frames {grid.mel_shape[1]} in the codes, "
            f"{spectrogram.num_frames(padded)} for {grid.num_samples} samples."
        )
    if not math.isclose(grid.seconds_per_column, seconds_per_column(loaded), rel_tol=1e-9):
        raise CodeGridError(
            f"These codes do not fit this model: {grid.seconds_per_column * 1000:.2f} ms per "
            f"column in the codes, {seconds_per_column(loaded) * 1000:.2f} ms for the model."
        )

"""Argument checks for the code grid: each failure is a CodeGridError with one clear sentence."""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np

NO_CODE = -1  # "this level contributes nothing here": drawn as an empty grey cell


class CodeGridError(ValueError):
    """Arguments that cannot be drawn as a code grid (wrong shape, range or labels)."""


def positive_int(name: str, value: object) -> int:
    """`value` as an int if it is a whole number >= 1 (bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, Integral) or int(value) < 1:
        raise CodeGridError(f"{name} must be a whole number of at least 1, got {value!r}.")
    return int(value)


def spatial_columns(spatial_shape: object) -> int:
    """F' = H*W from spatial_shape (H, W), both positive whole numbers."""
    if (
        not isinstance(spatial_shape, Sequence)
        or len(spatial_shape) != 2
        or not all(isinstance(v, Integral) and not isinstance(v, bool) for v in spatial_shape)
        or min(int(v) for v in spatial_shape) < 1
    ):
        raise CodeGridError(
            f"spatial_shape must be two positive whole numbers (H, W), got {spatial_shape!r}."
        )
    return int(spatial_shape[0]) * int(spatial_shape[1])


def codes_matrix(indices: Any, num_levels: int, codebook_size: int, columns: int) -> np.ndarray:
    """Validated codes as a NumPy array [F', L] from indices [1, F', L]."""
    if hasattr(indices, "detach"):  # a torch.Tensor, without importing torch here
        indices = indices.detach().cpu().numpy()
    array = np.asarray(indices)
    if array.ndim != 3 or array.shape[0] != 1:
        raise CodeGridError(
            f"indices must have shape [1, F', L] = [1, {columns}, {num_levels}], "
            f"got {list(array.shape)}."
        )
    if array.shape[2] != num_levels:
        raise CodeGridError(
            f"indices has {array.shape[2]} levels but num_quantizers is {num_levels}."
        )
    if array.shape[1] != columns:
        raise CodeGridError(
            f"indices has {array.shape[1]} columns but spatial_shape gives H*W = {columns}."
        )
    if not np.issubdtype(array.dtype, np.integer):
        raise CodeGridError(f"indices must hold whole-number codes, got dtype {array.dtype}.")
    bad = np.argwhere((array[0] < NO_CODE) | (array[0] >= codebook_size))
    if bad.size:
        position, level = (int(v) for v in bad[0])
        raise CodeGridError(
            f"Code {int(array[0, position, level])} at level {level}, column {position} is "
            f"outside [0, {codebook_size}) (use -1 for 'no code')."
        )
    return array[0]


def check_selected(selected: object, num_levels: int, num_columns: int) -> tuple[int, int] | None:
    """selected_cell as (level, position) inside an L x F' grid, or None."""
    if selected is None:
        return None
    if (
        not isinstance(selected, Sequence)
        or len(selected) != 2
        or not all(isinstance(v, Integral) and not isinstance(v, bool) for v in selected)
    ):
        raise CodeGridError(f"selected_cell must be (level, position) or None, got {selected!r}.")
    level, position = int(selected[0]), int(selected[1])
    if not (0 <= level < num_levels and 0 <= position < num_columns):
        raise CodeGridError(
            f"selected_cell {(level, position)} is outside the grid of {num_levels} levels "
            f"by {num_columns} columns."
        )
    return level, position


def check_duration(duration_s: object) -> float:
    """duration_s as a finite float > 0 (seconds)."""
    if isinstance(duration_s, bool) or not isinstance(duration_s, Real):
        raise CodeGridError(f"duration_s must be a number of seconds, got {duration_s!r}.")
    duration = float(duration_s)
    if not math.isfinite(duration) or duration <= 0:
        raise CodeGridError(f"duration_s must be a positive number of seconds, got {duration}.")
    return duration

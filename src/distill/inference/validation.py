"""Argument checks for the codes pipeline besides the grid and indices into it (those are
`grid.check_code_grid`, `check_level`, `check_column`, `check_code`): each failure is a
ValueError with one clear sentence."""

from __future__ import annotations

from numbers import Integral
from typing import Any

MAX_ITERATIONS = 1000


def is_whole_number(value: Any) -> bool:
    """An int (numpy ints too), but not a bool."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def check_iterations(num_iterations: Any) -> None:
    """Griffin-Lim iterations: None (the model's default) or a whole number up to 1000."""
    if num_iterations is not None and (
        not is_whole_number(num_iterations) or not 0 <= num_iterations <= MAX_ITERATIONS
    ):
        raise ValueError(f"iterations must be from 0 to {MAX_ITERATIONS}, got {num_iterations!r}.")

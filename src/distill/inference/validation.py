"""Argument checks for the codes pipeline besides the grid as a whole (`grid.check_code_grid`):
the one check of an index into a grid (`check_level`, `check_column`, `check_code`), raising
the grid's one error type, `CodeGridError`; Griffin-Lim's iterations. Each failure is a
ValueError with one clear sentence."""

from __future__ import annotations

from numbers import Integral
from typing import Any

MAX_ITERATIONS = 1000


class CodeGridError(ValueError):
    """A code grid that is malformed, or does not fit the model it is used with."""


def is_whole_number(value: Any) -> bool:
    """An int (numpy ints too), but not a bool."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def whole_number(name: str, value: Any) -> int:
    """value as an int, if it is a whole number (not a bool, not a float); else CodeGridError."""
    if not is_whole_number(value):
        raise CodeGridError(f"{name} must be a whole number, got {value!r}.")
    return int(value)


def _check_index(word: str, value: Any, size: int, shown_from: int) -> int:
    """value as an int in [0, size), else a CodeGridError that numbers it as the grid shows it
    (levels from 1, columns from 0)."""
    index = whole_number(word.lower(), value)
    if not 0 <= index < size:
        first, last = shown_from, size - 1 + shown_from
        raise CodeGridError(
            f"{word} {index + shown_from} is not in this grid, which has {word.lower()}s "
            f"{first}-{last}."
        )
    return index


def check_level(level: Any, num_levels: int) -> int:
    """The one check of a level (0-based) against a grid's L; shown from 1, as the grid does."""
    return _check_index("Level", level, num_levels, 1)


def check_column(column: Any, num_columns: int) -> int:
    """The one check of a column against a grid's F' (columns are shown from 0)."""
    return _check_index("Column", column, num_columns, 0)


def check_code(code: Any, codebook_size: int) -> int:
    """The one check of a code a person gives (a typed cell, a preview): 0 to K - 1
    (NO_CODE is how a grid stores silence, not a code to ask for)."""
    code = whole_number("code", code)
    if not 0 <= code < codebook_size:
        raise CodeGridError(
            f"Code {code} is not one of this model's codes, which run from 0 to "
            f"{codebook_size - 1}."
        )
    return code


def check_iterations(num_iterations: Any) -> None:
    """Griffin-Lim iterations: None (the model's default) or a whole number up to 1000."""
    if num_iterations is not None and (
        not is_whole_number(num_iterations) or not 0 <= num_iterations <= MAX_ITERATIONS
    ):
        raise ValueError(f"iterations must be from 0 to {MAX_ITERATIONS}, got {num_iterations!r}.")

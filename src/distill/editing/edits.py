"""The grid edits: set one code, swap a region between two grids, mute, solo and "first k
levels". Each is a pure function (DESIGN.md 12): it checks its arguments, returns new grids
and leaves its inputs as they were, and records what it did in the new grid's `operations`.
"""

from __future__ import annotations

from collections.abc import Iterable

from distill.editing.region import (
    EditError,
    Region,
    check_region,
    check_same_model,
    span_text,
    target_region,
)
from distill.inference.grid import (
    NO_CODE,
    CodeGrid,
)
from distill.inference.validation import check_code, check_column, check_level, whole_number


def set_code(grid: CodeGrid, level: int, column: int, code: int) -> CodeGrid:
    """`grid` with the cell (level, column) set to `code`, which must be in 0..K-1."""
    level, column = check_level(level, grid.num_levels), check_column(column, grid.num_columns)
    code = check_code(code, grid.codebook_size)
    codes = grid.codes.clone()  # [1, F', L]
    codes[0, column, level] = code
    return grid.with_codes(codes, f"set level {level + 1} column {column} to code {code}")


def fill_columns(grid: CodeGrid, level: int, columns: tuple[int, int], code: int) -> CodeGrid:
    """`grid` with level `level` set to `code` in columns [start, end] (both included)."""
    level = check_level(level, grid.num_levels)
    first, last = (check_column(c, grid.num_columns) for c in columns)
    if first > last:
        raise EditError(f"Columns {first}-{last} are in the wrong order.")
    code = check_code(code, grid.codebook_size)
    codes = grid.codes.clone()  # [1, F', L]
    codes[0, first : last + 1, level] = code
    return grid.with_codes(
        codes, f"set level {level + 1} {span_text('column', first, last)} to code {code}"
    )


def swap_region(
    a: CodeGrid,
    b: CodeGrid,
    region: Region,
    at: int | None = None,
    *,
    a_name: str = "A",
    b_name: str = "B",
) -> tuple[CodeGrid, CodeGrid]:
    """(new a, new b): `region` of a exchanged with the same-shaped region of b that starts
    at column `at` of b (default: the region's own start column).

    The grids may differ in length; a region that does not fit in b there is an EditError.
    Swapping the same region twice gives back both grids. The names go into the texts.
    """
    check_same_model(a, b, (a_name, b_name))
    region = check_region(region, a)
    other = target_region(region, b, at, b_name)
    codes_a, codes_b = a.codes.clone(), b.codes.clone()  # [1, F', L] each
    codes_a[0, region.column_slice, region.level_slice] = b.codes[
        0, other.column_slice, other.level_slice
    ]
    codes_b[0, other.column_slice, other.level_slice] = a.codes[
        0, region.column_slice, region.level_slice
    ]
    return (
        a.with_codes(codes_a, _swap_text(region, b_name, other.columns[0])),
        b.with_codes(codes_b, _swap_text(other, a_name, region.columns[0])),
    )


def _swap_text(region: Region, other_name: str, other_start: int) -> str:
    return f"swap {region.describe()} with {other_name} at column {other_start}"


def mute_levels(grid: CodeGrid, levels: Iterable[int]) -> CodeGrid:
    """`grid` with every cell of `levels` silent (NO_CODE). No levels: an unchanged copy."""
    chosen = sorted({check_level(level, grid.num_levels) for level in levels})
    if not chosen:
        return grid.with_codes(grid.codes)
    codes = grid.codes.clone()  # [1, F', L]
    codes[0, :, chosen] = NO_CODE
    return grid.with_codes(codes, f"mute {_levels_text(chosen)}")


def _levels_text(levels: list[int]) -> str:
    """'level 2', 'levels 1, 3' (shown from 1)."""
    shown = [str(level + 1) for level in levels]
    return f"level {shown[0]}" if len(shown) == 1 else f"levels {', '.join(shown)}"


def solo_level(grid: CodeGrid, level: int) -> CodeGrid:
    """`grid` with only `level` sounding: every other level silent."""
    level = check_level(level, grid.num_levels)
    codes = grid.codes.clone()  # [1, F', L]
    codes[0, :, [other for other in range(grid.num_levels) if other != level]] = NO_CODE
    return grid.with_codes(codes, f"solo level {level + 1}")


def first_levels(grid: CodeGrid, k: int) -> CodeGrid:
    """`grid` with only its first k levels sounding (levels k.. silent); k in 1..L.

    With quantizer dropout in training, the first levels alone decode to a coarser sound.
    """
    k = whole_number("k", k)
    if not 1 <= k <= grid.num_levels:
        raise EditError(f"The number of levels to keep must be 1 to {grid.num_levels}, got {k}.")
    codes = grid.codes.clone()  # [1, F', L]
    codes[0, :, k:] = NO_CODE
    return grid.with_codes(codes, f"only {span_text('level', 1, k)}")

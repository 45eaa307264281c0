"""Regions of a code grid (a range of levels x a range of columns) and the checks every edit
shares.

Arguments are 0-based (level 0 is the top row, column 0 the first); messages and operation
texts number levels from 1, as the grid and the app's status line show them, and columns
from 0, as the grid's ruler does. Every bad argument is an `EditError` with one sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from distill.inference.grid import CodeGrid, CodeGridError, check_code_grid
from distill.inference.validation import whole_number

if TYPE_CHECKING:
    from distill.models.persistence import LoadedVQModel


# An edit's argument that does not fit its grids (code, level, column, region, amount, or two
# grids from different models) is a grid error: one type, whether an edit or a preview finds it.
EditError = CodeGridError


def span_text(word: str, first: int, last: int) -> str:
    """'levels 1-2', 'column 14': a range as the texts show it (already numbered for show)."""
    return f"{word} {first}" if first == last else f"{word}s {first}-{last}"


def _pair(name: str, value: Any) -> tuple[int, int]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise EditError(f"Region {name} must be (first, last), got {value!r}.")
    first, last = (whole_number(f"Region {name}", v) for v in value)
    shown = 1 if name == "levels" else 0  # levels are shown from 1, columns from 0
    if first < 0:
        raise EditError(f"Region {name} start at {shown}, got {first + shown}.")
    if first > last:
        raise EditError(
            f"Region {name} must run from first to last, got {first + shown}-{last + shown}."
        )
    return first, last


@dataclass(frozen=True)
class Region:
    """A rectangle of a grid: levels (first, last) and columns (first, last), inclusive."""

    levels: tuple[int, int]
    columns: tuple[int, int]

    def __post_init__(self) -> None:
        object.__setattr__(self, "levels", _pair("levels", self.levels))
        object.__setattr__(self, "columns", _pair("columns", self.columns))

    @classmethod
    def whole(cls, grid: CodeGrid) -> Region:
        """Every level and every column of `grid`."""
        return cls((0, grid.num_levels - 1), (0, grid.num_columns - 1))

    @classmethod
    def from_corners(cls, corner: tuple[int, int], other: tuple[int, int]) -> Region:
        """The rectangle between two (level, column) cells in any order (a drag selection)."""
        (level_a, column_a), (level_b, column_b) = corner, other
        return cls(
            (min(level_a, level_b), max(level_a, level_b)),
            (min(column_a, column_b), max(column_a, column_b)),
        )

    @property
    def num_levels(self) -> int:
        return self.levels[1] - self.levels[0] + 1

    @property
    def num_columns(self) -> int:
        return self.columns[1] - self.columns[0] + 1

    @property
    def level_slice(self) -> slice:
        return slice(self.levels[0], self.levels[1] + 1)

    @property
    def column_slice(self) -> slice:
        return slice(self.columns[0], self.columns[1] + 1)

    def moved_to(self, column: int) -> Region:
        """The same levels and shape, starting at `column`."""
        return Region(self.levels, (column, column + self.num_columns - 1))

    def describe(self) -> str:
        """'levels 1-2 columns 10-40' (levels from 1, columns from 0)."""
        levels = span_text("level", self.levels[0] + 1, self.levels[1] + 1)
        return f"{levels} {span_text('column', *self.columns)}"


def check_region(region: Region, grid: CodeGrid) -> Region:
    """The region, if it lies inside `grid`; an EditError naming the grid's size if not
    (never a silent crop)."""
    if not isinstance(region, Region):
        raise EditError(f"Expected a Region, got {type(region).__name__}.")
    if region.levels[1] >= grid.num_levels or region.columns[1] >= grid.num_columns:
        raise EditError(
            f"The region ({region.describe()}) is outside the grid, which has "
            f"{grid.num_levels} levels and {grid.num_columns} columns "
            f"(levels 1-{grid.num_levels}, columns 0-{grid.num_columns - 1})."
        )
    return region


def check_same_model(a: CodeGrid, b: CodeGrid, names: tuple[str, str] = ("A", "B")) -> None:
    """Two grids an edit can exchange codes between: the same levels, codebook and time axis
    (a grid does not carry its model, so this is what can be compared)."""
    for what, found_a, found_b in (
        ("levels", a.num_levels, b.num_levels),
        ("codes per level", a.codebook_size, b.codebook_size),
        ("mel bins", a.mel_shape[0], b.mel_shape[0]),
        ("sample rate", a.sample_rate, b.sample_rate),
        ("seconds per column", a.seconds_per_column, b.seconds_per_column),
    ):
        if found_a != found_b:
            raise EditError(
                f"{names[0]} and {names[1]} come from different models ({what}: {found_a} and "
                f"{found_b}); encode both with the same model."
            )


def check_fits_model(grid: CodeGrid, loaded: LoadedVQModel, name: str) -> None:
    """The grid is the model's own (the one validator, its error as an EditError)."""
    try:
        check_code_grid(grid, loaded)
    except CodeGridError as error:
        raise EditError(f"{name}: {error}") from None


def target_region(region: Region, b: CodeGrid, at: Any, name: str = "B") -> Region:
    """Where `region` of A lands in `b`: the same levels and shape from column `at` (default
    the same start column); an EditError when it does not fit there."""
    start = region.columns[0] if at is None else whole_number("at", at)
    if start < 0:
        raise EditError(f"The start column in {name} must be 0 or more, got {start}.")
    if region.levels[1] >= b.num_levels:
        check_region(region, b)
    if region.num_columns > b.num_columns:
        raise EditError(
            f"The region's {region.num_columns} columns do not fit in {name}, which has only "
            f"{b.num_columns} columns."
        )
    if start + region.num_columns > b.num_columns:
        raise EditError(
            f"The region's {region.num_columns} columns do not fit in {name} from column "
            f"{start}: {name} has {b.num_columns} columns, so the latest start is column "
            f"{b.num_columns - region.num_columns}."
        )
    return region.moved_to(start)

"""Regions: inclusive (first, last) ranges, checked against the grid, never cropped."""

from __future__ import annotations

import pytest
from tests.editing.grids import make_grid

from distill.editing import EditError, Region, check_region


def test_a_region_knows_its_size_and_describes_itself_from_level_one():
    region = Region((1, 2), (10, 40))
    assert (region.num_levels, region.num_columns) == (2, 31)
    assert region.describe() == "levels 2-3 columns 10-40"
    assert Region((0, 0), (14, 14)).describe() == "level 1 column 14"
    assert region.moved_to(5) == Region((1, 2), (5, 35))


def test_whole_and_from_corners():
    grid = make_grid(columns=8, levels=3)
    assert Region.whole(grid) == Region((0, 2), (0, 7))
    assert Region.from_corners((2, 7), (0, 3)) == Region((0, 2), (3, 7))


@pytest.mark.parametrize(
    ("levels", "columns", "message"),
    [
        ((2, 1), (0, 1), "Region levels must run from first to last, got 3-2."),
        ((0, 1), (5, 4), "Region columns must run from first to last, got 5-4."),
        ((-1, 1), (0, 1), "Region levels start at 1, got 0."),
        ((0, 1), (-2, 1), "Region columns start at 0, got -2."),
        ((0, 1.5), (0, 1), "Region levels must be a whole number, got 1.5."),
        ((0, 1, 2), (0, 1), "Region levels must be (first, last), got (0, 1, 2)."),
    ],
)
def test_a_malformed_region_is_refused(levels, columns, message):
    with pytest.raises(EditError) as error:
        Region(levels, columns)
    assert str(error.value) == message


def test_a_region_outside_the_grid_names_the_grid_size():
    grid = make_grid(columns=8, levels=3)
    assert check_region(Region((0, 2), (0, 7)), grid) == Region.whole(grid)
    with pytest.raises(EditError) as error:
        check_region(Region((0, 1), (5, 8)), grid)
    assert str(error.value) == (
        "The region (levels 1-2 columns 5-8) is outside the grid, which has 3 levels and "
        "8 columns (levels 1-3, columns 0-7)."
    )
    with pytest.raises(EditError, match="outside the grid"):
        check_region(Region((3, 3), (0, 0)), grid)

"""set_code, swap_region, mute/solo/first levels: new grids, inputs untouched, clear errors."""

from __future__ import annotations

import pytest
import torch
from tests.editing.grids import make_grid

from distill.editing import (
    EditError,
    Region,
    fill_columns,
    first_levels,
    mute_levels,
    set_code,
    solo_level,
    swap_region,
)
from distill.inference import NO_CODE


def test_set_code_changes_one_cell_of_a_new_grid_and_records_it():
    grid = make_grid()
    before = grid.codes.clone()
    edited = set_code(grid, 2, 5, 7)
    assert torch.equal(grid.codes, before)  # the input is untouched
    assert int(edited.codes[0, 5, 2]) == 7
    changed = (edited.codes != before).nonzero().tolist()
    assert changed in ([], [[0, 5, 2]])
    assert edited.operations == ("set level 3 column 5 to code 7",)
    assert edited.level_labels == grid.level_labels
    assert set_code(edited, 0, 0, 1).operations[-1] == "set level 1 column 0 to code 1"


def test_fill_columns_sets_one_level_over_a_span_and_records_it():
    grid = make_grid()
    before = grid.codes.clone()
    filled = fill_columns(grid, 1, (2, 5), 9)
    assert torch.equal(grid.codes, before)  # the input is untouched
    assert filled.codes[0, 2:6, 1].tolist() == [9] * 4
    assert torch.equal(filled.codes[0, :, 0], before[0, :, 0])  # other levels kept
    assert torch.equal(filled.codes[0, 6:, 1], before[0, 6:, 1])
    assert filled.operations == ("set level 2 columns 2-5 to code 9",)
    assert fill_columns(grid, 0, (3, 3), 1).operations == ("set level 1 column 3 to code 1",)
    with pytest.raises(EditError, match="wrong order"):
        fill_columns(grid, 0, (5, 2), 1)
    with pytest.raises(ValueError, match="Code 16 is not one of"):
        fill_columns(grid, 0, (0, 1), 16)
    with pytest.raises(ValueError, match="Column 8 is not in this grid"):
        fill_columns(grid, 0, (0, 8), 1)


@pytest.mark.parametrize(
    ("level", "column", "code", "message"),
    [
        (0, 0, 16, "Code 16 is not one of this model's codes, which run from 0 to 15."),
        (0, 0, NO_CODE, "Code -1 is not one of this model's codes, which run from 0 to 15."),
        (0, 0, 2.0, "code must be a whole number, got 2.0."),
        (3, 0, 1, "Level 4 is not in this grid, which has levels 1-3."),
        (-1, 0, 1, "Level 0 is not in this grid, which has levels 1-3."),
        (0, 8, 1, "Column 8 is not in this grid, which has columns 0-7."),
        (True, 0, 1, "level must be a whole number, got True."),
    ],
)
def test_set_code_refuses_what_is_not_in_the_grid(level, column, code, message):
    with pytest.raises(EditError) as error:
        set_code(make_grid(), level, column, code)
    assert str(error.value) == message


def test_swap_exchanges_a_region_between_grids_of_different_lengths():
    a, b = make_grid(columns=12, seed=1), make_grid(columns=7, seed=2)
    region = Region((1, 2), (6, 9))
    new_a, new_b = swap_region(a, b, region, at=2, a_name="a.wav", b_name="b.wav")
    assert torch.equal(new_a.codes[0, 6:10, 1:3], b.codes[0, 2:6, 1:3])
    assert torch.equal(new_b.codes[0, 2:6, 1:3], a.codes[0, 6:10, 1:3])
    outside_a = torch.ones(12, 3, dtype=torch.bool)
    outside_a[6:10, 1:3] = False
    assert torch.equal(new_a.codes[0][outside_a], a.codes[0][outside_a])
    outside_b = torch.ones(7, 3, dtype=torch.bool)
    outside_b[2:6, 1:3] = False
    assert torch.equal(new_b.codes[0][outside_b], b.codes[0][outside_b])
    assert (new_a.num_columns, new_b.num_columns) == (12, 7)
    assert new_a.operations == ("swap levels 2-3 columns 6-9 with b.wav at column 2",)
    assert new_b.operations == ("swap levels 2-3 columns 2-5 with a.wav at column 6",)


def test_swapping_twice_gives_back_both_grids_and_leaves_the_inputs_alone():
    a, b = make_grid(columns=10, seed=3), make_grid(columns=9, seed=4)
    codes_a, codes_b = a.codes.clone(), b.codes.clone()
    for region, at in [(Region((0, 2), (0, 8)), None), (Region((1, 1), (3, 9)), 0)]:
        once = swap_region(a, b, region, at)
        twice = swap_region(*once, region, at)
        assert twice == (a, b)
        assert torch.equal(twice[0].codes, codes_a) and torch.equal(twice[1].codes, codes_b)
    assert torch.equal(a.codes, codes_a) and torch.equal(b.codes, codes_b)


def test_swap_at_the_same_start_column_by_default():
    a, b = make_grid(seed=5), make_grid(seed=6)
    new_a, _ = swap_region(a, b, Region((0, 0), (3, 4)))
    assert torch.equal(new_a.codes[0, 3:5, 0], b.codes[0, 3:5, 0])
    assert new_a.operations == ("swap level 1 columns 3-4 with B at column 3",)


def test_a_region_that_does_not_fit_in_b_is_an_error_not_a_crop():
    a, b = make_grid(columns=12), make_grid(columns=7)
    with pytest.raises(EditError) as error:
        swap_region(a, b, Region((0, 1), (0, 3)), at=5)
    assert str(error.value) == (
        "The region's 4 columns do not fit in B from column 5: B has 7 columns, so the "
        "latest start is column 3."
    )
    with pytest.raises(EditError) as error:
        swap_region(a, b, Region((0, 1), (8, 11)))  # same start column: past B's end
    assert "do not fit in B from column 8" in str(error.value)
    with pytest.raises(EditError) as error:
        swap_region(a, b, Region((0, 0), (0, 9)), at=0)
    assert str(error.value) == (
        "The region's 10 columns do not fit in B, which has only 7 columns."
    )
    with pytest.raises(EditError, match="must be 0 or more, got -1"):
        swap_region(a, b, Region((0, 0), (0, 1)), at=-1)
    with pytest.raises(EditError, match="outside the grid"):
        swap_region(b, a, Region((0, 0), (5, 7)))


@pytest.mark.parametrize(
    ("other", "what"),
    [
        (make_grid(levels=4), "levels: 3 and 4"),
        (make_grid(codebook_size=32), "codes per level: 16 and 32"),
    ],
)
def test_grids_from_different_models_cannot_swap(other, what):
    with pytest.raises(EditError) as error:
        swap_region(make_grid(), other, Region((0, 0), (0, 0)))
    assert str(error.value) == (
        f"A and B come from different models ({what}); encode both with the same model."
    )


def test_a_grid_with_another_time_axis_cannot_swap():
    a = make_grid()
    from dataclasses import replace

    b = replace(a, seconds_per_column=a.seconds_per_column * 2)
    with pytest.raises(EditError, match="different models \\(seconds per column"):
        swap_region(a, b, Region((0, 0), (0, 0)))


def test_mute_solo_and_first_levels_silence_whole_levels():
    grid = make_grid(levels=4)
    muted = mute_levels(grid, [3, 1, 1])
    assert (muted.codes[0, :, [1, 3]] == NO_CODE).all()
    assert torch.equal(muted.codes[0, :, [0, 2]], grid.codes[0, :, [0, 2]])
    assert muted.operations == ("mute levels 2, 4",)
    assert mute_levels(grid, [0]).operations == ("mute level 1",)
    unchanged = mute_levels(grid, [])
    assert unchanged == grid and unchanged.operations == ()
    solo = solo_level(grid, 2)
    assert (solo.codes[0, :, [0, 1, 3]] == NO_CODE).all()
    assert torch.equal(solo.codes[0, :, 2], grid.codes[0, :, 2])
    assert solo.operations == ("solo level 3",)
    first = first_levels(grid, 2)
    assert (first.codes[0, :, 2:] == NO_CODE).all()
    assert torch.equal(first.codes[0, :, :2], grid.codes[0, :, :2])
    assert first.operations == ("only levels 1-2",)
    assert first_levels(grid, 1).operations == ("only level 1",)
    assert first_levels(grid, 4) == grid
    assert not (grid.codes == NO_CODE).any()  # the input is untouched


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g: mute_levels(g, [0, 3]), "Level 4 is not in this grid, which has levels 1-3."),
        (lambda g: solo_level(g, -1), "Level 0 is not in this grid, which has levels 1-3."),
        (lambda g: first_levels(g, 0), "The number of levels to keep must be 1 to 3, got 0."),
        (lambda g: first_levels(g, 4), "The number of levels to keep must be 1 to 3, got 4."),
    ],
)
def test_level_transforms_refuse_levels_not_in_the_grid(call, message):
    with pytest.raises(EditError) as error:
        call(make_grid())
    assert str(error.value) == message

"""EditHistory: a frozen record; undo and redo restore the exact earlier grids and leave the
history they were called on as it was."""

from __future__ import annotations

import dataclasses
import random

import pytest
import torch
from tests.editing.grids import make_grid

from distill.editing import EditError, EditHistory, Region, set_code, swap_region


def test_undo_and_redo_walk_the_states_and_count_the_edits():
    a, b = make_grid(seed=1), make_grid(seed=2)
    history = EditHistory.start((a, b))
    assert (history.position, history.length) == (0, 0)
    assert not history.can_undo and not history.can_redo
    swapped = swap_region(a, b, Region((0, 1), (2, 5)))
    history = history.push(swapped)
    edited = (set_code(swapped[0], 0, 0, 3), swapped[1])
    history = history.push(edited)
    assert history.current is edited and (history.position, history.length) == (2, 2)
    back = history.undo()
    assert back.current is swapped and (back.position, back.length) == (1, 2)
    assert history.current is edited  # the history it was called on is unchanged
    start = back.undo()
    assert start.current == (a, b) and start.can_redo and not start.can_undo
    assert start.redo().current is swapped
    branched = start.redo().push((a, b))  # a new edit after an undo drops the undone one
    assert not branched.can_redo and (branched.position, branched.length) == (2, 2)


def test_undo_past_the_start_and_redo_past_the_end_say_so():
    history = EditHistory.start((make_grid(),))
    with pytest.raises(EditError) as error:
        history.undo()
    assert str(error.value) == "Nothing to undo: this is how the grids were loaded."
    with pytest.raises(EditError) as error:
        history.redo()
    assert str(error.value) == "Nothing to redo: this is the newest edit."


def test_a_history_is_frozen_and_holds_any_frozen_state():
    history = EditHistory.start((make_grid(seed=1),))
    with pytest.raises(dataclasses.FrozenInstanceError):
        history.index = 3  # type: ignore[misc]

    @dataclasses.dataclass(frozen=True)
    class Shown:
        label: str

    records = EditHistory.start(Shown("loaded")).push(Shown("edited"))
    assert records.undo().current == Shown("loaded") and records.current == Shown("edited")


def test_any_sequence_of_edits_undoes_to_the_exact_earlier_grids():
    rng = random.Random(0)
    a, b = make_grid(columns=9, seed=4), make_grid(columns=11, seed=5)
    history = EditHistory.start((a, b))
    seen = [(a.codes.clone(), b.codes.clone())]  # the states in order, as codes
    for _ in range(40):
        step = rng.random()
        if step < 0.2 and history.can_undo:
            history = history.undo()
        elif step < 0.3 and history.can_redo:
            history = history.redo()
        else:
            grid_a, grid_b = history.current
            if rng.random() < 0.5:
                cell = (rng.randrange(3), rng.randrange(9), rng.randrange(16))
                state = (set_code(grid_a, *cell), grid_b)
            else:
                start = rng.randrange(6)
                state = swap_region(grid_a, grid_b, Region((0, 2), (start, start + 3)), at=2)
            history = history.push(state)
            del seen[history.position :]
            seen.append((state[0].codes.clone(), state[1].codes.clone()))
        assert history.length == len(seen) - 1
    while history.can_undo:
        history = history.undo()
    for codes_a, codes_b in seen:
        grid_a, grid_b = history.current
        assert torch.equal(grid_a.codes, codes_a) and torch.equal(grid_b.codes, codes_b)
        if history.can_redo:
            history = history.redo()
    assert not history.can_redo


def test_the_oldest_states_go_past_the_limit_and_bad_states_are_refused():
    grids = [make_grid(seed=n) for n in range(5)]
    history = EditHistory.start((grids[0],), max_states=3)
    for grid in grids[1:]:
        history = history.push((grid,))
    assert (history.position, history.length) == (2, 2)
    history = history.undo()
    oldest = history.undo()
    assert oldest.current == (grids[2],) and not oldest.can_undo
    with pytest.raises(EditError, match="must be a non-empty tuple of code grids"):
        history.push(())
    with pytest.raises(EditError, match="must be a non-empty tuple of code grids"):
        history.push([grids[0]])  # type: ignore[arg-type]
    with pytest.raises(EditError, match="at least 2 states"):
        EditHistory.start((grids[0],), max_states=1)

"""The editor's gestures as pure transitions on frozen records (no browser, no server):
absolute blends, one step per commit, sliders that follow the history, listening."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from tests.editing.grids import make_grid
from tests.helpers import make_tiny_model_file

from distill.editing import EditError, EditHistory, Region
from distill.models.persistence import LoadedVQModel, load_model
from distill.ui.codes import edits
from distill.ui.codes.cells import cell_look, cell_patches
from distill.ui.codes.labels import relabel
from distill.ui.codes.state import CodesState, Editor, Grids, OpenFile


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> LoadedVQModel:
    return load_model(make_tiny_model_file(tmp_path_factory.mktemp("m") / "tiny.distill"))


def editor(columns_b: int = 12) -> Editor:
    return Editor(EditHistory.start(Grids(make_grid(12, seed=1), make_grid(columns_b, seed=2))))


def codes(grids: Grids) -> tuple[torch.Tensor, torch.Tensor | None]:
    return grids.a.codes.clone(), grids.b.codes.clone() if grids.b is not None else None


def test_records_are_frozen_and_transitions_leave_them_as_they_were() -> None:
    start = editor()
    with pytest.raises(dataclasses.FrozenInstanceError):
        start.version = 9  # type: ignore[misc]
    done = edits.set_cell(start, "a", 1, 4, 9)
    assert int(done.editor.grids.a.codes[0, 4, 1]) == 9 and done.editor.version == 1
    assert int(start.grids.a.codes[0, 4, 1]) == 7  # as made
    assert start.history.length == 0 and start.grids.a is start.history.current.a
    assert done.status == "Set level 2, column 4 of A to code 9."
    assert done.editor.history_text() == "Edit 1 of 1"
    with pytest.raises(EditError, match="from 0 to 15"):
        edits.set_cell(start, "a", 1, 4, 16)


def test_a_blend_slider_is_absolute_and_back_at_0_gives_a_back(loaded) -> None:
    start = editor()
    a0, b0 = codes(start.grids)
    moved = edits.blend(start, loaded, "whole", 1.0, commit=False)
    assert torch.equal(moved.editor.grids.a.codes, b0)  # shown while it moves...
    assert moved.editor.history.length == 0  # ...not a step until released
    kept = edits.blend(moved.editor, loaded, "whole", 1.0, commit=True).editor
    assert kept.history.length == 1 and kept.grids.blend_amount("whole") == 1.0
    # Dragged again from 1 back to 0: the grid as it was before the blend began, exactly.
    back = edits.blend(kept, loaded, "whole", 0.0, commit=False).editor
    assert torch.equal(back.grids.a.codes, a0) and back.grids.blend is None
    released = edits.blend(back, loaded, "whole", 0.0, commit=True)
    assert torch.equal(released.editor.grids.a.codes, a0)
    assert released.editor.history.length == 2 and "as it was before the blend" in released.status
    # A slider released where it began keeps no step.
    same = edits.blend(start, loaded, "whole", 0.0, commit=True)
    assert same.editor.history.length == 0 and "nothing to keep" in same.status


def test_the_sliders_follow_the_history_and_reset_after_another_edit(loaded) -> None:
    half = edits.blend(editor(), loaded, "whole", 0.5, commit=True).editor
    full = edits.blend(half, loaded, "whole", 1.0, commit=True).editor
    assert full.grids.blend_amount("whole") == 1.0
    undone = edits.step(full, forward=False).editor
    assert undone.grids.blend_amount("whole") == 0.5 and undone.draft is None
    assert edits.step(undone, forward=False).editor.grids.blend_amount("whole") == 0.0
    # Both blends started from the same grid: 1.0 is A blended all the way, not a blend of
    # the 0.5 blend.
    base = half.grids.blend.base.a if half.grids.blend else None
    assert full.grids.blend is not None and full.grids.blend.base.a is base
    typed = edits.set_cell(full, "a", 0, 0, 3).editor
    assert typed.grids.blend_amount("whole") == 0.0  # a new edit: the slider starts at 0
    assert edits.blend(typed, loaded, "whole", 0.0, commit=False).editor.grids.a is typed.grids.a


def test_a_selection_blend_needs_a_selection_on_a(loaded) -> None:
    start = editor()
    with pytest.raises(EditError, match="Select a region first"):
        edits.blend(start, loaded, "selection", 0.5, commit=False)
    on_b = edits.select(start, "b", Region((0, 1), (2, 5))).editor
    with pytest.raises(EditError, match="Select the region on A"):
        edits.blend(on_b, loaded, "selection", 0.5, commit=False)
    on_a = edits.select(start, "a", Region((0, 1), (2, 5))).editor
    blended = edits.blend(on_a, loaded, "selection", 1.0, commit=True).editor
    a, b = blended.grids.a.codes[0], start.grids.b.codes[0]  # type: ignore[union-attr]
    assert torch.equal(a[2:6, 0:2], b[2:6, 0:2]) and torch.equal(a[6:], start.grids.a.codes[0, 6:])
    assert blended.grids.blend_amount("selection") == 1.0
    assert blended.grids.blend_amount("whole") == 0.0


def test_swap_then_undo_restores_both_grids() -> None:
    start = editor()
    a0, b0 = codes(start.grids)
    selected = edits.select(start, "a", Region((0, 2), (3, 6))).editor
    swapped = edits.swap(selected, 5).editor
    assert torch.equal(swapped.grids.a.codes[0, 3:7], b0[0, 5:9])  # type: ignore[index]
    restored = edits.step(swapped, forward=False).editor
    assert torch.equal(restored.grids.a.codes, a0) and torch.equal(restored.grids.b.codes, b0)  # type: ignore[union-attr]
    with pytest.raises(EditError, match="latest start is column"):
        edits.swap(selected, 10)


def test_mute_and_solo_are_what_is_heard_not_edits() -> None:
    start = editor()
    muted = edits.toggle_mute(start, 1).editor
    assert edits.heard_grid(muted).codes[0, :, 1].eq(-1).all()
    solo = edits.toggle_solo(muted, 2).editor
    heard = edits.heard_grid(solo).codes[0]
    assert heard[:, 2].ge(0).all() and heard[:, :2].eq(-1).all()
    assert solo.listening.solo == 2 and solo.listening.muted == {1}
    assert edits.toggle_solo(solo, 2).editor.listening.solo is None
    assert torch.equal(solo.grids.a.codes, start.grids.a.codes) and solo.history.length == 0
    first = edits.first_levels(start, 1).editor
    assert edits.heard_grid(first).codes[0, :, 1:].eq(-1).all()


def test_patches_name_only_the_cells_that_changed_and_spell_them_as_a_redraw() -> None:
    grid = make_grid(12, seed=1)
    state = CodesState(a=OpenFile("m", "a.wav", grid), editor=editor())
    state = dataclasses.replace(state, b=OpenFile("m", "b.wav", state.editor.grids.b))  # type: ignore[union-attr,arg-type]
    code = (int(grid.codes[0, 4, 1]) + 1) % 16
    typed = edits.set_cell(state.editor, "a", 1, 4, code).editor  # type: ignore[arg-type]
    after = dataclasses.replace(state, editor=typed)
    patches = cell_patches(cell_look(state, "a"), cell_look(after, "a"))
    assert patches is not None and [(p.level, p.column) for p in patches] == [(1, 4)]
    patch = patches[0]
    assert (patch.text, patch.cls, patch.flash) == (str(code), f"code-cell edited c{code}", True)
    assert cell_patches(cell_look(state, "b"), cell_look(after, "b")) == []
    shorter = dataclasses.replace(
        after, editor=edits.apply(typed, Grids(make_grid(5, seed=3)), "").editor
    )
    assert cell_patches(cell_look(after, "a"), cell_look(shorter, "a")) is None  # redraw


def test_renamed_labels_reach_every_state_the_history_can_return_to(loaded) -> None:
    blended = edits.blend(editor(), loaded, "whole", 0.5, commit=True).editor
    named = relabel(blended, ["X", "Y", "Z"])
    assert named.grids.a.level_labels == ("X", "Y", "Z")
    assert edits.step(named, forward=False).editor.grids.b.level_labels == ("X", "Y", "Z")  # type: ignore[union-attr]
    assert named.grids.blend is not None and named.grids.blend.base.a.level_labels[0] == "X"
    assert np.isfinite(named.grids.blend.distances).any()

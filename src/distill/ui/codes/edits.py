"""The editor's gestures as pure transitions: each takes an `Editor` (and what it needs) and
returns an `Edit`, the new editor and the sentence the status line says. Grids change only
through `distill.editing`; every change the page shows bumps the editor's version.

Blends are absolute: a blend slider's position is the blend of the grids as they were when
that blend began (`BlendMark.base`), so dragging back to 0 gives them back exactly; a
release is one step of the history, and after undo or redo the sliders stand where that
state's blend left them (0 for a state no blend made).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from distill.editing import (
    EditError,
    Region,
    blend_region,
    check_region,
    fill_columns,
    mute_levels,
    set_code,
    swap_region,
)
from distill.inference.grid import CodeGrid
from distill.models.persistence import LoadedVQModel
from distill.ui.codes.state import (
    BlendKind,
    BlendMark,
    Editor,
    Grids,
    Listening,
    Selection,
    Side,
)

NO_B = "Swapping and blending need a second file: upload one as B, then press Encode."
NO_SELECTION = "Select a region first: drag across cells of A or B (time × levels)."
SELECT_ON_A = "Select the region on A: the blend moves A's codes towards B."


@dataclass(frozen=True)
class Edit:
    """A gesture's outcome: the editor after it and what the status line says."""

    editor: Editor
    status: str


def _shown(editor: Editor, **changes: Any) -> Editor:
    """The editor with `changes`, as a newer version of what the page shows."""
    return replace(editor, version=editor.version + 1, **changes)


def _push(editor: Editor, grids: Grids, status: str) -> Edit:
    """`grids` as a new step of the history (a blend being dragged is let go)."""
    return Edit(_shown(editor, history=editor.history.push(grids), draft=None), status)


def apply(editor: Editor, grids: Grids, status: str) -> Edit:
    """An edit made elsewhere (a regenerated region, a continuation) as one step."""
    return _push(editor, grids, status)


def side_name(side: Side) -> str:
    return side.upper()


def set_cell(editor: Editor, side: Side, level: int, column: int, code: int) -> Edit:
    """A code typed into a cell of A or B; only 0..K-1 are accepted (EditError otherwise)."""
    now = editor.history.current
    grid = now.grid(side)
    if grid is None:
        raise EditError(NO_B)
    edited = set_code(grid, level, column, code)  # the grid's one check of the code
    status = f"Set level {level + 1}, column {column} of {side_name(side)} to code {code}."
    return _push(editor, now.with_grid(side, edited), status)


def fill(editor: Editor, side: Side, level: int, code: int, column: int | None) -> Edit:
    """A palette swatch put on the grid: code `code` of level `level` in one column (a drop
    outside the selection) or, with `column` None or inside the selection of that side, in
    every selected column (on that level only: each level has its own codebook)."""
    now = editor.history.current
    grid = now.grid(side)
    if grid is None:
        raise EditError(NO_B)
    selection = editor.selection
    region = selection.region if selection is not None and selection.side == side else None
    if column is not None and (
        region is None or not region.columns[0] <= column <= region.columns[1]
    ):
        columns = (column, column)
    elif region is not None:
        columns = region.columns
    else:
        raise EditError(
            "Select the columns to fill first (drag across cells), or drop the code on a cell."
        )
    edited = fill_columns(grid, level, columns, code)
    where = (
        f"column {columns[0]}" if columns[0] == columns[1] else f"columns {columns[0]}-{columns[1]}"
    )
    status = f"Put code {code} in level {level + 1}, {where} of {side_name(side)}."
    return _push(editor, now.with_grid(side, edited), status)


def select(editor: Editor, side: Side, region: Region) -> Edit:
    """A dragged rectangle becomes the selection (of A or of B)."""
    grid = editor.grids.grid(side)
    if grid is None:
        raise EditError(NO_B)
    check_region(region, grid)
    levels, columns = region.levels, region.columns
    status = (
        f"Selected levels {levels[0] + 1}-{levels[1] + 1}, columns {columns[0]}-{columns[1]} "
        f"of {side_name(side)}: Swap exchanges it with the other file; the blend slider "
        "mixes it; Play plays it."
    )
    return Edit(_shown(editor, selection=Selection(side, region)), status)


def swap(editor: Editor, at: int | None) -> Edit:
    """The selection exchanged with the same-shaped region of the other file, from column
    `at` of the other file (None: the same column)."""
    now = editor.history.current
    if now.b is None:
        raise EditError(NO_B)
    if editor.selection is None:
        raise EditError(NO_SELECTION)
    side, region = editor.selection.side, editor.selection.region
    if side == "a":
        new_a, new_b = swap_region(now.a, now.b, region, at)
    else:
        new_b, new_a = swap_region(now.b, now.a, region, at)
    where = region.columns[0] if at is None else at
    status = (
        f"Swapped levels {region.levels[0] + 1}-{region.levels[1] + 1}, columns "
        f"{region.columns[0]}-{region.columns[1]} of {side_name(side)} with the other file "
        f"from column {where}."
    )
    return _push(editor, now.with_grid("a", new_a).with_grid("b", new_b), status)


@dataclass(frozen=True)
class BlendStart:
    """Where a blend slider's 0 is: the grids it moves from, the region of A it covers and
    B's start column (None: the same columns as A's)."""

    base: Grids
    region: Region
    at: int | None


def _blend_start(editor: Editor, kind: BlendKind) -> BlendStart:
    """Those of the blend that made the current state when it is this slider's blend of the
    same region (so the slider is absolute), else the current state's."""
    now = editor.history.current
    if now.b is None:
        raise EditError(NO_B)
    if kind == "whole":
        shared = min(now.a.num_columns, now.b.num_columns)  # a shorter B: the columns both have
        region = Region((0, now.a.num_levels - 1), (0, shared - 1))
        at = None
    else:
        if editor.selection is None:
            raise EditError(NO_SELECTION)
        if editor.selection.side == "b":
            raise EditError(SELECT_ON_A)
        region, at = editor.selection.region, editor.selection.region.columns[0]
    mark = now.blend
    if mark is not None and mark.kind == kind and (kind == "whole" or mark.region == region):
        return BlendStart(mark.base, mark.region, at)
    return BlendStart(now, region, at)


def blend(
    editor: Editor, loaded: LoadedVQModel, kind: BlendKind, amount: float, commit: bool
) -> Edit:
    """A blend slider at `amount` (0: the grids as the blend began; 1: B's codes there).

    While it moves (commit False) the blend is shown, not kept; its release (commit True)
    makes it one step of the history, unless the grids are those of the current state."""
    start = _blend_start(editor, kind)
    base, region, at = start.base, start.region, start.at
    assert base.b is not None  # _blend_start checked it
    grids = base
    if amount > 0:
        result = blend_region(base.a, base.b, float(amount), loaded, region, at)
        mark = BlendMark(kind, float(amount), base, result.region, result.distances.numpy())
        grids = replace(base.with_grid("a", result.grid), blend=mark)
    what = "the selection" if kind == "selection" else "all"
    where = f"columns {region.columns[0]}-{region.columns[1]}"
    if not commit:
        status = (
            f"Blending {what} of A {amount:.0%} of the way towards B ({where}; release to keep it)."
        )
        return Edit(_shown(editor, draft=grids), status)
    if grids is editor.history.current:
        return Edit(_shown(editor, draft=None), "Blend at 0: A is as it was; nothing to keep.")
    if amount == 0:
        return _push(editor, grids, f"Blend back at 0: A is as it was before the blend ({where}).")
    status = (
        f"Blended {what} of A {amount:.0%} towards B ({where}): each cell shows the code its "
        "mix snapped to; hover a cell for how far the snap landed."
    )
    return _push(editor, grids, status)


def step(editor: Editor, forward: bool) -> Edit:
    """Undo (or redo) one step; the blend sliders follow the state it lands on."""
    history = editor.history.redo() if forward else editor.history.undo()
    moved = _shown(editor, history=history, draft=None)
    verb = "Redone" if forward else "Undone"
    return Edit(moved, f"{verb}: {moved.history_text()}")


def toggle_mute(editor: Editor, level: int) -> Edit:
    """A row's M: that level left out of what a decode or Play lets you hear."""
    listening = editor.listening
    muted = listening.muted ^ {level}
    verb = "muted" if level in muted else "heard again"
    changed = Listening(listening.first_levels, frozenset(muted), listening.solo)
    return Edit(_shown(editor, listening=changed), f"Level {level + 1} {verb} in Play and Decode.")


def toggle_solo(editor: Editor, level: int) -> Edit:
    """A row's S: that level alone in what a decode or Play lets you hear (again: off)."""
    listening = editor.listening
    solo = None if listening.solo == level else level
    verb = "heard alone" if solo is not None else "no longer solo"
    changed = Listening(listening.first_levels, listening.muted, solo)
    return Edit(_shown(editor, listening=changed), f"Level {level + 1} {verb} in Play and Decode.")


def first_levels(editor: Editor, count: int) -> Edit:
    """The 'levels heard' slider: only the first `count` levels are heard."""
    levels = editor.grids.a.num_levels
    listening = editor.listening
    first = None if count >= levels else max(1, count)
    changed = Listening(first, listening.muted, listening.solo)
    status = f"Play and Decode hear levels 1-{min(count, levels)}."
    return Edit(_shown(editor, listening=changed), status)


def heard_grid(editor: Editor, before: bool = False) -> CodeGrid:
    """A as it is now (`before`: as the step before the current one left it) with the
    listening choices applied: the levels `Listening.quiet_levels` names (the ones the grid
    greys out) are silent."""
    history = editor.history
    if before and not history.can_undo:
        raise EditError("There is no edit to compare with: this is the grid as opened.")
    grid = history.states[history.index - 1].a if before else editor.grids.a
    return mute_levels(grid, sorted(editor.listening.quiet_levels(grid.num_levels)))

"""What the Codes tab shows for its state: each grid's HTML with the editor's marks, grid B's
heading, the summary line, and the sentences a click's status line says."""

from __future__ import annotations

import html
from dataclasses import replace

import numpy as np

from distill.inference.grid import CodeGrid
from distill.ui.codes.state import CodesState, OpenFile, Side
from distill.ui.components.code_grid import GridMarks, render_grid
from distill.ui.components.toolbar import ToolbarView, toolbar_html

EMPTY_B = (
    "B · a second file to swap or blend with: put one in the B box beside A's, then press Encode."
)


def edited_mask(grid: CodeGrid, opened: CodeGrid) -> np.ndarray:
    """Cells [F', L] whose code differs from the file as opened (a continuation's new
    columns are not edits: the join marks them)."""
    now = grid.codes[0].numpy()
    before = opened.codes[0].numpy()
    shared = min(now.shape[0], before.shape[0])
    edited = np.zeros(now.shape, dtype=bool)
    edited[:shared] = now[:shared] != before[:shared]
    return edited


def grid_marks(state: CodesState, side: Side) -> GridMarks | None:
    """The marks grid `side` shows now (None: no grid there)."""
    open_file, editor = state.file(side), state.editor
    if open_file is None or editor is None:
        return None
    grids = editor.grids
    grid = grids.grid(side)
    if grid is None:
        return None
    selection = editor.selection
    selected = None
    if selection is not None and selection.side == side:
        selected = (selection.region.levels, selection.region.columns)
    if side == "b":
        return GridMarks(edited=edited_mask(grid, open_file.encoded), selection=selected)
    listening = editor.listening
    return GridMarks(
        edited=edited_mask(grid, open_file.encoded),
        distances=grids.blend.distances if grids.blend is not None else None,
        selection=selected,
        quiet_levels=listening.quiet_levels(grid.num_levels),
        muted=listening.muted,
        solo=listening.solo,
        join=grids.join,
    )


def title_html(open_file: OpenFile, grid: CodeGrid, side: Side) -> str:
    """The heading over a grid: which grid, the file's name, its size and time axis."""
    return (
        f"<b>{side.upper()} · {html.escape(open_file.name)}</b> · {grid.num_columns} columns "
        f"× {grid.num_levels} levels · {grid.duration_s:.2f} s · "
        f"{grid.columns_per_second:.1f} columns/s ({grid.seconds_per_column * 1000:.0f} ms "
        f"each) · {grid.codebook_size} codes per level · model "
        f"{html.escape(open_file.model_name)}"
    )


def grid_html(state: CodesState, side: Side, changed: np.ndarray | None = None) -> str:
    """Grid `side` drawn with its marks and pictures (`changed` [F', L] cells flash); the
    empty state when nothing is open there."""
    marks = grid_marks(state, side)
    open_file, editor = state.file(side), state.editor
    if marks is None or open_file is None or editor is None:
        if side == "b":
            return f'<div class="distill-grid-empty cg-empty-b">{html.escape(EMPTY_B)}</div>'
        return render_grid(None)
    grid = editor.grids.grid(side)
    assert grid is not None  # grid_marks found it
    if changed is not None and changed.shape == marks_shape(grid):
        marks = replace(marks, changed=changed)
    pictures = open_file.pictures.shown if open_file.pictures is not None else None
    return render_grid(
        grid,
        grid_id=side,
        marks=marks,
        editable=True,
        pictures=pictures,
        version=editor.version,
        title_html=title_html(open_file, grid, side),
        title_id="codes-summary" if side == "a" else "codes-summary-b",
        file_key=f"{side}{open_file.serial}",
    )


def marks_shape(grid: CodeGrid) -> tuple[int, int]:
    return grid.num_columns, grid.num_levels


def level_name(grid: CodeGrid, level: int) -> str:
    return f"level {level + 1} “{html.escape(grid.level_labels[level])}”"


def cell_note(grid: CodeGrid, level: int, position: int, side: Side = "a") -> str:
    code = int(grid.codes[0, position, level])
    return (
        f"{_clicked(side)}: {level_name(grid, level)}, column {position} at "
        f"{grid.column_time(position):.2f} s, code {code}: playing that code alone."
    )


def column_note(grid: CodeGrid, position: int, side: Side = "a") -> str:
    codes = ", ".join(str(int(c)) for c in grid.codes[0, position].tolist())
    return (
        f"{_clicked(side)}: column {position} at {grid.column_time(position):.2f} s, "
        f"all {grid.num_levels} levels (codes {codes}): playing that moment."
    )


def row_note(grid: CodeGrid, level: int, side: Side = "a") -> str:
    return f"{_clicked(side)}: Play on {level_name(grid, level)}: that level alone, along the file."


def _clicked(side: Side) -> str:
    return "Last click on B" if side == "b" else "Last click"


def toolbar_view(state: CodesState) -> ToolbarView:
    """The bar over grid A for `state`: history, undo/redo, where the blend sliders stand."""
    editor = state.editor
    if editor is None:
        return ToolbarView()
    grids, selection = editor.grids, editor.selection
    return ToolbarView(
        history=editor.history_text(),
        can_undo=editor.history.can_undo,
        can_redo=editor.history.can_redo,
        blend_selection=grids.blend_amount("selection"),
        blend_whole=grids.blend_amount("whole"),
        has_grid=True,
        has_b=grids.b is not None,
        has_selection=selection is not None and selection.side == "a",
        version=editor.version,
    )


def toolbar(state: CodesState) -> str:
    return toolbar_html(toolbar_view(state))

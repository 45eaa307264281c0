"""Patches of only the cells that changed: what each cell of a grid looks like for a state
(code, marks, tooltip), and the difference between two states as a list of cells for the
page to set, so an edit never resends or redraws the whole grid.

A patch spells classes and tooltips as the full render does (`grid_marks.cell_class`,
`mark_names`, `blend_title`), so a patched cell reads exactly as a redrawn one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from distill.inference.grid import NO_CODE
from distill.ui.codes.render import grid_marks
from distill.ui.codes.state import CodesState, Side
from distill.ui.components.grid_html import label_state
from distill.ui.components.grid_marks import blend_shades, blend_title, cell_class, mark_names


@dataclass(frozen=True, eq=False)
class CellLook:
    """What every cell of one grid shows, arrays [F', L]: its code, whether it is edited or
    selected, its blend shade (-1: none) and the blend's distance (NaN: none)."""

    codes: np.ndarray
    edited: np.ndarray
    selected: np.ndarray
    shades: np.ndarray
    distances: np.ndarray


@dataclass(frozen=True)
class CellPatch:
    """One cell to set: its text, class attribute and tooltip; flash when its code changed."""

    level: int
    column: int
    text: str
    cls: str
    title: str
    flash: bool


@dataclass(frozen=True)
class LevelLook:
    """A level label's state: its classes (quiet, muted, solo)."""

    level: int
    cls: str
    muted: bool
    solo: bool


def cell_look(state: CodesState, side: Side) -> CellLook | None:
    """How grid `side` looks in `state` (None: no grid there)."""
    marks = grid_marks(state, side)
    grids = state.editor.grids if state.editor is not None else None
    grid = grids.grid(side) if grids is not None else None
    if marks is None or grid is None:
        return None
    codes = grid.codes[0].numpy()
    shape = codes.shape
    selected = np.zeros(shape, dtype=bool)
    if marks.selection is not None:
        (first_level, last_level), (first, last) = marks.selection
        selected[first : last + 1, first_level : last_level + 1] = True
    distances = marks.distances if marks.distances is not None else np.full(shape, math.nan)
    edited = marks.edited if marks.edited is not None else np.zeros(shape, dtype=bool)
    return CellLook(codes, edited, selected, blend_shades(distances), distances)


def cell_patches(before: CellLook | None, after: CellLook | None) -> list[CellPatch] | None:
    """The cells that differ from `before` to `after`; None when the grid must be drawn
    anew (it appeared, went, or changed size)."""
    if before is None or after is None or before.codes.shape != after.codes.shape:
        return None
    code_changed = before.codes != after.codes
    differs = (
        code_changed
        | (before.edited != after.edited)
        | (before.selected != after.selected)
        | (before.shades != after.shades)
        | ~np.isclose(before.distances, after.distances, equal_nan=True, atol=5e-4, rtol=0)
    )
    patches = []
    for column, level in np.argwhere(differs).tolist():
        code = int(after.codes[column, level])
        names = mark_names(
            bool(after.edited[column, level]),
            False,  # the page flashes a changed cell itself
            bool(after.selected[column, level]),
            int(after.shades[column, level]),
        )
        patches.append(
            CellPatch(
                level,
                column,
                "" if code == NO_CODE else str(code),
                cell_class(code, names),
                blend_title(float(after.distances[column, level])),
                bool(code_changed[column, level]),
            )
        )
    return patches


def level_looks(state: CodesState) -> list[LevelLook]:
    """Grid A's level labels as the listening choices leave them."""
    marks = grid_marks(state, "a")
    if marks is None or state.editor is None:
        return []
    levels = state.editor.grids.a.num_levels
    return [
        LevelLook(level, label_state(level, marks), level in marks.muted, marks.solo == level)
        for level in range(levels)
    ]

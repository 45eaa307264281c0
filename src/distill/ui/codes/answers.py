"""What the fast path answers an edit with: only the cells that changed (or a grid drawn anew
when its size changed, or when the page missed an answer), the level labels, the bar over
grid A and the status line, as one JSON document the page applies in a frame."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from distill.ui.codes.cells import CellPatch, LevelLook, cell_look, cell_patches, level_looks
from distill.ui.codes.render import grid_html, toolbar_view
from distill.ui.codes.state import CodesState, Side
from distill.ui.components.toolbar import ToolbarView


@dataclass(frozen=True)
class GridUpdate:
    """One grid's change: cells to set, or its whole HTML (when it must be drawn anew)."""

    cells: list[CellPatch] | None = None
    html: str | None = None
    join: int | None = None  # where A's continuation begins (None: no join)


@dataclass(frozen=True)
class EditAnswer:
    """An answer to a gesture: whether it was done, what the status line says, the version
    of the grids the page shows once it applied the updates, and the updates."""

    ok: bool
    status: str
    version: int = 0
    a: GridUpdate | None = None
    b: GridUpdate | None = None
    levels: list[LevelLook] = field(default_factory=list)
    toolbar: ToolbarView | None = None

    def as_json(self) -> dict[str, Any]:
        """The answer as JSON: each cell a compact [level, column, text, class, title, flash]
        (built directly: dataclasses.asdict deep-copies every cell, ~40 ms for a blend)."""
        return {
            "ok": self.ok,
            "status": self.status,
            "version": self.version,
            "a": _update_json(self.a),
            "b": _update_json(self.b),
            "levels": [asdict(level) for level in self.levels],
            "toolbar": asdict(self.toolbar) if self.toolbar is not None else None,
        }


def _update_json(update: GridUpdate | None) -> dict[str, Any] | None:
    if update is None:
        return None
    cells = None
    if update.cells is not None:
        cells = [[c.level, c.column, c.text, c.cls, c.title, int(c.flash)] for c in update.cells]
    return {"cells": cells, "html": update.html, "join": update.join}


def refused(message: str, state: CodesState | None = None) -> EditAnswer:
    """A gesture that was not done: the message, and the page's grids left as they are."""
    version = state.editor.version if state is not None and state.editor is not None else 0
    return EditAnswer(False, message, version)


def _update(before: CodesState, after: CodesState, side: Side, redraw: bool) -> GridUpdate | None:
    """Grid `side`'s update (None: there was no grid there and there is none)."""
    join = after.editor.grids.join if side == "a" and after.editor is not None else None
    old, new = cell_look(before, side), cell_look(after, side)
    if old is None and new is None and not redraw:
        return None
    patches = None if redraw else cell_patches(old, new)
    if patches is None:
        return GridUpdate(html=grid_html(after, side), join=join)
    return GridUpdate(cells=patches, join=join)


def edit_answer(
    before: CodesState, after: CodesState, status: str, page_version: int | None
) -> EditAnswer:
    """The updates that take a page showing `before` (at `page_version`) to `after`: patches
    of the changed cells when the page is at before's version, else both grids drawn anew."""
    shown = before.editor.version if before.editor is not None else None
    redraw = page_version is None or page_version != shown
    version = after.editor.version if after.editor is not None else 0
    return EditAnswer(
        True,
        status,
        version,
        _update(before, after, "a", redraw),
        _update(before, after, "b", redraw),
        level_looks(after),
        toolbar_view(after),
    )

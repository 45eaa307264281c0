"""What a page asks the fast path for (its requests' bodies, checked by FastAPI), and the
pure editor transition each editing gesture names."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from distill.editing import Region
from distill.inference.validation import check_column, check_level
from distill.models.persistence import LoadedVQModel
from distill.ui.codes import edits
from distill.ui.codes.state import Editor, Side


class Preview(BaseModel):
    """A cell's code (kind "cell", level and column) or a column's codes held ~1 s."""

    side: Side = "a"
    kind: Literal["cell", "col"]
    column: int
    level: int | None = None


class LevelPlay(BaseModel):
    """One level alone along the whole file."""

    side: Side = "a"
    level: int


class TakePlay(BaseModel):
    """A take of the last Generate (an index of its strip), whole."""

    take: int


class TransportPlay(BaseModel):
    """Grid A as heard: the whole file, the selection's columns, or columns [start, end)
    (an edit heard with its context); `before`: as the step before the current one was."""

    range: Literal["file", "selection"] = "file"
    columns: tuple[int, int] | None = None
    before: bool = False


class Gesture(BaseModel):
    """An editing gesture: what it is (op) and what it needs; `version` is the version of
    the grids the page shows (the answer patches that version, or redraws)."""

    op: Literal["set", "fill", "select", "swap", "undo", "redo", "mute", "solo", "blend", "levels"]
    side: Side = "a"
    level: int | None = None
    column: int | None = None
    code: int | None = None
    last_level: int | None = None
    last_column: int | None = None
    at: str | None = None
    kind: Literal["selection", "whole"] = "whole"
    amount: float = 0.0
    commit: bool = False
    version: int | None = None  # the grids' version the page shows


def transition(editor: Editor, body: Gesture, loaded: LoadedVQModel | None) -> edits.Edit:
    """The pure editor transition a gesture names."""
    if body.op == "set":
        return edits.set_cell(
            editor, body.side, _int(body.level), _int(body.column), _int(body.code)
        )
    if body.op == "fill":
        return edits.fill(editor, body.side, _int(body.level), _int(body.code), body.column)
    if body.op == "select":
        corners = (
            (_int(body.level), _int(body.column)),
            (_int(body.last_level), _int(body.last_column)),
        )
        return edits.select(editor, body.side, Region.from_corners(*corners))
    if body.op == "swap":
        return edits.swap(editor, swap_start(body.at))
    if body.op in ("undo", "redo"):
        return edits.step(editor, forward=body.op == "redo")
    if body.op == "mute":
        return edits.toggle_mute(editor, _int(body.level))
    if body.op == "solo":
        return edits.toggle_solo(editor, _int(body.level))
    if body.op == "levels":
        return edits.first_levels(editor, _int(body.level))
    if loaded is None:
        raise ValueError("A blend needs the model that made the grids.")
    return edits.blend(editor, loaded, body.kind, _amount(body.amount), body.commit)


def swap_start(at: str | None) -> int | None:
    """The typed start column of a swap: empty means the selection's own column."""
    text = (at or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"The start column must be a whole number from 0, got '{text[:20]}'.")
    return int(text)


def _int(value: int | None) -> int:
    if value is None:
        raise ValueError("This gesture needs a level and a column.")
    return int(value)


def index(value: int | None, size: int, what: str) -> int:
    """A clicked level or column inside a grid of that many (the grid's one index check)."""
    return check_level(_int(value), size) if what == "level" else check_column(_int(value), size)


def _amount(value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"The blend amount must be a number from 0 to 1, got {value!r}.")
    return round(float(value), 4)

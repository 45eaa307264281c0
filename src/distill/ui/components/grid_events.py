"""Gestures sent by the code grid, as text payloads, and what they mean.

The plan's three clicks keep their form: "cell,L,P", "col,P", "row,L". The editor adds
"set,L,P,K" (a code typed into a double-clicked cell), "select,L1,P1,L2,P2" (a dragged
rectangle, corners in any order) and "mute,L" / "solo,L" (a row's M and S buttons). A
payload from the second grid starts with "b:"; any may end with "@nonce", which the grid
appends so that repeating a gesture still changes the hidden textbox's value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, cast

from distill.inference.validation import check_column, check_level

_PAYLOAD = re.compile(
    r"(?:(b):)?(cell|col|row|mute|solo|set|select)((?:,[0-9]{1,9}){1,4})(?:@[0-9]{1,20})?"
)
_ARITY = {"cell": 2, "col": 1, "row": 1, "mute": 1, "solo": 1, "set": 3, "select": 4}
_FORMS = (
    "cell,LEVEL,POSITION or col,POSITION or row,LEVEL (optionally followed by @NONCE), or "
    "mute,LEVEL, solo,LEVEL, set,LEVEL,POSITION,CODE or select,LEVEL,POSITION,LEVEL,POSITION, "
    "each optionally after b:"
)

Kind = Literal["cell", "col", "row", "mute", "solo", "set", "select"]


class GridEventError(ValueError):
    """A gesture payload from the grid that cannot be understood."""


@dataclass(frozen=True)
class GridEvent:
    """One gesture on a grid: a cell (level, position), a column header, a row's Play, Mute or
    Solo, a code typed into a cell, or a selected rectangle (levels and positions, first <=
    last)."""

    kind: Kind
    level: int | None
    position: int | None
    code: int | None = None  # "set": the code typed
    last_level: int | None = None  # "select": the rectangle's other corner
    last_position: int | None = None
    grid: Literal["a", "b"] = "a"  # which of the two grids


def parse_grid_event(
    value: str | None, *, num_levels: int | None = None, num_columns: int | None = None
) -> GridEvent | None:
    """Parse a gesture payload into a GridEvent; "" (or None) means none and gives None.

    With num_levels / num_columns given, a level or position outside the grid is an error too.
    Raises GridEventError (a ValueError) for anything malformed.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise GridEventError(f"Grid click payload must be text, got {type(value).__name__}.")
    if not value.strip():
        return None
    match = _PAYLOAD.fullmatch(value.strip())
    if match is None:
        raise GridEventError(f"Grid click payload {value!r} is not of the form {_FORMS}.")
    grid: Literal["a", "b"] = "b" if match.group(1) else "a"
    kind = match.group(2)
    numbers = [int(n) for n in match.group(3).split(",")[1:]]
    if len(numbers) != _ARITY[kind]:
        raise GridEventError(f"Grid click payload {value!r} is not of the form {_FORMS}.")
    event = _event(kind, numbers, grid)
    check_event_bounds(event, num_levels, num_columns)
    return event


def _event(kind: str, numbers: list[int], grid: Literal["a", "b"]) -> GridEvent:
    if kind == "cell":
        return GridEvent("cell", level=numbers[0], position=numbers[1], grid=grid)
    if kind == "col":
        return GridEvent("col", level=None, position=numbers[0], grid=grid)
    if kind in ("row", "mute", "solo"):
        return GridEvent(cast(Kind, kind), level=numbers[0], position=None, grid=grid)
    if kind == "set":
        return GridEvent("set", numbers[0], numbers[1], code=numbers[2], grid=grid)
    first_level, last_level = sorted((numbers[0], numbers[2]))
    first, last = sorted((numbers[1], numbers[3]))
    return GridEvent(
        "select", first_level, first, last_level=last_level, last_position=last, grid=grid
    )


def check_event_bounds(
    event: GridEvent, num_levels: int | None, num_columns: int | None
) -> GridEvent:
    """The event if its levels and positions lie inside a grid of that size, else the grid's
    one index check's error (inference.grid)."""
    for level in (event.level, event.last_level):
        if num_levels is not None and level is not None:
            check_level(level, num_levels)
    for position in (event.position, event.last_position):
        if num_columns is not None and position is not None:
            check_column(position, num_columns)
    return event

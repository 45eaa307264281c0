"""Click payloads sent by the code grid ("cell,L,P", "col,P", "row,L", optionally "@nonce")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, cast

# kind, first number, optional second number, optional "@nonce" the grid appends so that a
# second click on the same cell still changes the hidden textbox's value.
_PAYLOAD = re.compile(r"(cell|col|row),([0-9]{1,9})(?:,([0-9]{1,9}))?(?:@[0-9]{1,20})?")
_FORMS = "cell,LEVEL,POSITION or col,POSITION or row,LEVEL (optionally followed by @NONCE)"


class GridEventError(ValueError):
    """A click payload from the grid that cannot be understood or lies outside the grid."""


@dataclass(frozen=True)
class GridEvent:
    """One click on the grid: a cell (level, position), a column header or a row's Play."""

    kind: Literal["cell", "col", "row"]
    level: int | None
    position: int | None


def parse_grid_event(
    value: str | None, *, num_levels: int | None = None, num_columns: int | None = None
) -> GridEvent | None:
    """Parse a click payload into a GridEvent; "" (or None) means no click and gives None.

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
    kind, first, second = match.group(1), int(match.group(2)), match.group(3)
    if (kind == "cell") != (second is not None):
        raise GridEventError(f"Grid click payload {value!r} is not of the form {_FORMS}.")
    if kind == "cell":
        event = GridEvent("cell", level=first, position=int(cast(str, second)))
    elif kind == "col":
        event = GridEvent("col", level=None, position=first)
    else:
        event = GridEvent("row", level=first, position=None)
    _check_bounds(event, num_levels, num_columns)
    return event


def _check_bounds(event: GridEvent, num_levels: int | None, num_columns: int | None) -> None:
    if num_levels is not None and event.level is not None and event.level >= num_levels:
        raise GridEventError(
            f"Clicked level {event.level} but the grid has only {num_levels} levels."
        )
    if num_columns is not None and event.position is not None and event.position >= num_columns:
        raise GridEventError(
            f"Clicked column {event.position} but the grid has only {num_columns} columns."
        )

"""Undo and redo over edit states: each state is the tuple of grids a session shows, such
as (A,) or (A, B). Grids are frozen, so holding them is enough to restore them exactly."""

from __future__ import annotations

from typing import Any

from distill.editing.region import EditError
from distill.inference.grid import CodeGrid

State = tuple[CodeGrid, ...]
MAX_STATES = 200  # about 2 x 15 kB per state for a 10-second file; the oldest go first


def check_state(state: Any) -> State:
    """A non-empty tuple of grids, or EditError."""
    if (
        not isinstance(state, tuple)
        or not state
        or not all(isinstance(grid, CodeGrid) for grid in state)
    ):
        raise EditError(f"An edit state must be a non-empty tuple of code grids, got {state!r}.")
    return state


class EditHistory:
    """States from the one loaded (position 0) to the newest edit; undo and redo move
    through them. `position` / `length` read as "edit 3 of 5" (0 / 0 right after loading).

    Pushing after an undo drops the undone states (redo is cleared); past `max_states`
    the oldest are dropped. Undo past the start or redo past the end is an EditError.
    """

    def __init__(self, initial: State, max_states: int = MAX_STATES) -> None:
        if not isinstance(max_states, int) or max_states < 2:
            raise EditError(f"An edit history must hold at least 2 states, got {max_states!r}.")
        self._max_states = max_states
        self._states: list[State] = [check_state(initial)]
        self._index = 0

    def reset(self, state: State) -> State:
        """Start again from `state` (a new file was loaded): nothing to undo or redo."""
        self._states, self._index = [check_state(state)], 0
        return state

    def push(self, state: State) -> State:
        """Make `state` current after the present one; returns it."""
        del self._states[self._index + 1 :]
        self._states.append(check_state(state))
        if len(self._states) > self._max_states:
            del self._states[0]
        self._index = len(self._states) - 1
        return state

    def undo(self) -> State:
        """Step back one state and return it."""
        if not self.can_undo:
            raise EditError("Nothing to undo: this is how the grids were loaded.")
        self._index -= 1
        return self.current

    def redo(self) -> State:
        """Step forward one undone state and return it."""
        if not self.can_redo:
            raise EditError("Nothing to redo: this is the newest edit.")
        self._index += 1
        return self.current

    @property
    def current(self) -> State:
        return self._states[self._index]

    @property
    def can_undo(self) -> bool:
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        return self._index < len(self._states) - 1

    @property
    def position(self) -> int:
        """How many edits are applied now (0 = as loaded, or the oldest state kept)."""
        return self._index

    @property
    def length(self) -> int:
        """How many edits the history holds (undone ones included)."""
        return len(self._states) - 1

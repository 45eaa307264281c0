"""Undo and redo over edit states, as a frozen record: push, undo and redo return a new
history and leave the old one as it was. A state is whatever a session shows, such as the
tuple of grids (A,) or (A, B), or a richer frozen record of them; grids are frozen, so
holding them is enough to restore them exactly."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from distill.editing.region import EditError
from distill.inference.grid import CodeGrid

State = tuple[CodeGrid, ...]
S = TypeVar("S")
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


def _checked(state: S) -> S:
    """Tuples must be tuples of grids (the editor's plain states); records check themselves."""
    if state is None or isinstance(state, (tuple, list)):
        check_state(state)
    return state


@dataclass(frozen=True)
class EditHistory(Generic[S]):
    """States from the one loaded (position 0) to the newest edit; undo and redo move
    through them. `position` / `length` read as "edit 3 of 5" (0 / 0 right after loading).

    Pushing after an undo drops the undone states (redo is cleared); past `max_states`
    the oldest are dropped. Undo past the start or redo past the end is an EditError.
    """

    states: tuple[S, ...]
    index: int = 0
    max_states: int = MAX_STATES

    def __post_init__(self) -> None:
        if not isinstance(self.max_states, int) or self.max_states < 2:
            raise EditError(
                f"An edit history must hold at least 2 states, got {self.max_states!r}."
            )
        if not self.states or not 0 <= self.index < len(self.states):
            raise EditError("An edit history needs a state at its position.")

    @classmethod
    def start(cls, state: S, max_states: int = MAX_STATES) -> EditHistory[S]:
        """A history that begins at `state` (a file was loaded): nothing to undo or redo."""
        return cls((_checked(state),), 0, max_states)

    def push(self, state: S) -> EditHistory[S]:
        """`state` made current after the present one."""
        states = (*self.states[: self.index + 1], _checked(state))[-self.max_states :]
        return replace(self, states=states, index=len(states) - 1)

    def undo(self) -> EditHistory[S]:
        """One state back."""
        if not self.can_undo:
            raise EditError("Nothing to undo: this is how the grids were loaded.")
        return replace(self, index=self.index - 1)

    def redo(self) -> EditHistory[S]:
        """One undone state forward."""
        if not self.can_redo:
            raise EditError("Nothing to redo: this is the newest edit.")
        return replace(self, index=self.index + 1)

    @property
    def current(self) -> S:
        return self.states[self.index]

    @property
    def can_undo(self) -> bool:
        return self.index > 0

    @property
    def can_redo(self) -> bool:
        return self.index < len(self.states) - 1

    @property
    def position(self) -> int:
        """How many edits are applied now (0 = as loaded, or the oldest state kept)."""
        return self.index

    @property
    def length(self) -> int:
        """How many edits the history holds (undone ones included)."""
        return len(self.states) - 1

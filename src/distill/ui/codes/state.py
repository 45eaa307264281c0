"""The Codes tab's state as frozen records: the files open in A and B, the editor (the grids
and their history, the selection, what a decode lets you hear, a blend being dragged) and
the generation settings last used. Transitions (edits.py, opening.py, generate.py) return
new records; `session.CodesSession` holds the current one for a browser session.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np

from distill.editing import EditHistory, Region
from distill.inference.grid import CodeGrid
from distill.ui.codes.pictures import PictureState

Side = Literal["a", "b"]
BlendKind = Literal["selection", "whole"]
SIDES: tuple[Side, Side] = ("a", "b")
_OPENED = itertools.count(1)


@dataclass(frozen=True)
class OpenFile:
    """A file open in a grid: the model that made it, its name, its grid as opened (what
    "edited" is measured against), its audio file (None: it was generated), its pictures."""

    model_path: str
    name: str
    encoded: CodeGrid
    source: str | None = None
    pictures: PictureState | None = None
    model_name: str = ""  # as the model list names it ('demo' for the bundled one)
    serial: int = field(default_factory=lambda: next(_OPENED))  # tells one opening from another

    @property
    def stem(self) -> str:
        """The name exports are saved under (a generated file's name made file-safe)."""
        stem = Path(self.name).stem if self.source else self.name
        return re.sub(r"[^\w.-]+", "-", stem).strip("-") or "grid"


@dataclass(frozen=True)
class ShownTake:
    """One take of the last Generate: its number among its seed's takes (the same seed and
    number always give it), its grid, how many sounds it holds, why it was set aside (None:
    kept) and its result line; `thumbnail`: its log-mel as a PNG data URL."""

    number: int
    grid: CodeGrid
    sounds: int
    flaw: str | None
    line: str
    thumbnail: str


@dataclass(frozen=True)
class TakeStrip:
    """The takes the last Generate drew with one model and seed, to audition and pick."""

    model_path: str
    seed: int
    takes: tuple[ShownTake, ...]


@dataclass(frozen=True, eq=False)
class BlendMark:
    """How a state of the history was blended: which slider, how far, from which grids (the
    grids as they were when the blend began), over which region of A, and how far each
    cell's snap landed ([F', L], NaN outside the region)."""

    kind: BlendKind
    amount: float
    base: Grids
    region: Region
    distances: np.ndarray


@dataclass(frozen=True, eq=False)
class Grids:
    """One state of the history: A and B as they are, the column where A's latest
    continuation begins (None: none), and the blend that made this state, if one did."""

    a: CodeGrid
    b: CodeGrid | None = None
    join: int | None = None
    blend: BlendMark | None = None

    def grid(self, side: Side) -> CodeGrid | None:
        return self.a if side == "a" else self.b

    def with_grid(self, side: Side, grid: CodeGrid) -> Grids:
        """This state with one side's grid replaced (labels kept); no longer a blend."""
        old = self.grid(side)
        grid = grid.with_labels(old.level_labels) if old is not None else grid
        if side == "a":
            return replace(self, a=grid, blend=None)
        return replace(self, b=grid, blend=None)

    def blend_amount(self, kind: BlendKind) -> float:
        """Where that blend slider stands for this state (0 unless this state is its blend)."""
        return self.blend.amount if self.blend is not None and self.blend.kind == kind else 0.0


@dataclass(frozen=True)
class Selection:
    side: Side
    region: Region


@dataclass(frozen=True)
class Listening:
    """What a decode of the edited grid lets you hear: the first k levels, minus muted ones,
    or one level alone (solo). Not an edit: the grid keeps its codes."""

    first_levels: int | None = None  # None: all
    muted: frozenset[int] = frozenset()
    solo: int | None = None

    def quiet_levels(self, num_levels: int) -> frozenset[int]:
        """The levels a decode leaves silent."""
        if self.solo is not None:
            return frozenset(set(range(num_levels)) - {self.solo})
        beyond = set(range(self.first_levels or num_levels, num_levels))
        return frozenset(self.muted | beyond)


@dataclass(frozen=True)
class Editor:
    """The grids and their history, the selection, the listening choices and a blend being
    dragged (shown, not yet a step). `version` counts what the page has been shown: a patch
    applies to the version it was made from."""

    history: EditHistory[Grids]
    selection: Selection | None = None
    listening: Listening = field(default_factory=Listening)
    draft: Grids | None = None
    version: int = 0

    @property
    def grids(self) -> Grids:
        """What the grids show now: the blend being dragged, else the history's state."""
        return self.draft if self.draft is not None else self.history.current

    def history_text(self) -> str:
        if self.history.length == 0:
            return "No edits yet."
        return f"Edit {self.history.position} of {self.history.length}"


@dataclass(frozen=True)
class CodesState:
    """Everything the Codes tab shows for one browser session."""

    a: OpenFile | None = None
    b: OpenFile | None = None
    editor: Editor | None = None
    labels: tuple[tuple[str, tuple[str, ...]], ...] = ()  # read-only models renamed here
    reconstructed: bool = False  # A's reconstruction is decoded (or nothing to decode)
    take: str | None = None  # the last generation: "new", "continue" or "regenerate"
    takes: TakeStrip | None = None  # the takes of the last Generate

    def file(self, side: Side) -> OpenFile | None:
        return self.a if side == "a" else self.b

    def labels_of(self, model_path: str) -> tuple[str, ...] | None:
        """This session's labels for a read-only model (None: not renamed here)."""
        return dict(self.labels).get(model_path)

    def with_labels(self, model_path: str, labels: list[str]) -> CodesState:
        kept = tuple((path, names) for path, names in self.labels if path != model_path)
        return replace(self, labels=(*kept, (model_path, tuple(labels))))


def opened(
    state: CodesState, a: OpenFile, b: OpenFile | None, grids: Grids | None = None
) -> CodesState:
    """A (and B) opened: a fresh history from their grids as opened, nothing selected, every
    level heard again; the page is shown a newer version than before."""
    version = state.editor.version + 1 if state.editor is not None else 1
    start = grids or Grids(a.encoded, b.encoded if b is not None else None)
    editor = Editor(EditHistory.start(start), version=version)
    return replace(state, a=a, b=b, editor=editor, reconstructed=False)

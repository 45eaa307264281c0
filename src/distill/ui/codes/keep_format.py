"""The session file (NAME.distill-session): the Codes tab's work kept in one file and read back.

A zip (inference/grid_archive.py) of `document.json` and the grids' codes as .npy arrays,
each distinct grid stored once. The document (`SessionDocument`, format "distill-session",
version 1) names the model (its lookup name and the sha256 of its weights), the files open
in A and B (name, grid as encoded, the audio file's path and size when there was one), every
state of the edit history (A, B, a continuation's join, a blend's starting state, region and
snap distances), where the history stands, the selection, what is heard (first k levels,
muted, solo) and the session's own level names for a read-only model. Grids keep their time
axes and level labels. Reading checks all of it before anything is built: one sentence for
a damaged, foreign or newer file (`SessionFileError`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from distill.editing import Region
from distill.editing.history import MAX_STATES
from distill.inference.grid_archive import GridWriter, StoredGrid, write_archive
from distill.ui.codes.state import Editor, Grids

FORMAT_NAME = "distill-session"
FORMAT_VERSION = 1
SUFFIX = ".distill-session"
WHAT = "Distill session file"


class SessionFileError(ValueError):
    """A session file that cannot be opened: damaged, foreign, newer, or its model is not
    the one that made it."""


@dataclass(frozen=True)
class StoredModel:
    name: str  # the name `find_model` finds it by ('demo' for the bundled one)
    sha256: str  # of its autoencoder weights (models.cache.model_sha256)
    display_name: str = ""


@dataclass(frozen=True)
class StoredRegion:
    levels: tuple[int, ...]
    columns: tuple[int, ...]


@dataclass(frozen=True)
class StoredBlend:
    kind: str
    amount: float
    base: int  # the state the blend began from (an earlier entry of `states`)
    region: StoredRegion
    distances: str  # the array of snap distances [F', L] (NaN outside the region)


@dataclass(frozen=True)
class StoredState:
    a: int  # grids index
    b: int | None = None
    join: int | None = None
    blend: StoredBlend | None = None


@dataclass(frozen=True)
class StoredFile:
    name: str
    encoded: int  # the grid as opened: what "edited" and "Before any edit" are measured by
    source: str | None = None  # the audio file it was encoded from (None: generated)
    source_bytes: int | None = None  # its size then (a file changed since is not used)


@dataclass(frozen=True)
class StoredSelection:
    side: str
    region: StoredRegion


@dataclass(frozen=True)
class StoredListening:
    first_levels: int | None = None
    muted: tuple[int, ...] = ()
    solo: int | None = None


@dataclass(frozen=True)
class StoredEditor:
    history: tuple[int, ...]  # states, oldest first
    index: int  # where the history stands (0: as opened)
    max_states: int = MAX_STATES
    selection: StoredSelection | None = None
    listening: StoredListening = StoredListening()


@dataclass(frozen=True)
class SessionDocument:
    format: str
    version: int
    saved_at: str  # local time, ISO 8601
    model: StoredModel
    grids: tuple[StoredGrid, ...]
    states: tuple[StoredState, ...]
    a: StoredFile
    editor: StoredEditor
    b: StoredFile | None = None
    labels: tuple[str, ...] | None = None  # this session's names for a read-only model's levels


@dataclass(frozen=True)
class SavedFile:
    """A file open in A or B as the session file keeps it (its pictures are drawn anew)."""

    name: str
    encoded: Any  # CodeGrid
    source: str | None
    source_bytes: int | None


@dataclass(frozen=True)
class SavedSession:
    """A session file read and checked: what it holds, ready to be opened with its model."""

    path: Path
    saved_at: datetime
    model: StoredModel
    a: SavedFile
    b: SavedFile | None
    editor: Editor
    labels: tuple[str, ...] | None

    def summary(self) -> str:
        """'A: drum_loop.wav, B: bell.wav, 3 edits' (undone edits counted apart)."""
        history = self.editor.history
        edits = f"{history.position} edit{'s' if history.position != 1 else ''}"
        if history.length > history.position:
            edits += f" (+{history.length - history.position} undone)"
        b = f", B: {self.b.name}" if self.b is not None else ""
        return f"A: {self.a.name}{b}, {edits}"


# ---- writing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionSource:
    """What a session file is made from: the editor and files of a Codes tab, its model."""

    a: Any  # OpenFile
    b: Any  # OpenFile | None
    editor: Editor
    model: StoredModel
    labels: tuple[str, ...] | None = None


class _States:
    """The history's states into the document, each once (bases of blends first)."""

    def __init__(self, grids: GridWriter) -> None:
        self.grids = grids
        self.stored: list[StoredState] = []
        self._seen: dict[int, int] = {}
        self._held: list[Grids] = []

    def add(self, state: Grids) -> int:
        if id(state) in self._seen:
            return self._seen[id(state)]
        blend = None
        if state.blend is not None:
            mark = state.blend
            base = self.add(mark.base)
            distances = self.grids.add_array(
                f"blends/{len(self.stored)}", np.asarray(mark.distances, dtype=np.float32)
            )
            blend = StoredBlend(mark.kind, mark.amount, base, _region(mark.region), distances)
        b = self.grids.add(state.b) if state.b is not None else None
        self.stored.append(StoredState(self.grids.add(state.a), b, state.join, blend))
        self._seen[id(state)] = len(self.stored) - 1
        self._held.append(state)
        return len(self.stored) - 1


def _region(region: Region) -> StoredRegion:
    return StoredRegion(tuple(region.levels), tuple(region.columns))


def _file(open_file: Any, grids: GridWriter) -> StoredFile:
    source = open_file.source
    size = None
    if source is not None and Path(source).is_file():
        size = Path(source).stat().st_size
    return StoredFile(open_file.name, grids.add(open_file.encoded), source, size)


def write_session(path: str | Path, source: SessionSource) -> Path:
    """The session as a session file at `path`, atomically (WriteError if it cannot be)."""
    grids = GridWriter()
    states = _States(grids)
    editor = source.editor
    history = tuple(states.add(state) for state in editor.history.states)
    selection = None
    if editor.selection is not None:
        selection = StoredSelection(editor.selection.side, _region(editor.selection.region))
    listening = editor.listening
    document = SessionDocument(
        format=FORMAT_NAME,
        version=FORMAT_VERSION,
        saved_at=datetime.now().astimezone().isoformat(timespec="seconds"),
        model=source.model,
        grids=tuple(grids.grids),
        states=tuple(states.stored),
        a=_file(source.a, grids),
        b=_file(source.b, grids) if source.b is not None else None,
        editor=StoredEditor(
            history,
            editor.history.index,
            editor.history.max_states,
            selection,
            StoredListening(listening.first_levels, tuple(sorted(listening.muted)), listening.solo),
        ),
        labels=source.labels,
    )
    return write_archive(path, asdict(document), grids.arrays)

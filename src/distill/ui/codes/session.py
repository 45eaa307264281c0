"""Per-browser-session state of the Codes tab (kept in gr.State, never in module globals)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from distill.editing import EditHistory, Region
from distill.inference.codes_json import model_sha256
from distill.inference.grid import CodeGrid
from distill.models.persistence import LoadedVQModel, ModelFileError, load_model
from distill.ui.codes.pictures import PictureState, remove_pictures
from distill.ui.common import remove_files
from distill.ui.components.pictures import GridPictures

DEVICE = "auto"  # CUDA, then Apple's MPS, then the CPU
SCRATCH_KEEP = 2  # newest scratch files kept per kind (the player may still be fetching one)


@dataclass(frozen=True)
class OpenFile:
    """A file open in the Codes tab: its code grid now and as encoded, which model made it,
    and its name."""

    model_path: str
    audio_name: str
    grid: CodeGrid  # as it is now (edits included); its level_labels are the names shown
    encoded: CodeGrid  # as encoding gave it: what "edited" is measured against

    def with_grid(self, grid: CodeGrid) -> OpenFile:
        return replace(self, grid=grid.with_labels(self.grid.level_labels))


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


@dataclass
class CodesSession:
    """The loaded model, the current grid, labels of read-only models and scratch files."""

    model_path: str | None = None
    model_stamp: FileStamp | None = None  # the file's size, mtime and inode when loaded
    model_weights: str | None = None  # its weights' sha256 then (model_sha256)
    loaded: LoadedVQModel | None = None
    open_file: OpenFile | None = None  # A
    other_file: OpenFile | None = None  # B, for swaps and blends (optional)
    history: EditHistory | None = None  # states (A,) or (A, B); reset on every new encode
    selection: tuple[str, Region] | None = None  # which grid ("a" or "b") and the region
    listening: Listening = field(default_factory=Listening)
    blend_base: tuple[CodeGrid, ...] | None = None  # the state a blend slider moves from
    blend_committed: tuple[bool, float] | None = None  # (whole grid?, amount) just released
    changed: dict[str, np.ndarray] = field(default_factory=dict)  # last change per grid
    distances: np.ndarray | None = None  # the last blend's snap distances on A [F', L]
    label_overrides: dict[str, list[str]] = field(default_factory=dict)
    scratch: dict[str, list[str]] = field(default_factory=dict)
    pictures: PictureState | None = None  # the spectrograms over grid A

    @property
    def shown_pictures(self) -> GridPictures | None:
        return self.pictures.shown if self.pictures is not None else None

    def keep_scratch(self, kind: str, path: str) -> str:
        """Remember a scratch file; delete older ones of the same kind (already fetched)."""
        files = [*self.scratch.get(kind, []), path]
        remove_files(files[:-SCRATCH_KEEP])
        self.scratch[kind] = files[-SCRATCH_KEEP:]
        return path


def new_codes_session() -> CodesSession:
    return CodesSession()


def end_codes_session(session: CodesSession | None) -> None:
    """gr.State delete callback: remove the session's scratch files."""
    if isinstance(session, CodesSession):
        for files in session.scratch.values():
            remove_files(files)
        session.scratch.clear()
        remove_pictures(session.pictures)
        session.pictures = None


FileStamp = tuple[int, int, int]  # (size, st_mtime_ns, inode): any rewrite changes it


def file_stamp(path: str) -> FileStamp | None:
    """What tells a rewritten, replaced or deleted model file (None: no file at `path`)."""
    try:
        status = Path(path).stat()
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns, status.st_ino


def gone_message(model_path: str) -> str:
    return (
        f"The model file {Path(model_path).name} is no longer there (deleted or renamed outside "
        "this page); the model list is refreshed: choose a model and press Encode."
    )


def replaced_message(name: str) -> str:
    return (
        f"The model '{name}' was replaced on disk since this grid was encoded (its weights "
        "changed), so the grid's codes no longer mean what they did: press Encode to encode "
        "the file again with the new model."
    )


def session_model(session: CodesSession, model_path: str, encoding: bool = False) -> LoadedVQModel:
    """The loaded model at `model_path`, loading it (again) only when the file changed.

    A grid keeps the weights that made it: if the file was deleted or renamed since, they
    stay usable for that grid; if it now holds other weights, ModelFileError (replaced_message)
    unless `encoding` (a new encode takes the new weights). A rewrite of the header only
    (labels, name) reloads quietly.
    """
    stamp = file_stamp(model_path)
    cached = session.loaded if session.model_path == model_path else None
    if cached is not None and (stamp is None or stamp == session.model_stamp):
        if stamp is None and encoding:
            raise ModelFileError(gone_message(model_path))
        return cached
    if stamp is None:
        raise ModelFileError(gone_message(model_path))
    weights = model_sha256(model_path)
    if cached is not None and not encoding and weights != session.model_weights:
        raise ModelFileError(replaced_message(cached.metadata.name))
    loaded = load_model(model_path, DEVICE)
    session.loaded, session.model_path = loaded, model_path
    session.model_stamp, session.model_weights = stamp, weights
    return loaded


def note_model_rewritten(session: CodesSession, model_path: str, labels: list[str]) -> None:
    """After our own metadata rewrite: keep the loaded model, just take the new stamp."""
    if session.loaded is not None and session.model_path == model_path:
        session.loaded.metadata.level_labels = list(labels)
        session.model_stamp = file_stamp(model_path)

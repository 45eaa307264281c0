"""Reading a session file back (keep_format.py writes it): the archive opened, the document
checked as records, then every grid, state, blend, the history, the selection and the
listening choices built and checked before anything is returned, so a damaged file is one
sentence (`SessionFileError`) and never half a session."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from distill.editing import EditHistory, Region, check_region
from distill.inference.grid import CodeGridError
from distill.inference.grid_archive import ArchiveError, GridReader, read_archive
from distill.models.records import RecordError, read_record
from distill.ui.codes.keep_format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    WHAT,
    SavedFile,
    SavedSession,
    SessionDocument,
    SessionFileError,
    StoredBlend,
    StoredFile,
    StoredListening,
    StoredRegion,
    StoredSelection,
    StoredState,
)
from distill.ui.codes.state import SIDES, BlendMark, Editor, Grids, Listening, Selection


def read_session(path: str | Path) -> SavedSession:
    """A session file read and checked through and through (SessionFileError otherwise);
    its model is not looked at here (keep.py opens it with its model)."""
    path = Path(path)
    try:
        archive = read_archive(path, WHAT)
        document = _document(path, archive.document)
        reader = GridReader(archive, document.grids)
        states = _Built(path, reader, archive.array)
        history: EditHistory[Grids] = EditHistory(
            tuple(states.state(index, document.states) for index in document.editor.history),
            document.editor.index,
            document.editor.max_states,
        )
        a = _saved_file(document.a, reader)
        b = _saved_file(document.b, reader) if document.b is not None else None
        editor = Editor(
            history,
            _selection(document.editor.selection, history.current),
            _listening(document.editor.listening, history.current.a.num_levels),
        )
        saved_at = datetime.fromisoformat(document.saved_at)
    except (ArchiveError, CodeGridError, RecordError) as error:
        message = str(error)
        if not message.startswith(path.name):
            message = f"{path.name} is damaged: {message}"
        raise SessionFileError(message) from None
    except ValueError as error:  # a date that is not one
        raise SessionFileError(f"{path.name} is damaged: {error}") from None
    if (b is None) != (history.current.b is None):
        raise SessionFileError(f"{path.name} is damaged: its grids and its files disagree about B.")
    return SavedSession(path, saved_at, document.model, a, b, editor, document.labels)


def _document(path: Path, raw: dict[str, Any]) -> SessionDocument:
    if raw.get("format") != FORMAT_NAME:
        raise SessionFileError(
            f'{path.name} is not a {WHAT} (no "format": "{FORMAT_NAME}"); open a file saved '
            "with Save the session."
        )
    version = raw.get("version")
    if version != FORMAT_VERSION:
        raise SessionFileError(
            f"{path.name} is session format version {version!r}; this Distill opens version "
            f"{FORMAT_VERSION}. Open it with the Distill that saved it."
        )
    return read_record(SessionDocument, raw, path.name)


class _Built:
    """The document's states as `Grids`, each built once (the history's states and blend
    bases share them as the saved session did)."""

    def __init__(self, path: Path, reader: GridReader, array: Any) -> None:
        self.path, self.reader, self.array = path, reader, array
        self.built: dict[int, Grids] = {}

    def state(self, index: int, stored: tuple[StoredState, ...]) -> Grids:
        if not 0 <= index < len(stored):
            raise CodeGridError(f"{self.path.name} is damaged: it has no state {index}.")
        if index in self.built:
            return self.built[index]
        entry = stored[index]
        a = self.reader.grid(entry.a)
        b = self.reader.grid(entry.b) if entry.b is not None else None
        if entry.join is not None and not 0 <= entry.join <= a.num_columns:
            raise CodeGridError(f"state {index} joins at column {entry.join}, outside A.")
        blend = None
        if entry.blend is not None:
            blend = self._blend(index, entry.blend, stored, a)
        self.built[index] = Grids(a, b, entry.join, blend)
        return self.built[index]

    def _blend(
        self, index: int, stored: StoredBlend, states: tuple[StoredState, ...], a: Any
    ) -> BlendMark:
        if stored.base >= index:  # bases are written before the states blended from them
            raise CodeGridError(f"state {index} is blended from a later state.")
        if stored.kind not in ("selection", "whole") or not 0 <= stored.amount <= 1:
            raise CodeGridError(f"state {index} has a blend it cannot be ({stored.kind}).")
        region = _as_region(stored.region)
        distances = self.array(stored.distances)
        if distances.dtype.kind != "f" or distances.shape != (a.num_columns, a.num_levels):
            raise CodeGridError(f"state {index}'s snap distances do not fit its grid.")
        base = self.state(stored.base, states)
        return BlendMark(stored.kind, stored.amount, base, region, distances)  # type: ignore[arg-type]


def _as_region(stored: StoredRegion) -> Region:
    if len(stored.levels) != 2 or len(stored.columns) != 2:
        raise CodeGridError("a region must be (first, last) levels and columns.")
    return Region((stored.levels[0], stored.levels[1]), (stored.columns[0], stored.columns[1]))


def _saved_file(stored: StoredFile, reader: GridReader) -> SavedFile:
    return SavedFile(stored.name, reader.grid(stored.encoded), stored.source, stored.source_bytes)


def _selection(stored: StoredSelection | None, now: Grids) -> Selection | None:
    if stored is None:
        return None
    if stored.side not in SIDES:
        raise CodeGridError(f"the selection is on side {stored.side!r}, not A or B.")
    grid = now.grid(stored.side)
    if grid is None:
        raise CodeGridError("the selection is on B, which the session does not have.")
    region = _as_region(stored.region)
    check_region(region, grid)
    return Selection(stored.side, region)


def _listening(stored: StoredListening, num_levels: int) -> Listening:
    levels = [*stored.muted, *([stored.solo] if stored.solo is not None else [])]
    if any(not 0 <= level < num_levels for level in levels):
        raise CodeGridError(f"a muted or solo level is outside levels 1-{num_levels}.")
    first = stored.first_levels
    if first is not None and not 1 <= first <= num_levels:
        raise CodeGridError(f"levels heard {first} is outside 1-{num_levels}.")
    return Listening(first, frozenset(stored.muted), stored.solo)

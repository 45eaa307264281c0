"""A file of code grids: one zip holding a JSON document and the grids' codes as .npy arrays
(read with pickle refused), written atomically. Each distinct grid is stored once however
often the document names it: an edit history names the same grids again and again.

The document's format (its name, version and records) is the caller's; this module keeps
the grids (`StoredGrid`, `GridWriter`, `GridReader`) and the container (`write_archive`,
`read_archive`), and says in one sentence what is wrong with a file that is not one."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch

from distill.files import write_bytes_atomic
from distill.inference.grid import CodeGrid, CodeGridError

DOCUMENT = "document.json"
MAX_UNPACKED_BYTES = 2_000_000_000  # a zip that claims more is refused before it is unpacked


class ArchiveError(ValueError):
    """A file that is not a readable grid archive (damaged, truncated or foreign)."""


@dataclass(frozen=True)
class StoredGrid:
    """A `CodeGrid` in the document: its fields, with the codes named as an array."""

    codes: str  # the array's name in the archive: codes [1, F', L]
    codebook_size: int
    mel_shape: tuple[int, ...]
    num_samples: int
    sample_rate: int
    seconds_per_column: float
    loudness_gain: float = 1.0
    level_labels: tuple[str, ...] = ()
    operations: tuple[str, ...] = ()


# Every field of a grid but its codes, stored under the same names (CodeGrid checks them).
_FIELDS = [f.name for f in fields(StoredGrid) if f.name != "codes"]


def _compact(codes: np.ndarray, codebook_size: int) -> np.ndarray:
    """codes [1, F', L] in the smallest integer type that holds 0..K-1 and -1."""
    kind = np.int16 if codebook_size <= np.iinfo(np.int16).max else np.int32
    return codes.astype(kind)


@dataclass
class GridWriter:
    """The grids and other arrays going into one archive; `add` gives a grid's index in
    `grids`, the same index for a grid already added (the same object or the same values)."""

    grids: list[StoredGrid] = field(default_factory=list)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    _seen: dict[int, int] = field(default_factory=dict)  # id(grid) -> index (grids are frozen)
    _same: dict[str, int] = field(default_factory=dict)  # a grid's content digest -> index
    _held: list[CodeGrid] = field(default_factory=list)  # keeps the ids above unique

    def add(self, grid: CodeGrid) -> int:
        if id(grid) in self._seen:
            return self._seen[id(grid)]
        codes = _compact(grid.codes.numpy(), grid.codebook_size)
        stored = StoredGrid(codes="", **{name: getattr(grid, name) for name in _FIELDS})
        digest = hashlib.sha256(codes.tobytes() + repr(stored).encode()).hexdigest()
        if digest not in self._same:
            name = self.add_array(f"grids/{len(self.grids)}", codes)
            self._same[digest] = len(self.grids)
            self.grids.append(StoredGrid(**{**asdict(stored), "codes": name}))
        self._seen[id(grid)] = self._same[digest]
        self._held.append(grid)
        return self._same[digest]

    def add_array(self, stem: str, array: np.ndarray) -> str:
        name = f"{stem}.npy"
        self.arrays[name] = np.ascontiguousarray(array)
        return name


def write_archive(
    path: str | Path, document: dict[str, Any], arrays: dict[str, np.ndarray]
) -> Path:
    """The document and the arrays as one zip at `path`, atomically (WriteError if not)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DOCUMENT, json.dumps(document, indent=1))
        for name, array in arrays.items():
            data = io.BytesIO()
            np.save(data, array, allow_pickle=False)
            archive.writestr(name, data.getvalue())
    return write_bytes_atomic(path, buffer.getvalue())


@dataclass(frozen=True)
class Archive:
    """A read archive: its document (checked by its reader) and how to get its arrays."""

    path: Path
    document: dict[str, Any]
    members: frozenset[str]
    data: bytes

    def array(self, name: str) -> np.ndarray:
        """The named array (ArchiveError when it is missing or not a plain array)."""
        if name not in self.members:
            raise ArchiveError(f"{self.path.name} is damaged: it lacks {name}.")
        try:
            with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
                return np.load(io.BytesIO(archive.read(name)), allow_pickle=False)
        except (ValueError, OSError, zipfile.BadZipFile) as error:
            message = f"{self.path.name} is damaged: {name} is unreadable ({error})."
            raise ArchiveError(message) from None


def read_archive(path: str | Path, what: str) -> Archive:
    """The archive at `path`; `what` names the kind of file in messages ('session file')."""
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(f"No {what} at {path}; check the path.")
    data = path.read_bytes()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
                raise ArchiveError(f"{path.name} is not a {what}: it unpacks far too large.")
            if DOCUMENT not in archive.namelist():
                raise ArchiveError(f"{path.name} is not a {what} (it holds no {DOCUMENT}).")
            document = json.loads(archive.read(DOCUMENT).decode("utf-8"))
    except zipfile.BadZipFile:
        raise ArchiveError(
            f"{path.name} is not a {what}: it is not a zip archive, or it is damaged or cut short."
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError, zipfile.LargeZipFile, OSError) as error:
        message = f"{path.name} is damaged: its {DOCUMENT} is unreadable ({error})."
        raise ArchiveError(message) from None
    if not isinstance(document, dict):
        raise ArchiveError(f"{path.name} is not a {what}: its {DOCUMENT} is not an object.")
    return Archive(path, document, frozenset(info.filename for info in infos), data)


class GridReader:
    """The grids of an archive as `CodeGrid`s, each built once (the same index gives the same
    grid object, as the history that was saved had)."""

    def __init__(self, archive: Archive, stored: tuple[StoredGrid, ...]) -> None:
        self._archive = archive
        self._stored = stored
        self._built: dict[int, CodeGrid] = {}

    def grid(self, index: int) -> CodeGrid:
        if not 0 <= index < len(self._stored):
            raise ArchiveError(f"{self._archive.path.name} is damaged: it has no grid {index}.")
        if index not in self._built:
            self._built[index] = self._build(self._stored[index])
        return self._built[index]

    def _build(self, stored: StoredGrid) -> CodeGrid:
        codes = self._archive.array(stored.codes)
        if codes.dtype.kind not in "iu":
            name = self._archive.path.name
            raise ArchiveError(f"{name} is damaged: {stored.codes} does not hold codes.")
        try:
            tensor = torch.from_numpy(codes.astype(np.int64))  # [1, F', L]
            return CodeGrid(tensor, **{name: getattr(stored, name) for name in _FIELDS})
        except CodeGridError as error:
            raise ArchiveError(f"{self._archive.path.name} is damaged: {error}") from None

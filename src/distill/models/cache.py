"""The loaded-model cache: the one place that decides whether a model file changed since a
model was loaded from it, and loads it again only when it must.

A file is told apart by its stamp (size, modification time, inode: any rewrite changes it)
and, once the stamp moved, by the hash of its autoencoder weights: a rewritten header (new
level labels, a new name, a new prior) keeps what the codes mean; other weights do not.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from distill.models.persistence import LoadedVQModel, ModelFileError, load_model
from distill.models.prior_stored import PRIOR_PREFIX

DEVICE = "auto"  # CUDA, then Apple's MPS, then the CPU
_HASH_BLOCK = 1 << 20


@dataclass(frozen=True)
class FileStamp:
    """What tells a rewritten, replaced or deleted file: any rewrite changes one of these."""

    size: int
    mtime_ns: int
    inode: int


def file_stamp(path: str | Path) -> FileStamp | None:
    """The file's stamp now (None: no file at `path`)."""
    try:
        status = Path(path).stat()
    except OSError:
        return None
    return FileStamp(status.st_size, status.st_mtime_ns, status.st_ino)


def model_sha256(path: str | Path) -> str:
    """Hex sha256 of a model file's autoencoder weights: its tensors' bytes in file order.

    The header (name, level labels, ...) is left out, so renaming a model or its levels
    keeps its codes files valid; so is the prior (prior.* tensors): training or replacing a
    prior does not change what the codes mean. Any change to the autoencoder's weights does.
    A file without a prior hashes exactly as its whole data section did before priors
    existed (safetensors packs tensors back to back). Read in 1 MiB blocks.
    """
    digest = hashlib.sha256()
    size = Path(path).stat().st_size
    with Path(path).open("rb") as handle:
        header_size = int.from_bytes(handle.read(8), "little")
        start = 8 + header_size
        ranges = _weight_ranges(handle.read(header_size), start) if start <= size else None
        # Not a safetensors layout: hash all of it (loading it will say what is wrong).
        for begin, end in ranges or [(start if start <= size else 0, size)]:
            handle.seek(begin)
            while begin < end and (block := handle.read(min(_HASH_BLOCK, end - begin))):
                digest.update(block)
                begin += len(block)
    return digest.hexdigest()


def _weight_ranges(header: bytes, start: int) -> list[tuple[int, int]] | None:
    """File byte ranges of the non-prior tensors, in file order (None: not a readable header)."""
    try:
        entries = json.loads(header)
        ranges = sorted(
            (start + int(entry["data_offsets"][0]), start + int(entry["data_offsets"][1]))
            for name, entry in entries.items()
            if name != "__metadata__" and not name.startswith(PRIOR_PREFIX)
        )
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    return ranges


class ModelChange(Enum):
    """What happened to a loaded model's file since it was loaded."""

    SAME = "same"  # the file it was loaded from
    HEADER = "header"  # rewritten, the same weights (labels, name, prior): reloaded quietly
    REPLACED = "replaced"  # other weights: the codes of a grid no longer mean what they did
    GONE = "gone"  # deleted or renamed


def gone_message(model_path: str | Path) -> str:
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


@dataclass(frozen=True)
class CachedModel:
    """A loaded model and the file it came from, as that file was then."""

    path: str
    stamp: FileStamp
    weights: str  # model_sha256 of the file when loaded
    loaded: LoadedVQModel


class ModelCache:
    """One loaded model (a page works with one at a time) and the file it came from.

    `model` answers with the loaded model, loading it again only when its file changed:
    a grid keeps the weights that made it, so a file deleted or renamed since still serves
    that grid, and a file that now holds other weights is an error (`replaced_message`)
    unless the caller is encoding anew. Thread-safe: a page's events may overlap.
    """

    def __init__(self, device: str = DEVICE) -> None:
        self._device = device
        self._entry: CachedModel | None = None
        self._hashed: tuple[FileStamp, str] | None = None  # the last stamp hashed, its hash
        self._lock = threading.RLock()

    @property
    def entry(self) -> CachedModel | None:
        return self._entry

    def change(self) -> ModelChange | None:
        """What happened to the loaded model's file (None: nothing is loaded)."""
        entry = self._entry
        if entry is None:
            return None
        stamp = file_stamp(entry.path)
        if stamp is None:
            return ModelChange.GONE
        if stamp == entry.stamp:
            return ModelChange.SAME
        weights = self._weights(entry.path, stamp)
        return ModelChange.HEADER if weights == entry.weights else ModelChange.REPLACED

    def model(self, path: str, *, encoding: bool = False) -> LoadedVQModel:
        """The model at `path`, loaded (again) only when the file changed (ModelFileError
        when it is gone, or replaced and not `encoding`)."""
        with self._lock:
            entry = self._entry if self._entry and self._entry.path == path else None
            stamp = file_stamp(path)
            if entry is not None and (stamp is None or stamp == entry.stamp):
                if stamp is None and encoding:
                    raise ModelFileError(gone_message(path))
                return entry.loaded
            if stamp is None:
                raise ModelFileError(gone_message(path))
            weights = self._weights(path, stamp)
            if entry is not None and not encoding and weights != entry.weights:
                raise ModelFileError(replaced_message(entry.loaded.metadata.name))
            loaded = load_model(path, self._device)
            self._entry = CachedModel(path, stamp, weights, loaded)
            return loaded

    def rewritten(self, path: str, labels: list[str]) -> None:
        """After our own header rewrite (new labels): keep the loaded model, take the new
        stamp, so it is not loaded again."""
        with self._lock:
            entry = self._entry
            stamp = file_stamp(path)
            if entry is not None and entry.path == path and stamp is not None:
                entry.loaded.metadata.level_labels = list(labels)
                self._entry = CachedModel(path, stamp, entry.weights, entry.loaded)

    def _weights(self, path: str, stamp: FileStamp) -> str:
        """The weights' hash of the file with this stamp (hashed once per stamp)."""
        if self._hashed is not None and self._hashed[0] == stamp:
            return self._hashed[1]
        weights = model_sha256(path)
        self._hashed = (stamp, weights)
        return weights

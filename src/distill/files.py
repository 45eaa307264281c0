"""Every file Distill writes goes through here: written whole to a hidden temporary file beside
the target, then renamed over it, so a reader sees the old file or the new one and never a
partial one; a failed write says why in plain words (a full disk, a read-only folder).

This module sits below every layer (it imports nothing from distill), so audio, models,
inference, the UI and the CLI all share one writer and one set of messages.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import uuid
from pathlib import Path
from typing import BinaryIO

MEGABYTE = 1_000_000  # sizes are shown in MB (10^6 bytes), as file managers show them

# What an OSError means to someone saving a file, and what they can do about it.
_FULL = "the disk is full (no space left on device)"
_DENIED = "permission denied (this user may not write there)"
_READ_ONLY = "the folder is on a read-only disk or mount"
_REASONS = {
    errno.ENOSPC: _FULL,
    errno.EDQUOT: "the disk quota of this user is used up",
    errno.EFBIG: "the file is larger than this system allows",
    errno.EACCES: _DENIED,
    errno.EPERM: _DENIED,
    errno.EROFS: _READ_ONLY,
    errno.ENOTDIR: "part of the path is a file, not a folder",
    errno.EISDIR: "that path is a folder",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.ENOENT: "no such file or folder",
    errno.EIO: "the disk reported an input/output error",
}
_ADVICE = {
    _FULL: "Free some space or choose another folder.",
    _DENIED: "Choose a folder you can write to.",
    _READ_ONLY: "Choose a folder you can write to.",
}


class WriteError(ValueError):
    """A file could not be written; str(error) is one plain sentence naming the file and why.

    `errno` is the OS error number behind it (errno.ENOSPC for a full disk), if any.
    """

    def __init__(self, message: str, path: Path, reason: str, error_number: int | None) -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason  # the cause alone, in plain words: 'the disk is full (...)'
        self.errno = error_number


def plain_reason(error: OSError) -> str:
    """An OSError in plain words: 'the disk is full (no space left on device)'."""
    if error.errno in _REASONS:
        return _REASONS[error.errno]
    return (error.strerror or str(error) or type(error).__name__).rstrip(".").lower()


def describe_os_error(error: OSError) -> str:
    """One sentence for an OSError from anywhere (reading or writing), naming its file."""
    where = f" ({error.filename})" if error.filename else ""
    return f"A file operation failed{where}: {plain_reason(error)}."


def write_error(path: Path, error: OSError) -> WriteError:
    """The WriteError for `error` while writing `path`: the cause and what to do."""
    reason = plain_reason(error)
    advice = _ADVICE.get(reason, "")
    message = f"Could not write {path}: {reason}." + (f" {advice}" if advice else "")
    return WriteError(message, path, reason, error.errno)


def _write_all(handle: BinaryIO, data: bytes) -> None:
    """The one place bytes reach a disk (tests make it fail with a full disk here)."""
    handle.write(data)


def write_bytes_atomic(path: str | Path, data: bytes, sync: bool = True) -> Path:
    """Write `data` to `path` atomically (parent folders made); WriteError if it cannot.

    `sync` waits until the bytes are on the disk before the rename (models, exports); scratch
    files that only a player reads soon after skip it.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("xb") as handle:
            _write_all(handle, data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        if isinstance(error, FileExistsError) and not path.parent.is_dir():
            error = NotADirectoryError(errno.ENOTDIR, "Not a directory")  # a file is in the way
        raise write_error(path, error) from None
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
    return path


def write_text_atomic(path: str | Path, text: str) -> Path:
    """UTF-8 text through write_bytes_atomic."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def free_bytes(folder: str | Path) -> int:
    """Bytes free for this user on the disk that holds `folder` (or would, once it is made)."""
    existing = Path(folder).expanduser().absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    return shutil.disk_usage(existing).free


def format_size(num_bytes: int) -> str:
    """'2.4 MB' (one decimal; 0.1 MB at least so a small file never reads as nothing)."""
    return f"{max(num_bytes / MEGABYTE, 0.1):.1f} MB"


def check_free_space(folder: str | Path, needed_bytes: int, what: str) -> None:
    """WriteError (errno.ENOSPC) unless `folder`'s disk has `needed_bytes` free for `what`."""
    folder = Path(folder)
    free = free_bytes(folder)
    if free < needed_bytes:
        raise WriteError(
            f"Not enough free space in {folder} for {what}: it needs about "
            f"{format_size(needed_bytes)} and only {format_size(free)} is free. Free some "
            "space or choose another folder.",
            folder,
            _FULL,
            errno.ENOSPC,
        )

"""A training reserves its model name: an exclusive `NAME.distill.lock` file beside the model,
holding who holds it (process id, host, start time), removed when the training ends.

Invariant: at most one live lock per model file. A lock is *stale* (its training crashed or
was killed) when its process is gone on this host, or when it was taken on another host more
than OTHER_HOST_STALE_S ago; a stale lock is taken over, never obeyed. Creating the lock with
O_CREAT | O_EXCL is atomic on local disks, so two trainings started at once cannot both win.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from distill.files import write_error

LOCK_SUFFIX = ".lock"
OTHER_HOST_STALE_S = 24 * 3600.0  # a lock from another machine is trusted for a day
BREAK_STALE_S = 60.0  # a takeover marker older than this was left by a crashed takeover
UNREADABLE_STALE_S = 5.0  # a lock file still unreadable after this was cut short by a crash
ACQUIRE_TRIES = 5
RETRY_S = 0.1


class ModelLockedError(ValueError):
    """The model name is reserved by a training that is still running."""


@dataclass(frozen=True)
class LockOwner:
    """Who holds a lock: what the lock file says."""

    pid: int
    host: str
    started: float  # time.time() when the lock was taken
    process_start: str = ""  # Linux: the process's start tick, so a reused pid is not trusted

    def describe(self) -> str:
        when = datetime.fromtimestamp(self.started, UTC).strftime("%H:%M UTC on %Y-%m-%d")
        return f"process {self.pid} on {self.host}, started {when}"


def lock_path(model_file: Path) -> Path:
    """`NAME.distill` -> `NAME.distill.lock` (list_models's `*.distill` never matches it)."""
    return model_file.with_name(model_file.name + LOCK_SUFFIX)


def _process_start(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), else ''."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[-1].split()[19]  # field 22; the name before ')' may hold spaces


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def is_stale(owner: LockOwner, now: float | None = None) -> bool:
    """True when the training that took the lock can no longer be running."""
    age = (now or time.time()) - owner.started
    if owner.host != socket.gethostname():
        return age > OTHER_HOST_STALE_S
    if owner.pid <= 0:  # an unreadable lock file (see read_owner)
        return age > UNREADABLE_STALE_S
    if not _alive(owner.pid):
        return True
    current = _process_start(owner.pid)
    return bool(owner.process_start and current and current != owner.process_start)


def read_owner(model_file: Path) -> LockOwner | None:
    """The holder of `model_file`'s lock, or None when there is no lock. A lock file that
    cannot be read as one has pid 0: stale once it is a few seconds old (cut short by a
    crash), not before (its owner may be writing it right now)."""
    path = lock_path(model_file)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LockOwner(
            int(data["pid"]),
            str(data["host"]),
            float(data["started"]),
            str(data.get("process_start", "")),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        try:
            written = path.stat().st_mtime
        except OSError:
            return None
        return LockOwner(pid=0, host=socket.gethostname(), started=written)


def running_training(model_file: Path) -> LockOwner | None:
    """The live training that holds `model_file`'s name, or None (no lock, or a stale one)."""
    owner = read_owner(model_file)
    return None if owner is None or is_stale(owner) else owner


def locked_message(name: str, owner: LockOwner) -> str:
    return (
        f"A training of the model '{name}' is already running ({owner.describe()}); wait for "
        "it to end, or choose another name."
    )


def check_not_running(model_file: Path, action: str) -> None:
    """ModelLockedError when a live training holds `model_file`: it cannot be `action`."""
    owner = running_training(model_file)
    if owner is not None:
        raise ModelLockedError(
            f"The model '{model_file.stem}' is being trained right now ({owner.describe()}): "
            f"it cannot be {action} until that training ends."
        )


def _create(path: Path, shown: Path) -> bool:
    """Create the lock file exclusively with our details; False if it already exists.
    WriteError names `shown` (the model file: the lock is ours to explain, not the user's)."""
    pid = os.getpid()
    owner = LockOwner(pid, socket.gethostname(), time.time(), _process_start(pid))
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    except OSError as error:
        raise write_error(shown, error) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(owner), handle)
    except OSError as error:
        path.unlink(missing_ok=True)
        raise write_error(shown, error) from None
    return True


def _remove_stale(model_file: Path, seen: LockOwner) -> None:
    """Delete a stale lock, unless another process took it over meanwhile: the takeover holds
    a marker file of its own so two processes never delete each other's fresh locks."""
    marker = lock_path(model_file).with_name(lock_path(model_file).name + ".takeover")
    with contextlib.suppress(OSError):
        if time.time() - marker.stat().st_mtime > BREAK_STALE_S:
            marker.unlink()
    if not _create(marker, model_file):
        return  # someone else is taking it over; our next attempt sees what they left
    try:
        if read_owner(model_file) == seen:
            lock_path(model_file).unlink(missing_ok=True)
    finally:
        marker.unlink(missing_ok=True)


def acquire(model_file: Path, name: str) -> None:
    """Reserve `model_file` for this process, or ModelLockedError when a live training holds
    it (a stale lock is taken over). WriteError when the folder cannot be written."""
    path = lock_path(model_file)
    for _ in range(ACQUIRE_TRIES):  # a takeover racing another one settles within a few tries
        if _create(path, model_file):
            return
        owner = read_owner(model_file)
        if owner is not None and owner.pid > 0 and not is_stale(owner):
            raise ModelLockedError(locked_message(name, owner))
        if owner is not None and is_stale(owner):
            _remove_stale(model_file, owner)
        else:  # gone meanwhile, or still being written by the process that just took it
            time.sleep(RETRY_S)
    raise ModelLockedError(f"The model name '{name}' is being taken by another training.")


def release(model_file: Path) -> None:
    """Remove our lock (only ours: a lock another process took over is left alone)."""
    owner = read_owner(model_file)
    if owner is not None and owner.pid == os.getpid() and owner.host == socket.gethostname():
        with contextlib.suppress(OSError):
            lock_path(model_file).unlink()


@contextlib.contextmanager
def hold_model_name(model_file: Path, name: str) -> Iterator[None]:
    """The model name is reserved for the `with` block (see acquire)."""
    try:
        model_file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise write_error(model_file.parent, error) from None
    acquire(model_file, name)
    try:
        yield
    finally:
        release(model_file)


__all__ = [
    "LockOwner",
    "ModelLockedError",
    "acquire",
    "check_not_running",
    "hold_model_name",
    "is_stale",
    "lock_path",
    "read_owner",
    "release",
    "running_training",
]

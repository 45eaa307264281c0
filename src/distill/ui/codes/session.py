"""One browser session of the Codes tab: where its current state lives (kept in gr.State,
never in module globals), and how the page's fast path finds it.

`CodesSession` is the one mutable thing: it holds the current frozen `CodesState` and swaps
it for the next under a lock, with the model cache, the scratch files its players fetch,
and the key the page's fast-path requests carry. `SESSIONS` maps a page's Gradio session
hash to its CodesSession; a request is served only with that page's own secret key.
"""

from __future__ import annotations

import contextlib
import functools
import secrets
import threading
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ParamSpec, TypeVar

from distill.models.cache import ModelCache
from distill.models.persistence import LoadedVQModel
from distill.ui.codes.pictures import remove_pictures
from distill.ui.codes.state import CodesState
from distill.ui.common import remove_files

P = ParamSpec("P")
R = TypeVar("R")
SCRATCH_KEEP = 2  # newest scratch files kept per kind (the player may still be fetching one)
ENDED = "This page's session has ended (the page was reloaded or closed): reload the page."


class Cancelled(Exception):
    """The page that asked for this work left (reloaded or closed): stop, answer nothing."""


class CodesSession:
    """A browser session's Codes tab: its state, model, scratch files and fast-path key."""

    def __init__(self) -> None:
        self.state = CodesState()
        self.models = ModelCache()
        self.library_models = ModelCache()  # a model the Library looks into (not A's)
        self.key = secrets.token_urlsafe(24)
        self.lock = threading.RLock()
        self._scratch: dict[str, list[str]] = {}
        self._ended = threading.Event()
        self._running = 0  # long jobs (encodes, decodes) under way for this page
        self._epoch = 0  # bumped when the page leaves: jobs begun before it stop
        self._job = threading.local()  # the epoch the job on this thread began in
        # Told of every committed state (autosave.py saves the page's work after it).
        self.on_commit: Callable[[CodesState], None] | None = None

    def __deepcopy__(self, memo: dict) -> CodesSession:
        """A new, empty session. gr.State deep-copies its initial value for each page that
        opens, so every page starts with a session of its own. (A callable initial value
        would be called again by a load event of Gradio's own, which could replace the
        session the page's first event had just registered.)"""
        return CodesSession()

    def commit(self, state: CodesState) -> CodesState:
        """Make `state` current; the pictures no file of it shows any more are deleted."""
        with self.lock:
            old = self.state
            self.state = state
            kept = _picture_folders(state)
            for pictures in (f.pictures for f in (old.a, old.b) if f is not None):
                if pictures is not None and pictures.folder not in kept:
                    remove_pictures(pictures)
            if self.on_commit is not None:
                self.on_commit(state)
            return state

    def update(self, transition: Callable[[CodesState], CodesState]) -> CodesState:
        """Apply `transition` to the current state under the lock and commit its result."""
        with self.lock:
            return self.commit(transition(self.state))

    def model(self, path: str, encoding: bool = False) -> LoadedVQModel:
        return self.models.model(path, encoding=encoding)

    def keep_scratch(self, kind: str, path: str) -> str:
        """Remember a scratch file; delete older ones of the same kind (already fetched)."""
        with self.lock:
            files = [*self._scratch.get(kind, []), path]
            remove_files(files[:-SCRATCH_KEEP])
            self._scratch[kind] = files[-SCRATCH_KEEP:]
        return path

    @contextlib.contextmanager
    def working(self) -> Iterator[None]:
        """Around a long job for this page: counted while it runs (`running`), and stopped
        at its next `check` once the page leaves (`leave`)."""
        self.check()
        with self.lock:
            self._running += 1
        self._job.epoch = self._epoch
        try:
            yield
        finally:
            self._job.epoch = None
            with self.lock:
                self._running -= 1

    @property
    def running(self) -> int:
        """How many long jobs for this page are under way."""
        return self._running

    def check(self) -> None:
        """Raise Cancelled when the page this job runs for has left or ended (called between
        the steps of long work)."""
        began = getattr(self._job, "epoch", None)
        if self._ended.is_set() or (began is not None and began != self._epoch):
            raise Cancelled

    def progress(self, report: Callable[[float], None]) -> Callable[[float], None]:
        """A progress callback that also stops the work once the page has left."""

        def checked(done: float) -> None:
            self.check()
            report(done)

        return checked

    def leave(self) -> None:
        """The page's connection closed (a reload, a closed tab): the jobs running for it
        stop. The session stays usable: a page whose connection only blinked goes on."""
        with self.lock:
            self._epoch += 1

    def end(self) -> None:
        """Gradio dropped the session (an hour after its page closed): stop its work and
        remove its files."""
        self._ended.set()
        with self.lock:
            for files in self._scratch.values():
                remove_files(files)
            self._scratch.clear()
            for open_file in (self.state.a, self.state.b):
                if open_file is not None:
                    remove_pictures(open_file.pictures)

    @property
    def ended(self) -> bool:
        return self._ended.is_set()


def long_job(handler: Callable[P, R]) -> Callable[P, R]:
    """A handler whose work is counted on its page's session while it runs (the session is
    one of its arguments) and refused once that page has gone."""

    @functools.wraps(handler)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        session = next(a for a in (*args, *kwargs.values()) if isinstance(a, CodesSession))
        with session.working():
            return handler(*args, **kwargs)

    return run


def _picture_folders(state: CodesState) -> set[Path]:
    """The picture folders the files of `state` draw from."""
    files = (f for f in (state.a, state.b) if f is not None)
    return {f.pictures.folder for f in files if f.pictures is not None}


class SessionRegistry:
    """The live sessions by their page's Gradio session hash (weakly: a session Gradio
    dropped is gone from here too)."""

    def __init__(self) -> None:
        self._sessions: weakref.WeakValueDictionary[str, CodesSession] = (
            weakref.WeakValueDictionary()
        )
        self._lock = threading.Lock()

    def register(self, page: str, session: CodesSession) -> None:
        with self._lock:
            self._sessions[page] = session

    def find(self, page: str | None, key: str | None) -> CodesSession | None:
        """The page's session, if `key` is that session's own key (None otherwise: another
        page's key, a made-up one, or a session that ended)."""
        with self._lock:
            session = self._sessions.get(page or "")
        if session is None or session.ended or not key:
            return None
        return session if secrets.compare_digest(session.key, key) else None

    def leave(self, page: str | None) -> None:
        """A page's connection closed: its running jobs stop."""
        with self._lock:
            session = self._sessions.get(page or "")
        if session is not None:
            session.leave()

    def end(self, page: str | None) -> None:
        with self._lock:
            session = self._sessions.pop(page or "", None)
        if session is not None:
            session.end()


SESSIONS = SessionRegistry()


def new_codes_session() -> CodesSession:
    return CodesSession()


def end_codes_session(session: CodesSession | None) -> None:
    """gr.State delete callback: the session's files go."""
    if isinstance(session, CodesSession):
        session.end()

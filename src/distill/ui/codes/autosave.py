"""Autosave, and the offer to restore it: each page's session is saved a moment after its
last committed change to a file of its own in the app's data folder, and a page that opens
(a reload, a tab opened again) is offered the newest save of its browser tab, else of its
browser.

A page names its tab with a random id it keeps in sessionStorage (a reload keeps it, another
tab has its own) and the ids of its browser's recent tabs from localStorage; each page load
saves to its own file ("TAB.LOAD.distill-session"), so two tabs, two browsers or a reload
never write over each other's work. Only the newest KEEP_SAVES saves are kept.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from distill.models.persistence import models_dir
from distill.ui.codes.keep import SessionView, open_saved, session_source
from distill.ui.codes.keep_format import SUFFIX, SessionFileError, write_session
from distill.ui.codes.keep_read import read_session
from distill.ui.codes.session import CodesSession, long_job
from distill.ui.codes.state import CodesState
from distill.ui.common import user_message

KEEP_SAVES = 8  # the newest autosaves kept (all pages and tabs together)
DELAY_S = 1.0  # a save is written this long after the last committed change
TAB_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_KNOWN = 8
NOTHING_OFFERED = "There is no saved session to restore for this page."
logger = logging.getLogger(__name__)


def autosave_folder() -> Path:
    """Where autosaves live: beside the models folder ($DISTILL_HOME/sessions)."""
    return models_dir().parent / "sessions"


@dataclass(frozen=True)
class Offer:
    """A save a page may restore, and the line that offers it; `auto`: the app was started
    with this session (`distill ui --session`), so the page opens it at once."""

    path: str
    text: str
    auto: bool = False


class PageKeep:
    """One page's autosave: its file, the save waiting to be written, the session it was
    offered."""

    def __init__(self, session: CodesSession, tab: str) -> None:
        self._session = weakref.ref(session)  # the session holds this, not the other way
        self.tab = tab
        self.path = autosave_folder() / f"{tab}.{secrets.token_hex(6)}{SUFFIX}"
        self.offered: Offer | None = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def changed(self, state: CodesState) -> None:
        """A committed state: save it a moment from now (a later change moves the moment).
        A blend being dragged is not committed; a page with nothing open saves nothing."""
        if state.a is None or state.editor is None or state.editor.draft is not None:
            return
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(DELAY_S, self.flush)
            self._timer.daemon = True
            self._timer.start()

    @property
    def session(self) -> CodesSession | None:
        """The page's session (None once Gradio dropped it)."""
        return self._session()

    def flush(self) -> None:
        """Write the waiting save now (nothing when none waits); a failure is logged in one
        line: the page's work goes on, its next change tries again."""
        with self._lock:
            timer, self._timer = self._timer, None
        session = self.session
        if timer is None or session is None:
            return
        timer.cancel()
        try:
            write_session(self.path, session_source(session))
        except (ValueError, OSError) as error:
            logger.warning("Autosave skipped: %s", user_message(error))
            return
        prune(autosave_folder())


def prune(folder: Path) -> None:
    """Only the newest KEEP_SAVES autosaves stay."""
    saves = sorted(folder.glob(f"*{SUFFIX}"), key=_mtime, reverse=True)
    for old in saves[KEEP_SAVES:]:
        old.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def offer_text(path: Path) -> Offer | None:
    """The offer of a save (None: it cannot be read, so it is not offered)."""
    try:
        saved = read_session(path)
    except (SessionFileError, OSError):
        return None
    when = saved.saved_at.strftime("%H:%M")
    return Offer(str(path), f"Restore your last session ({saved.summary()}, saved {when})")


@dataclass(frozen=True)
class Hello:
    """What a page is told when it says hello: its tab id and the offer, if any."""

    tab: str
    offer: Offer | None


class Keeps:
    """Every page's PageKeep by its page (Gradio's session hash), and the session the app was
    started with, offered once to the first page."""

    def __init__(self) -> None:
        self._pages: dict[str, PageKeep] = {}
        self._lock = threading.Lock()
        self._start: Path | None = None

    def start_with(self, path: Path | None) -> None:
        self._start = path

    def hello(self, page: str, session: CodesSession, tab: str, known: list[str]) -> Hello:
        """A page opened: its saves go to a file of its own from now on, and it is offered
        the session to restore (the one the app started with, else the newest save of this
        tab, else of this browser's other tabs)."""
        tab = tab if TAB_ID.match(tab or "") else secrets.token_hex(16)
        with self._lock:
            for gone in [p for p, k in self._pages.items() if k.session is None]:
                del self._pages[gone]
            others = [k for p, k in self._pages.items() if p != page and k.tab == tab]
            keep = PageKeep(session, tab)
            self._pages[page] = keep
            start, self._start = self._start, None
        for other in others:  # a reload: the page before it may not have saved yet
            other.flush()
        session.on_commit = keep.changed
        if start is not None:
            offer = offer_text(start)
            keep.offered = Offer(str(start), offer.text, auto=True) if offer else None
        elif session.state.a is None:
            keep.offered = self._newest(tab, [k for k in known if TAB_ID.match(k)][:MAX_KNOWN])
        return Hello(tab, keep.offered)

    def _newest(self, tab: str, known: list[str]) -> Offer | None:
        folder = autosave_folder()
        for tabs in ([tab], known):
            saves = [p for t in tabs for p in folder.glob(f"{t}.*{SUFFIX}")]
            for path in sorted(saves, key=_mtime, reverse=True):
                offer = offer_text(path)
                if offer is not None:
                    return offer
        return None

    def keep_of(self, session: CodesSession) -> PageKeep | None:
        with self._lock:
            return next((k for k in self._pages.values() if k.session is session), None)

    def left(self, page: str) -> None:
        """The page closed or reloaded: its waiting save is written now."""
        with self._lock:
            keep = self._pages.get(page)
        if keep is not None:
            keep.flush()


KEEPS = Keeps()


@long_job
def restore_offered(
    session: CodesSession,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's way to ask for a progress bar)
) -> SessionView:
    """The page accepted its offer: the offered session opened as an uploaded one is."""
    keep = KEEPS.keep_of(session)
    offer = keep.offered if keep is not None else None
    if keep is None or offer is None:
        raise ValueError(NOTHING_OFFERED)
    view = open_saved(session, read_session(offer.path), progress)
    keep.offered = None
    return view

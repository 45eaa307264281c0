"""Previews made before they are asked for. Once the page shows a level's palette (it asks for
one after every opening, and when the level changes), the one-code previews of the codes the
open grids use (that level's first, in the order the columns come, then the other levels',
A before B), then the rest of that level's codebook in the palette's order, are made on a
background thread at the lowest CPU priority and kept where a click finds them
(`sound.CLIPS`). A click on a cell or a swatch then answers from memory instead of decoding
(~60 ms on 2 cores, most of it Griffin-Lim): an instrument whose samples are loaded.

One warm-up runs at a time for the whole server: a newer ask replaces what is still queued
(the newest page and level are what a hand is about to play); a page that left stops it.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable

from distill.inference.grid import CodeGrid
from distill.models.persistence import LoadedVQModel
from distill.ui.codes.session import CodesSession
from distill.ui.codes.sound import CLIPS, CLIPS_KEPT, code_clip, code_key

WARM_LIMIT = CLIPS_KEPT // 2  # previews made per ask at most: the rest of the cache stays free
PAUSE_S = 0.002  # between two previews: where the thread cannot be given the lowest priority
logger = logging.getLogger(__name__)


def warm_order(
    grids: Iterable[CodeGrid], level: int, palette_order: Iterable[int]
) -> list[tuple[int, int]]:
    """(level, code) pairs in the order they are made: the codes the grids use on `level`,
    then on the other levels (coarse to fine), each in the order the columns come, the first
    grid before the second; then `level`'s codebook in `palette_order`. Each pair once."""
    grids = list(grids)
    levels = sorted({lv for g in grids for lv in range(g.num_levels)}, key=lambda v: v != level)
    pairs: dict[tuple[int, int], None] = {}
    for lv in levels:
        for grid in grids:
            if lv < grid.num_levels:
                for code in grid.codes[0, :, lv].tolist():
                    if code >= 0:  # a silent cell has no preview
                        pairs.setdefault((lv, int(code)), None)
    for code in palette_order:
        pairs.setdefault((level, int(code)), None)
    return list(pairs)


class Warmer:
    """The one background thread making previews, and the queue it works through."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[tuple[int, int]] = deque()
        self._target: tuple[CodesSession, str, LoadedVQModel] | None = None
        self._thread: threading.Thread | None = None
        self.made = 0  # previews made since the server started (benchmarks read it)

    def ask(
        self,
        session: CodesSession,
        weights: str,
        loaded: LoadedVQModel,
        pairs: list[tuple[int, int]],
    ) -> None:
        """Make the previews of `pairs` (see warm_order) for `session`'s model, those not kept
        already, WARM_LIMIT at most; what an earlier ask left queued is dropped."""
        fresh = [p for p in pairs if CLIPS.get(code_key(weights, *p)) is None][:WARM_LIMIT]
        with self._lock:
            self._queue = deque(fresh)
            self._target = (session, weights, loaded)
            if fresh and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(target=self._run, name="distill-warm", daemon=True)
                self._thread.start()

    @property
    def waiting(self) -> int:
        """Previews still queued (0: the last ask is done, or was dropped)."""
        with self._lock:
            return len(self._queue)

    def busy(self) -> bool:
        """Whether the thread is still making previews."""
        with self._lock:
            return self._thread is not None and self._thread.is_alive()

    def _next(self) -> tuple[CodesSession, str, LoadedVQModel, tuple[int, int]] | None:
        with self._lock:
            if not self._queue or self._target is None:
                return None
            return (*self._target, self._queue.popleft())

    def _run(self) -> None:
        lowest = _lowest_priority()
        while (job := self._next()) is not None:
            session, weights, loaded, (level, code) = job
            if session.ended:
                continue
            try:
                code_clip(weights, level, code, loaded)
                self.made += 1
            except Exception:  # a model changed under it: the click will say what is wrong
                logger.debug("warming preview %s/%s failed", level, code, exc_info=True)
            if not lowest:
                time.sleep(PAUSE_S)


def _lowest_priority() -> bool:
    """This thread at nice 19, where the system allows one thread its own (Linux); whether
    it could."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):
        return False
    return True


WARMER = Warmer()

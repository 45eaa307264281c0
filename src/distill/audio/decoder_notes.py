"""Keep the MP3 decoder's notes off the terminal: libsndfile's mpg123 prints lines such as
"Note: Illegal Audio-MPEG-Header 0x00000000 at offset 32." straight to file descriptor 2
while it reads a file that is not an MP3, before our one clear error is raised.

While a file is read, descriptor 2 points at a temporary file; afterwards every captured line
that is not a decoder note is written back to the real stderr (another thread's message is
delayed, never lost). Nested and concurrent reads share one redirection (a counted lock).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

_DECODER_NOTE = re.compile(rb"^(Note|Warning|Error): |libmpg123|\[src/")
_STDERR_FD = 2
_lock = threading.Lock()


@dataclass
class _Redirect:
    """The one redirection in force: how many reads share it, the real stderr, the capture."""

    depth: int = 0
    saved: int | None = None
    capture: IO[bytes] | None = None


_redirect = _Redirect()


def replay_lines(captured: bytes) -> bytes:
    """The captured bytes without the decoder's note lines."""
    lines = captured.splitlines(keepends=True)
    return b"".join(line for line in lines if not _DECODER_NOTE.search(line))


def _start() -> None:
    sys.stderr.flush()
    _redirect.capture = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _stop)
    _redirect.saved = os.dup(_STDERR_FD)
    os.dup2(_redirect.capture.fileno(), _STDERR_FD)


def _stop() -> None:
    sys.stderr.flush()
    saved, capture = _redirect.saved, _redirect.capture
    if saved is None or capture is None:
        return
    os.dup2(saved, _STDERR_FD)
    os.close(saved)
    with capture:
        capture.seek(0)
        kept = replay_lines(capture.read())
    _redirect.saved = _redirect.capture = None
    if kept:
        os.write(_STDERR_FD, kept)


@contextlib.contextmanager
def quiet_decoder_notes() -> Iterator[None]:
    """Inside: the MP3 decoder's notes are dropped; everything else on stderr is kept."""
    with _lock:
        if _redirect.depth == 0:
            _start()
        _redirect.depth += 1
    try:
        yield
    finally:
        with _lock:
            _redirect.depth -= 1
            if _redirect.depth == 0:
                _stop()

"""The sounds the fast path sends the page: click previews as 16-bit PCM (kept, per model,
so a code heard once answers at once the next time), and a level's Play or the transport
as PCM pieces streamed while they are decoded. The page plays them with Web Audio."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from distill.inference import preview_code, preview_column
from distill.inference.grid import CodeGrid
from distill.inference.streaming import stream_grid, stream_level
from distill.inference.threads import one_thread
from distill.models.persistence import LoadedVQModel

CLIPS_KEPT = 768  # ~96 kB each: ~75 MB at most for every model and session (warm.py: half)


@dataclass(frozen=True)
class Clip:
    """16-bit little-endian mono PCM at `sample_rate`."""

    pcm: bytes
    sample_rate: int

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate


def pcm16(audio: np.ndarray) -> bytes:
    """float32 [S] in [-1, 1] -> 16-bit little-endian PCM (clipped, rounded)."""
    scaled = np.clip(np.nan_to_num(audio), -1.0, 1.0) * 32767.0
    return np.round(scaled).astype("<i2").tobytes()


class ClipCache:
    """The newest CLIPS_KEPT previews, by the model's weights and what was asked."""

    def __init__(self, size: int = CLIPS_KEPT) -> None:
        self._clips: OrderedDict[tuple, Clip] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Clip | None:
        with self._lock:
            clip = self._clips.get(key)
            if clip is not None:
                self._clips.move_to_end(key)
            return clip

    def put(self, key: tuple, clip: Clip) -> Clip:
        with self._lock:
            self._clips[key] = clip
            self._clips.move_to_end(key)
            while len(self._clips) > self._size:
                self._clips.popitem(last=False)
        return clip


CLIPS = ClipCache()


def code_key(weights: str, level: int, code: int) -> tuple:
    """What a code's preview is kept under in CLIPS."""
    return (weights, "code", level, code)


def code_clip(weights: str, level: int, code: int, loaded: LoadedVQModel) -> Clip:
    """One code of one level alone, held ~1 s (`preview_code`, on one thread)."""
    key = code_key(weights, level, code)
    clip = CLIPS.get(key)
    if clip is None:
        with one_thread():
            clip = Clip(pcm16(preview_code(level, code, loaded)), _rate(loaded))
    return CLIPS.put(key, clip)


def column_clip(weights: str, grid: CodeGrid, column: int, loaded: LoadedVQModel) -> Clip:
    """Every level of one column together, held ~1 s (`preview_column`, on one thread)."""
    key = (weights, "column", tuple(int(c) for c in grid.codes[0, column].tolist()))
    clip = CLIPS.get(key)
    if clip is None:
        with one_thread():
            clip = Clip(pcm16(preview_column(grid, column, loaded)), _rate(loaded))
    return CLIPS.put(key, clip)


def _rate(loaded: LoadedVQModel) -> int:
    return loaded.spectrogram.config.sample_rate


def _pcm_pieces(pieces: Iterator[np.ndarray]) -> Iterator[bytes]:
    """Each piece decoded on one thread (`one_thread`; the server may pull each from another
    thread), as PCM."""
    while True:
        with one_thread():
            piece = next(pieces, None)
        if piece is None:
            return
        yield pcm16(piece)


def level_pieces(grid: CodeGrid, level: int, loaded: LoadedVQModel) -> Iterator[bytes]:
    """One level alone along the file, as PCM pieces while they are decoded."""
    return _pcm_pieces(stream_level(grid, level, loaded))


def grid_pieces(
    grid: CodeGrid, loaded: LoadedVQModel, columns: tuple[int, int] | None
) -> Iterator[bytes]:
    """Columns [start, end) of the grid (None: all), as PCM pieces while they are decoded."""
    return _pcm_pieces(stream_grid(grid, loaded, columns))

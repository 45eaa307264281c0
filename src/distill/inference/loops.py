"""A span of a grid's columns as a sample: exactly that span's sound (columns x seconds per
column; the file's end cuts the last column), played once, repeated, or made a seamless loop.

A seamless loop keeps the span's length and hides its join the way samplers' crossfade
looping does: the sound just past the span's end (decoded from the grid's next columns) is
faded out over the span's first moments while the span fades in, equal-power, so the loop's
last sample runs on into its first as the file ran on. With nothing after the span, the sound
just before it fades in over the span's last moments instead; with neither (the whole file),
the span's own end is folded over its start and the loop is one crossfade shorter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from distill.inference.grid import CodeGrid
from distill.inference.streaming import column_span, span_samples, stream_grid
from distill.models.persistence import LoadedVQModel

CROSSFADE_S = 0.03  # short enough to keep a transient, long enough to hide a click
MAX_REPEATS = 64
Join = Literal["none", "after", "before", "folded"]


@dataclass(frozen=True)
class LoopSettings:
    """How a span becomes a sample: repeats (1: once) and a seamless join or a plain cut."""

    repeats: int = 1
    seamless: bool = False
    crossfade_s: float = CROSSFADE_S

    def __post_init__(self) -> None:
        if not isinstance(self.repeats, int) or not 1 <= self.repeats <= MAX_REPEATS:
            raise ValueError(f"Repeats must be a whole number from 1 to {MAX_REPEATS}.")
        if not 0 < self.crossfade_s <= 1:
            raise ValueError("The loop's crossfade must be longer than 0 and at most 1 s.")


@dataclass(frozen=True)
class SpanSample:
    """A span's sample: the audio [S] (repeats included), one pass's length in samples, and
    where a seamless loop's join material came from ("none": a plain cut)."""

    audio: np.ndarray
    body_samples: int
    join: Join


def equal_power(length: int) -> tuple[np.ndarray, np.ndarray]:
    """Gains [length] rising 0 -> 1 and falling 1 -> 0 whose squares sum to 1."""
    angle = (np.arange(length, dtype=np.float64) + 0.5) / length * (math.pi / 2)
    return np.sin(angle).astype(np.float32), np.cos(angle).astype(np.float32)


def seamless_body(
    span: np.ndarray, after: np.ndarray | None, before: np.ndarray | None, fade: int
) -> tuple[np.ndarray, Join]:
    """span [S] as one pass of a seamless loop (see the module's note): `after` is the sound
    following the span, `before` the sound preceding it (each at least `fade` long or None)."""
    fade = min(fade, span.shape[0] // 2)
    if fade < 1:
        return span.copy(), "none"
    rise, fall = equal_power(fade)
    body = span.astype(np.float32, copy=True)
    if after is not None and after.shape[0] >= fade:
        body[:fade] = span[:fade] * rise + after[:fade] * fall
        return body, "after"
    if before is not None and before.shape[0] >= fade:
        body[-fade:] = span[-fade:] * fall + before[-fade:] * rise
        return body, "before"
    body = body[:-fade]
    body[:fade] = span[:fade] * rise + span[-fade:] * fall
    return body, "folded"


def _decoded(grid: CodeGrid, loaded: LoadedVQModel, start: int, end: int) -> np.ndarray:
    """Columns [start, end) of `grid` decoded, at the file's own level (as decode_grid)."""
    return np.concatenate(list(stream_grid(grid, loaded, (start, end), peak=math.inf)))


def span_sample(
    grid: CodeGrid,
    loaded: LoadedVQModel,
    columns: tuple[int, int],
    settings: LoopSettings = LoopSettings(),
) -> SpanSample:
    """Columns [start, end) of `grid` as a sample: (repeats x) the span's exact length, or
    a seamless loop of it (ValueError for columns outside the grid)."""
    start, end = column_span(grid, columns)
    frames, hop = loaded.model.config.time_downsample, loaded.spectrogram.config.hop_length
    per_column = frames * hop
    length = span_samples(grid, start, end, frames, hop)
    if not settings.seamless:
        span = _decoded(grid, loaded, start, end)[:length]
        return SpanSample(np.tile(span, settings.repeats), length, "none")
    fade = min(round(settings.crossfade_s * grid.sample_rate), length // 2)
    extra = math.ceil(fade / per_column)
    first, last = max(0, start - extra), min(grid.num_columns, end + extra)
    audio = _decoded(grid, loaded, first, last)
    offset = (start - first) * per_column
    span = audio[offset : offset + length]
    body, join = seamless_body(span, audio[offset + length :], audio[:offset], fade)
    return SpanSample(np.tile(body, settings.repeats), body.shape[0], join)

"""Decoding in pieces that can be played as they come, so a level's Play or the transport
sounds at once instead of after the whole file's Griffin-Lim.

The decoder runs once over the columns asked for (with context on both sides, as in
`chunked.decode_codes_chunked`); Griffin-Lim then runs piece by piece: a short first piece
(~0.34 s), a second three times as long, then longer ones, each with a little overlap on
both sides and joined to the one before by an equal-power crossfade (the join
`chunked.mel_to_waveform_chunked` uses). Every piece is final when it is yielded. Joined,
the pieces are a decode of the same codes; they differ from `decode_grid` only where the
chunk edges put Griffin-Lim's phase estimates.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import torch

from distill.audio.loudness import undo_loudness
from distill.inference.chunked import CONTEXT_COLUMNS, decode_codes_chunked, invert_in_pieces
from distill.inference.codes import eval_mode, finite_audio, safe_spectrum
from distill.inference.grid import NO_CODE, CodeGrid, check_code_grid
from distill.inference.validation import check_level
from distill.models.persistence import LoadedVQModel


def column_span(grid: CodeGrid, columns: tuple[int, int] | None) -> tuple[int, int]:
    """Columns [start, end) inside the grid (None: all of it); a ValueError otherwise."""
    start, end = columns if columns is not None else (0, grid.num_columns)
    if not 0 <= start < end <= grid.num_columns:
        raise ValueError(
            f"Columns {start}-{end - 1} are not in this grid, which has columns 0-"
            f"{grid.num_columns - 1}."
        )
    return int(start), int(end)


def span_samples(grid: CodeGrid, start: int, end: int, frames_per_column: int, hop: int) -> int:
    """Samples that columns [start, end) sound for (the file's end cuts the last span)."""
    begin = start * frames_per_column * hop
    stop = grid.num_samples if end == grid.num_columns else end * frames_per_column * hop
    return max(0, min(stop, grid.num_samples) - begin)


def stream_grid(
    grid: CodeGrid,
    loaded: LoadedVQModel,
    columns: tuple[int, int] | None = None,
    *,
    num_iterations: int | None = None,
    peak: float = 1.0,
) -> Iterator[np.ndarray]:
    """The sound of columns [start, end) of `grid` (None: all; -1 codes are silent levels),
    as float32 pieces [n] at the model's sample rate, at the file's own level (the encode's
    gain undone), scaled down (never up) once a piece would pass `peak`."""
    check_code_grid(grid, loaded)
    start, end = column_span(grid, columns)
    spectrogram = loaded.spectrogram
    hop, step = spectrogram.config.hop_length, loaded.model.config.time_downsample
    span = span_samples(grid, start, end, step, hop)
    first, last = max(0, start - CONTEXT_COLUMNS), min(grid.num_columns, end + CONTEXT_COLUMNS)
    # Frame f is centred on sample f x hop: the span's samples need its frames and the one
    # after (where the file has it), as Griffin-Lim wants length // hop + 1 frames.
    begin = start * step
    stop = min(begin + span // hop + 1, grid.mel_shape[1], last * step)
    with eval_mode(loaded.model):
        codes = grid.codes[:, first:last].to(loaded.device)  # [1, columns, L]
        spectrum = decode_codes_chunked(
            loaded.model, codes, (grid.mel_shape[0], (last - first) * step)
        )  # [1, 1, X, F]
        spectrum = safe_spectrum(spectrum[..., begin - first * step : stop - first * step], loaded)
    exact = stop - begin == span // hop + 1
    length = span if exact else min(span, (stop - begin - 1) * hop)
    scale = 1.0
    pieces = invert_in_pieces(spectrogram, spectrum, length, num_iterations)
    if span > length:  # a span the frames do not quite reach ends in silence
        pieces = itertools.chain(pieces, [np.zeros(span - length, dtype=np.float32)])
    for piece in pieces:
        audio = finite_audio(undo_loudness(piece, grid.loudness_gain))
        loudest = float(np.abs(audio).max()) if audio.size else 0.0
        if loudest * scale > peak:
            scale = peak / loudest
        yield (audio * np.float32(scale)).astype(np.float32, copy=False)


def stream_level(
    grid: CodeGrid, level: int, loaded: LoadedVQModel, *, num_iterations: int | None = None
) -> Iterator[np.ndarray]:
    """One level alone along the whole file (`codes.play_level`'s sound), in pieces."""
    check_code_grid(grid, loaded)
    level = check_level(level, grid.num_levels)
    masked = torch.full_like(grid.codes, NO_CODE)
    masked[..., level] = grid.codes[..., level]  # [1, F', L]
    yield from stream_grid(grid.with_codes(masked), loaded, num_iterations=num_iterations)

"""Long audio in bounded memory: mel, encoder, decoder and Griffin-Lim over overlapping chunks.

Every stage here works on a slice of frames or columns plus enough context on both sides that
the kept part does not see the slice edges, so chunked mel frames, codes and decoded mel match
a whole-file pass (up to float rounding). Only Griffin-Lim differs: its chunks are joined with
an equal-power crossfade, since independent phase estimates are uncorrelated where they meet.
Files shorter than one chunk take a single pass everywhere.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator

import numpy as np
import torch

from distill.audio.spectrogram import AudioSpectrogram, SpectrogramConfig
from distill.inference.refine import refine_codes
from distill.models.vqvae import ConvVQVAE

MEL_CHUNK_FRAMES = 8192  # ~87 s at hop 512: the STFT of a chunk needs ~70 MB
CODE_CHUNK_COLUMNS = 2048  # ~87 s at 4 frames per column
# The default encoder and decoder see about +-100 mel frames (~25 columns): 64 columns of
# context on each side keep the kept columns clear of the chunk edges.
CONTEXT_COLUMNS = 64
INVERT_CHUNK_FRAMES = 4096  # ~44 s per Griffin-Lim pass, a few hundred MB at most
INVERT_OVERLAP_FRAMES = 64  # ~0.7 s of extra frames on each side of a Griffin-Lim chunk
CROSSFADE_FRAMES = 32  # ~0.35 s equal-power crossfade, centred on the chunk boundary
# Pieces to play as they come (invert_in_pieces): a short first one, then longer ones.
FIRST_PIECE_FRAMES = 32  # ~0.34 s at hop 512: quick to invert, so playback starts at once
LATER_PIECE_FRAMES = 256  # ~2.7 s: each later piece (the second: 3 first pieces), inverted
# well ahead of playback
PIECE_OVERLAP_FRAMES = 16  # extra frames on each side of a piece (~0.17 s)
PIECE_CROSSFADE_FRAMES = 16  # the equal-power join, centred on the boundary between pieces


def waveform_to_mel_chunked(
    spectrogram: AudioSpectrogram, waveform: torch.Tensor, chunk_frames: int = MEL_CHUNK_FRAMES
) -> torch.Tensor:
    """waveform [1, 1, S] -> log-mel [1, 1, M, F], F = S // hop + 1, one chunk of frames at a time.

    Each slice starts n_fft samples early and ends n_fft samples late (clipped to the file),
    so every kept frame's window lies inside real samples, exactly as in a whole-file pass.
    """
    hop = spectrogram.config.hop_length
    num_samples = waveform.shape[-1]
    num_frames = spectrogram.num_frames(num_samples)
    if num_frames <= chunk_frames:
        return spectrogram.waveform_to_mel(waveform)
    context = math.ceil(spectrogram.config.n_fft / hop)  # frames of context on each side
    pieces = []
    for first in range(0, num_frames, chunk_frames):
        last = min(num_frames, first + chunk_frames)
        slice_first = max(0, first - context)  # frame index of the slice's first frame
        start, stop = slice_first * hop, min(num_samples, (last + context) * hop)
        mel = spectrogram.waveform_to_mel(waveform[..., start:stop])  # [1, 1, M, frames]
        pieces.append(mel[..., first - slice_first : last - slice_first])
    return torch.cat(pieces, dim=-1)


def _column_chunks(
    num_columns: int, chunk_columns: int, context: int
) -> Iterator[tuple[int, int, int, int]]:
    """(first, last, slice_first, slice_last) column ranges: keep [first, last) of the slice."""
    for first in range(0, num_columns, chunk_columns):
        last = min(num_columns, first + chunk_columns)
        yield first, last, max(0, first - context), min(num_columns, last + context)


def encode_mel_chunked(
    model: ConvVQVAE,
    mel: torch.Tensor,
    chunk_columns: int = CODE_CHUNK_COLUMNS,
    context_columns: int = CONTEXT_COLUMNS,
    refine_steps: int = 0,
    config: SpectrogramConfig | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> torch.Tensor:
    """log-mel [1, 1, M, F] -> codes [1, F', L], F' = ceil(F / time_downsample).

    Chunks start and end on column boundaries, so columns stay aligned with the mel frames;
    only the file's last chunk gets the model's tail padding, as in a whole-file pass.
    refine_steps > 0 searches each chunk's codes against its mel (`refine.refine_codes`),
    which needs the model's front end (`config`). Call it in eval mode under torch.no_grad().
    on_progress hears the share of columns done (0 to 1] after each chunk.
    """
    step = model.config.time_downsample
    num_frames = mel.shape[-1]
    num_columns = math.ceil(num_frames / step)
    pieces = []
    for first, last, slice_first, slice_last in _column_chunks(
        num_columns, chunk_columns, context_columns
    ):
        frames = mel[..., slice_first * step : min(num_frames, slice_last * step)]
        latent = model.encode(frames)
        codes = refine_codes(model, frames, latent, refine_steps, config)  # [1, columns, L]
        pieces.append(codes[:, first - slice_first : last - slice_first])
        if on_progress is not None:
            on_progress(last / num_columns)
    return torch.cat(pieces, dim=1)


def decode_codes_chunked(
    model: ConvVQVAE,
    indices: torch.Tensor,
    mel_shape: tuple[int, int],
    chunk_columns: int = CODE_CHUNK_COLUMNS,
    context_columns: int = CONTEXT_COLUMNS,
) -> torch.Tensor:
    """codes [1, F', L] (-1 = level silent) -> the decoded spectrum [1, 1, X, F] (log-mel, or
    log linear power for a model with a linear output) cropped to mel_shape's F frames."""
    step = model.config.time_downsample
    num_columns = indices.shape[1]
    pieces = []
    for first, last, slice_first, slice_last in _column_chunks(
        num_columns, chunk_columns, context_columns
    ):
        codes = indices[:, slice_first:slice_last]  # [1, columns, L]
        quantized = model.codes_to_embeddings(codes, (1, codes.shape[1]))  # [1, D, 1, columns]
        spectrum = model.decode(quantized)  # [1, 1, X, columns * step]
        pieces.append(spectrum[..., (first - slice_first) * step : (last - slice_first) * step])
    spectrum = torch.cat(pieces, dim=-1)  # [1, 1, X, F' * step]
    return spectrum[..., : mel_shape[1]]


def inversion_length(num_frames: int, num_samples: int | None, hop: int) -> int:
    """Samples to ask Griffin-Lim for: num_samples when F frames fit it, else (F - 1) * hop.

    Very short inputs are padded before their mel, so their F frames stand for more samples
    than the input had; those are inverted at full length and cropped afterwards.
    """
    if num_samples is not None and num_samples // hop + 1 == num_frames:
        return num_samples
    return (num_frames - 1) * hop


def mel_to_waveform_chunked(
    spectrogram: AudioSpectrogram,
    mel: torch.Tensor,
    num_iterations: int | None,
    length: int,
    chunk_frames: int = INVERT_CHUNK_FRAMES,
    overlap_frames: int = INVERT_OVERLAP_FRAMES,
    crossfade_frames: int = CROSSFADE_FRAMES,
    on_progress: Callable[[float], None] | None = None,
) -> torch.Tensor:
    """A decoded spectrum [1, 1, X, F] (log-mel or log linear power) -> waveform [S]
    (S = length, with length // hop + 1 == F).

    Deterministic (each chunk's Griffin-Lim is seeded). Chunks overlap by `overlap_frames`
    on each side and are joined by a sine/cosine crossfade centred on the chunk boundary.
    on_progress hears the share of frames done (0 to 1] after each chunk.
    """
    num_frames = mel.shape[-1]
    report = on_progress or (lambda _done: None)
    if num_frames <= chunk_frames:
        waveform = spectrogram.to_waveform(mel, num_iterations, length=length)[0, 0]
        report(1.0)
        return waveform
    hop = spectrogram.config.hop_length
    half_fade = min(crossfade_frames, 2 * overlap_frames - 2) * hop // 2
    output = torch.zeros(length, device=mel.device)
    for first in range(0, num_frames, chunk_frames):
        last = min(num_frames, first + chunk_frames)
        slice_first = max(0, first - overlap_frames)
        slice_last = min(num_frames, last + overlap_frames)
        piece_length = (
            length - slice_first * hop
            if slice_last == num_frames
            else (slice_last - slice_first - 1) * hop
        )
        piece = spectrogram.to_waveform(
            mel[..., slice_first:slice_last], num_iterations, length=piece_length
        )[0, 0]
        offset = slice_first * hop  # piece sample 0 is global sample `offset`
        weight = torch.ones_like(piece)
        if first > 0:
            weight *= _fade(piece.shape[0], first * hop - offset, half_fade, True, piece.device)
        if last < num_frames:
            weight *= _fade(piece.shape[0], last * hop - offset, half_fade, False, piece.device)
        output[offset : offset + piece.shape[0]] += piece * weight
        report(last / num_frames)
    return output


def invert_in_pieces(
    spectrogram: AudioSpectrogram,
    spectrum: torch.Tensor,
    length: int,
    num_iterations: int | None = None,
    first_frames: int = FIRST_PIECE_FRAMES,
    later_frames: int = LATER_PIECE_FRAMES,
) -> Iterator[np.ndarray]:
    """A decoded spectrum [1, 1, X, F] (mel or linear) -> `length` samples in final pieces
    [n] (Griffin-Lim per piece, pieces overlapped by PIECE_OVERLAP_FRAMES and crossfaded over
    PIECE_CROSSFADE_FRAMES)."""
    hop, num_frames = spectrogram.config.hop_length, spectrum.shape[-1]
    half_fade = min(PIECE_CROSSFADE_FRAMES, 2 * PIECE_OVERLAP_FRAMES - 2) * hop // 2
    bounds = [0, min(num_frames, first_frames)]
    step = min(later_frames, 3 * first_frames)  # the second piece: ready before the first ends
    while bounds[-1] < num_frames:
        bounds.append(min(num_frames, bounds[-1] + step))
        step = later_frames
    pending = np.zeros(0, dtype=np.float32)  # samples from `emitted` on, not yet final
    emitted = 0
    for begin, stop in itertools.pairwise(bounds):
        slice_first, slice_last = (
            max(0, begin - PIECE_OVERLAP_FRAMES),
            min(num_frames, stop + PIECE_OVERLAP_FRAMES),
        )
        offset = slice_first * hop
        piece_length = (
            length - offset if slice_last == num_frames else (slice_last - slice_first - 1) * hop
        )
        if piece_length <= 0:
            break
        piece = spectrogram.to_waveform(
            spectrum[..., slice_first:slice_last], num_iterations, length=piece_length
        )[0, 0]
        weight = torch.ones_like(piece)
        if begin > 0:
            weight *= _fade(piece.shape[0], begin * hop - offset, half_fade, True, piece.device)
        if stop < num_frames:
            weight *= _fade(piece.shape[0], stop * hop - offset, half_fade, False, piece.device)
        part = (piece * weight).to("cpu", torch.float32).numpy()[emitted - offset :]
        if pending.shape[0] < part.shape[0]:
            pending = np.pad(pending, (0, part.shape[0] - pending.shape[0]))
        pending[: part.shape[0]] += part
        ready = min(length, stop * hop - half_fade) if stop < num_frames else length
        ready = max(ready, emitted)
        yield pending[: ready - emitted].copy()
        pending, emitted = pending[ready - emitted :], ready
    if emitted < length:
        yield np.zeros(length - emitted, dtype=np.float32)


def _fade(
    size: int, centre: int, half_width: int, rising: bool, device: torch.device
) -> torch.Tensor:
    """Equal-power gain [size]: 0 -> 1 (rising) or 1 -> 0 across centre +- half_width."""
    position = torch.arange(size, dtype=torch.float32, device=device) - (centre - half_width)
    ramp = (position / (2 * half_width)).clamp(0.0, 1.0) * (math.pi / 2)
    return torch.sin(ramp) if rising else torch.cos(ramp)

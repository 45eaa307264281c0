"""Encode audio into a code grid, decode it back, and hear single codes, columns and levels.

Loudness: encoding applies the training loudness normalisation and reports its gain;
`decode_code_grid` and `play_row_audio` bring the decode to the normalisation target (the
decoder's level is less exact than its spectral shape) and divide by that gain again.
Previews (one code, one column) stay at the training loudness, get 10 ms raised-cosine
fades so clicks do not click, and are scaled down (never up) to a peak of -6 dBFS. Row
playback is scaled down only if it would clip. Every output is finite float32 at the
model's sample rate (48 kHz).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypedDict

import numpy as np
import torch
import torch.nn.functional as F

from distill.audio.io import load_audio, to_mono
from distill.audio.loudness import match_decoded_loudness, normalize_loudness, undo_loudness
from distill.inference.chunked import (
    decode_codes_chunked,
    encode_mel_chunked,
    inversion_length,
    mel_to_waveform_chunked,
    waveform_to_mel_chunked,
)
from distill.inference.validation import (
    check_code_grid,
    check_decode_options,
    check_index,
    check_shapes,
)
from distill.models.persistence import LoadedVQModel

PREVIEW_SECONDS = 1.0  # how long a single code or a column is held
PREVIEW_ITERATIONS = 16  # Griffin-Lim iterations for click previews (renders use the default)
PREVIEW_FADE_S = 0.01
PREVIEW_PEAK = 0.5  # -6 dBFS: clicks in quick succession should never be loud
ROW_PEAK = 1.0  # a level alone can be louder than the mix; never let it clip
HEADROOM_DB = 20.0  # decoded mel above full-scale power + this is clamped (a broken model)
NO_CODE = -1  # "this level contributes nothing"


class EncodedAudio(TypedDict):
    """What encode_audio_file returns (the plan's keys plus loudness_gain and num_samples)."""

    indices: torch.Tensor  # codes [1, F', L], int64 on the CPU
    spatial_shape: tuple[int, int]  # (1, F')
    mel_shape: tuple[int, int]  # (M, F)
    num_quantizers: int  # L
    codebook_size: int  # K
    duration_s: float  # of the input, not of any padding
    loudness_gain: float  # linear gain the loudness normalisation applied
    num_samples: int  # S of the input at the model's sample rate


def column_rate(loaded: LoadedVQModel) -> float:
    """Code columns per second: sample rate / (hop * mel frames per column)."""
    config = loaded.spectrogram.config
    return config.sample_rate / (config.hop_length * loaded.model.config.time_downsample)


def preview_columns(loaded: LoadedVQModel) -> int:
    """Columns a preview holds its code(s) for: enough for PREVIEW_SECONDS."""
    return math.ceil(PREVIEW_SECONDS * column_rate(loaded))


@contextmanager
def _eval_mode(model: torch.nn.Module) -> Iterator[None]:
    """Eval mode (no EMA updates, no quantizer dropout) for the block; the old mode after."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        model.train(was_training)


def encode_audio_file(audio_path: str | Path, loaded: LoadedVQModel) -> EncodedAudio:
    """Any audio file -> its code grid: indices [1, F', L], F' = ceil(F / frames per column).

    Mono, resampled, loudness-normalised as in training; inputs shorter than one STFT window
    are padded with silence to n_fft samples first (duration and num_samples stay the real
    ones). Long files are encoded in overlapping chunks, so memory stays bounded.
    """
    spectrogram = loaded.spectrogram
    sample_rate = spectrogram.config.sample_rate
    audio = load_audio(audio_path, target_sample_rate=sample_rate)
    mono, gain = normalize_loudness(to_mono(audio.waveform), sample_rate)  # [1, S]
    num_samples = int(mono.shape[-1])
    missing = spectrogram.config.n_fft - num_samples
    if missing > 0:  # one full window, so the mel and its inversion have whole frames
        mono = F.pad(mono, (0, missing))
    with _eval_mode(loaded.model):
        mel = waveform_to_mel_chunked(spectrogram, mono.unsqueeze(0).to(loaded.device))
        codes = encode_mel_chunked(loaded.model, mel)  # [1, F', L]
    return EncodedAudio(
        indices=codes.to("cpu", torch.long),
        spatial_shape=(1, int(codes.shape[1])),
        mel_shape=(int(mel.shape[2]), int(mel.shape[3])),
        num_quantizers=loaded.model.num_quantizers,
        codebook_size=loaded.model.codebook_size,
        duration_s=num_samples / sample_rate,
        loudness_gain=float(gain),
        num_samples=num_samples,
    )


def decode_code_grid(
    indices: torch.Tensor | np.ndarray,
    spatial_shape: tuple[int, int],
    mel_shape: tuple[int, int],
    loaded: LoadedVQModel,
    *,
    num_iterations: int | None = None,
    num_samples: int | None = None,
    loudness_gain: float = 1.0,
    match_loudness: bool = True,
) -> np.ndarray:
    """codes [1, F', L] (-1 = level silent) -> waveform [S] float32, loudness restored.

    match_loudness=False keeps the decoder's own level (what previews play) instead of
    bringing it to the normalisation target first.

    S is num_samples when given, else (F - 1) * hop. Deterministic: the same codes always
    give the same samples. Raises ValueError for codes that do not fit the model or shapes.
    """
    codes = check_code_grid(indices, spatial_shape, mel_shape, loaded)
    check_decode_options(num_iterations, num_samples, loudness_gain, mel_shape, loaded)
    waveform = torch.from_numpy(
        _finite(_render(codes, mel_shape, loaded, num_iterations, num_samples))
    )
    sample_rate = loaded.spectrogram.config.sample_rate
    if match_loudness:
        waveform = match_decoded_loudness(waveform, loudness_gain, sample_rate)
    return _finite(undo_loudness(waveform, loudness_gain).numpy())


def decode_encoded(
    encoded: EncodedAudio, loaded: LoadedVQModel, *, num_iterations: int | None = None
) -> np.ndarray:
    """What encode_audio_file gave, back to audio [S]: as long and as loud as the file."""
    return decode_code_grid(
        encoded["indices"],
        encoded["spatial_shape"],
        encoded["mel_shape"],
        loaded,
        num_iterations=num_iterations,
        num_samples=encoded["num_samples"],
        loudness_gain=encoded["loudness_gain"],
    )


def _render(
    codes: torch.Tensor,
    mel_shape: tuple[int, int],
    loaded: LoadedVQModel,
    num_iterations: int | None,
    num_samples: int | None,
) -> np.ndarray:
    """Checked codes [1, F', L] -> waveform [S]: decoder, then Griffin-Lim, fitted to S."""
    spectrogram = loaded.spectrogram
    hop = spectrogram.config.hop_length
    num_frames = mel_shape[1]
    with _eval_mode(loaded.model):
        mel = decode_codes_chunked(loaded.model, codes.to(loaded.device), mel_shape)
        mel = _safe_mel(mel, loaded)  # [1, 1, M, F]
        length = inversion_length(num_frames, num_samples, hop)
        waveform = mel_to_waveform_chunked(spectrogram, mel, num_iterations, length)  # [S]
    audio = waveform.to("cpu", torch.float32).numpy()
    target = num_samples if num_samples is not None else (num_frames - 1) * hop
    if audio.shape[0] >= target:
        return audio[:target]
    return np.pad(audio, (0, target - audio.shape[0]))


def _safe_mel(mel: torch.Tensor, loaded: LoadedVQModel) -> torch.Tensor:
    """Replace NaN with silence and clamp far-beyond-full-scale values, so inversion is finite."""
    spectrogram = loaded.spectrogram
    config = spectrogram.config
    # The loudest mel power a full-scale signal can give: (Hann window sum)^2 x widest filter.
    loudest = (config.n_fft / 2) ** 2 * float(spectrogram.filterbank.sum(dim=1).max())
    ceiling = spectrogram.power_to_log(torch.tensor(loudest * 10 ** (HEADROOM_DB / 10)))
    silence = spectrogram.power_to_log(torch.tensor(0.0))
    mel = torch.nan_to_num(mel, nan=float(silence), posinf=float(ceiling))
    return mel.clamp(min=float(silence), max=float(ceiling))


def _finite(audio: np.ndarray) -> np.ndarray:
    return np.nan_to_num(audio, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32, copy=False)


def limit_peak(audio: np.ndarray, peak: float) -> np.ndarray:
    """Scale [S] down (never up) so its largest absolute sample is at most `peak`."""
    audio = _finite(audio)
    largest = float(np.abs(audio).max()) if audio.size else 0.0
    if largest > peak:
        audio = audio * np.float32(peak / largest)
    return audio.astype(np.float32, copy=False)


def finish_preview(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """A click preview [S]: raised-cosine fade in and out (~10 ms), peak at most -6 dBFS."""
    audio = _finite(audio).copy()
    fade = min(round(PREVIEW_FADE_S * sample_rate), audio.shape[0] // 2)
    if fade > 0:
        ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, fade))).astype(np.float32)
        audio[:fade] *= ramp
        audio[-fade:] *= ramp[::-1]
    return limit_peak(audio, PREVIEW_PEAK)


def _preview(grid: torch.Tensor, loaded: LoadedVQModel) -> np.ndarray:
    """A held grid [1, P, L] -> a finished preview clip [S] (fewer Griffin-Lim iterations)."""
    num_frames = grid.shape[1] * loaded.model.config.time_downsample
    mel_shape = (loaded.spectrogram.config.n_mels, num_frames)
    audio = _render(grid, mel_shape, loaded, PREVIEW_ITERATIONS, None)
    return finish_preview(audio, loaded.spectrogram.config.sample_rate)


def preview_single_code(
    level: int,
    code_index: int,
    loaded: LoadedVQModel,
    spatial_shape: tuple[int, int],
    mel_shape: tuple[int, int],
) -> np.ndarray:
    """One codebook entry alone (every other level silent, not code 0), held ~1 s: [S]."""
    check_shapes(spatial_shape, mel_shape, loaded)
    level = check_index("level", level, loaded.model.num_quantizers)
    code_index = check_index("code", code_index, loaded.model.codebook_size)
    grid = torch.full((1, preview_columns(loaded), loaded.model.num_quantizers), NO_CODE)
    grid[..., level] = code_index  # [1, P, L]
    return _preview(grid, loaded)


def preview_time_slice(
    position: int,
    full_indices: torch.Tensor | np.ndarray,
    loaded: LoadedVQModel,
    spatial_shape: tuple[int, int],
    mel_shape: tuple[int, int],
) -> np.ndarray:
    """All levels of one column, held ~1 s: [S]."""
    codes = check_code_grid(full_indices, spatial_shape, mel_shape, loaded)
    position = check_index("column", position, codes.shape[1])
    column = codes[:, position : position + 1]  # [1, 1, L]
    grid = column.expand(1, preview_columns(loaded), codes.shape[2]).clone()  # [1, P, L]
    return _preview(grid, loaded)


def play_row_audio(
    level: int,
    full_indices: torch.Tensor | np.ndarray,
    loaded: LoadedVQModel,
    spatial_shape: tuple[int, int],
    mel_shape: tuple[int, int],
    *,
    num_iterations: int | None = None,
    num_samples: int | None = None,
    loudness_gain: float = 1.0,
) -> np.ndarray:
    """One level alone at its own positions, every other level silent: [S], as long as the
    file and aligned with it. One batched decode of the masked grid, never one per column."""
    codes = check_code_grid(full_indices, spatial_shape, mel_shape, loaded)
    level = check_index("level", level, codes.shape[2])
    masked = torch.full_like(codes, NO_CODE)
    masked[..., level] = codes[..., level]  # [1, F', L]
    audio = decode_code_grid(
        masked,
        spatial_shape,
        mel_shape,
        loaded,
        num_iterations=num_iterations,
        num_samples=num_samples,
        loudness_gain=loudness_gain,
    )
    return limit_peak(audio, ROW_PEAK)

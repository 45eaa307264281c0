"""Gated RMS loudness: measure it, normalise to a target, and undo the normalisation."""

from __future__ import annotations

import math
from typing import TypeVar

import numpy as np
import torch

from distill.audio.io import InvalidSamplesError

TARGET_LOUDNESS_DB = -20.0  # gated RMS target, dBFS
MAX_GAIN_DB = 40.0
MAX_MATCH_DB = 40.0  # the most a decode's level is corrected by (see match_decoded_loudness)
BLOCK_S = 0.05
# Gates in the spirit of EBU R128 / ITU-R BS.1770: drop near-silent blocks absolutely, then
# blocks far below the level of what remains, so silence around a sound does not count.
ABSOLUTE_GATE_DB = -70.0
RELATIVE_GATE_DB = -20.0

WaveformT = TypeVar("WaveformT", torch.Tensor, np.ndarray)


def _block_powers(waveform: torch.Tensor, sample_rate: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean square over channels per ~50 ms block of [..., S]: (powers [N], lengths [N])."""
    if sample_rate <= 0:
        raise ValueError(f"Sample rate must be positive, got {sample_rate}.")
    num_channels = math.prod(waveform.shape[:-1])
    channels = waveform.detach().reshape(num_channels, waveform.shape[-1])  # [C, S]
    num_samples = channels.shape[-1]
    squares = torch.zeros(num_samples, dtype=torch.float32, device=channels.device)  # [S]
    for channel in channels:  # one channel at a time keeps long files' memory flat
        squares += channel.float().square()
    squares /= max(num_channels, 1)
    block = max(1, round(BLOCK_S * sample_rate))
    num_full = num_samples // block
    sums = squares[: num_full * block].reshape(num_full, block).sum(dim=1, dtype=torch.float64)
    lengths = torch.full((num_full,), float(block), dtype=torch.float64, device=sums.device)
    if num_samples % block:
        tail = squares[num_full * block :]
        sums = torch.cat([sums, tail.sum(dtype=torch.float64).reshape(1)])
        lengths = torch.cat([lengths, lengths.new_tensor([float(tail.numel())])])
    return sums / lengths, lengths


def measure_loudness_db(waveform: torch.Tensor, sample_rate: int = 48000) -> float:
    """Gated RMS level of [..., S] in dBFS (all channels together); -inf for silence.

    The RMS of ~50 ms blocks is averaged over the blocks above -70 dBFS and no more than
    20 dB below the level of those blocks, so a short hit followed by silence is measured
    by the hit.
    """
    powers, lengths = _block_powers(waveform, sample_rate)
    if not bool(torch.isfinite(powers).all()):
        raise InvalidSamplesError("The waveform holds NaN or infinite samples; fix its source.")
    audible = powers > 10.0 ** (ABSOLUTE_GATE_DB / 10.0)
    if not bool(audible.any()):
        return -math.inf
    reference = _weighted_mean(powers[audible], lengths[audible])
    kept = audible & (powers > reference * 10.0 ** (RELATIVE_GATE_DB / 10.0))
    return 10.0 * math.log10(_weighted_mean(powers[kept], lengths[kept]))


def _weighted_mean(powers: torch.Tensor, lengths: torch.Tensor) -> float:
    return float((powers * lengths).sum() / lengths.sum())


def normalize_loudness(
    waveform: torch.Tensor,
    sample_rate: int = 48000,
    target_db: float = TARGET_LOUDNESS_DB,
    max_gain_db: float = MAX_GAIN_DB,
) -> tuple[torch.Tensor, float]:
    """Scale [..., S] to `target_db` gated RMS: (waveform * gain, linear gain).

    The gain is limited to +-`max_gain_db`; silence (nothing above the gate) gets gain 1.0.
    """
    level_db = measure_loudness_db(waveform, sample_rate)
    if math.isinf(level_db):
        return waveform * 1.0, 1.0
    gain_db = min(max(target_db - level_db, -max_gain_db), max_gain_db)
    gain = 10.0 ** (gain_db / 20.0)
    return waveform * gain, gain


def match_decoded_loudness(
    decoded: torch.Tensor,
    encode_gain: float,
    sample_rate: int = 48000,
    max_gain_db: float = MAX_MATCH_DB,
) -> torch.Tensor:
    """A model decode [..., S] brought to the level the encoder normalised its input to.

    The decoder reproduces the shape of a spectrum better than its level (a blurred log-mel
    is quieter than the original, most of all on loud tonal partials), so a decode is scaled
    to the loudness target before `undo_loudness`. Where the encoder's gain was at its limit
    the input never reached the target, and the level the decode should have is unknown:
    it is left as it is, as is silence. The correction is limited to +-`max_gain_db`.
    """
    if abs(20.0 * math.log10(encode_gain)) >= MAX_GAIN_DB - 1e-6:
        return decoded * 1.0
    matched, _ = normalize_loudness(decoded, sample_rate, TARGET_LOUDNESS_DB, max_gain_db)
    return matched


def undo_loudness(waveform: WaveformT, gain: float) -> WaveformT:
    """Invert `normalize_loudness`: waveform / gain, for a tensor or an array."""
    if not math.isfinite(gain) or gain <= 0.0:
        raise ValueError(f"Loudness gain must be a positive finite number, got {gain}.")
    return waveform / gain

"""Tests for distill.audio.loudness: gated RMS measurement, normalisation and its inverse."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from distill.audio import (
    MAX_GAIN_DB,
    TARGET_LOUDNESS_DB,
    InvalidSamplesError,
    measure_loudness_db,
    normalize_loudness,
    undo_loudness,
)
from distill.audio.loudness import MAX_MATCH_DB, match_decoded_loudness

RATE = 48000


def tone(seconds: float, rms_db: float, frequency: float = 440.0) -> torch.Tensor:
    """[1, S] sine whose RMS is `rms_db` dBFS."""
    t = torch.arange(round(seconds * RATE), dtype=torch.float64) / RATE
    amplitude = math.sqrt(2) * 10 ** (rms_db / 20)
    return (amplitude * torch.sin(2 * math.pi * frequency * t)).float()[None]


def noise(seconds: float, rms_db: float, seed: int = 0) -> torch.Tensor:
    """[1, S] white noise whose RMS is close to `rms_db` dBFS."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(1, round(seconds * RATE), generator=generator) * 10 ** (rms_db / 20)


def test_full_scale_sine_measures_minus_3_db() -> None:
    assert measure_loudness_db(tone(1.0, -3.0103)) == pytest.approx(-3.0103, abs=0.01)
    assert measure_loudness_db(tone(0.5, -37.0)) == pytest.approx(-37.0, abs=0.01)


@pytest.mark.parametrize("level_db", [-45.0, -20.0, -6.0])
def test_normalize_reaches_target_on_sine(level_db: float) -> None:
    normalized, gain = normalize_loudness(tone(1.0, level_db), RATE)
    assert measure_loudness_db(normalized) == pytest.approx(TARGET_LOUDNESS_DB, abs=0.5)
    assert gain == pytest.approx(10 ** ((TARGET_LOUDNESS_DB - level_db) / 20), rel=1e-3)
    assert isinstance(gain, float)


def test_normalize_to_other_target_on_stereo_batch() -> None:
    stereo = torch.cat([tone(1.0, -30.0), tone(1.0, -30.0, 550.0)])  # [2, S]
    batch = stereo[:, None]  # [B, 1, S] with B = 2
    normalized, _ = normalize_loudness(batch, RATE, target_db=-14.0)
    assert normalized.shape == batch.shape
    assert measure_loudness_db(normalized) == pytest.approx(-14.0, abs=0.5)


def test_silence_gets_unit_gain_and_no_nan() -> None:
    silence = torch.zeros(1, RATE)
    assert measure_loudness_db(silence) == -math.inf
    normalized, gain = normalize_loudness(silence, RATE)
    assert gain == 1.0
    assert torch.equal(normalized, silence)
    assert not torch.isnan(undo_loudness(normalized, gain)).any()
    assert normalize_loudness(torch.zeros(1, 0), RATE)[1] == 1.0


def test_gain_is_limited() -> None:
    _, gain = normalize_loudness(tone(1.0, -68.0), RATE)
    assert gain == pytest.approx(10 ** (MAX_GAIN_DB / 20))
    _, gain = normalize_loudness(tone(1.0, -3.0), RATE, target_db=-40.0, max_gain_db=6.0)
    assert gain == pytest.approx(10 ** (-6.0 / 20))


def test_undo_loudness_inverts_tensor_and_array() -> None:
    original = noise(0.5, -33.0)
    normalized, gain = normalize_loudness(original, RATE)
    restored = undo_loudness(normalized, gain)
    assert isinstance(restored, torch.Tensor) and restored.dtype == torch.float32
    torch.testing.assert_close(restored, original, rtol=1e-6, atol=0.0)

    array = original.numpy()
    restored_array = undo_loudness(array * np.float32(gain), gain)
    assert isinstance(restored_array, np.ndarray) and restored_array.dtype == np.float32
    np.testing.assert_allclose(restored_array, array, rtol=1e-6, atol=0.0)
    with pytest.raises(ValueError, match="positive"):
        undo_loudness(array, 0.0)


def test_short_hit_then_silence_is_measured_by_the_hit() -> None:
    hit = tone(0.1, -10.0, frequency=200.0)
    tail = torch.zeros(1, 5 * RATE)
    assert measure_loudness_db(torch.cat([hit, tail], dim=-1)) == pytest.approx(-10.0, abs=0.5)
    # A noise floor far below the hit is gated away too, the ungated level is not used.
    floor = noise(5.0, -50.0)
    level = measure_loudness_db(torch.cat([hit, floor], dim=-1))
    assert level == pytest.approx(-10.0, abs=0.5)
    ungated = 10 * math.log10(float(torch.cat([hit, floor], dim=-1).square().mean()))
    assert ungated < -25.0

    normalized, _ = normalize_loudness(torch.cat([hit, tail], dim=-1), RATE)
    peak_block_db = 20 * math.log10(float(normalized[0, :4800].square().mean().sqrt()))
    assert peak_block_db == pytest.approx(TARGET_LOUDNESS_DB, abs=0.5)


def test_non_finite_waveform_is_refused() -> None:
    waveform = tone(0.2, -20.0)
    waveform[0, 100] = float("nan")
    with pytest.raises(InvalidSamplesError, match="NaN"):
        normalize_loudness(waveform, RATE)


def test_a_decode_is_matched_to_the_target_unless_the_level_is_unknown():
    decoded = 0.01 * torch.sin(torch.arange(48000) / 7.0)  # far below the -20 dB target
    matched = match_decoded_loudness(decoded, encode_gain=2.0)
    assert measure_loudness_db(matched) == pytest.approx(TARGET_LOUDNESS_DB, abs=0.01)
    capped = 10 ** (MAX_GAIN_DB / 20)  # the encoder could not reach the target
    assert torch.equal(match_decoded_loudness(decoded, encode_gain=capped), decoded)
    silence = torch.zeros(48000)
    assert torch.equal(match_decoded_loudness(silence, encode_gain=1.0), silence)
    faint = 1e-3 * torch.sin(torch.arange(48000) / 7.0)  # -63 dB: raised by at most 40 dB
    assert measure_loudness_db(match_decoded_loudness(faint, 1.0)) == pytest.approx(
        measure_loudness_db(faint) + MAX_MATCH_DB, abs=0.01
    )

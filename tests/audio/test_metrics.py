"""The quality ruler: zero for identical audio, exact for known level changes, harmonic-aware."""

from __future__ import annotations

import math

import pytest
import torch

from distill.audio.metrics import (
    best_gain_distance,
    harmonic_distance,
    multiscale_mel_distance,
    quality_distances,
)

RATE = 48_000


def _harmonic_tone(seconds: float = 1.0, pitch_hz: float = 220.0) -> torch.Tensor:
    """Partials up to 20 kHz at 1/k amplitude: [S]."""
    t = torch.arange(int(seconds * RATE), dtype=torch.float64) / RATE
    partials = range(1, int(20_000 // pitch_hz) + 1)
    return sum(0.3 / k * torch.sin(2 * math.pi * k * pitch_hz * t) for k in partials).float()


def test_identical_audio_is_zero_on_every_ruler() -> None:
    tone = _harmonic_tone()
    distances = quality_distances(tone, tone.clone())
    assert distances.mel == pytest.approx(0.0, abs=1e-9)
    assert distances.best_gain_mel == pytest.approx(0.0, abs=1e-9)
    assert distances.best_gain_db == pytest.approx(0.0, abs=1e-9)
    assert distances.harmonic == pytest.approx(0.0, abs=1e-9)


def test_a_quieter_copy_costs_its_level_and_the_best_gain_finds_it() -> None:
    tone = _harmonic_tone()
    quieter = tone * 0.5  # -6.02 dB
    # Above the floor, every mel magnitude is off by log10(2); floored bins are off by less.
    assert 0.2 < multiscale_mel_distance(tone, quieter) <= math.log10(2) + 1e-6
    distance, gain_db = best_gain_distance(tone, quieter)
    assert gain_db == pytest.approx(6.0, abs=0.1)
    assert distance < 0.01
    # Log power: twice the magnitude's log ratio where above the floor (bins between the
    # partials sit on the floor in both, so the mean is lower).
    assert 0.1 < harmonic_distance(tone, quieter) <= 2 * math.log10(2) + 1e-6


def test_harmonic_distance_sees_smeared_partials_that_mel_bands_merge() -> None:
    tone = _harmonic_tone(pitch_hz=220.0)
    detuned = _harmonic_tone(pitch_hz=226.0)  # same envelope, every partial moved
    assert harmonic_distance(tone, detuned) > 2.0
    assert harmonic_distance(tone, detuned) > 4 * multiscale_mel_distance(tone, detuned)


def test_lengths_may_differ_by_a_hop_but_empty_audio_is_refused() -> None:
    tone = _harmonic_tone()
    assert multiscale_mel_distance(tone, tone[:-300]) < 0.05
    with pytest.raises(ValueError, match="empty"):
        multiscale_mel_distance(tone, torch.zeros(0))


def test_silence_in_the_original_has_no_audible_frames() -> None:
    assert harmonic_distance(torch.zeros(RATE), _harmonic_tone()) == 0.0

"""The phase Griffin-Lim starts from: built from the magnitude's gradients, it rebuilds a tone
and a click far closer than a random phase, and the setting is checked."""

from __future__ import annotations

import math

import pytest
import torch

from distill.audio.phase import pghi_phase
from distill.audio.spectrogram import AudioSpectrogram, SpectrogramConfig


def _rebuilt_error(spec: AudioSpectrogram, waveform: torch.Tensor, phase: torch.Tensor) -> float:
    """Spectral convergence of the signal rebuilt from the true magnitude and `phase`."""
    magnitude = spec._stft(waveform).abs()
    rebuilt = spec._istft(torch.polar(magnitude, phase), waveform.shape[-1])
    again = spec._stft(rebuilt).abs()
    return float((again - magnitude).norm() / magnitude.norm())


@pytest.mark.parametrize(("kind", "share"), [("glide", 0.7), ("clicks", 0.95)])
def test_the_gradient_phase_rebuilds_tones_and_clicks_better_than_a_random_one(
    kind: str, share: float
):
    """A partial's phase is tracked well; a click's (four frames at hop n_fft / 4, where a
    Hann window is far from the Gaussian the method assumes) only somewhat."""
    spec = AudioSpectrogram()
    t = torch.arange(48000) / 48000
    if kind == "glide":  # a partial whose pitch moves, with harmonics
        phase = 2 * math.pi * torch.cumsum(220 * 2 ** (t * 1.5), 0) / 48000
        waveform = torch.sin(phase) + 0.5 * torch.sin(2 * phase) + 0.25 * torch.sin(3 * phase)
    else:
        waveform = torch.zeros(48000)
        waveform[::9600] = 1.0
    waveform = waveform.unsqueeze(0)
    magnitude = spec._stft(waveform).abs()
    built = pghi_phase(magnitude, 512, 2048)
    random = torch.rand(magnitude.shape, generator=torch.Generator().manual_seed(0)) * 2 * math.pi
    assert built.shape == magnitude.shape and torch.equal(built, pghi_phase(magnitude, 512, 2048))
    assert _rebuilt_error(spec, waveform, built) < share * _rebuilt_error(spec, waveform, random)


def test_the_phase_start_is_a_known_one_and_inverts():
    with pytest.raises(ValueError, match="phase_start must be one of random, pghi"):
        SpectrogramConfig(phase_start="zero")
    spec = AudioSpectrogram(SpectrogramConfig(phase_start="pghi"))
    tone = torch.sin(2 * math.pi * 440 * torch.arange(24000) / 48000).reshape(1, 1, -1)
    out = spec.to_waveform(spec.waveform_to_linear(tone), length=24000)
    assert out.shape == (1, 1, 24000) and torch.isfinite(out).all()

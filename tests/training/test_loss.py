"""The loss of a linear output: its mel bands, its own bins, and its whole-window energy."""

from __future__ import annotations

import math

import pytest
import torch

from distill.audio.spectrogram import AudioSpectrogram
from distill.training.loss import output_loss, reconstruction_loss


def _tone() -> torch.Tensor:
    t = torch.arange(24000) / 48000
    return (0.3 * torch.sin(2 * math.pi * 330 * t)).reshape(1, 1, -1)


def test_a_linear_output_is_scored_on_its_mel_its_bins_and_its_window_energy():
    spec = AudioSpectrogram()
    linear, mel = spec.waveform_to_linear(_tone()), spec.waveform_to_mel(_tone())
    assert output_loss(linear, mel, linear, spec) == pytest.approx(
        float(reconstruction_loss(spec.linear_to_mel(linear), mel, spec)), abs=1e-5
    )
    quieter = linear - 0.6 / spec.config.log_scale  # every bin 6 dB down
    plain = output_loss(quieter, mel, linear, spec, window_level_weight=0.0)
    held = output_loss(quieter, mel, linear, spec, window_level_weight=2.0)
    assert float(held - plain) == pytest.approx(2.0 * 6.0 / 10, rel=1e-3)
    with pytest.raises(ValueError, match="linear targets"):
        output_loss(linear, mel, None, spec)
    assert torch.equal(output_loss(mel, mel, None, spec), reconstruction_loss(mel, mel, spec))

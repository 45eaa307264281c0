"""Mel-domain augmentation: shapes kept, seeded, silence stays silent, gains are real gains."""

from __future__ import annotations

import torch
from tests.helpers import N_MELS

from distill.audio.spectrogram import AudioSpectrogram
from distill.training.augment import augment_batch


def batch() -> torch.Tensor:
    generator = torch.Generator().manual_seed(0)
    mel = torch.rand(6, 1, N_MELS, 24, generator=generator) * 1.5 - 1.0  # [B, 1, M, F]
    mel[..., :4] = AudioSpectrogram().config.silence  # silence at the floor
    return mel


def test_augmentation_keeps_shapes_and_is_seeded():
    spectrogram = AudioSpectrogram()
    a = augment_batch(batch(), spectrogram, torch.Generator().manual_seed(3), 6.0, 0.5)
    b = augment_batch(batch(), spectrogram, torch.Generator().manual_seed(3), 6.0, 0.5)
    c = augment_batch(batch(), spectrogram, torch.Generator().manual_seed(4), 6.0, 0.5)
    assert a.shape == batch().shape
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


def test_off_is_identity_and_silence_stays_at_the_floor():
    spectrogram = AudioSpectrogram()
    original = batch()
    assert augment_batch(original, spectrogram, torch.Generator(), 0.0, 0.0) is original
    out = augment_batch(original, spectrogram, torch.Generator().manual_seed(0), 6.0, 1.0)
    assert torch.allclose(out[..., :4], original[..., :4], atol=1e-5)


def test_gain_is_a_level_change_within_bounds():
    spectrogram = AudioSpectrogram()
    original = batch()
    out = augment_batch(original, spectrogram, torch.Generator().manual_seed(1), 6.0, 0.0)
    ratio_db = 10 * torch.log10(
        spectrogram.log_to_power(out)[..., 4:].sum(dim=(1, 2, 3))
        / spectrogram.log_to_power(original)[..., 4:].sum(dim=(1, 2, 3))
    )
    assert bool((ratio_db.abs() <= 6.0 + 1e-3).all())
    assert float(ratio_db.abs().max()) > 0.5


def test_mixing_adds_energy_from_another_window():
    spectrogram = AudioSpectrogram()
    original = batch()
    out = augment_batch(original, spectrogram, torch.Generator().manual_seed(2), 0.0, 1.0)
    assert bool(
        (spectrogram.log_to_power(out) >= spectrogram.log_to_power(original) * (1 - 1e-4)).all()
    )
    assert not torch.allclose(out, original)

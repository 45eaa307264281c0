"""Shared fixtures: tiny real models and synthetic audio written to real files."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

SAMPLE_RATE = 48000


def synth_tone(
    seconds: float = 1.0, freq: float = 440.0, sample_rate: int = SAMPLE_RATE
) -> np.ndarray:
    """A decaying harmonic tone with a noisy attack: [S] float32."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    tone = sum(np.sin(2 * math.pi * freq * k * t) / k for k in (1, 2, 3))
    rng = np.random.default_rng(int(freq))
    attack = rng.standard_normal(t.shape) * np.exp(-t * 60)
    return (0.3 * tone * np.exp(-t * 2) + 0.2 * attack).astype(np.float32)


def run_cli(*args: object):  # -> click.testing.Result
    """`distill ARGS...` through the real Typer app, in this process."""
    from typer.testing import CliRunner

    from distill.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def tone_file(tmp_path: Path) -> Path:
    """A 1.5 s tone saved as a 44.1 kHz stereo WAV (so loading resamples and mixes down)."""
    mono = synth_tone(1.5, 330.0, 44100)
    path = tmp_path / "tone.wav"
    sf.write(path, np.stack([mono, 0.5 * mono], axis=1), 44100, subtype="PCM_16")
    return path


def make_tiny_model_file(
    path: Path, num_levels: int = 3, codebook_size: int = 16, seed: int = 0
) -> Path:
    """A small real model (k-means-initialised codebooks, untrained decoder) saved to disk;
    the same arguments always give the same weights."""
    from distill.audio.spectrogram import SpectrogramConfig
    from distill.models.persistence import ModelMetadata, save_model
    from distill.models.vqvae import ConvVQVAE, VQVAEConfig

    torch.manual_seed(seed)
    config = VQVAEConfig(
        hidden_channels=32,
        latent_dim=16,
        num_levels=num_levels,
        codebook_size=codebook_size,
        residual_dilations=(1,),
    )
    model = ConvVQVAE(config)
    model.train()
    with torch.no_grad():
        model(torch.randn(4, 1, config.n_mels, 64))  # k-means init of every level's codebook
    model.eval()
    metadata = ModelMetadata(name=path.stem, dataset={"num_files": 0})
    return save_model(path, model, SpectrogramConfig(), metadata)


@pytest.fixture
def tiny_model_file(tmp_path: Path) -> Path:
    return make_tiny_model_file(tmp_path / "models" / "tiny.distill")


@pytest.fixture
def distill_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated DISTILL_HOME so tests never touch the user's models."""
    home = tmp_path / "distill_home"
    monkeypatch.setenv("DISTILL_HOME", str(home))
    return home

"""Shared fixtures: tiny real models and synthetic audio written to real files (the plain
helpers they use live in tests/helpers.py)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from tests.helpers import make_tiny_model_file, synth_tone


@pytest.fixture
def tone_file(tmp_path: Path) -> Path:
    """A 1.5 s tone saved as a 44.1 kHz stereo WAV (so loading resamples and mixes down)."""
    mono = synth_tone(1.5, 330.0, 44100)
    path = tmp_path / "tone.wav"
    sf.write(path, np.stack([mono, 0.5 * mono], axis=1), 44100, subtype="PCM_16")
    return path


@pytest.fixture
def tiny_model_file(tmp_path: Path) -> Path:
    return make_tiny_model_file(tmp_path / "models" / "tiny.distill")


@pytest.fixture
def distill_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated DISTILL_HOME so tests never touch the user's models."""
    home = tmp_path / "distill_home"
    monkeypatch.setenv("DISTILL_HOME", str(home))
    return home

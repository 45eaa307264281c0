"""Shared fixtures: tiny real models and synthetic audio written to real files (the plain
helpers they use live in tests/helpers.py)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from tests.helpers import make_tiny_model_file, synth_tone
from tests.prior.grids import add_prior, tiny_prior
from tests.training_marks import TrainingMarks


def pytest_configure(config: pytest.Config) -> None:
    # Registered for the whole session: a conftest's own hooks do not see session fixtures.
    config.pluginmanager.register(TrainingMarks(), "distill-training-marks")


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


@pytest.fixture(scope="session")
def trained_prior():  # -> TrainedPrior: a tiny real prior, trained once (seconds) on note grids
    return tiny_prior()


@pytest.fixture(scope="session")
def prior_model_master(tmp_path_factory: pytest.TempPathFactory, trained_prior) -> Path:
    path = make_tiny_model_file(tmp_path_factory.mktemp("prior") / "tiny.distill")
    return add_prior(path, trained_prior)


@pytest.fixture
def prior_model_file(tmp_path: Path, prior_model_master: Path) -> Path:
    """The tiny model with a tiny prior, a fresh copy per test (tests may rewrite it)."""
    target = tmp_path / "with-prior" / "tiny.distill"  # beside tiny_model_file's, not over it
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(prior_model_master, target))

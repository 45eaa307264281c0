"""The Train tab's prior step: the prior's share of the minutes, and a real run of the
training thread that trains the prior after the autoencoder (none when cancelled)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from tests.helpers import train_in_the_train_tab, write_tone

from distill.models.persistence import load_model
from distill.prior.fit import PriorFitResult, autoencoder_share
from distill.training import TrainConfig, TrainResult
from distill.ui.train import handlers as train


def test_the_prior_gets_a_fifth_of_the_minutes():
    config, prior_minutes = autoencoder_share(TrainConfig(max_minutes=10.0))
    assert config.max_minutes == pytest.approx(8.0) and prior_minutes == pytest.approx(2.0)
    assert autoencoder_share(TrainConfig(max_minutes=None, max_steps=5))[1] is None


def _run_worker(tmp_path: Path, stop: threading.Event) -> list:
    files = [write_tone(tmp_path / f"t{i}.wav", 0.6, 110.0 * (i + 1)) for i in range(4)]
    return train_in_the_train_tab(files, "tab", stop)


@pytest.mark.slow
def test_the_training_thread_trains_the_prior_after_the_autoencoder(
    tmp_path: Path, distill_home: Path
):
    items = _run_worker(tmp_path, threading.Event())
    fits = [i for i in items if isinstance(i, PriorFitResult)]
    assert len(fits) == 1 and isinstance(items[-1], TrainResult)
    assert any(getattr(i, "phase", "") == "prior" for i in items)
    loaded = load_model(items[-1].model_path)
    assert loaded.prior is not None and loaded.prior_metadata == fits[0].prior.metadata
    assert "Its prior (for the Generate panel)" in train.prior_text(fits[0])


@pytest.mark.slow
def test_no_prior_when_training_was_cancelled(tmp_path: Path, distill_home: Path):
    stop = threading.Event()
    stop.set()
    items = _run_worker(tmp_path, stop)
    assert not any(isinstance(i, PriorFitResult) for i in items)
    assert isinstance(items[-1], TrainResult) and items[-1].cancelled
    assert load_model(items[-1].model_path).prior is None

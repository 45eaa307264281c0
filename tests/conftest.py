"""Shared fixtures: tiny real models and synthetic audio written to real files (the plain
helpers they use live in tests/helpers.py)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from torch import nn
from torch.optim.optimizer import Optimizer, register_optimizer_step_post_hook

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from tests.helpers import make_tiny_model_file, synth_tone
from tests.prior.grids import add_prior, tiny_prior

# Tests that train are marked `slow`, so that `make test-fast` can leave them out; a test that
# steps an optimizer over a model's weights in this process without the mark fails. Steps
# taken while a session fixture is built (the tiny prior, trained once in seconds) belong to
# no one test.
_STEPS = {"all": 0, "shared": 0}
_STEPS_AT_START = pytest.StashKey[int]()
_building_shared = False


def _count_step(optimizer: Optimizer, *_: object) -> None:
    """Counts steps that change a model's weights (nn.Parameters); encoding's refinement of
    its codes also steps an optimizer, over a plain latent tensor, and is not training."""
    if any(
        isinstance(p, nn.Parameter) for group in optimizer.param_groups for p in group["params"]
    ):
        _STEPS["all"] += 1


register_optimizer_step_post_hook(_count_step)


def _own_steps() -> int:
    return _STEPS["all"] - _STEPS["shared"]


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef, request: pytest.FixtureRequest):
    global _building_shared
    outermost = fixturedef.scope == "session" and not _building_shared
    before = _STEPS["all"]
    _building_shared = _building_shared or outermost
    try:
        yield
    finally:
        if outermost:
            _building_shared = False
            _STEPS["shared"] += _STEPS["all"] - before


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    item.stash[_STEPS_AT_START] = _own_steps()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    steps = _own_steps() - item.stash.get(_STEPS_AT_START, _own_steps())
    if call.when == "call" and report.passed and steps and not item.get_closest_marker("slow"):
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} trains ({steps} optimizer steps) but is not marked slow: add "
            "@pytest.mark.slow so that `make test-fast` leaves it out."
        )


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

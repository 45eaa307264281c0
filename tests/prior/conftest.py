"""A tiny real model with a tiny real prior, trained once per module on note grids."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.helpers import make_tiny_model_file
from tests.prior.grids import add_prior, tiny_prior

from distill.prior.records import TrainedPrior


@pytest.fixture(scope="session")
def trained_prior() -> TrainedPrior:
    return tiny_prior()


@pytest.fixture(scope="session")
def prior_model_master(
    tmp_path_factory: pytest.TempPathFactory, trained_prior: TrainedPrior
) -> Path:
    path = make_tiny_model_file(tmp_path_factory.mktemp("prior") / "tiny.distill")
    return add_prior(path, trained_prior)


@pytest.fixture
def prior_model_file(tmp_path: Path, prior_model_master: Path) -> Path:
    """A fresh copy per test (tests may rewrite it)."""
    target = tmp_path / "models" / "tiny.distill"
    target.parent.mkdir(parents=True)
    return Path(shutil.copy(prior_model_master, target))

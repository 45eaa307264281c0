"""Fixtures for the UI tests: a tiny real model in an isolated models folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers import make_tiny_model_file


@pytest.fixture
def model(distill_home: Path) -> Path:
    return make_tiny_model_file(distill_home / "models" / "tiny.distill")  # 3 levels, K = 16

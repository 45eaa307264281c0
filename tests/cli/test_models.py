"""`distill models` with the bundled demo model as it ships, and a model of the user's own."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import make_tiny_model_file, run_cli

from distill.models.persistence import DEMO_MODEL_PATH


def test_the_demo_is_listed_first_and_read_only(distill_home: Path):
    make_tiny_model_file(distill_home / "models" / "mine.distill")
    listed = run_cli("models", "list")
    assert listed.exit_code == 0, listed.output
    assert listed.output.index("demo (bundled") < listed.output.index("mine")
    info = run_cli("models", "info", "demo")
    assert info.exit_code == 0 and info.output.startswith("demo (bundled, read-only)")
    assert "validation_file_names" in info.output and "level 4:" in info.output
    before = DEMO_MODEL_PATH.read_bytes()
    refused = run_cli("models", "delete", "demo", "-y")
    assert refused.exit_code != 0 and "read-only" in refused.stderr
    assert DEMO_MODEL_PATH.read_bytes() == before
    deleted = run_cli("models", "delete", "mine", "-y")
    assert deleted.exit_code == 0 and not (distill_home / "models" / "mine.distill").exists()

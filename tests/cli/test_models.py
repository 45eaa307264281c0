"""`distill models` with the bundled demo model as it ships, and a model of the user's own."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import make_tiny_model_file, run_cli

from distill.models.persistence import DEMO_MODEL_PATH, update_metadata


def test_the_demo_is_listed_first_and_read_only(distill_home: Path):
    make_tiny_model_file(distill_home / "models" / "mine.distill")
    listed = run_cli("models", "list")
    assert listed.exit_code == 0, listed.output
    assert listed.output.index("demo (bundled") < listed.output.index("mine")
    info = run_cli("models", "info", "demo")
    assert info.exit_code == 0 and info.output.startswith("demo (bundled example)")
    assert "read-only" in info.output and '"steps": 3000' in info.output
    assert "validation_file_names" in info.output and "level 4:" in info.output
    assert '"file_names"' not in info.output
    before = DEMO_MODEL_PATH.read_bytes()
    refused = run_cli("models", "delete", "demo", "-y")
    assert refused.exit_code != 0 and "read-only" in refused.stderr
    assert DEMO_MODEL_PATH.read_bytes() == before
    deleted = run_cli("models", "delete", "mine", "-y")
    assert deleted.exit_code == 0 and not (distill_home / "models" / "mine.distill").exists()


def test_a_model_marked_read_only_is_not_deleted(distill_home: Path):
    """The Library tab refuses it, and so does the CLI: the rule lives in persistence."""
    locked = make_tiny_model_file(distill_home / "models" / "locked.distill")
    update_metadata(locked, read_only=True)
    refused = run_cli("models", "delete", "locked", "-y")
    assert refused.exit_code != 0 and locked.exists()
    assert refused.stderr.strip() == "error: The model 'locked' is read-only: it cannot be deleted."
    info = run_cli("models", "info", "locked")
    assert info.exit_code == 0 and info.output.startswith("locked  (")
    assert "read-only" in info.output

"""`distill models` with the bundled demo model as it ships, and a model of the user's own."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tests.helpers import make_tiny_model_file, run_cli

from distill.models.library import update_metadata
from distill.models.persistence import DEMO_MODEL_PATH, load_model, read_model_info, save_model
from distill.models.records import CodebookHealth, LevelHealth


def test_the_demo_is_listed_first_and_read_only(distill_home: Path):
    make_tiny_model_file(distill_home / "models" / "mine.distill")
    listed = run_cli("models", "list")
    assert listed.exit_code == 0, listed.output
    assert listed.output.index("demo (bundled") < listed.output.index("mine")
    info = run_cli("models", "info", "demo")
    assert info.exit_code == 0 and info.output.startswith("demo (bundled example)")
    assert "read-only" in info.output
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


def _row(output: str, start: str) -> str:
    """The first line of `output` whose text (table borders aside) starts with `start`."""
    for line in output.splitlines():
        if line.strip(" │┃").startswith(start):
            return line
    raise AssertionError(f"no line starting with {start!r} in:\n{output}")


def test_info_prints_readable_tables_with_badges_contributions_and_a_heatmap(
    distill_home: Path,
):
    info = run_cli("models", "info", "demo")
    assert info.exit_code == 0, info.output
    assert "{" not in info.output  # no JSON dumps
    stored = read_model_info(DEMO_MODEL_PATH)
    health, training = stored.codebook_health, stored.metadata.training
    assert health is not None and training is not None
    assert f"{training.steps}" in _row(info.output, "steps")
    assert "bell_c5.wav" in _row(info.output, "validation file names")
    assert "file names " not in info.output.replace("validation file names", "")
    structure = _row(info.output, "1 Structure")  # the health table's row
    assert "● green" in structure and f"{health.levels[0].contribution_db:.1f} dB" in structure
    assert f"{health.levels[0].used_codes}/128" in structure
    heatmap = [line for line in info.output.splitlines() if line.startswith("4 Detail ")]
    assert len(heatmap) == 1 and len(heatmap[0].split()[-1]) == 64  # 128 codes, 2 a character
    assert "Code use over the training set (a character is 2 neighbouring codes" in info.output


def test_info_says_when_a_model_has_no_diagnostics(distill_home: Path):
    make_tiny_model_file(distill_home / "models" / "old.distill")  # no health at all
    assert "Codebook health was not measured" in run_cli("models", "info", "old").output
    path = distill_home / "models" / "older.distill"
    make_tiny_model_file(path)
    loaded = load_model(path)
    level = LevelHealth(0, 16, 4, 0.25, 3.2, 12)
    health = CodebookHealth((level, replace(level, level=1), replace(level, level=2)))
    save_model(path, loaded.model, loaded.spectrogram.config, loaded.metadata, health)
    info = run_cli("models", "info", "older")
    assert info.exit_code == 0, info.output
    assert "not available for this model" in " ".join(info.output.split())
    structure = _row(info.output, "1 Structure")
    assert "● red" in structure and "4/16" in structure
    why = "● 1 Structure: uses 4 of 16 codes: the collection may be too uniform, or train longer"
    assert why in " ".join(info.output.split())


def test_list_names_the_files_it_could_not_read_and_why(distill_home: Path):
    make_tiny_model_file(distill_home / "models" / "good.distill")
    (distill_home / "models" / "broken.distill").write_bytes(b"not a model at all")
    listed = run_cli("models", "list")
    assert listed.exit_code == 0, listed.output
    assert "good" in listed.output
    text = " ".join(listed.output.split())
    assert (
        "could not read: broken.distill is not a readable Distill model file (damaged, "
        "truncated or another format)." in text
    )

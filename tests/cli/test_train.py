"""`distill train` through the real Typer app: a real (tiny) training run and its refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
import soundfile as sf
from tests.helpers import run_cli, synth_tone

from distill.models.persistence import load_model

TINY = ("--steps", "3", "--width", "8", "--levels", "2", "--codebook-size", "4", "--device", "cpu")


@pytest.fixture
def audio_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "audio"
    folder.mkdir()
    for i, freq in enumerate((110, 220, 330, 440, 550)):
        sf.write(folder / f"tone{i}.wav", synth_tone(0.5, freq), 48000)
    return folder


def test_train_saves_a_model_and_prints_a_summary(audio_dir: Path, distill_home: Path):
    result = run_cli("train", audio_dir, "--name", "tones", *TINY)
    assert result.exit_code == 0, result.output
    target = distill_home / "models" / "tones.distill"
    assert "Training finished" in result.stderr and "tones.distill" in result.stderr
    assert "3 steps" in result.stderr and "codes used" in result.stderr
    # The codebook diagnostics: a badge with its reason per level, and the usage heatmap.
    assert "● 1 Structure: " in result.stderr and "● 2 Detail: " in result.stderr
    assert "Code use over the training set (a character is one code" in result.stderr
    loaded = load_model(target)
    assert loaded.vqvae_config.hidden_channels == 8
    training = loaded.metadata.training
    assert loaded.model.num_quantizers == 2 and training is not None and training.steps == 3
    listed = run_cli("models", "list")
    assert listed.exit_code == 0 and "tones" in listed.output


def test_train_refuses_clearly_and_keeps_the_existing_model(audio_dir: Path, distill_home: Path):
    assert run_cli("train", audio_dir, "--name", "tones", *TINY).exit_code == 0
    target = distill_home / "models" / "tones.distill"
    before = target.read_bytes()
    cases = [
        (("train", audio_dir, "--name", "tones", *TINY), "already exists"),
        (("train", audio_dir / "missing", "--name", "x", *TINY), "is not a folder"),
        (("train", audio_dir, "--name", "demo", *TINY), "'demo' is taken"),
        (("train", audio_dir, "--name", "x", "--width", "4", "--steps", "1"), "--width"),
        (("train", audio_dir, "--name", "x", "--steps", "0"), "at least 1 step"),
    ]
    for args, fragment in cases:
        result = run_cli(*args)
        assert result.exit_code != 0 and "Traceback" not in result.output
        lines = result.stderr.strip().splitlines()
        assert lines and lines[-1].startswith("error: ") and fragment in lines[-1], result.stderr
    assert target.read_bytes() == before
    forced = run_cli("train", audio_dir, "--name", "tones", *TINY, "--seed", "1", "--force")
    assert forced.exit_code == 0 and target.read_bytes() != before

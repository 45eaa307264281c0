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


def test_the_device_preset_is_shown_recorded_and_overridable(audio_dir: Path, distill_home: Path):
    result = run_cli("train", audio_dir, "--name", "plain", *TINY)
    assert result.exit_code == 0, result.output
    assert "Training on cpu: preset cpu (width 8, batch 16 per process" in result.stderr
    assert "set by hand: hidden_channels), 1 process" in result.stderr
    sized = ("--preset", "cuda", "--batch-size", "4", "--no-mixed-precision")
    result = run_cli("train", audio_dir, "--name", "sized", *TINY, *sized)
    assert result.exit_code == 0, result.output
    expected = (
        "preset cuda (width 8, batch 4 per process, 256-frame crops, float32; set by hand: "
        "hidden_channels, batch_size, mixed_precision), 1 process"
    )
    assert f"Setup: {expected}" in " ".join(result.stderr.split())
    training = load_model(distill_home / "models" / "sized.distill").metadata.training
    assert training is not None and training.setup.preset == "cuda"
    assert (training.setup.batch_size, training.setup.chunk_frames) == (4, 256)
    info = run_cli("models", "info", "sized")
    assert info.exit_code == 0 and f"trained on cpu: {expected}" in info.output
    for args, fragment in [
        (("--preset", "tpu"), "There is no preset 'tpu'"),
        (("--batch-size", "0"), "--batch-size must be between 1 and 4096, not 0."),
        (("--crop-frames", "4"), "--crop-frames must be between 16 and 8192, not 4."),
    ]:
        refused = run_cli("train", audio_dir, "--name", "bad", *TINY, *args)
        lines = refused.stderr.strip().splitlines()
        assert refused.exit_code != 0 and len(lines) == 1, refused.stderr
        assert lines[0].startswith("error: ") and fragment in lines[0]
        assert not (distill_home / "models" / "bad.distill").exists()

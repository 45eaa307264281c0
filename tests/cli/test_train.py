"""`distill train` through the real Typer app: a real (tiny) training run and its refusals."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

import pytest
import soundfile as sf
from tests.helpers import (
    end_normally,
    hold_lock_in_process,
    kill_hard,
    mounted_tmpfs,
    read_only_folder,
    run_cli,
    synth_tone,
)

from distill import files
from distill.models.locks import lock_path
from distill.models.persistence import load_model

TINY = ("--steps", "3", "--width", "8", "--levels", "2", "--codebook-size", "4", "--device", "cpu")


@pytest.fixture
def audio_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "audio"
    folder.mkdir()
    for i, freq in enumerate((110, 220, 330, 440, 550)):
        sf.write(folder / f"tone{i}.wav", synth_tone(0.5, freq), 48000)
    return folder


@pytest.mark.slow
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


@pytest.mark.slow
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


def last_error_line(result) -> str:
    """The one error line, checked for what must never reach a user."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "unexpected" not in result.output
    assert "SafetensorError" not in result.output and "Errno" not in result.output
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("error: ")
    return line


@pytest.mark.slow
def test_a_full_disk_at_save_time_says_where_the_weights_are(
    audio_dir: Path, distill_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    models = distill_home / "models"
    (tmp_path / "system-temp").mkdir()  # a system temp folder always exists
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "system-temp"))
    real = files._write_all

    def models_disk_full(handle: BinaryIO, data: bytes) -> None:
        if Path(handle.name).parent == models:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(handle, data)

    monkeypatch.setattr(files, "_write_all", models_disk_full)
    result = run_cli("train", audio_dir, "--name", "tones", *TINY)
    line = last_error_line(result)
    rescued = tmp_path / "system-temp" / "distill-rescued" / "tones.distill"
    assert line.startswith(
        f"error: Could not save the model to {models / 'tones.distill'}: the disk is full"
    )
    assert f"safe in {rescued}" in line and line.endswith(f"mv {rescued} {models}/tones.distill")
    assert load_model(rescued).metadata.name == "tones" and list(models.iterdir()) == []
    assert "warning: Could not write" in result.stderr  # the checkpoints said so as they failed


def test_too_little_room_on_a_real_disk_is_refused_before_training(
    audio_dir: Path, distill_home: Path
):
    with mounted_tmpfs(distill_home / "models", 100_000) as models:
        line = last_error_line(run_cli("train", audio_dir, "--name", "tones", *TINY))
        assert line.startswith(f"error: Not enough free space in {models} for the model 'tones'")
        assert "needs about" in line and "0.1 MB is free" in line
        assert list(models.iterdir()) == []


def test_a_read_only_models_folder_is_refused_before_training(audio_dir: Path, distill_home: Path):
    with read_only_folder(distill_home / "models") as models:
        line = last_error_line(run_cli("train", audio_dir, "--name", "tones", *TINY))
        assert line.startswith(f"error: Could not write {models / 'tones.distill'}: ")
        assert line.endswith("Choose a folder you can write to.")


@pytest.mark.slow
def test_a_second_training_of_one_name_is_refused_while_the_first_runs(
    audio_dir: Path, distill_home: Path
):
    target = distill_home / "models" / "tones.distill"
    first = hold_lock_in_process(target)  # a training of 'tones' in another terminal
    try:
        for extra in ((), ("--force",)):
            line = last_error_line(run_cli("train", audio_dir, "--name", "tones", *TINY, *extra))
            assert line.startswith(
                f"error: A training of the model 'tones' is already running (process {first.pid}"
            )
        assert not target.exists()
    finally:
        end_normally(first)
    assert run_cli("train", audio_dir, "--name", "tones", *TINY).exit_code == 0


@pytest.mark.slow
def test_a_crashed_training_does_not_block_its_name(audio_dir: Path, distill_home: Path):
    target = distill_home / "models" / "tones.distill"
    kill_hard(hold_lock_in_process(target))
    assert lock_path(target).exists()  # left behind by the crash
    result = run_cli("train", audio_dir, "--name", "tones", *TINY)
    assert result.exit_code == 0, result.output
    assert load_model(target).metadata.name == "tones" and not lock_path(target).exists()


@pytest.mark.slow
def test_two_real_trainings_of_one_name_in_two_terminals(audio_dir: Path, distill_home: Path):
    """A real `distill train` in another process; the second is refused while it runs; after
    it is killed (kill -9, mid-training) the name is free and the next training succeeds."""
    target = distill_home / "models" / "tones.distill"
    args = ["--width", "8", "--levels", "2", "--codebook-size", "4", "--device", "cpu"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "OMP_NUM_THREADS": "1"}
    first = subprocess.Popen(
        [sys.executable, "-m", "distill", "train", str(audio_dir), "--name", "tones",
         "--minutes", "5", *args],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not lock_path(target).exists():
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        line = last_error_line(run_cli("train", audio_dir, "--name", "tones", *TINY, "--force"))
        assert f"'tones' is already running (process {first.pid} on" in line
    finally:
        kill_hard(first)
    assert run_cli("train", audio_dir, "--name", "tones", *TINY, "--force").exit_code == 0
    assert not lock_path(target).exists()


@pytest.mark.slow
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
    assert (training.setup.batch_size, training.setup.crop_frames) == (4, 256)
    info = run_cli("models", "info", "sized")
    assert info.exit_code == 0 and f"trained on cpu: {expected}" in " ".join(info.output.split())
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


@pytest.mark.slow
def test_a_time_budget_says_when_the_epoch_limit_ended_it(audio_dir: Path, distill_home: Path):
    small = ("--width", "8", "--levels", "2", "--codebook-size", "4", "--device", "cpu")
    args = ("--minutes", "5", "--epoch-limit", "2", "--no-prior", *small)
    result = run_cli("train", audio_dir, "--name", "short", *args)
    assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert "Stopped at the epoch limit (2 passes over the files, " in said
    assert "--epoch-limit 0 trains for the whole budget." in said
    refused = run_cli("train", audio_dir, "--name", "bad", "--epoch-limit", "-1", *small)
    assert refused.exit_code != 0 and "--epoch-limit must be between 0" in refused.stderr

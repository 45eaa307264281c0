"""Faults at save time lose nothing: room is checked before training, a save that fails keeps
the weights in a fallback file, and a model name is reserved while its training runs."""

from __future__ import annotations

import errno
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

import pytest
import soundfile as sf
from tests.helpers import hold_lock_in_process, kill_hard, mounted_tmpfs, synth_tone

from distill import files
from distill.files import WriteError
from distill.models.locks import ModelLockedError, lock_path
from distill.models.persistence import load_model
from distill.models.vqvae import VQVAEConfig
from distill.training import TrainConfig, TrainingError, TrainProgress, train_vqvae
from distill.training.saving import ModelRescuedError, check_can_start

TINY = VQVAEConfig(hidden_channels=8, latent_dim=8, residual_dilations=(1,))
CONFIG = TrainConfig(
    max_minutes=None,
    max_steps=3,
    num_levels=2,
    codebook_size=4,
    batch_size=4,
    crop_frames=32,
    validate_every_steps=1,  # a checkpoint save after every step
    device="cpu",
    model=TINY,
)


@pytest.fixture
def audio_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "audio"
    folder.mkdir()
    for i, freq in enumerate((110, 220, 330, 440)):
        sf.write(folder / f"tone{i}.wav", synth_tone(0.4, freq), 48000)
    return folder


@pytest.fixture
def system_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system temp folder, where rescued weights go, made private to the test."""
    folder = tmp_path / "system-temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def fail_writes_into(folder: Path, monkeypatch: pytest.MonkeyPatch, error: int) -> None:
    """Every write into `folder` fails as a full disk (or `error`) would; others succeed."""
    real = files._write_all

    def write(handle: BinaryIO, data: bytes) -> None:
        if Path(handle.name).parent == folder:
            raise OSError(error, "injected")
        real(handle, data)

    monkeypatch.setattr(files, "_write_all", write)


def fill_up(disk: Path) -> None:
    """Write one file until the disk has no byte left (a real full disk)."""
    handle = (disk / "filler").open("wb", buffering=0)
    try:
        while True:
            handle.write(b"\0" * 4096)
    except OSError as error:
        assert error.errno == errno.ENOSPC
    finally:
        handle.close()


@pytest.mark.slow
def test_a_full_disk_at_save_time_keeps_the_weights_in_the_fallback(
    audio_dir: Path, tmp_path: Path, system_temp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    fail_writes_into(models, monkeypatch, errno.ENOSPC)
    seen: list[TrainProgress] = []
    with pytest.raises(ModelRescuedError) as excinfo:
        train_vqvae(audio_dir, "tones", CONFIG, models, seen.append)
    target, rescued = models / "tones.distill", system_temp / "distill-rescued" / "tones.distill"
    assert excinfo.value.rescued_path == rescued
    assert str(excinfo.value) == (
        f"Could not save the model to {target}: the disk is full (no space left on device). "
        f"The trained weights are safe in {rescued}; once the models folder has room (or can "
        f"be written), move the file there: mv {rescued} {target}"
    )
    assert list(models.iterdir()) == []  # no partial file, no temporary, no lock left
    warnings = [p.message for p in seen if p.phase == "warning"]
    assert len(warnings) >= 3  # each checkpoint said it could not be saved; training went on
    assert warnings[0] == (
        f"Could not write {target}: the disk is full (no space left on device). Free some "
        "space or choose another folder. Training goes on; the weights are kept."
    )
    loaded = load_model(rescued)  # a real model file, fully trained
    assert loaded.metadata.name == "tones" and loaded.codebook_health is not None
    assert loaded.metadata.training is not None and loaded.metadata.training.steps == 3
    shutil.move(rescued, target)  # what the message says to do
    assert load_model(target).metadata.name == "tones"


@pytest.mark.slow
def test_a_real_disk_that_fills_during_training(
    audio_dir: Path, tmp_path: Path, system_temp: Path
) -> None:
    with mounted_tmpfs(tmp_path / "models", 3_000_000) as models:

        def progress(update: TrainProgress) -> None:
            if update.phase == "training" and not (models / "filler").exists():
                fill_up(models)  # another program takes the space while we train

        with pytest.raises(ModelRescuedError, match="the disk is full") as excinfo:
            train_vqvae(audio_dir, "tones", CONFIG, models, progress)
        # The checkpoint saved before the disk filled is intact; the final weights are safe.
        assert sorted(p.name for p in models.iterdir()) == ["filler", "tones.distill"]
        earlier = load_model(models / "tones.distill").metadata.training
        assert earlier is not None and earlier.steps == 1
    final = load_model(excinfo.value.rescued_path).metadata.training
    assert final is not None and final.steps == 3


def test_too_little_room_is_refused_before_training(audio_dir: Path, tmp_path: Path) -> None:
    with mounted_tmpfs(tmp_path / "models", 200_000) as models:
        seen: list[TrainProgress] = []
        with pytest.raises(WriteError) as excinfo:
            train_vqvae(audio_dir, "tones", CONFIG, models, seen.append)
        message = str(excinfo.value)
        assert message.startswith(f"Not enough free space in {models} for the model 'tones': ")
        assert "it needs about 1.1 MB and only 0.2 MB is free" in message
        assert not any(p.phase == "training" for p in seen)
        assert list(models.iterdir()) == []


@pytest.mark.slow
def test_a_checkpoint_that_fails_is_saved_by_the_final_save(
    audio_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models, real, calls = tmp_path / "models", files._write_all, []

    def full_for_a_while(handle: BinaryIO, data: bytes) -> None:
        calls.append(handle.name)
        if len(calls) <= 2:  # the first checkpoints meet a full disk; then space is freed
            raise OSError(errno.ENOSPC, "injected")
        real(handle, data)

    monkeypatch.setattr(files, "_write_all", full_for_a_while)
    result = train_vqvae(audio_dir, "tones", CONFIG, models)
    assert result.model_path == models / "tones.distill" and len(calls) > 2
    assert load_model(result.model_path).metadata.training is not None


@pytest.mark.slow
def test_when_no_fallback_takes_the_weights_it_says_so(
    audio_dir: Path, tmp_path: Path, system_temp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def always_full(handle: BinaryIO, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "injected")

    monkeypatch.setattr(files, "_write_all", always_full)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with pytest.raises(TrainingError) as excinfo:
        train_vqvae(audio_dir, "tones", CONFIG, tmp_path / "models")
    assert not isinstance(excinfo.value, ModelRescuedError)
    assert str(excinfo.value).endswith("The trained weights could not be kept.")
    assert f"nor to {system_temp / 'distill-rescued'} (the disk is full" in str(excinfo.value)


@pytest.mark.slow
def test_a_running_training_holds_its_name_even_against_overwrite(
    audio_dir: Path, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    other = hold_lock_in_process(models / "tones.distill")
    try:
        for overwrite in (False, True):
            seen: list[TrainProgress] = []
            with pytest.raises(ModelLockedError, match="'tones' is already running"):
                train_vqvae(audio_dir, "tones", CONFIG, models, seen.append, overwrite=overwrite)
            assert seen == []  # refused at once: not one file was read
        with pytest.raises(ModelLockedError, match="already running"):
            check_can_start("tones", models)
        train_vqvae(audio_dir, "other-name", CONFIG, models)  # other names are free
    finally:
        kill_hard(other)  # it crashed: its lock is stale, so the name is free again
    check_can_start("tones", models)
    result = train_vqvae(audio_dir, "tones", CONFIG, models)
    assert load_model(result.model_path).metadata.name == "tones"
    assert not lock_path(result.model_path).exists()
    with pytest.raises(TrainingError, match="already exists"):
        check_can_start("tones", models)


def test_the_name_is_released_when_training_fails(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(TrainingError, match="No audio files"):
        train_vqvae(empty, "tones", CONFIG, tmp_path / "models")
    assert not lock_path(tmp_path / "models" / "tones.distill").exists()

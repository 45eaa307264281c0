"""Training for real on tiny audio: files, validation split, cancel, resume, health, errors."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from tests.helpers import N_MELS, synth_tone

from distill.audio.spectrogram import AudioSpectrogram
from distill.models.persistence import load_model
from distill.models.vqvae import VQVAEConfig
from distill.training import TrainConfig, TrainingError, train_vqvae
from distill.training.data import (
    load_dataset,
    random_batch,
    shift_bins,
    split_validation,
    tiled_batches,
)
from distill.training.health import code_counts, level_health, measure_codebook_health
from distill.training.loss import reconstruction_loss

TINY = VQVAEConfig(hidden_channels=16, latent_dim=8, residual_dilations=(1,))


def tiny_config(**overrides) -> TrainConfig:
    values = dict(
        max_minutes=None,
        epochs=2,
        num_levels=2,
        codebook_size=8,
        batch_size=4,
        crop_frames=32,
        device="cpu",
        model=TINY,
        validate_every_s=3600.0,
    )
    values.update(overrides)
    return TrainConfig(**values)


@pytest.fixture
def audio_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "audio"
    (folder / "nested").mkdir(parents=True)
    for i, freq in enumerate((110, 220, 330, 440)):
        sub = folder / "nested" if i % 2 else folder
        sf.write(sub / f"tone{i}.wav", synth_tone(0.4 + 0.1 * i, freq), 48000)
    sf.write(folder / "blip.wav", synth_tone(0.01, 880), 48000)  # shorter than a window: padded
    return folder


@pytest.mark.slow
def test_trains_and_saves_a_loadable_model(audio_dir: Path, tmp_path: Path):
    seen = []
    result = train_vqvae(audio_dir, "tones", tiny_config(), tmp_path / "models", seen.append)
    assert result.model_path == tmp_path / "models" / "tones.distill"
    assert result.steps >= 2 and not result.cancelled
    assert {"loading", "training", "validating", "saving", "done"} <= {p.phase for p in seen}
    loaded = load_model(result.model_path)
    assert loaded.metadata.dataset == result.dataset and result.dataset.num_files == 5
    assert loaded.metadata.training is not None and loaded.metadata.training.steps == result.steps
    assert loaded.vqvae_config.codebook_size == 8
    assert loaded.codebook_health == result.codebook_health
    levels = result.codebook_health.levels
    assert len(levels) == 2 and all(0 < level.used_codes <= 8 for level in levels)


@pytest.mark.slow
def test_a_step_budget_rebuilds_the_same_model(audio_dir: Path, tmp_path: Path):
    """What `make demo-model` relies on: same files, seed and steps -> the same weights."""
    config = tiny_config(epochs=None, max_steps=6, validate_every_steps=2)
    first = load_model(train_vqvae(audio_dir, "a", config, tmp_path / "one").model_path)
    second = load_model(train_vqvae(audio_dir, "a", config, tmp_path / "two").model_path)
    assert first.metadata.training is not None and first.metadata.training.steps == 6
    assert first.metadata.dataset is not None and first.metadata.dataset.validation_file_names
    one, two = first.model.state_dict(), second.model.state_dict()
    assert one.keys() == two.keys()
    assert all(torch.equal(one[key], two[key]) for key in one)
    other = train_vqvae(audio_dir, "a", replace(config, seed=1), tmp_path / "three")
    changed = load_model(other.model_path).model.state_dict()
    assert not all(torch.equal(one[key], changed[key]) for key in one)


@pytest.mark.slow
def test_name_taken_unless_forced_and_resume_continues(audio_dir: Path, tmp_path: Path):
    models = tmp_path / "models"
    first = train_vqvae(audio_dir, "m", tiny_config(epochs=1), models)
    with pytest.raises(TrainingError, match="already exists"):
        train_vqvae(audio_dir, "m", tiny_config(), models)
    resumed = train_vqvae(audio_dir, "m", tiny_config(epochs=1), models, resume=True)
    assert resumed.steps == 2 * first.steps


@pytest.mark.slow
def test_cancel_keeps_the_best_model_so_far(audio_dir: Path, tmp_path: Path):
    calls = iter(range(1000))
    result = train_vqvae(
        audio_dir,
        "c",
        tiny_config(epochs=100),
        tmp_path / "m",
        should_stop=lambda: next(calls) >= 3,
    )
    assert result.cancelled and result.steps == 3
    training = load_model(result.model_path).metadata.training
    assert training is not None and training.steps == 3


def test_bad_inputs_are_clear(tmp_path: Path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(TrainingError, match="No audio files"):
        train_vqvae(empty, "x", tiny_config(), tmp_path / "m")
    (empty / "fake.wav").write_text("not audio")
    with pytest.raises(TrainingError, match="None of the 1 audio files could be read"):
        train_vqvae(empty, "x", tiny_config(), tmp_path / "m")
    with pytest.raises(TrainingError, match="time budget"):
        TrainConfig(max_minutes=None, epochs=None)
    with pytest.raises(TrainingError, match="at least 1 step"):
        TrainConfig(max_minutes=None, max_steps=0)
    with pytest.raises(TrainingError, match="more than 0 seconds"):
        TrainConfig(validate_every_s=0)


@pytest.mark.parametrize(
    ("minutes", "given", "every_s"),
    [(0.05, None, 5.0), (1.0, None, 15.0), (2.0, None, 30.0), (60.0, None, 30.0), (1.0, 2.0, 2.0)],
)
def test_the_validation_cadence_follows_the_budget(
    minutes: float, given: float | None, every_s: float
):
    """A quarter of the budget, kept within 5-30 s, unless set: one rule for every adapter."""
    assert TrainConfig(max_minutes=minutes, validate_every_s=given).validation_interval_s == every_s


def test_unreadable_files_are_skipped_and_reported(audio_dir: Path):
    (audio_dir / "broken.wav").write_bytes(b"RIFF0000WAVEjunk")
    dataset = load_dataset(audio_dir, AudioSpectrogram())
    assert [p.name for p, _ in dataset.skipped] == ["broken.wav"]
    assert len(dataset.all_clips) == 5


def test_validation_holds_out_whole_files():
    paths = [Path(f"{i}.wav") for i in range(20)]
    train, val = split_validation(paths, 0.1, seed=0)
    assert len(val) == 2 and not set(train) & set(val) and len(train) + len(val) == 20
    few = paths[:3]
    assert split_validation(few, 0.1, 0) == (few, few)


def test_batches_pad_short_clips_with_silence(audio_dir: Path):
    import random

    dataset = load_dataset(audio_dir, AudioSpectrogram())
    batch = random_batch(dataset.all_clips, 8, 64, -1.0, random.Random(0))
    assert batch.shape == (8, 1, N_MELS, 64)
    blip = next(c for c in dataset.all_clips if c.path.name == "blip.wav")
    tiles = tiled_batches([blip], 4, 64, -1.0)
    assert tiles[0].shape == (1, 1, N_MELS, 64)
    assert torch.all(tiles[0][..., blip.num_frames :] == -1.0)


def test_pitch_augmentation_moves_bins_and_fills_with_silence():
    window = torch.arange(12.0).reshape(1, 4, 3)  # [1, M=4, F=3]
    up = shift_bins(window, 1, -1.0)
    assert torch.equal(up[:, 1:], window[:, :-1]) and bool((up[:, 0] == -1.0).all())
    down = shift_bins(window, -2, -1.0)
    assert torch.equal(down[:, :2], window[:, 2:]) and bool((down[:, 2:] == -1.0).all())
    assert shift_bins(window, 0, -1.0) is window


def test_loss_is_zero_for_perfect_and_punishes_lost_energy():
    spectrogram = AudioSpectrogram()
    target = torch.rand(1, 1, N_MELS, 16) * 2 - 1
    assert reconstruction_loss(target, target, spectrogram).item() == pytest.approx(0.0, abs=1e-6)
    quieter = target - 0.1
    assert reconstruction_loss(quieter, target, spectrogram) > (quieter - target).abs().mean()


def test_health_counts_and_warns():
    counts = torch.tensor([10, 0, 0, 0, 0, 0, 0, 0, 0, 10])
    health = level_health(counts, 0)
    assert health.used_codes == 2 and health.dead_codes == 8
    assert health.perplexity == pytest.approx(2.0)
    codes = torch.tensor([[[0, 1], [0, -1], [2, 1]]])
    assert code_counts(codes, 3).tolist() == [[2, 0, 1], [0, 2, 0]]


def test_measured_health_reports_low_use(audio_dir: Path):
    from distill.models.vqvae import ConvVQVAE

    model = ConvVQVAE(TINY)
    dataset = load_dataset(audio_dir, AudioSpectrogram())
    with torch.no_grad():
        model.train()(random_batch(dataset.all_clips, 4, 32, -1.0, __import__("random").Random(0)))
    report = measure_codebook_health(model, tiled_batches(dataset.all_clips, 4, 32, -1.0))
    assert len(report.levels) == 4
    assert all(w.startswith("Level ") and "codes" in w for w in report.warnings)
    assert np.isfinite([level.perplexity for level in report.levels]).all()


@pytest.mark.slow
def test_a_time_budget_stops_at_the_epoch_limit_and_asked_steps_do_not(
    audio_dir: Path, tmp_path: Path
):
    """A small collection is memorised past the limit: a 10-minute budget on five tiny files
    ends after `epoch_limit` passes (seconds, not minutes); a step budget is kept as asked."""
    limited = tiny_config(max_minutes=10.0, epochs=None, epoch_limit=3)
    result = train_vqvae(audio_dir, "limited", limited, tmp_path / "models")
    assert not result.cancelled and 3.0 <= result.epochs < 3.5
    assert result.elapsed_s < 60
    steps = tiny_config(epochs=None, max_steps=3 * result.steps, epoch_limit=3)
    assert train_vqvae(audio_dir, "steps", steps, tmp_path / "models").steps == 3 * result.steps
    with pytest.raises(TrainingError, match="epoch limit must be at least 1"):
        tiny_config(epoch_limit=0)

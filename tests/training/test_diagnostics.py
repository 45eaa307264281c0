"""Codebook diagnostics for real: per-code counts over the training set, level contributions
on held-out audio, badges with plain reasons, stored in the model file and added to old ones."""

from __future__ import annotations

import math
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import soundfile as sf
import torch
from tests.helpers import synth_tone
from tests.training.test_training import audio_dir, tiny_config  # noqa: F401 (a fixture)

from distill.audio.spectrogram import AudioSpectrogram, SpectrogramConfig
from distill.models.persistence import load_model, read_model_info, save_model
from distill.models.records import DIAGNOSTICS_VERSION, CodebookHealth, LevelHealth
from distill.training import TrainingError, train_vqvae
from distill.training.data import load_dataset, tiled_batches
from distill.training.diagnostics import (
    add_diagnostics,
    level_badge,
    level_contributions_db,
    mel_db,
    usage_shares,
)
from distill.training.health import measure_code_counts


def _level(used: int, size: int = 128, perplexity: float | None = None, db: float | None = 3.0):
    return LevelHealth(0, size, used, used / size, perplexity or used * 0.8, size - used, None, db)


@pytest.mark.slow
def test_training_stores_counts_over_the_training_set_and_contributions(audio_dir, tmp_path):  # noqa: F811
    result = train_vqvae(audio_dir, "tones", tiny_config(), tmp_path / "models")
    health = read_model_info(result.model_path).codebook_health
    assert health is not None and health.has_diagnostics
    assert health.diagnostics_version == DIAGNOSTICS_VERSION
    loaded = load_model(result.model_path)
    dataset = load_dataset(audio_dir, AudioSpectrogram(), 0.1, 0)
    train = tiled_batches(dataset.train, 4, 32, loaded.spectrogram.config.silence)
    counts = measure_code_counts(loaded.model, train)  # [L, K]
    assert counts.shape == (2, 8)
    for level in health.levels:
        assert level.code_counts == tuple(counts[level.level].tolist())
        # Columns of the training windows, each counted once per level.
        assert sum(level.code_counts) == sum(b.shape[0] * b.shape[-1] // 4 for b in train)
        assert level.used_codes == sum(1 for c in level.code_counts if c > 0)
        assert level.contribution_db is not None and level.contribution_db > 0


@torch.no_grad()
def test_a_contribution_is_the_decode_change_when_the_level_is_muted(tiny_model_file):
    loaded = load_model(tiny_model_file)
    model, config = loaded.model, loaded.spectrogram.config
    mel = torch.randn(2, 1, config.n_mels, 32)
    contributions = level_contributions_db(model, [mel], config)
    _, codes, _ = model.quantize(model.encode(mel))
    full = model.decode(model.codes_to_embeddings(codes, (1, codes.shape[1])), (config.n_mels, 32))
    muted = codes.clone()
    muted[..., 1] = -1
    without = model.decode(
        model.codes_to_embeddings(muted, (1, codes.shape[1])), (config.n_mels, 32)
    )
    expected = float((without - full).abs().mean()) * mel_db(config)
    assert contributions[1] == pytest.approx(expected, rel=1e-4)
    assert mel_db(SpectrogramConfig(log_scale=4.0)) == 40.0  # log10 power / 4 -> 40 dB a unit


def test_badges_say_why_in_plain_words():
    red = level_badge(_level(23))
    assert red.colour == "red"
    assert red.reason.startswith("uses 23 of 128 codes: the collection may be too uniform")
    assert level_badge(_level(60)).colour == "yellow"
    uneven = level_badge(_level(120, perplexity=10.0))
    assert uneven.colour == "yellow" and "a few codes do most of the work" in uneven.reason
    silent = level_badge(_level(120, db=0.2))
    assert silent.colour == "red" and "changes the sound by only 0.2 dB" in silent.reason
    green = level_badge(_level(120))
    assert green.colour == "green" and "3.0 dB" in green.reason
    assert level_badge(_level(120, db=None)).colour == "green"  # older files: use alone


def test_usage_shares_are_log_scaled_to_the_most_used_code():
    assert usage_shares([0, 10, 1000]) == pytest.approx([0.0, math.log(11) / math.log(1001), 1.0])
    assert usage_shares([0, 0]) == [0.0, 0.0]


def test_older_health_records_load_without_diagnostics():
    stored = {"levels": [{"level": 0, "codebook_size": 8, "used_codes": 2, "utilisation": 0.25,
                          "perplexity": 1.9, "dead_codes": 6}], "warnings": []}  # fmt: skip
    health = CodebookHealth.from_dict(stored)
    assert not health.has_diagnostics and health.levels[0].code_counts is None


def _strip_diagnostics(path: Path) -> None:
    loaded = load_model(path)
    assert loaded.codebook_health is not None
    levels = loaded.codebook_health.levels
    old = CodebookHealth(tuple(replace(h, code_counts=None, contribution_db=None) for h in levels))
    save_model(path, loaded.model, loaded.spectrogram.config, loaded.metadata, old)


@pytest.mark.slow
def test_diagnostics_are_added_to_an_older_file_without_touching_its_weights(audio_dir, tmp_path):  # noqa: F811
    path = train_vqvae(audio_dir, "tones", tiny_config(), tmp_path / "models").model_path
    measured = read_model_info(path).codebook_health
    _strip_diagnostics(path)
    assert not read_model_info(path).codebook_health.has_diagnostics  # type: ignore[union-attr]
    before = load_model(path).model.state_dict()
    health = add_diagnostics(path, audio_dir)
    assert health == measured == read_model_info(path).codebook_health
    after = load_model(path).model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


@pytest.mark.slow
def test_diagnostics_refuse_files_the_model_was_not_trained_on(audio_dir, tmp_path):  # noqa: F811
    path = train_vqvae(audio_dir, "tones", tiny_config(), tmp_path / "models").model_path
    other = tmp_path / "other"
    shutil.copytree(audio_dir, other)
    held_out = read_model_info(path).metadata.dataset.validation_file_names  # type: ignore[union-attr]
    for file in other.rglob("*.wav"):
        if file.name in held_out:
            file.unlink()
    sf.write(other / "zz.wav", synth_tone(0.5, 500), 48000)
    before = path.read_bytes()
    with pytest.raises(TrainingError, match=r"not the ones tones\.distill was trained on"):
        add_diagnostics(path, other)
    assert path.read_bytes() == before


@pytest.mark.slow
def test_progress_marks_the_best_checkpoint_and_carries_a_decoded_held_out_excerpt(
    audio_dir,  # noqa: F811
    tmp_path,
):
    seen = []
    config = tiny_config(epochs=None, max_steps=6, validate_every_steps=2)
    train_vqvae(audio_dir, "tones", config, tmp_path / "models", seen.append)
    done = seen[-1]
    assert done.phase == "done" and done.best_step is not None and done.best_step <= 6
    assert done.best_elapsed_s is not None and 0 <= done.best_elapsed_s <= done.elapsed_s
    assert done.sample is not None and done.sample.sample_rate == 48000
    sample = done.sample
    assert sample.file_name.endswith(".wav") and sample.audio.dtype.name == "float32"
    # The loudest 3 s of the held-out file, or all of it when shorter: these are under 1 s.
    assert 0.05 * 48000 < sample.audio.size <= 1.0 * 48000
    assert float(abs(sample.audio).max()) <= 0.99 and (sample.audio != 0).any()
    assert {p.sample.step for p in seen if p.sample} <= {2, 4, 6}  # decoded at validations
    quiet = tiny_config(epochs=None, max_steps=2, listen_every_s=None)
    seen.clear()
    train_vqvae(audio_dir, "quiet", quiet, tmp_path / "models", seen.append)
    assert all(p.sample is None for p in seen)


def test_the_eta_is_what_the_budget_has_left():
    from distill.training import TrainProgress

    progress = TrainProgress(10, 1.0, 30.0, 120.0, 0.5, None, None, [], "training")
    assert progress.eta_s == 90.0
    assert replace(progress, total_s=None).eta_s is None


def test_skipped_files_are_named_without_the_folder_they_sat_in(audio_dir, tmp_path):  # noqa: F811
    """An upload sits in Gradio's cache folder: the model file must not keep that path."""
    (audio_dir / "text.mp3").write_text("not audio")
    dataset = load_dataset(audio_dir, AudioSpectrogram(), 0.1, 0)
    [(path, why)] = dataset.skipped
    assert path.name == "text.mp3" and why.startswith("'text.mp3' is not an audio file")
    assert str(audio_dir) not in why
    assert dataset.summary().skipped_files == (f"text.mp3: {why}",)

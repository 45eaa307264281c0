"""The training settings a model file records: written by TrainConfig.to_stored, read back by
TrainConfig.from_stored (the one reader) as a TrainConfig, older files included."""

from __future__ import annotations

import pytest

from distill.audio.spectrogram import SpectrogramConfig
from distill.models.persistence import DEMO_MODEL_PATH, read_model_info
from distill.models.records import RecordError, TrainingSummary
from distill.models.vqvae import VQVAEConfig
from distill.training import TrainConfig

MODEL = VQVAEConfig(hidden_channels=16, num_levels=2, codebook_size=8)
FRONT_END = SpectrogramConfig(n_mels=64)


def test_the_stored_settings_read_back_as_the_config_that_trained():
    config = TrainConfig(
        max_minutes=None,
        max_steps=30,
        crop_frames=64,
        seed=3,
        preset="cpu",
        preset_overrides=("crop_frames",),
        model=MODEL,
        spectrogram=FRONT_END,
    )
    stored = config.to_stored()
    assert "model" not in stored and "spectrogram" not in stored  # the file keeps those apart
    training = TrainingSummary.from_dict(TrainingSummary(train_config=stored).to_dict())
    assert TrainConfig.from_stored(training, MODEL, FRONT_END) == config


def test_an_older_file_s_settings_take_today_s_defaults_and_its_own_names():
    older = TrainingSummary(train_config={"max_steps": 10, "chunk_frames": 96, "removed": 1})
    config = TrainConfig.from_stored(older, MODEL, FRONT_END)
    assert (config.max_steps, config.crop_frames, config.seed) == (10, 96, 0)
    assert config.val_fraction == TrainConfig.val_fraction and config.model == MODEL


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        ({"max_steps": 10, "seed": "zero"}, "training.train_config.seed should be a whole number"),
        ({"max_steps": 0}, "training.train_config is not usable: Train for at least 1 step."),
    ],
)
def test_damaged_settings_are_a_record_error_naming_the_field(stored: dict, message: str):
    with pytest.raises(RecordError, match=message):
        TrainConfig.from_stored(TrainingSummary(train_config=stored), MODEL, FRONT_END)


def test_the_bundled_demo_model_s_settings_read_unchanged():
    info = read_model_info(DEMO_MODEL_PATH)
    assert info.metadata.training is not None
    config = TrainConfig.from_stored(
        info.metadata.training, info.vqvae_config, info.spectrogram_config
    )
    assert (config.max_steps, config.seed, config.crop_frames, config.batch_size) == (
        1000,
        0,
        128,
        16,
    )
    assert config.model.hidden_channels == 96 and config.preset_overrides == ("hidden_channels",)

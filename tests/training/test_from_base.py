"""Training that starts from a base model: the base's encoder and decoder, codebooks fitted by
k-means on the user's files, the base named in the model file; and the errors that send a
training back to --from-scratch. A tiny real base is trained here first."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import soundfile as sf
import torch
from tests.helpers import synth_tone

from distill.audio.spectrogram import AudioSpectrogram
from distill.models.base import BASE_ENV, base_identity, default_base_path
from distill.models.persistence import load_model
from distill.models.vqvae import VQVAEConfig
from distill.training import TrainConfig, TrainingError, train_vqvae
from distill.training.data import load_dataset
from distill.training.from_base import model_from_base, output_of, plan_model

pytestmark = pytest.mark.slow  # every test here trains (a tiny base, a tiny pretraining)

TINY_LINEAR = VQVAEConfig(
    hidden_channels=16,
    latent_dim=8,
    residual_dilations=(1,),
    output="linear",
    linear_head_channels=16,
)


def _config(**overrides) -> TrainConfig:
    values = dict(
        max_minutes=None,
        max_steps=4,
        num_levels=2,
        codebook_size=8,
        batch_size=4,
        crop_frames=32,
        device="cpu",
        model=TINY_LINEAR,
        from_base=False,
        listen_every_s=None,
    )
    values.update(overrides)
    return TrainConfig(**values)


@pytest.fixture(scope="module")
def tones(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tones")
    for i, freq in enumerate((110, 165, 220, 330, 440, 660)):
        sf.write(folder / f"tone{i}.wav", synth_tone(0.5, freq), 48000)
    return folder


@pytest.fixture(scope="module")
def tiny_base(tones: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny linear-output model trained from scratch, standing in for the shipped base."""
    config = _config(
        num_levels=3, codebook_size=16, max_steps=6, model=replace(TINY_LINEAR, dropout=0.0)
    )
    return train_vqvae(tones, "base", config, tmp_path_factory.mktemp("base")).model_path


def test_the_plan_takes_the_bases_architecture_and_keeps_its_own_codebooks(tiny_base: Path):
    asked = _config(from_base=True, base_file=str(tiny_base), model=VQVAEConfig(), num_levels=4)
    plan = plan_model(asked, num_files=6)
    base = load_model(tiny_base).vqvae_config
    assert plan.config.hidden_channels == base.hidden_channels == 16
    assert plan.config.output == "linear" and output_of(asked) == "linear"
    assert (plan.config.num_levels, plan.config.codebook_size) == (4, 8)
    assert plan.config.dropout == base.dropout == 0.0 < asked.model.dropout  # the base's
    assert plan.base == base_identity(tiny_base) and len(plan.base.sha256) == 64
    assert plan_model(_config(), 6).base is None  # from scratch: its own config


def test_what_cannot_start_from_the_base_says_to_train_from_scratch(tiny_base: Path):
    start = {"from_base": True, "base_file": str(tiny_base)}
    wide = _config(
        **start, model=VQVAEConfig(hidden_channels=64), preset_overrides=("hidden_channels",)
    )
    with pytest.raises(TrainingError, match=r"16 wide.*--from-scratch"):
        plan_model(wide, 6)
    with pytest.raises(TrainingError, match="augmentation"):
        plan_model(_config(**start, gain_db=3.0), 6)
    other = _config(**start)
    other = replace(other, spectrogram=replace(other.spectrogram, n_mels=128))
    with pytest.raises(TrainingError, match="spectrogram settings differ"):
        plan_model(other, 6)
    with pytest.raises(TrainingError, match="cannot be read"):
        plan_model(_config(from_base=True, base_file=str(tiny_base.parent / "missing.distill")), 6)


def test_a_model_from_the_base_has_its_weights_and_codebooks_fitted_to_the_files(
    tiny_base: Path, tones: Path
):
    config = _config(from_base=True, base_file=str(tiny_base))
    plan = plan_model(config, 6)
    dataset = load_dataset(tones, AudioSpectrogram(), linear=True)
    model = model_from_base(plan, dataset.train, seed=0)
    base = load_model(tiny_base).model
    for key, value in base.decoder.state_dict().items():
        assert torch.equal(model.decoder.state_dict()[key], value)
    assert all(bool(layer._codebook.initted) for layer in model.quantizer.layers)
    model.eval()
    mel = torch.cat([c.mel for c in dataset.train], dim=-1).unsqueeze(0)  # [1, 1, M, F]
    with torch.no_grad():
        latent = model.encode(mel)
    _, codes, _ = model.quantize(latent)
    assert codes[0, :, 0].unique().numel() >= 4  # level 1's k-means spread over the files
    errors = []  # each level takes away part of what the levels before it left
    for keep in (1, 2):
        kept = codes.clone()
        kept[..., keep:] = -1
        rebuilt = model.codes_to_embeddings(kept, (1, kept.shape[1]))
        errors.append(float((rebuilt - latent).square().mean()))
    assert errors[1] < errors[0]


def test_training_from_the_base_records_it_and_from_scratch_does_not(
    tiny_base: Path, tones: Path, tmp_path: Path
):
    seen = []
    config = _config(from_base=True, base_file=str(tiny_base))
    result = train_vqvae(tones, "tuned", config, tmp_path, seen.append)
    loaded = load_model(result.model_path)
    assert loaded.metadata.base == base_identity(tiny_base) and result.base == "base"
    assert loaded.vqvae_config.output == "linear"
    assert any("Fitting the codebooks" in p.message for p in seen)
    scratch = train_vqvae(tones, "scratch", _config(), tmp_path)
    assert load_model(scratch.model_path).metadata.base is None and scratch.base == ""


def test_the_live_code_use_is_what_the_diagnostics_say(tones: Path, tmp_path: Path):
    seen = []
    config = _config(model=replace(TINY_LINEAR, output="mel"), max_steps=3, validate_every_steps=3)
    result = train_vqvae(tones, "use", config, tmp_path, seen.append)
    last = [p for p in seen if p.level_usage][-1]
    assert [round(u, 4) for u in last.level_usage] == [
        round(level.utilisation, 4) for level in result.codebook_health.levels
    ]
    assert last.distance_db is not None and last.distance_db > 0
    assert result.distance_db == pytest.approx(last.distance_db)


def test_the_default_base_is_the_shipped_one_unless_the_environment_says(
    monkeypatch: pytest.MonkeyPatch, tiny_base: Path
):
    monkeypatch.setenv(BASE_ENV, "")
    assert default_base_path() is not None and default_base_path().name == "base.distill"
    monkeypatch.setenv(BASE_ENV, str(tiny_base))
    assert default_base_path() == tiny_base
    monkeypatch.setenv(BASE_ENV, "none")
    assert default_base_path() is None
    assert TrainConfig().from_base

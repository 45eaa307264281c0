"""Device presets: which sizes a device gets, what the user overrides, what the file records,
and mixed precision running for real (bf16 autocast on the CPU, quantizer in float32)."""

from __future__ import annotations

from pathlib import Path

import pytest
import soundfile as sf
import torch
from tests.helpers import N_MELS, synth_tone

from distill.models.persistence import load_model, read_model_info
from distill.models.records import TrainingSetup
from distill.models.vqvae import ConvVQVAE, VQVAEConfig
from distill.training import TrainConfig, train_vqvae
from distill.training.presets import (
    CPU_PRESET,
    CUDA_PRESET,
    MPS_PRESET,
    PresetOverrides,
    apply_preset,
    configure_for_device,
    named_preset,
    preset_for,
)

TINY = VQVAEConfig(hidden_channels=16, latent_dim=8, residual_dilations=(1,))


def test_the_cpu_preset_is_the_cpu_defaults():
    """Whatever the quality work settles as defaults is what a CPU trains with."""
    assert preset_for(torch.device("cpu")) == CPU_PRESET
    assert CPU_PRESET.hidden_channels == VQVAEConfig().hidden_channels
    assert CPU_PRESET.batch_size == TrainConfig().batch_size
    assert CPU_PRESET.crop_frames == TrainConfig().crop_frames
    assert not CPU_PRESET.mixed_precision


def test_a_gpu_gets_a_bigger_model_and_bf16_only_where_it_has_bf16():
    cuda = preset_for(torch.device("cuda", 1), bf16_supported=True)
    assert cuda == CUDA_PRESET and cuda.mixed_precision
    assert cuda.hidden_channels > CPU_PRESET.hidden_channels
    assert cuda.batch_size > CPU_PRESET.batch_size and cuda.crop_frames > CPU_PRESET.crop_frames
    older = preset_for(torch.device("cuda", 0), bf16_supported=False)
    assert not older.mixed_precision and older.batch_size == cuda.batch_size
    assert preset_for(torch.device("mps")) == MPS_PRESET and not MPS_PRESET.mixed_precision


def test_what_is_set_by_hand_wins_and_is_recorded():
    config = apply_preset(
        TrainConfig(), CUDA_PRESET, PresetOverrides(batch_size=8, mixed_precision=False)
    )
    assert (config.batch_size, config.crop_frames) == (8, CUDA_PRESET.crop_frames)
    assert config.model.hidden_channels == CUDA_PRESET.hidden_channels
    assert not config.mixed_precision and config.preset == "cuda"
    assert config.preset_overrides == ("batch_size", "mixed_precision")
    plain = apply_preset(TrainConfig(), CUDA_PRESET)
    assert plain.mixed_precision and plain.preset_overrides == ()


def test_a_named_preset_on_this_machine_and_an_unknown_one():
    config = configure_for_device(TrainConfig(device="cpu"), "cuda", PresetOverrides(batch_size=2))
    assert config.device == "cpu" and config.preset == "cuda" and config.batch_size == 2
    auto = configure_for_device(TrainConfig(device="auto"))
    assert auto.device in ("cpu", "cuda", "mps") and auto.preset == auto.device
    with pytest.raises(ValueError, match=r"no preset 'tpu': choose one of auto, cpu, mps, cuda"):
        named_preset("tpu", torch.device("cpu"))


def test_setup_lines_say_preset_overrides_and_processes():
    setup = TrainingSetup("cuda", 2, 64, 256, True, ("batch_size",), "nccl")
    assert setup.describe(256) == (
        "preset cuda (width 256, batch 64 per process, 256-frame crops, bf16 mixed precision; "
        "set by hand: batch_size), 2 processes (torchrun, nccl)"
    )
    assert "before device presets" in TrainingSetup().describe(128)


def test_mixed_precision_runs_the_convolutions_in_bf16_and_the_quantizer_in_float32():
    torch.manual_seed(0)
    model = ConvVQVAE(VQVAEConfig(hidden_channels=16, latent_dim=8, num_levels=2, codebook_size=8))
    mel = torch.randn(2, 1, N_MELS, 32)
    model.train()
    with torch.autocast("cpu", torch.bfloat16):
        recon, codes, commitment = model(mel)
        latent = model.encode(mel)
    assert latent.dtype == torch.bfloat16 and recon.dtype == torch.bfloat16
    assert commitment.dtype == torch.float32 and codes.shape == (2, 8, 2)
    assert model.quantizer.codebooks.dtype == torch.float32
    assert bool(model.quantizer.layers[0]._codebook.initted)


@pytest.mark.slow
def test_a_mixed_precision_run_is_recorded_in_the_model_file(tmp_path: Path):
    folder = tmp_path / "audio"
    folder.mkdir()
    for i, freq in enumerate((110, 220, 330)):
        sf.write(folder / f"tone{i}.wav", synth_tone(0.4, freq), 48000)
    config = TrainConfig(
        max_minutes=None,
        max_steps=3,
        num_levels=2,
        codebook_size=8,
        device="cpu",
        model=TINY,
        validate_every_steps=3,
    )
    config = configure_for_device(
        config, "cuda", PresetOverrides(hidden_channels=16, batch_size=4, crop_frames=32)
    )
    result = train_vqvae(folder, "bf16", config, tmp_path / "models")
    training = read_model_info(result.model_path).metadata.training
    assert training is not None and training.steps == 3
    assert training.setup == TrainingSetup(
        "cuda", 1, 4, 32, True, ("hidden_channels", "batch_size", "crop_frames"), ""
    )
    assert training.train_config["mixed_precision"] is True
    loaded = load_model(result.model_path)
    assert loaded.vqvae_config.hidden_channels == 16
    assert all(
        value.dtype == torch.float32
        for value in loaded.model.state_dict().values()
        if value.is_floating_point()
    )
    assert torch.isfinite(torch.tensor(result.best_val_loss))

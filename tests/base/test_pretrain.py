"""Pretraining the base: an interrupted run resumes at its step with its optimiser, and what it
exports loads as a model (half-precision weights into float32)."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest
import soundfile as sf
import torch
from tests.helpers import synth_tone

from distill.audio.spectrogram import AudioSpectrogram
from distill.base.pretrain import (
    CACHE,
    CHECKPOINT,
    LOG,
    PretrainConfig,
    Pretraining,
    load_data,
    lr_at,
    read_log,
)
from distill.models.persistence import load_model
from distill.models.vqvae import VQVAEConfig

pytestmark = pytest.mark.slow  # every test here trains (a tiny base, a tiny pretraining)

TINY = VQVAEConfig(
    hidden_channels=16, latent_dim=8, residual_dilations=(1,), num_levels=2, codebook_size=8,
    output="linear", linear_head_channels=16, dropout=0.0,
)  # fmt: skip
CONFIG = PretrainConfig(steps=10, batch_size=4, crop_frames=32, warmup_steps=2, val_fraction=0.25)


def _data(folder: Path):
    folder.mkdir()
    manifest = []
    for i, freq in enumerate((110, 220, 330, 440)):
        sf.write(folder / f"t{i}.wav", synth_tone(0.5, freq), 48000)
        manifest.append(
            {
                "file": f"t{i}.wav",
                "source": "synthesis",
                "detail": "",
                "seconds": 0.5,
                "licence": "",
            }
        )
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return load_data(folder, AudioSpectrogram(), CONFIG)


def test_a_resumed_run_goes_on_from_its_step_and_optimiser(tmp_path: Path):
    data = _data(tmp_path / "data")
    assert len(data.validation) == 1 and all(c.linear is not None for c in data.train)
    spec = AudioSpectrogram()
    torch.manual_seed(0)
    run = Pretraining(CONFIG, spec, torch.device("cpu"), TINY)
    for _ in range(3):
        run.train_step(data, random.Random(run.step))
    run.save_checkpoint(tmp_path)
    assert (tmp_path / CHECKPOINT).is_file()
    resumed = Pretraining(CONFIG, spec, torch.device("cpu"), TINY)
    assert resumed.load_checkpoint(tmp_path) and resumed.step == 3
    for key, value in run.model.state_dict().items():
        assert torch.equal(resumed.model.state_dict()[key], value)
    assert (
        resumed.optimizer.state_dict()["state"].keys() == run.optimizer.state_dict()["state"].keys()
    )
    first = next(iter(run.optimizer.state_dict()["state"].values()))["exp_avg"]
    assert torch.equal(
        next(iter(resumed.optimizer.state_dict()["state"].values()))["exp_avg"], first
    )
    assert resumed.validate(data) == run.validate(data)  # the same model, not a fresh one
    assert set(run.validate(data)) == {"all", "levels_1", "levels_2", "levels_4"}


def test_the_spectrograms_are_cached_for_the_next_sitting(tmp_path: Path):
    first = _data(tmp_path / "data")
    assert (tmp_path / "data" / CACHE).is_file()
    again = load_data(tmp_path / "data", AudioSpectrogram(), CONFIG)
    for before, after in zip(first.all_clips, again.all_clips, strict=True):
        assert before.path == after.path and before.num_frames == after.num_frames
        assert torch.allclose(before.mel, after.mel, atol=2e-3)  # float16 in the cache
        assert torch.equal(before.linear, after.linear)


def test_the_export_loads_as_a_read_only_model(tmp_path: Path):
    data = _data(tmp_path / "data")
    run = Pretraining(CONFIG, AudioSpectrogram(), torch.device("cpu"), TINY)
    run.train_step(data, random.Random(0))
    path = run.export(tmp_path, {"files": 4, "hours": 0.001})
    loaded = load_model(path)
    assert loaded.metadata.read_only and loaded.metadata.training.steps == 1
    assert loaded.vqvae_config.output == "linear"
    weight = next(iter(loaded.model.decoder.parameters()))
    assert weight.dtype == torch.float32
    assert torch.allclose(weight, next(iter(run.model.decoder.parameters())).half().float())


def test_the_learning_rate_warms_up_then_falls_to_its_floor():
    rates = [lr_at(step, CONFIG) for step in range(12)]
    assert rates[0] < rates[1] <= CONFIG.learning_rate
    assert rates[-1] == CONFIG.final_learning_rate and rates[5] > rates[8]


def test_a_continued_base_carries_its_weights_and_step_into_a_second_schedule(tmp_path: Path):
    data = _data(tmp_path / "data")
    spec = AudioSpectrogram()
    first = Pretraining(CONFIG, spec, torch.device("cpu"), TINY)
    for _ in range(4):
        first.train_step(data, random.Random(first.step))
    (tmp_path / "first").mkdir()
    exported = first.export(tmp_path / "first", {"files": 4, "hours": 0.001})
    longer = replace(CONFIG, steps=20)
    second = Pretraining(longer, spec, torch.device("cpu"), TINY)
    second.start_from(exported)
    assert second.step == 4 and second.config.restart_step == 4
    for key, value in first.model.state_dict().items():
        assert torch.equal(second.model.state_dict()[key], value.half().to(value.dtype))
    # its schedule warms up again from the base's step and ends at the new length
    assert lr_at(4, second.config) < lr_at(5, second.config) <= CONFIG.learning_rate
    assert lr_at(20, second.config) == CONFIG.final_learning_rate
    second.train_step(data, random.Random(second.step))
    second.save_checkpoint(tmp_path)
    resumed = Pretraining(longer, spec, torch.device("cpu"), TINY)
    assert resumed.load_checkpoint(tmp_path)
    assert resumed.step == 5 and resumed.config.restart_step == 4


def test_a_base_of_another_architecture_is_not_continued(tmp_path: Path):
    run = Pretraining(CONFIG, AudioSpectrogram(), torch.device("cpu"), TINY)
    exported = run.export(tmp_path, {"files": 4, "hours": 0.001})
    wider = Pretraining(
        CONFIG, AudioSpectrogram(), torch.device("cpu"), replace(TINY, hidden_channels=24)
    )
    with pytest.raises(SystemExit, match="not a base of this architecture"):
        wider.start_from(exported)


def test_the_log_keeps_one_record_per_step_the_last_a_resumed_sitting_wrote(tmp_path: Path):
    lines = [{"step": 500, "val": 2.3}, {"step": 500, "val": 2.1}, {"step": 1000, "val": 1.8}]
    (tmp_path / LOG).write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    assert read_log(tmp_path / LOG) == [{"step": 500, "val": 2.1}, {"step": 1000, "val": 1.8}]
    assert read_log(tmp_path / "missing.jsonl") == []

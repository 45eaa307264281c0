"""Each rule the CLI and the app share is decided once, in the library: the same request made
through `distill ...` and through the app's handlers gets the same answer."""

from __future__ import annotations

import math
import threading
from pathlib import Path

import pytest
import torch
from tests.helpers import run_cli, train_in_the_train_tab, write_tone

from distill.inference import encode_grid, read_codes_json
from distill.models.persistence import load_model
from distill.models.records import CodebookHealth, DatasetSummary
from distill.prior.fit import prior_after
from distill.prior.settings import SamplingSettings
from distill.prior.training import DEFAULT_PRIOR_STEPS
from distill.training import TrainConfig, TrainingError, TrainResult
from distill.training.presets import PresetOverrides, configure_for_device
from distill.ui.codes import generate as gen
from distill.ui.codes import opening
from distill.ui.codes.session import CodesSession, end_codes_session
from distill.ui.train import handlers as train

TINY = ("--width", "8", "--levels", "2", "--codebook-size", "4", "--device", "cpu")


@pytest.fixture
def audio_dir(tmp_path: Path) -> Path:
    for i in range(4):
        write_tone(tmp_path / "audio" / f"t{i}.wav", 0.6, 110.0 * (i + 1))
    return tmp_path / "audio"


def _prior_steps(model: Path) -> int:
    metadata = load_model(model).prior_metadata
    assert metadata is not None
    return int(metadata.train_config["max_steps"])


@pytest.mark.slow
def test_after_a_step_budget_both_train_the_prior_for_as_many_steps(
    audio_dir: Path, distill_home: Path
):
    """A step budget gives the prior as many steps as the autoencoder took (at most
    DEFAULT_PRIOR_STEPS): the Train tab's thread once gave it 1000 whatever the budget."""
    assert run_cli("train", audio_dir, "--name", "cli", "--steps", "3", *TINY).exit_code == 0
    reported = train_in_the_train_tab(sorted(audio_dir.glob("*.wav")), "app", threading.Event())
    results = [item for item in reported if isinstance(item, TrainResult)]
    assert len(results) == 1 and results[0].steps == 3
    models = distill_home / "models"
    assert _prior_steps(models / "cli.distill") == _prior_steps(results[0].model_path) == 3


def _result(steps: int, cancelled: bool = False) -> TrainResult:
    return TrainResult(
        model_path=Path("m.distill"),
        steps=steps,
        epochs=1.0,
        elapsed_s=60.0,
        best_val_loss=0.1,
        final_train_loss=0.1,
        codebook_health=CodebookHealth(levels=()),
        cancelled=cancelled,
        steps_per_second=steps / 60.0,
        dataset=DatasetSummary(),
    )


def test_the_prior_s_budget_after_the_autoencoder_is_one_rule():
    config = TrainConfig(max_minutes=None, max_steps=5000, seed=7, device="cpu")
    after = prior_after(_result(5000), config, None)
    assert after is not None and after.max_steps == DEFAULT_PRIOR_STEPS and after.seed == 7
    timed = prior_after(_result(5000), config, 2.0)
    assert timed is not None and (timed.max_minutes, timed.max_steps) == (2.0, None)
    assert prior_after(_result(3, cancelled=True), config, None) is None


def test_a_continuation_starts_from_the_same_codes_through_both(
    prior_model_file: Path, tone_file: Path, tmp_path: Path
):
    """Both continue the grid encoding gives (its codes refined), the grid the app shows in A;
    the CLI once continued the encoder's own codes instead."""
    written = tmp_path / "continued.json"
    result = run_cli(
        "generate", prior_model_file, "-o", tmp_path / "c.wav", "--continue", tone_file,
        "--seconds", "1", "--top-p", "0.95", "--seed", "4", "--codes-out", written,
        "--device", "cpu",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    loaded = load_model(prior_model_file)
    from_cli = read_codes_json(written, loaded, prior_model_file).grid
    session = CodesSession()
    try:
        opening.encode(str(prior_model_file), str(tone_file), session)
        novelty = SamplingSettings.novelty  # the CLI's default, as the panel's slider starts
        gen.continue_file(1.0, 1.0, 0, 0.95, 4, None, novelty, session)
        assert session.state.editor is not None
        from_app = session.state.editor.grids.a
    finally:
        end_codes_session(session)
    encoded = encode_grid(tone_file, loaded)
    assert torch.equal(from_cli.codes, from_app.codes)
    assert torch.equal(from_cli.codes[:, : encoded.num_columns], encoded.codes)


def test_a_width_out_of_range_is_refused_in_the_library_that_both_call(audio_dir: Path):
    refused = run_cli("train", audio_dir, "--name", "x", "--width", "4", "--steps", "1")
    assert refused.exit_code != 0
    assert "--width must be between 8 and 1024, not 4." in refused.stderr
    with pytest.raises(TrainingError, match=r"The width must be between 8 and 1024, not 4\."):
        configure_for_device(TrainConfig(), overrides=PresetOverrides(hidden_channels=4))
    with pytest.raises(TrainingError, match="The batch size must be between 1 and 4096"):
        PresetOverrides(batch_size=0)


@pytest.mark.parametrize("minutes", [0.0, -1.0, math.nan, math.inf])
def test_an_impossible_time_budget_gets_the_same_sentence_from_both(
    audio_dir: Path, minutes: float
):
    sentence = "The time budget must be more than 0 minutes."
    refused = run_cli("train", audio_dir, "--name", "x", "--minutes", str(minutes))
    assert refused.exit_code != 0 and sentence in refused.stderr
    with pytest.raises(TrainingError, match=sentence):
        train.training_config(minutes, 4, train.AUTO)

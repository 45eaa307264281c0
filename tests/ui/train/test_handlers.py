"""The Train tab's handlers as plain functions (no browser)."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
import soundfile as sf
from tests.helpers import error_text, hold_lock_in_process, kill_hard, synth_tone

from distill.training import TrainConfig, TrainProgress
from distill.training.listening import ListeningSample
from distill.ui.train import chart
from distill.ui.train import handlers as train
from distill.ui.train.chart import LossHistory

# --- Train tab -------------------------------------------------------------------------------


def progress(step: int, loss: float, val: float | None, phase: str = "training") -> TrainProgress:
    return TrainProgress(step, step / 10, step * 0.5, 60.0, loss, val, val, [0.5, 0.25], phase)


def test_training_inputs_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="upload some files or give a folder"):
        train.training_files(None, "  ")
    with pytest.raises(ValueError, match="does not exist"):
        train.training_files([], str(tmp_path / "missing"))
    sf.write(tmp_path / "a.wav", synth_tone(0.5), 48000)
    sf.write(tmp_path / "b.flac", synth_tone(0.5, 220.0), 48000)
    found = train.training_files([str(tmp_path / "a.wav")], str(tmp_path))
    assert [p.name for p in found] == ["a.wav", "a.wav", "b.flac"]
    with pytest.raises(ValueError, match="more than 0 minutes"):
        train.training_config(0, 4, "auto")
    config = train.training_config(0.5, 3.0, "64")
    assert (config.max_minutes, config.num_levels, config.codebook_size) == (0.5, 3, 64)
    assert train.training_config(10, 4, train.AUTO).codebook_size is None


@pytest.mark.parametrize(("minutes", "every_s"), [(0.1, 5.0), (1, 15.0), (10, 30.0)])
def test_the_tab_validates_as_often_as_the_cli_for_the_same_budget(
    minutes: float, every_s: float
) -> None:
    """TrainConfig decides the cadence from the budget; the tab does not set its own."""
    config = train.training_config(minutes, 4, train.AUTO)
    assert config.validate_every_s is None
    assert config.validation_interval_s == TrainConfig(max_minutes=minutes).validation_interval_s
    assert config.validation_interval_s == every_s


def test_loss_history_keeps_each_validation_once() -> None:
    history = LossHistory()
    history.add(progress(0, math.nan, None, "loading"))
    history.add(progress(1, 2.0, None))
    history.add(progress(2, 1.5, 1.8, "saving"))
    history.add(progress(3, 1.4, 1.8))  # repeats the last validation: not a new point
    history.add(progress(4, 1.3, math.nan))
    assert history.points == [  # against time: progress() puts step n at n / 2 seconds
        (0.5, 2.0, "training"),
        (1.0, 1.8, "validation"),
        (1.5, 1.4, "training"),
        (2.0, 1.3, "training"),
    ]
    for step in range(5, 2000):
        history.add(progress(step, 1.0, 1.0 + (step // 100) * 1e-3))  # new every 100
    assert len(history.points) <= chart.MAX_CHART_POINTS + 25
    assert sum(1 for p in history.points if p[2] == "validation") == 21
    assert LossHistory().frame() is None


def test_the_chart_marks_the_best_checkpoint_with_a_vertical_line() -> None:
    history = LossHistory()
    history.add(progress(1, 2.0, None))
    history.add(replace(progress(4, 1.0, 1.5, "saving"), best_step=4, best_elapsed_s=2.0))
    history.add(replace(progress(8, 0.5, 1.7), best_step=4, best_elapsed_s=2.0))
    frame = history.frame()
    assert frame is not None and list(frame.columns) == ["seconds", "loss", "curve"]
    best = frame[frame["curve"] == chart.BEST]
    assert best["seconds"].tolist() == [2.0, 2.0]
    assert best["loss"].tolist() == [0.5, 2.0]  # from the lowest loss drawn to the highest
    assert frame[frame["curve"] == chart.VALIDATION]["seconds"].tolist() == [2.0, 4.0]
    first = LossHistory()
    first.add(progress(1, 2.0, None))
    early = first.frame()  # every curve named from the first frame on (Gradio keeps colours)
    assert early is not None and set(early["curve"]) == set(chart.CURVES)
    assert early["loss"].isna().tolist() == [False, True, True]


def test_eta_and_best_read_as_words() -> None:
    assert chart.duration_text(45.4) == "45 s"
    assert chart.duration_text(200) == "3 min 20 s"
    assert chart.duration_text(3900) == "1 h 05 min"
    update = replace(progress(100, 0.5, 0.42), best_step=80, best_elapsed_s=65.0)
    assert chart.eta_text(update) == "about 10 s left"  # 60 s total, 50 s gone
    assert chart.eta_text(replace(update, total_s=None)) == ""
    line = train.progress_text(update)
    assert "best so far: 0.4200 at step 80 (1 min 05 s)" in line and "about 10 s left" in line


def test_the_held_out_excerpt_player_updates_only_for_a_new_decode() -> None:
    audio = (0.1 * np.sin(np.arange(4800) / 10)).astype(np.float32)
    sample = ListeningSample(30, 12.0, "bell.wav", audio, 48000)
    player = train.listening_update(sample, None)
    assert player.label == "Held-out bell.wav, decoded at step 30"
    saved, rate = sf.read(player.value["path"])
    assert rate == 48000 and saved.shape == (4800,)
    assert train.listening_update(sample, 30) == gr.skip()
    assert train.listening_update(None, None) == gr.skip()


def test_progress_text_and_usage_bars() -> None:
    assert "Reading 1/4" in train.progress_text(
        TrainProgress(0, 0.0, 0.0, None, math.nan, None, None, [], "loading", "Reading 1/4: a.wav")
    )
    line = train.progress_text(progress(12, 0.25, 0.5))
    assert "step 12" in line and "loss 0.2500" in line and "validation 0.5000" in line
    bars = train.usage_html([0.5, 0.25])
    assert bars.count("distill-usage-row") == 2 and "width:50%" in bars and "25%" in bars


def test_run_training_refuses_a_taken_name(model: Path, tmp_path: Path) -> None:
    sf.write(tmp_path / "a.wav", synth_tone(0.5), 48000)
    session = train.TrainSession()
    with pytest.raises(gr.Error) as excinfo:
        list(train.run_training([str(tmp_path / "a.wav")], "", "tiny", 1, 3, "auto", session))
    assert "already exists" in error_text(excinfo)
    assert session.stop is None
    with pytest.raises(gr.Error) as excinfo:
        list(train.run_training([str(tmp_path / "a.wav")], "", "bad/name", 1, 3, "auto", session))
    assert "not a usable model name" in error_text(excinfo)


def test_cancel_without_training_only_warns() -> None:
    with pytest.warns(UserWarning, match="No training is running"):
        assert train.cancel_training(train.TrainSession()) == gr.skip()


def test_a_name_another_training_uses_is_refused_at_once(
    distill_home: Path, tmp_path: Path
) -> None:
    """Two people on the Train tab, or the tab and a terminal: the second is told at once
    (check_name runs before the training queue), and the training itself refuses too."""
    target = distill_home / "models" / "drums.distill"
    other = hold_lock_in_process(target)
    try:
        with pytest.raises(gr.Error) as excinfo:
            train.check_name(" drums ")
        assert error_text(excinfo).startswith(
            f"A training of the model 'drums' is already running (process {other.pid} on "
        )
        sf.write(tmp_path / "a.wav", synth_tone(0.5), 48000)
        session = train.TrainSession()
        with pytest.raises(gr.Error, match="already running"):
            list(train.run_training([str(tmp_path / "a.wav")], "", "drums", 1, 3, "auto", session))
        assert train.check_name("cymbals") is None  # other names are free
    finally:
        kill_hard(other)  # the other training crashed: its name is free again
    assert train.check_name("drums") is None
    assert not target.exists()


def test_check_name_refuses_a_saved_model_and_a_bad_name(model: Path) -> None:
    for name, fragment in (("tiny", "already exists"), ("bad/name", "not a usable model name")):
        with pytest.raises(gr.Error) as excinfo:
            train.check_name(name)
        assert fragment in error_text(excinfo)


def test_the_result_names_skipped_files_and_shows_the_diagnostics() -> None:
    from distill.models.records import CodebookHealth, DatasetSummary, LevelHealth
    from distill.training import TrainResult

    level = LevelHealth(0, 8, 2, 0.25, 1.5, 6, (5, 0, 0, 0, 0, 0, 0, 1), 3.0)
    dataset = DatasetSummary(skipped_files=("text.mp3: 'text.mp3' is not an audio file.",))
    health = CodebookHealth((level, replace(level, level=1)), diagnostics_version=1)
    result = TrainResult(Path("m.distill"), 3, 1.0, 2.0, 0.5, 0.6, health, False, 1.5, dataset)
    text = train.result_text(result)
    assert text.startswith("**Finished**: m saved (3 steps")
    assert text.endswith("Skipped text.mp3: 'text.mp3' is not an audio file.")
    summary = train.summary_html(result)
    assert summary.count('data-badge="red"') == 2 and "1 · Structure" in summary


def test_the_result_says_when_the_epoch_limit_ended_the_training() -> None:
    from distill.models.records import CodebookHealth, DatasetSummary
    from distill.training import TrainResult

    health, data = CodebookHealth(()), DatasetSummary()
    limit = TrainConfig.epoch_limit
    assert limit is not None
    ended = TrainResult(Path("m.distill"), 2000, limit, 270.0, 0.8, 0.5, health, False, 7.3, data)
    assert f"after {limit} passes over the files" in train.result_text(ended)
    for early in (replace(ended, epochs=limit / 2), replace(ended, cancelled=True)):
        assert "passes over the files" not in train.result_text(early)

"""The app's handlers as plain functions (no browser): encode, clicks, labels, train, library."""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from conftest import make_tiny_model_file, synth_tone
from distill.models import persistence
from distill.models.persistence import ModelMetadata, read_model_info, update_metadata
from distill.training import TrainProgress
from distill.ui import handlers_codes as codes
from distill.ui import handlers_labels as labels
from distill.ui import handlers_library as library
from distill.ui import handlers_train as train
from distill.ui.handlers_session import (
    SCRATCH_KEEP,
    CodesSession,
    end_codes_session,
    session_model,
)


def error_text(excinfo: pytest.ExceptionInfo) -> str:
    return str(excinfo.value.message)


@pytest.fixture
def model(distill_home: Path) -> Path:
    return make_tiny_model_file(distill_home / "models" / "tiny.distill")  # 3 levels, K = 16


@pytest.fixture
def encoded(model: Path, tone_file: Path) -> Iterator[tuple[CodesSession, tuple]]:
    session = CodesSession()
    yield session, codes.encode(str(model), str(tone_file), session)
    end_codes_session(session)


# --- Codes tab -------------------------------------------------------------------------------


def click(payload: str, session: CodesSession) -> tuple:
    """The last update a grid click streams (rows first say that they are working)."""
    return list(codes.grid_click(payload, session))[-1]


def test_encode_draws_the_grid_and_decodes_for_ab(encoded, tone_file: Path) -> None:
    session, (same, grid, summary, original, reconstruction, label_text, status) = encoded
    assert same is session and session.encoded is not None
    columns = session.encoded.num_columns
    assert grid.count('class="cg-row"') == 3 and grid.count('class="cg-col"') == columns
    assert f"{columns} columns × 3 levels" in summary and "tone.wav" in summary
    assert original == str(tone_file)
    assert sf.info(reconstruction).frames == session.encoded.num_samples
    assert sf.info(reconstruction).samplerate == 48000
    assert label_text == "Structure, Timbre, Detail"
    assert "Click a cell" in status


@pytest.mark.parametrize(
    ("model_given", "audio_given", "message"),
    [(False, True, "Choose a model first"), (True, False, "Upload an audio file first")],
)
def test_encode_needs_a_model_and_a_file(
    model: Path, tone_file: Path, model_given: bool, audio_given: bool, message: str
) -> None:
    with pytest.raises(gr.Error) as excinfo:
        codes.encode(
            str(model) if model_given else None,
            str(tone_file) if audio_given else None,
            CodesSession(),
        )
    assert message in error_text(excinfo)


def test_encode_bad_files_give_one_clear_sentence(model: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.wav"
    notes.write_text("not audio")
    with pytest.raises(gr.Error) as excinfo:
        codes.encode(str(model), str(notes), CodesSession())
    assert "notes.wav' is not an audio file" in error_text(excinfo)

    huge = tmp_path / "huge.wav"  # 31 minutes at 1 kHz: too long, yet only 3.7 MB
    sf.write(huge, np.zeros(31 * 60 * 1000, dtype=np.int16), 1000, subtype="PCM_16")
    with pytest.raises(gr.Error) as excinfo:
        codes.encode(str(model), str(huge), CodesSession())
    assert "huge.wav" in error_text(excinfo) and "Traceback" not in error_text(excinfo)

    broken = tmp_path / "broken.distill"
    broken.write_bytes(b"\x00garbage" * 100)
    with pytest.raises(gr.Error) as excinfo:
        codes.encode(str(broken), str(notes), CodesSession())
    assert "broken.distill is not a readable Distill model file" in error_text(excinfo)


def test_cell_click_plays_that_code_alone_every_time(encoded) -> None:
    session, _ = encoded
    code = int(session.encoded.indices[0, 4, 1])
    _, preview, row_audio, status = click("cell,1,4@17", session)
    assert "level 2 “Timbre”, column 4 at" in status and f"code {code}:" in status
    assert sf.info(preview).duration == pytest.approx(1.0, abs=0.1)
    assert row_audio == gr.skip()
    _, again, _, _ = click("cell,1,4@18", session)
    assert again != preview, "the same cell twice must give a new file, so the player replays"


def test_column_and_row_clicks(encoded) -> None:
    session, _ = encoded
    column = [str(int(c)) for c in session.encoded.indices[0, 2].tolist()]
    _, preview, _, status = click("col,2@5", session)
    assert "column 2 at" in status and ", ".join(column) in status
    assert sf.info(preview).frames > 0
    working, done = codes.grid_click("row,2@6", session)
    assert "Decoding level 3 “Detail” alone" in working[3]  # says so before the slow part
    _, preview, row_audio, status = done
    assert preview == gr.skip() and "level 3 “Detail”" in status
    assert sf.info(row_audio).frames == session.encoded.num_samples


@pytest.mark.parametrize(
    ("payload", "message"),
    [("cell,7,0@1", "only 3 levels"), ("col,99999@1", "columns"), ("oops", "not of the form")],
)
def test_bad_click_payloads_are_clear_errors(encoded, payload: str, message: str) -> None:
    session, _ = encoded
    with pytest.raises(gr.Error) as excinfo:
        click(payload, session)
    assert message in error_text(excinfo)


def test_clicks_and_decode_before_encoding_say_what_to_do() -> None:
    with pytest.raises(gr.Error) as excinfo:
        click("cell,0,0@1", CodesSession())
    assert "Encode first" in error_text(excinfo)
    with pytest.raises(gr.Error) as excinfo:
        codes.decode(CodesSession())
    assert "Nothing to decode yet" in error_text(excinfo)


def test_decode_renders_the_grid_again(encoded) -> None:
    session, outputs = encoded
    _, path, status = codes.decode(session)
    assert path != outputs[4] and sf.info(path).frames == session.encoded.num_samples
    assert "Decoded the grid of tone.wav" in status


def test_scratch_files_are_pruned_and_removed_with_the_session(encoded) -> None:
    session, _ = encoded
    paths = [click(f"cell,0,0@{n}", session)[1] for n in range(SCRATCH_KEEP + 2)]
    assert [Path(p).exists() for p in paths] == [False, False, True, True]
    end_codes_session(session)
    assert not any(Path(p).exists() for p in paths)


def test_session_model_reloads_only_when_the_file_changes(model: Path) -> None:
    session = CodesSession()
    first = session_model(session, str(model))
    assert session_model(session, str(model)) is first
    update_metadata(model, level_labels=["A", "B", "C"])  # another writer changed the file
    assert session_model(session, str(model)) is not first
    kept = session.loaded
    model.unlink()  # a model in use keeps working for its grid
    assert session_model(session, str(model)) is kept


# --- Level labels ----------------------------------------------------------------------------


def test_parse_labels_wants_one_short_label_per_level() -> None:
    assert labels.parse_labels(" Big , Mid,Small ", 3) == ["Big", "Mid", "Small"]
    for text in ("A, B", "A, , C", None):
        with pytest.raises(ValueError, match="exactly 3 non-empty labels"):
            labels.parse_labels(text, 3)
    with pytest.raises(ValueError, match="too long"):
        labels.parse_labels("A, B, " + "x" * 40, 3)


def test_renamed_labels_are_saved_with_the_model_and_redraw_its_grid(encoded, model: Path) -> None:
    session, _ = encoded
    _, grid, text, status = labels.apply_labels("Shape, Colour, Grain", str(model), session)
    assert "Shape" in grid and "Structure" not in grid
    assert text == "Shape, Colour, Grain" and "saved in tiny.distill" in status
    assert read_model_info(model).metadata.level_labels == ["Shape", "Colour", "Grain"]
    assert labels.show_model_labels(str(model), CodesSession()) == "Shape, Colour, Grain"
    *_, note = click("cell,1,0@1", session)  # clicks use the new name
    assert "“Colour”" in note


def test_read_only_model_labels_live_in_the_session(
    distill_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = make_tiny_model_file(distill_home / "bundled" / "demo.distill")
    monkeypatch.setattr(persistence, "DEMO_MODEL_PATH", demo.resolve())
    before = demo.read_bytes()
    session = CodesSession()
    _, grid, _, status = labels.apply_labels("One, Two, Three", str(demo), session)
    assert "read-only" in status and grid == gr.skip()  # no grid of this model yet
    assert demo.read_bytes() == before
    assert labels.show_model_labels(str(demo), session) == "One, Two, Three"
    assert labels.show_model_labels(str(demo), CodesSession()) == "Structure, Timbre, Detail"


def test_label_errors_are_messages(model: Path) -> None:
    with pytest.raises(gr.Error) as excinfo:
        labels.apply_labels("A, B", None, CodesSession())
    assert "Choose a model first" in error_text(excinfo)
    with pytest.raises(gr.Error) as excinfo:
        labels.apply_labels("A, B", str(model), CodesSession())
    assert "exactly 3" in error_text(excinfo)


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


def test_loss_history_keeps_each_validation_once() -> None:
    history = train.LossHistory()
    history.add(progress(0, math.nan, None, "loading"))
    history.add(progress(1, 2.0, None))
    history.add(progress(2, 1.5, 1.8, "saving"))
    history.add(progress(3, 1.4, 1.8))  # repeats the last validation: not a new point
    history.add(progress(4, 1.3, math.nan))
    assert history.points == [
        (1, 2.0, "training"),
        (2, 1.8, "validation"),
        (3, 1.4, "training"),
        (4, 1.3, "training"),
    ]
    for step in range(5, 2000):
        history.add(progress(step, 1.0, 1.0 + (step // 100) * 1e-3))  # new every 100
    assert len(history.points) <= train.MAX_CHART_POINTS + 25
    assert sum(1 for p in history.points if p[2] == "validation") == 21
    assert train.LossHistory().frame() is None


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


# --- Library tab -----------------------------------------------------------------------------


def test_library_lists_models_and_unreadable_files(model: Path) -> None:
    (model.parent / "junk.distill").write_bytes(b"junk")
    update_metadata(model, dataset={"num_files": 7, "total_duration_s": 90.0})
    demo, *mine = library.library_table().to_dict("records")
    assert demo["Model"] == "demo (bundled example)" and demo["Files trained on"] == 36
    assert mine == [
        {
            "Model": "tiny",
            "Levels": 3,
            "Codes per level": 16,
            "Files trained on": 7,
            "Audio (min)": 1.5,
            "Codebook use per level": "not measured",
            "Created": read_model_info(model).metadata.created_at[:16].replace("T", " "),
            "Size (MB)": round(model.stat().st_size / 1e6, 1),
        }
    ]
    assert "junk.distill" in library.library_note()


def test_library_rename_delete_open(model: Path) -> None:
    make_tiny_model_file(model.parent / "other.distill")
    *_, status = library.rename(str(model), "renamed")
    assert "Renamed 'tiny' to 'renamed'" in status
    renamed = model.with_name("renamed.distill")
    assert renamed.exists() and not model.exists()
    with pytest.raises(gr.Error) as excinfo:
        library.rename(str(renamed), "other")
    assert "already exists" in error_text(excinfo)

    row, question = library.ask_delete(str(renamed))
    assert row.visible is True and "renamed" in question and renamed.exists()
    *_, hidden, status = library.confirm_delete(str(renamed))
    assert hidden.visible is False and not renamed.exists() and "Deleted 'renamed'" in status

    other = str(model.parent / "other.distill")
    dropdown, tabs = library.open_in_codes(other)
    assert dropdown.value == other and tabs.selected == library.CODES_TAB_ID


def test_read_only_models_cannot_be_deleted(
    distill_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = make_tiny_model_file(distill_home / "models" / "locked.distill")
    update_metadata(locked, read_only=True)
    with pytest.raises(gr.Error) as excinfo:
        library.ask_delete(str(locked))
    assert "read-only" in error_text(excinfo)
    assert "read-only" in library.model_details(str(locked))


def test_health_text_summarises_each_level() -> None:
    info = persistence.ModelInfo(
        Path("x.distill"),
        ModelMetadata(name="x"),
        {},
        {},
        {"levels": [{"utilisation": 0.5}, {"utilisation": 0.125}], "warnings": ["low use"]},
        0,
    )
    assert library.health_text(info) == "50% · 12% (1 warning)"


# --- App and CLI -----------------------------------------------------------------------------


def test_importing_the_ui_and_cli_starts_nothing() -> None:
    code = (
        "import sys, distill.ui, distill.ui.app, distill.cli; "
        "assert 'gradio' not in sys.modules, 'gradio imported'; print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_build_app_is_offline_and_does_not_launch(
    model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distill.ui.app import build_app
    from distill.ui.assets import build_theme

    monkeypatch.delenv("GRADIO_ANALYTICS_ENABLED", raising=False)
    app = build_app()
    assert isinstance(app, gr.Blocks) and not app.is_running
    import os

    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    theme = build_theme()
    fonts = [*theme._font, *theme._font_mono]
    assert not any(isinstance(font, gr.themes.GoogleFont) for font in fonts)


def test_cli_ui_checks_its_port() -> None:
    from distill.cli import app

    result = CliRunner().invoke(app, ["ui", "--port", "70000"])
    assert result.exit_code == 1 and "--port must be between 1 and 65535" in result.output
    help_text = CliRunner().invoke(app, ["ui", "--help"]).output
    assert "--open-browser" in help_text and "--host" in help_text


def test_errors_become_escaped_one_line_messages() -> None:
    from distill.ui.handlers_common import as_gradio_error, ui_errors

    assert as_gradio_error(ValueError("bad <b>name</b> & co")).message == (
        "bad &lt;b&gt;name&lt;/b&gt; &amp; co"
    )

    @ui_errors
    def explode() -> None:
        raise RuntimeError("boom")

    with pytest.raises(gr.Error) as excinfo:
        explode()
    assert error_text(excinfo).startswith("Something unexpected went wrong (RuntimeError: boom)")

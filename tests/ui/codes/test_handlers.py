"""The Codes tab's handlers as plain functions (no browser): encode, clicks, labels."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
import soundfile as sf
from tests.helpers import error_text, make_tiny_model_file, synth_tone

from distill.models import persistence
from distill.models.library import update_metadata
from distill.models.persistence import read_model_info
from distill.ui.codes import handlers as codes
from distill.ui.codes import labels
from distill.ui.codes.session import (
    SCRATCH_KEEP,
    CodesSession,
    end_codes_session,
    session_model,
)


@pytest.fixture
def encoded(model: Path, tone_file: Path) -> Iterator[tuple[CodesSession, tuple]]:
    session = CodesSession()
    yield session, codes.encode(str(model), str(tone_file), session)
    end_codes_session(session)


# --- Codes tab -------------------------------------------------------------------------------


def click(payload: str, session: CodesSession) -> tuple:
    """The last update a grid click streams (rows first say that they are working)."""
    return list(codes.grid_click(payload, session))[-1]


def test_encode_draws_the_grid_then_the_reconstruction_follows(encoded, tone_file: Path) -> None:
    session, (same, grid, summary, original, reconstruction, label_text, *rest) = encoded
    unedited, status = rest[1], rest[-1]
    assert same is session and session.open_file is not None
    columns = session.open_file.grid.num_columns
    assert grid.count('class="cg-row"') == 3 and grid.count('class="cg-col"') == columns
    assert f"{columns} columns × 3 levels" in summary and "tone.wav" in summary
    assert original == str(tone_file)
    assert label_text == "Structure, Timbre, Detail"
    assert "Click a cell" in status
    # The grid comes with the original's spectrogram; the reconstruction is decoded after.
    assert reconstruction is None and unedited is None
    assert grid.count('<img class="cg-pic"') == 1 and "Decoding the reconstruction" in grid

    grid, reconstruction, unedited, status = codes.decode_reconstruction(session)
    assert unedited == reconstruction
    assert sf.info(reconstruction).frames == session.open_file.grid.num_samples
    assert sf.info(reconstruction).samplerate == 48000
    assert grid.count('<img class="cg-pic"') == 3 and "Decoding the reconstruction" not in grid
    assert "Reconstruction of tone.wav ready" in status


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
    code = int(session.open_file.grid.codes[0, 4, 1])
    _, preview, row_audio, *grids, status = click("cell,1,4@17", session)
    assert grids == [gr.skip()] * 3  # a click plays; the grids and history stay as they are
    assert "level 2 “Timbre”, column 4 at" in status and f"code {code}:" in status
    assert sf.info(preview).duration == pytest.approx(1.0, abs=0.1)
    assert row_audio == gr.skip()
    _, again, *_ = click("cell,1,4@18", session)
    assert again != preview, "the same cell twice must give a new file, so the player replays"


def test_column_and_row_clicks(encoded) -> None:
    session, _ = encoded
    column = [str(int(c)) for c in session.open_file.grid.codes[0, 2].tolist()]
    _, preview, *_, status = click("col,2@5", session)
    assert "column 2 at" in status and ", ".join(column) in status
    assert sf.info(preview).frames > 0
    working, done = codes.grid_click("row,2@6", session)
    assert "Decoding level 3 “Detail” alone" in working[-1]  # says so before the slow part
    _, preview, row_audio, *_, status = done
    assert preview == gr.skip() and "level 3 “Detail”" in status
    assert sf.info(row_audio).frames == session.open_file.grid.num_samples


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("cell,7,0@1", "which has levels 1-3"),
        ("col,99999@1", "columns"),
        ("oops", "not of the form"),
    ],
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
    session, _ = encoded
    _, first, _ = codes.decode_reconstruction(session)[:3]
    _, path, status, grid = codes.decode(session)
    assert path != first and sf.info(path).frames == session.open_file.grid.num_samples
    assert "Decoded the grid of tone.wav" in status
    assert grid.count('<img class="cg-pic"') == 3  # its spectrogram is drawn over the grid


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


def test_a_model_replaced_under_the_page_is_said_not_used(
    encoded, model: Path, tone_file: Path, tmp_path: Path
) -> None:
    session, _ = encoded
    other = make_tiny_model_file(tmp_path / "elsewhere" / "tiny.distill", seed=7)
    os.replace(other, model)  # the CLI (or someone by hand) put other weights in its place
    for payload in ("cell,0,0@1", "col,3@2", "row,1@3"):
        with pytest.raises(gr.Error) as excinfo:
            click(payload, session)
        assert error_text(excinfo) == (
            "The model 'tiny' was replaced on disk since this grid was encoded (its weights "
            "changed), so the grid's codes no longer mean what they did: press Encode to "
            "encode the file again with the new model."
        )
    with pytest.raises(gr.Error, match="replaced on disk"):
        codes.decode(session)
    codes.encode(str(model), str(tone_file), session)  # a new encode takes the new weights
    assert len(click("cell,0,0@4", session)) == 7


def test_a_model_deleted_under_the_page_keeps_its_grid_and_is_said(
    encoded, model: Path, tone_file: Path
) -> None:
    session, _ = encoded
    model.unlink()
    assert len(click("cell,0,0@1", session)) == 7  # the weights that made this grid
    with pytest.raises(gr.Error) as excinfo:
        codes.encode(str(model), str(tone_file), session)
    assert error_text(excinfo) == (
        "The model file tiny.distill is no longer there (deleted or renamed outside this "
        "page); the model list is refreshed: choose a model and press Encode."
    )
    assert "No such file" not in error_text(excinfo)


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


@pytest.mark.parametrize("seconds", [1 / 48000, 1.0, 1.5])
def test_summary_and_notes_use_the_models_time_axis(
    model: Path, tmp_path: Path, seconds: float
) -> None:
    """A 1-sample file once said '96000.0 columns/s (0 ms each)' and a 1-s file '24.0
    columns/s'; every length says the model's rate, and column p starts at p x 42.7 ms."""
    path = tmp_path / "short.wav"
    samples = max(1, round(seconds * 48000))
    sf.write(path, synth_tone(1.0)[:samples], 48000, subtype="FLOAT")
    session = CodesSession()
    _, _, summary, *_ = codes.encode(str(model), str(path), session)
    assert "23.4 columns/s (43 ms each)" in summary
    last = session.open_file.grid.num_columns - 1
    status = click(f"col,{last}", session)[-1]
    assert f"column {last} at {last * 2048 / 48000:.2f} s" in status
    end_codes_session(session)

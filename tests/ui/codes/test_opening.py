"""Opening files in the Codes tab as plain functions (no browser): encode answers with an
OpenView, the reconstruction follows, Decode hears the grid as it is, exports, labels, and
model files changed under the page."""

from __future__ import annotations

import dataclasses
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import gradio as gr
import numpy as np
import pytest
import soundfile as sf
from tests.helpers import make_tiny_model_file, synth_tone, write_tone

from distill import files
from distill.inference import read_codes_json
from distill.models.persistence import read_model_info
from distill.ui.codes import edits, labels, opening
from distill.ui.codes.session import CodesSession, end_codes_session
from distill.ui.codes.views import KEEP, OpenView, Player, bind, updates
from distill.ui.common import SCRATCH_FOLDER


@pytest.fixture
def session() -> Iterator[CodesSession]:
    session = CodesSession()
    yield session
    end_codes_session(session)


@pytest.fixture
def encoded(model: Path, tone_file: Path, session: CodesSession) -> OpenView:
    return opening.encode(str(model), str(tone_file), session)


def test_encode_draws_the_grid_then_the_reconstruction_follows(
    encoded: OpenView, session: CodesSession, tone_file: Path
) -> None:
    state = session.state
    assert state.a is not None and state.editor is not None and state.b is None
    columns = state.editor.grids.a.num_columns
    grid = encoded.grid_a
    assert grid.count('class="cg-row"') == 3 and grid.count('class="cg-col"') == columns
    assert f"{columns} columns × 3 levels" in grid and "tone.wav" in grid  # the heading
    assert encoded.original == Player(str(tone_file), "Original")
    assert encoded.labels == "Structure, Timbre, Detail" and encoded.levels == 3
    assert "Click a cell" in encoded.status and "No edits yet." in encoded.toolbar
    assert encoded.exported is None  # the previous file's export is cleared
    # The grid comes with the original's spectrogram; the reconstruction is decoded after.
    assert encoded.reconstruction is None and encoded.unedited is None
    assert grid.count('<img class="cg-pic"') == 1 and "Decoding the reconstruction" in grid
    assert "put one in the B box" in encoded.grid_b

    decoded = opening.decode_reconstruction(session)
    assert decoded is not None and decoded.unedited == decoded.reconstruction
    assert isinstance(decoded.reconstruction, str)
    assert sf.info(decoded.reconstruction).frames == state.editor.grids.a.num_samples
    assert decoded.grid_a.count('<img class="cg-pic"') == 3  # type: ignore[union-attr]
    assert "Reconstruction of tone.wav ready" in decoded.status
    assert opening.decode_reconstruction(session) is None  # done once: nothing again


def test_b_is_encoded_beside_a_with_its_name_and_spectrogram(
    model: Path, tmp_path: Path, session: CodesSession
) -> None:
    a = write_tone(tmp_path / "alpha.wav", 2.0, 220.0)
    b = write_tone(tmp_path / "beta.wav", 1.5, 660.0)
    view = opening.encode(str(model), str(a), session, str(b))
    assert "B · beta.wav" in view.grid_b and 'id="codes-summary-b"' in view.grid_b
    assert view.grid_b.count('<img class="cg-pic"') == 1  # B's own spectrogram
    assert "Swap or Blend with B" in view.status


@pytest.mark.parametrize(
    ("model_given", "audio_given", "message"),
    [(False, True, "Choose a model first"), (True, False, "Upload an audio file first")],
)
def test_encode_needs_a_model_and_a_file(
    model: Path, tone_file: Path, model_given: bool, audio_given: bool, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        opening.encode(
            str(model) if model_given else None,
            str(tone_file) if audio_given else None,
            CodesSession(),
        )


def test_a_failure_is_a_message_never_an_error_left_on_the_outputs(
    model: Path, tmp_path: Path
) -> None:
    """Bound for Gradio, a failing handler answers with the status line alone (a warning
    toast says it too): no gr.Error, so no red 'Error' mark stays on the grid or players."""
    notes = tmp_path / "notes.wav"
    notes.write_text("not audio")
    status, grid = gr.Markdown(), gr.HTML()
    run = bind(opening.encode, {"status": status, "grid_a": grid})
    answer = run(str(model), str(notes), CodesSession())
    assert list(answer) == [status] and "notes.wav' is not an audio file" in answer[status]

    huge = tmp_path / "huge.wav"  # 31 minutes at 1 kHz: too long, yet only 3.7 MB
    sf.write(huge, np.zeros(31 * 60 * 1000, dtype=np.int16), 1000, subtype="PCM_16")
    answer = run(str(model), str(huge), CodesSession())
    assert "huge.wav" in answer[status] and "Traceback" not in answer[status]

    broken = tmp_path / "broken.distill"
    broken.write_bytes(b"\x00garbage" * 100)
    answer = run(str(broken), str(notes), CodesSession())
    assert "broken.distill is not a readable Distill model file" in answer[status]


def test_views_update_only_their_fields_that_change() -> None:
    grid, status = gr.HTML(), gr.Markdown()
    view = opening.DecodeView(grid_a=KEEP, reconstruction=KEEP, status="done")
    assert updates(view, {"grid_a": grid, "status": status}) == {status: "done"}


def test_decode_hears_the_grid_as_it_is_now(encoded: OpenView, session: CodesSession) -> None:
    first = opening.decode_reconstruction(session)
    assert first is not None
    session.update(lambda s: dataclasses.replace(s, editor=edits.toggle_mute(s.editor, 1).editor))
    view = opening.decode(session)
    assert isinstance(view.reconstruction, str) and view.reconstruction != first.reconstruction
    assert "levels left out: 2" in view.status
    assert view.grid_a.count('<img class="cg-pic"') == 3  # type: ignore[union-attr]


def test_nothing_to_decode_or_export_says_what_to_do() -> None:
    with pytest.raises(ValueError, match="Nothing to decode yet"):
        opening.decode(CodesSession())
    with pytest.raises(ValueError, match="Nothing to export yet"):
        opening.export_audio(CodesSession(), "FLAC")


def test_exports_audio_24_bit_flac_and_codes_with_the_edits(
    model: Path, tmp_path: Path, session: CodesSession
) -> None:
    opening.encode(str(model), str(write_tone(tmp_path / "a.wav", 2.0, 220.0)), session)
    before = opening.export_audio(session, "WAV (24-bit)")
    assert before.exported.endswith("/a.wav")  # not edited yet: the file's own name
    session.update(
        lambda s: dataclasses.replace(s, editor=edits.set_cell(s.editor, "a", 0, 1, 3).editor)
    )
    wav = opening.export_audio(session, "WAV (24-bit)").exported
    assert wav.endswith("a-edited.wav") and sf.info(wav).subtype == "PCM_24"
    assert sf.info(opening.export_audio(session, "FLAC").exported).format == "FLAC"
    document = read_codes_json(opening.export_codes(session).exported, model_path=model)
    assert document.grid.operations == ("set level 1 column 1 to code 3",)
    assert int(document.grid.codes[0, 1, 0]) == 3


def test_a_full_disk_at_export_is_one_plain_message_and_leaves_nothing(
    encoded: OpenView, session: CodesSession, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "system-temp").mkdir()  # a system temp folder always exists
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "system-temp"))
    scratch = tmp_path / "system-temp" / SCRATCH_FOLDER

    def disk_full(handle: BinaryIO, data: bytes) -> None:
        handle.write(data[:10])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "_write_all", disk_full)
    status = gr.Markdown()
    for answer in (
        bind(opening.export_audio, {"status": status})(session, "FLAC"),
        bind(opening.export_codes, {"status": status})(session),
    ):
        message = answer[status]
        assert message.startswith(f"Could not write {scratch}/distill-export-")
        assert message.endswith(
            ": the disk is full (no space left on device). Free some space or choose another "
            "folder."
        )
    assert list(scratch.iterdir()) == []  # no partial file, no empty export folder


def test_a_model_replaced_under_the_page_is_said_not_used(
    encoded: OpenView, session: CodesSession, model: Path, tone_file: Path, tmp_path: Path
) -> None:
    other = make_tiny_model_file(tmp_path / "elsewhere" / "tiny.distill", seed=7)
    os.replace(other, model)  # the CLI (or someone by hand) put other weights in its place
    with pytest.raises(ValueError, match="was replaced on disk since this grid was encoded"):
        opening.decode(session)
    opening.encode(str(model), str(tone_file), session)  # a new encode takes the new weights
    assert opening.decode(session).reconstruction


def test_a_model_deleted_under_the_page_keeps_its_grid_and_is_said(
    encoded: OpenView, session: CodesSession, model: Path, tone_file: Path
) -> None:
    model.unlink()
    assert opening.decode(session).reconstruction  # the weights that made this grid
    with pytest.raises(ValueError) as excinfo:
        opening.encode(str(model), str(tone_file), session)
    assert str(excinfo.value) == (
        "The model file tiny.distill is no longer there (deleted or renamed outside this "
        "page); the model list is refreshed: choose a model and press Encode."
    )


def test_a_page_that_left_stops_its_work(model: Path, tone_file: Path) -> None:
    """A reload mid-encode: the jobs its page started stop at their next step instead of
    finishing for nobody; the session itself goes on (a connection may only blink)."""
    session = CodesSession()
    run = bind(opening.encode, {"status": gr.Markdown()})

    def leaves(done: float, desc: str = "") -> None:
        session.leave()  # the page reloads while its file is being encoded

    answer = run(str(model), str(tone_file), session, None, leaves)  # stopped: no change
    assert list(answer.values()) == [gr.update()]  # one output told "as it is", no others
    assert session.state.a is None and session.running == 0
    assert run(str(model), str(tone_file), session)  # a new job runs as usual


# --- Level labels ----------------------------------------------------------------------------


def test_parse_labels_wants_one_short_label_per_level() -> None:
    assert labels.parse_labels(" Big , Mid,Small ", 3) == ["Big", "Mid", "Small"]
    for text in ("A, B", "A, , C", None):
        with pytest.raises(ValueError, match="exactly 3 non-empty labels"):
            labels.parse_labels(text, 3)
    with pytest.raises(ValueError, match="too long"):
        labels.parse_labels("A, B, " + "x" * 40, 3)


def test_renamed_labels_are_saved_with_the_model_and_redraw_its_grid(
    encoded: OpenView, session: CodesSession, model: Path
) -> None:
    view = labels.apply_labels("Shape, Colour, Grain", str(model), session)
    assert isinstance(view.grid_a, str) and "Shape" in view.grid_a
    assert "Structure" not in view.grid_a
    assert view.labels == "Shape, Colour, Grain" and "saved in tiny.distill" in view.status
    assert read_model_info(model).metadata.level_labels == ["Shape", "Colour", "Grain"]
    assert labels.show_model_labels(str(model), CodesSession()) == "Shape, Colour, Grain"
    assert session.state.editor is not None
    assert session.state.editor.grids.a.level_labels[1] == "Colour"


def test_read_only_model_labels_live_in_the_session(
    distill_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distill.models import persistence

    demo = make_tiny_model_file(distill_home / "bundled" / "demo.distill")
    monkeypatch.setattr(persistence, "DEMO_MODEL_PATH", demo.resolve())
    before = demo.read_bytes()
    session = CodesSession()
    view = labels.apply_labels("One, Two, Three", str(demo), session)
    assert "read-only" in view.status and view.grid_a is KEEP  # no grid of this model yet
    assert demo.read_bytes() == before
    assert labels.show_model_labels(str(demo), session) == "One, Two, Three"
    assert labels.show_model_labels(str(demo), CodesSession()) == "Structure, Timbre, Detail"


def test_label_errors_are_messages(model: Path) -> None:
    with pytest.raises(ValueError, match="Choose a model first"):
        labels.apply_labels("A, B", None, CodesSession())
    with pytest.raises(ValueError, match="exactly 3"):
        labels.apply_labels("A, B", str(model), CodesSession())


@pytest.mark.parametrize("seconds", [1 / 48000, 1.0, 1.5])
def test_the_heading_uses_the_models_time_axis(model: Path, tmp_path: Path, seconds: float) -> None:
    """A 1-sample file once said '96000.0 columns/s (0 ms each)' and a 1-s file '24.0
    columns/s'; every length says the model's rate."""
    path = tmp_path / "short.wav"
    samples = max(1, round(seconds * 48000))
    sf.write(path, synth_tone(1.0)[:samples], 48000, subtype="FLOAT")
    session = CodesSession()
    view = opening.encode(str(model), str(path), session)
    assert "23.4 columns/s (43 ms each)" in view.grid_a
    end_codes_session(session)

"""The editor's handlers as plain functions (no browser): type, select, swap, blend, undo,
listen, export, on two real files encoded by a tiny real model."""

from __future__ import annotations

import errno
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import gradio as gr
import pytest
import soundfile as sf
import torch
from tests.helpers import error_text, write_tone

from distill import files
from distill.inference import read_codes_json
from distill.ui.codes import editor
from distill.ui.codes import handlers as codes
from distill.ui.codes.session import CodesSession, end_codes_session
from distill.ui.common import SCRATCH_FOLDER


@pytest.fixture
def two(model: Path, tmp_path: Path) -> Iterator[CodesSession]:
    """A (2 s) and B (1.5 s) encoded together: a fresh history."""
    a = write_tone(tmp_path / "a.wav", 2.0, 220.0)
    b = write_tone(tmp_path / "b.wav", 1.5, 660.0)
    session = CodesSession()
    codes.encode(str(model), str(a), session, str(b))
    yield session
    end_codes_session(session)


def gesture(payload: str, session: CodesSession) -> tuple:
    return list(codes.grid_click(payload, session))[-1]


def grids(session: CodesSession) -> tuple[torch.Tensor, torch.Tensor]:
    assert session.open_file is not None and session.other_file is not None
    return session.open_file.grid.codes.clone(), session.other_file.grid.codes.clone()


def test_typed_codes_are_checked_marked_and_undone(two: CodesSession) -> None:
    before, _ = grids(two)
    update = gesture("set,1,4,7@1", two)
    a_html, history, status = update[3], update[5], update[6]
    assert int(two.open_file.grid.codes[0, 4, 1]) == 7
    assert "Set level 2, column 4 of A to code 7" in status and history == "Edit 1 of 1"
    assert 'class="code-cell edited flash c7" data-p="4">7</i>' in a_html
    with pytest.raises(Exception) as excinfo:  # gr.Error: a toast, the grid unchanged
        gesture("set,1,4,16@2", two)
    assert "0 to 15" in error_text(excinfo)
    editor.undo(two)
    assert torch.equal(two.open_file.grid.codes, before)
    editor.redo(two)
    assert int(two.open_file.grid.codes[0, 4, 1]) == 7


def test_select_then_swap_exchanges_the_region_and_undo_restores_both(two) -> None:
    a0, b0 = grids(two)
    gesture("select,2,10,0,3@1", two)  # corners in any order
    assert two.selection is not None and two.selection[1].levels == (0, 2)
    _, a_html, b_html, history, _ = editor.swap(two, "5")
    a1, b1 = grids(two)
    assert torch.equal(a1[0, 3:11, 0:3], b0[0, 5:13, 0:3])
    assert torch.equal(b1[0, 5:13, 0:3], a0[0, 3:11, 0:3])
    assert torch.equal(a1[0, :3], a0[0, :3]) and torch.equal(a1[0, 11:], a0[0, 11:])
    assert "flash" in a_html and "flash" in b_html and history == "Edit 1 of 1"
    editor.undo(two)
    a2, b2 = grids(two)
    assert torch.equal(a2, a0) and torch.equal(b2, b0)


def test_a_region_that_does_not_fit_b_is_refused(two) -> None:
    gesture("select,0,0,2,20@1", two)  # 21 columns; B has 36
    with pytest.raises(Exception) as excinfo:
        editor.swap(two, "30")
    assert "do not fit in B from column 30" in error_text(excinfo)
    assert "latest start is column 15" in error_text(excinfo)


def test_blend_slider_previews_then_commits_one_step(two) -> None:
    a0, b0 = grids(two)
    gesture("select,0,2,2,12@1", two)
    editor.blend_preview(two, 0.4, False)
    editor.blend_preview(two, 1.0, False)
    assert two.history is not None and two.history.length == 0  # previews are not steps
    _, a_html, _, history, _ = editor.blend_commit(two, 1.0, False)
    a1, _ = grids(two)
    assert torch.equal(a1[0, 2:13], b0[0, 2:13])  # blend 1 snaps to B's codes
    assert torch.equal(a1[0, :2], a0[0, :2])
    assert history == "Edit 1 of 1" and "blended" in a_html and "title=" in a_html
    # The slider's last move may arrive after its release: it must not undo the commit.
    _, a_late, _, history, status = editor.blend_preview(two, 1.0, False)
    assert a_late == gr.skip() and status == gr.skip() and history == "Edit 1 of 1"
    assert torch.equal(grids(two)[0], a1) and two.blend_base is None
    editor.blend_commit(two, 0.0, True)  # blend 0 of the whole grid: A as it was
    assert torch.equal(grids(two)[0], a1)


def test_listening_mutes_solos_and_first_levels_without_touching_codes(two, model) -> None:
    a0, _ = grids(two)
    gesture("mute,1@1", two)
    assert editor.heard_grid(two).codes[0, :, 1].eq(-1).all()
    gesture("solo,2@2", two)
    heard = editor.heard_grid(two).codes[0]
    assert heard[:, 2].ge(0).all() and heard[:, :2].eq(-1).all()
    gesture("solo,2@3", two)  # solo again: off
    editor.set_first_levels(two, 1)
    assert editor.heard_grid(two).codes[0, :, 1:].eq(-1).all()
    assert torch.equal(grids(two)[0], a0)  # listening never edits the codes
    _, path, status, _ = codes.decode(two)
    assert sf.info(path).frames == two.open_file.grid.num_samples
    assert "levels left out: 2, 3" in status


def test_exports_audio_24_bit_flac_and_codes_with_the_edits(two, model) -> None:
    gesture("set,0,1,3@1", two)
    _, wav, _ = editor.export_audio(two, "WAV (24-bit)")
    assert wav.endswith("a-edited.wav") and sf.info(wav).subtype == "PCM_24"
    _, flac, _ = editor.export_audio(two, "FLAC")
    assert sf.info(flac).format == "FLAC"
    _, path, _ = editor.export_codes(two)
    document = read_codes_json(path, model_path=model)
    assert document.grid.operations == ("set level 1 column 1 to code 3",)
    assert int(document.grid.codes[0, 1, 0]) == 3


def test_swap_at_the_same_column_by_default_and_typed_columns_are_checked(two) -> None:
    _, b0 = grids(two)
    gesture("select,0,4,1,9@1", two)
    editor.swap(two, "  ")  # empty: the selection's own column in the other file
    a1, _ = grids(two)
    assert torch.equal(a1[0, 4:10, 0:2], b0[0, 4:10, 0:2])
    with pytest.raises(Exception) as excinfo:
        editor.swap(two, "-3")
    assert "whole number from 0, got '-3'" in error_text(excinfo)


def test_swap_and_blend_need_b_and_a_selection(model: Path, tone_file: Path) -> None:
    session = CodesSession()
    codes.encode(str(model), str(tone_file), session)
    with pytest.raises(Exception) as excinfo:
        editor.swap(session, None)
    assert "second file" in error_text(excinfo)
    end_codes_session(session)


def test_a_full_disk_at_export_is_one_plain_message_and_leaves_nothing(
    two: CodesSession, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "system-temp").mkdir()  # a system temp folder always exists
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "system-temp"))
    scratch = tmp_path / "system-temp" / SCRATCH_FOLDER

    def disk_full(handle: BinaryIO, data: bytes) -> None:
        handle.write(data[:10])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "_write_all", disk_full)
    for export in (lambda: editor.export_audio(two, "FLAC"), lambda: editor.export_codes(two)):
        with pytest.raises(gr.Error) as excinfo:
            export()
        message = error_text(excinfo)
        assert message.startswith(f"Could not write {scratch}/distill-export-")
        assert message.endswith(
            ": the disk is full (no space left on device). Free some space or choose another "
            "folder."
        )
    with pytest.raises(gr.Error, match="the disk is full"):
        list(codes.grid_click("cell,0,0@1", two))  # a click's preview is written the same way
    assert list(scratch.iterdir()) == []  # no partial file, no empty export folder

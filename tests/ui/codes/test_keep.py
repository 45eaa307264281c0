"""Keeping work without a browser: a session saved and opened again is the same session
(grids, history, undo and redo after opening, labels, selection, what is heard); a session
whose model is gone or changed, a damaged, foreign or newer file each get their own message
and change nothing; autosave writes a page's work to its own file and offers it back."""

from __future__ import annotations

import io
import json
import shutil
import time
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from tests.helpers import make_tiny_model_file, run_cli, write_tone

from distill.editing import Region
from distill.ui.codes import autosave, edits, keep, opening
from distill.ui.codes.keep_format import SessionFileError
from distill.ui.codes.render import grid_html
from distill.ui.codes.session import CodesSession, end_codes_session
from distill.ui.codes.state import Editor


@pytest.fixture
def sessions() -> Iterator[list[CodesSession]]:
    made: list[CodesSession] = []
    yield made
    for session in made:
        end_codes_session(session)


def new_session(sessions: list[CodesSession]) -> CodesSession:
    session = CodesSession()
    sessions.append(session)
    return session


def gesture(session: CodesSession, make) -> None:  # type: ignore[no-untyped-def]
    """One editor gesture committed, as the fast path commits it."""
    session.update(lambda state: replace(state, editor=make(state.editor).editor))


@pytest.fixture
def worked(model: Path, tmp_path: Path, sessions: list[CodesSession]) -> CodesSession:
    """A and B encoded, then a typed code, a selection, a swap, a blend, an undo (so there is
    something to redo), a muted level and the first two levels heard."""
    a = write_tone(tmp_path / "alpha.wav", 1.0, 220.0)
    b = write_tone(tmp_path / "beta.wav", 1.0, 660.0)
    session = new_session(sessions)
    opening.encode(str(model), str(a), session, str(b))
    loaded = session.model(str(model))
    gesture(session, lambda e: edits.set_cell(e, "a", 1, 3, 5))
    gesture(session, lambda e: edits.select(e, "a", Region((0, 1), (2, 6))))
    gesture(session, lambda e: edits.swap(e, None))
    gesture(session, lambda e: edits.blend(e, loaded, "selection", 0.5, True))
    gesture(session, lambda e: edits.step(e, forward=False))
    gesture(session, lambda e: edits.toggle_mute(e, 2))
    gesture(session, lambda e: edits.first_levels(e, 2))
    return session


def same_history(one: Editor, other: Editor) -> None:
    assert one.history.index == other.history.index
    assert len(one.history.states) == len(other.history.states)
    for mine, theirs in zip(one.history.states, other.history.states, strict=True):
        assert mine.a == theirs.a and mine.b == theirs.b and mine.join == theirs.join
        assert mine.a.level_labels == theirs.a.level_labels
        assert (mine.blend is None) == (theirs.blend is None)
        if mine.blend is not None and theirs.blend is not None:
            assert mine.blend.amount == theirs.blend.amount
            assert mine.blend.region == theirs.blend.region
            assert mine.blend.base.a == theirs.blend.base.a
            np.testing.assert_array_equal(mine.blend.distances, theirs.blend.distances)


def test_a_saved_session_opens_as_it_was_and_its_history_goes_on(
    worked: CodesSession, sessions: list[CodesSession], tmp_path: Path
) -> None:
    saved = keep.save_session(worked)
    assert saved.exported.endswith("alpha.distill-session")
    assert "2 of 3 edits" in saved.status
    other = new_session(sessions)
    view = keep.open_session(saved.exported, other)
    before, after = worked.state, other.state
    assert before.editor is not None and after.editor is not None and after.a is not None
    same_history(before.editor, after.editor)
    assert after.a.encoded == before.a.encoded  # "edited" marks and "Before any edit"
    assert after.b is not None and after.b.name == "beta.wav"
    assert after.editor.selection == before.editor.selection
    assert after.editor.listening == before.editor.listening
    assert view.levels == keep.LevelsHeard(3, 2) and view.model.endswith("tiny.distill")
    assert "Edit 2 of 3" in view.toolbar and "2 edits (+1 undone)" in view.status
    assert view.original.path == str(tmp_path / "alpha.wav")  # still there: heard from it
    assert view.labels == "Structure, Timbre, Detail"
    # The grid is drawn with the same marks (edited cells, the selection, muted levels).
    for marked in ("edited", "in-selection", "cg-label muted"):
        assert grid_html(after, "a").count(marked) == grid_html(before, "a").count(marked)
    # Redo and undo carry on exactly as they would have in the saved page.
    for forward in (True, False, False):
        mine = edits.step(before.editor, forward).editor
        theirs = edits.step(after.editor, forward).editor
        assert mine.grids.a == theirs.grids.a and mine.grids.b == theirs.grids.b
        before = replace(before, editor=mine)
        after = replace(after, editor=theirs)
    decoded = opening.decode_reconstruction(other)  # the unedited reconstruction follows
    assert decoded is not None and decoded.unedited == decoded.reconstruction


def test_without_its_audio_file_a_session_is_heard_from_its_grid(
    worked: CodesSession, sessions: list[CodesSession], tmp_path: Path
) -> None:
    saved = keep.save_session(worked).exported
    (tmp_path / "alpha.wav").unlink()
    other = new_session(sessions)
    view = keep.open_session(saved, other)
    assert view.original.path is None and "not in the session" in view.original.label
    assert view.reconstruction is not None and view.unedited == view.reconstruction
    assert "decoded from A's grid" in view.status
    assert view.grid_a.count('<img class="cg-pic"') >= 2  # its picture, from the decode
    assert other.state.reconstructed and opening.decode_reconstruction(other) is None


def refused(session: CodesSession, path: Path | str, message: str) -> None:
    """Opening `path` is refused with `message`, and the page's state is left as it was."""
    before = session.state
    with pytest.raises(SessionFileError, match=message):
        keep.open_session(str(path), session)
    assert session.state is before


def test_a_changed_missing_or_renamed_model_is_said_plainly(
    worked: CodesSession, model: Path, sessions: list[CodesSession]
) -> None:
    saved = Path(keep.save_session(worked).exported)
    page = new_session(sessions)
    moved = model.with_name("renamed.distill")
    shutil.move(model, moved)  # renamed: found by its weights
    keep.open_session(str(saved), page)
    assert page.state.a is not None and page.state.a.model_path == str(moved)
    moved.unlink()
    refused(page, saved, "made with the model 'tiny', which is not in your models folder")
    make_tiny_model_file(model, seed=1)  # retrained: the same name, other weights
    refused(page, saved, "The model 'tiny' has changed since alpha.distill-session was saved")
    assert "has changed" in run_cli("session", "info", saved).output


def rewrite(path: Path, target: Path, change, members=None) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the session file at `target` with its document changed by `change` and
    the `members` given (name: bytes) in place of its own."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            data = (members or {}).get(item.filename) or source.read(item)
            if item.filename == "document.json":
                document = json.loads(data)
                change(document)
                data = json.dumps(document).encode()
            copy.writestr(item, data)
    return target


def test_damaged_foreign_and_newer_files_get_their_own_messages(
    worked: CodesSession, sessions: list[CodesSession], tmp_path: Path
) -> None:
    saved = Path(keep.save_session(worked).exported)
    page = new_session(sessions)
    cut = tmp_path / "cut.distill-session"
    cut.write_bytes(saved.read_bytes()[:200])
    refused(page, cut, "cut.distill-session is not a Distill session file: it is not a zip")
    refused(page, tmp_path / "alpha.wav", "alpha.wav is not a Distill session file")
    foreign = tmp_path / "foreign.zip"
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("readme.txt", "hello")
    refused(page, foreign, "foreign.zip is not a Distill session file .it holds no document")
    newer = rewrite(saved, tmp_path / "newer.distill-session", lambda d: d.update(version=9))
    refused(page, newer, "session format version 9; this Distill opens version 1")
    other = rewrite(saved, tmp_path / "other.zip", lambda d: d.update(format="something"))
    refused(page, other, 'is not a Distill session file .no "format"')
    bad_state = rewrite(
        saved, tmp_path / "bad.distill-session", lambda d: d["editor"].update(history=[0, 99])
    )
    refused(page, bad_state, "bad.distill-session is damaged: .*no state 99")
    buffer = io.BytesIO()
    np.save(buffer, np.full((1, 3, 3), 999, dtype=np.int16))
    codes = {"grids/0.npy": buffer.getvalue()}
    bad_code = rewrite(saved, tmp_path / "code.distill-session", lambda d: None, codes)
    refused(page, bad_code, "code.distill-session is damaged: .*outside 0 to 15")
    refused(page, tmp_path / "nothing.distill-session", "No Distill session file at")


def test_saving_needs_a_grid(sessions: list[CodesSession]) -> None:
    with pytest.raises(ValueError, match="Nothing to save yet"):
        keep.save_session(new_session(sessions))


def test_session_info_says_what_the_file_holds(worked: CodesSession) -> None:
    saved = keep.save_session(worked).exported
    result = run_cli("session", "info", saved)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "A: alpha.wav" in out and "B: beta.wav" in out and "columns × 3 levels" in out
    assert "History: Edit 2 of 3" in out and "Selection on A: levels 1-2, columns 2-6" in out
    assert "Heard: levels 3 left out" in out and "tiny.distill" in out
    bad = run_cli("session", "info", Path(saved).with_name("missing.distill-session"))
    assert bad.exit_code == 1 and "No Distill session file at" in bad.output
    # `distill ui --session` checks the file before it starts anything.
    refused = run_cli("ui", "--session", Path(saved).with_name("missing.distill-session"))
    assert refused.exit_code == 1 and "No Distill session file at" in refused.output


def test_autosave_writes_each_page_apart_and_offers_the_newest(
    worked: CodesSession, sessions: list[CodesSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(autosave, "DELAY_S", 0.05)
    keeps = autosave.Keeps()
    monkeypatch.setattr(autosave, "KEEPS", keeps)
    first = keeps.hello("page-1", worked, "tab-one-0123456789", [])
    assert first.offer is None  # nothing saved yet
    gesture(worked, lambda e: edits.set_cell(e, "a", 0, 0, 1))
    keeps.left("page-1")  # the page reloads: its last change is written now
    folder = autosave.autosave_folder()
    assert len(list(folder.glob("tab-one-0123456789.*.distill-session"))) == 1
    # The reloaded page (the same tab) is offered it; another tab of another browser is not.
    page = new_session(sessions)
    again = keeps.hello("page-2", page, "tab-one-0123456789", [])
    assert again.offer is not None and again.offer.text.startswith(
        "Restore your last session (A: alpha.wav, B: beta.wav, 3 edits, saved "
    )
    stranger = keeps.hello("page-3", new_session(sessions), "tab-two-0123456789", [])
    assert stranger.offer is None
    # A new tab of the same browser (it knows the first tab's id) is offered it too.
    sibling = keeps.hello("page-4", new_session(sessions), "", ["tab-one-0123456789", "../x"])
    assert sibling.offer is not None and len(sibling.tab) == 32  # a fresh id for itself
    view = autosave.restore_offered(page)  # Restore: as an opened session file
    assert page.state.editor is not None and "Edit 3 of 3" in view.toolbar
    assert page.state.editor.history.current.a == worked.state.editor.history.current.a
    with pytest.raises(ValueError, match="no saved session to restore"):
        autosave.restore_offered(page)  # offered once
    # `distill ui --session FILE`: the first page to open is offered that file, to open at once.
    started = Path(keep.save_session(worked).exported)
    keeps.start_with(started)
    first_page = keeps.hello("page-8", new_session(sessions), "tab-four-0123456789", [])
    assert first_page.offer is not None and first_page.offer.auto
    assert first_page.offer.path == str(started)
    later = keeps.hello("page-9", new_session(sessions), "tab-five-0123456789", [])
    assert later.offer is None  # only once
    # Each page saves to its own file; only the newest few stay.
    monkeypatch.setattr(autosave, "KEEP_SAVES", 2)
    for page_name in ("page-5", "page-6", "page-7"):
        fresh = new_session(sessions)
        keeps.hello(page_name, fresh, "tab-three-0123456789", [])
        fresh.update(lambda _: worked.state)
        time.sleep(0.3)  # the debounced save is written (and the oldest pruned)
    assert len(list(folder.glob("*.distill-session"))) == 2

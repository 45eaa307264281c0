"""The fast path over real HTTP on the real app: a page is served only with its own key,
previews are the codes' own sound as PCM, a level and the transport stream the whole span,
and edits answer with the cells that changed."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from tests.helpers import write_tone
from tests.ui.codes.fast_client import Page

from distill.inference import preview_code
from distill.ui.codes import opening
from distill.ui.codes.session import SESSIONS, CodesSession
from distill.ui.codes.sound import pcm16


@pytest.fixture
def page(server: str, model: Path, tmp_path: Path) -> Iterator[Page]:
    session = CodesSession()
    a = write_tone(tmp_path / "a.wav", 2.0, 220.0)
    b = write_tone(tmp_path / "b.wav", 1.5, 660.0)
    opening.encode(str(model), str(a), session, str(b))
    page = Page(server, f"page-{tmp_path.name}", session)
    yield page
    SESSIONS.end(page.name)


def test_a_page_is_served_only_with_its_own_key(page: Page, server: str) -> None:
    other = Page(server, "another-page", CodesSession())
    cell = {"kind": "cell", "level": 0, "column": 2}
    assert page.post("preview", cell)[0] == 200
    assert page.post("preview", cell, key=other.key)[0] == 403  # another session's key
    assert page.post("preview", cell, key="made-up")[0] == 403
    assert other.post("preview", cell, key=page.key)[0] == 403  # its key, another page
    status, _, data = page.post("edit", {"op": "undo"}, key="")
    assert status == 403 and b"reload the page" in data
    SESSIONS.end(other.name)
    assert other.post("edit", {"op": "undo"})[0] == 403  # a page that closed


def test_a_cell_preview_is_that_code_alone_as_pcm(page: Page) -> None:
    state = page.session.state
    assert state.editor is not None and page.session.models.entry is not None
    code = int(state.editor.grids.a.codes[0, 5, 1])
    status, headers, data = page.post("preview", {"kind": "cell", "level": 1, "column": 5})
    assert status == 200 and int(headers["X-Distill-Rate"]) == 48000
    expected = pcm16(preview_code(1, code, page.session.models.entry.loaded))
    assert data == expected and len(data) / 2 / 48000 == pytest.approx(1.0, abs=0.1)
    note = urllib.request.unquote(headers["X-Distill-Status"])
    assert "level 2 “Timbre”, column 5 at 0.21 s" in note and f"code {code}:" in note
    assert page.post("preview", {"kind": "cell", "level": 1, "column": 5})[2] == data
    status, _, data = page.post("preview", {"kind": "col", "column": 3, "side": "b"})
    assert status == 200 and len(data) > 0
    status, _, data = page.post("preview", {"kind": "cell", "level": 7, "column": 0})
    assert status == 422 and "Level 8 is not in this grid" in json.loads(data)["status"]


def test_a_level_and_the_transport_stream_the_whole_span(page: Page) -> None:
    state = page.session.state
    assert state.editor is not None
    grid = state.editor.grids.a
    status, headers, data = page.post("level", {"level": 0})
    assert status == 200 and len(data) == 2 * grid.num_samples == 2 * int(
        headers["X-Distill-Samples"]
    )
    assert np.abs(np.frombuffer(data, "<i2")).max() > 0
    page.edit(op="select", level=0, column=10, last_level=2, last_column=19)
    status, headers, data = page.post("play", {"range": "selection"})
    assert len(data) == 2 * 10 * 2048 and float(headers["X-Distill-Start"]) == pytest.approx(
        10 * 2048 / 48000
    )
    status, _, data = page.post("play", {"range": "file"})
    assert len(data) == 2 * grid.num_samples


def test_edits_answer_with_the_cells_that_changed(page: Page) -> None:
    state = page.session.state
    assert state.editor is not None
    version = state.editor.version
    old = int(state.editor.grids.a.codes[0, 4, 1])
    code = (old + 1) % 16
    answer = page.edit(op="set", level=1, column=4, code=code, version=version)
    assert answer["a"]["cells"] == [[1, 4, str(code), f"code-cell edited c{code}", "", 1]]
    assert answer["a"]["html"] is None and answer["b"]["cells"] == []
    assert answer["version"] == version + 1 and answer["toolbar"]["history"] == "Edit 1 of 1"
    undone = page.edit(op="undo", version=version + 1)
    assert undone["a"]["cells"] == [[1, 4, str(old), f"code-cell c{old}", "", 1]]
    assert undone["toolbar"]["can_redo"] and not undone["toolbar"]["can_undo"]
    # A page that missed an answer (another version) gets both grids drawn anew.
    redone = page.edit(op="redo", version=0)
    assert redone["a"]["cells"] is None and 'data-version="' in redone["a"]["html"]
    refused = page.edit(op="set", level=1, column=4, code=16, version=redone["version"])
    assert not refused["ok"] and "from 0 to 15" in refused["status"]
    assert page.session.state.editor.history.length == 1  # type: ignore[union-attr]


def test_a_blend_moves_without_steps_and_its_release_is_one(page: Page) -> None:
    editor = page.session.state.editor
    assert editor is not None
    a0 = editor.grids.a.codes.clone()
    moved = page.edit(op="blend", kind="whole", amount=0.7, version=editor.version)
    assert moved["toolbar"]["history"] == "No edits yet." and moved["toolbar"]["blend_whole"] == 0.7
    assert any("blended" in cell[3] for cell in moved["a"]["cells"])
    kept = page.edit(op="blend", kind="whole", amount=1.0, commit=True, version=moved["version"])
    assert kept["toolbar"]["history"] == "Edit 1 of 1"
    back = page.edit(op="blend", kind="whole", amount=0.0, commit=True, version=kept["version"])
    assert back["toolbar"]["blend_whole"] == 0.0 and back["toolbar"]["history"] == "Edit 2 of 2"
    assert page.session.state.editor.grids.a.codes.equal(a0)  # type: ignore[union-attr]
    muted = page.edit(op="solo", level=2, version=back["version"])
    assert [(level["level"], level["solo"]) for level in muted["levels"]] == [
        (0, False),
        (1, False),
        (2, True),
    ]
    assert muted["levels"][0]["cls"] == "quiet" and muted["levels"][2]["cls"] == "solo"

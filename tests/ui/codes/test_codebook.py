"""The palette's routes over real HTTP on the real app: a level's codebook as the page draws
it, a swatch heard as that code's own preview, where a code lives, a moment heard, a swatch
put on the grid (one cell, or the selected columns of its level), an edit heard again as it
was before, and the previews made ahead once a palette is shown."""

from __future__ import annotations

import base64
import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from tests.helpers import write_tone
from tests.ui.codes.fast_client import Page

from distill.inference import preview_code
from distill.inference.palette import kept_grid
from distill.models.persistence import DEMO_MODEL_PATH, load_model
from distill.ui.codes import moments, opening
from distill.ui.codes.session import SESSIONS, CodesSession
from distill.ui.codes.sound import CLIPS, code_key, pcm16
from distill.ui.codes.warm import WARMER, warm_order


@pytest.fixture
def page(server: str, prior_model_file: Path, tmp_path: Path) -> Iterator[Page]:
    session = CodesSession()
    a = write_tone(tmp_path / "a.wav", 2.0, 220.0)
    opening.encode(str(prior_model_file), str(a), session)
    page = Page(server, f"page-{tmp_path.name}", session)
    yield page
    SESSIONS.end(page.name)


def ask(page: Page, path: str, body: dict) -> dict:
    status, _, data = page.post(path, body)
    answer = json.loads(data)
    assert status == (200 if answer["ok"] else 422), answer
    return answer


def test_a_levels_palette_is_every_code_with_its_use_colour_and_thumbnail(
    page: Page, prior_model_file: Path
) -> None:
    shown = ask(page, "palette", {"level": 1})
    prior = load_model(prior_model_file).trained_prior
    assert prior is not None
    uses = np.bincount(prior.grids[:, 1].numpy(), minlength=16).tolist()
    assert shown["level"] == 1 and shown["size"] == 16 and shown["levels"] == 3
    assert shown["uses"] == uses and sorted(shown["order"]) == list(range(16))
    assert [uses[c] for c in shown["order"]] == sorted(uses, reverse=True)
    assert len(set(shown["colours"])) == 16  # no two codes share a colour
    thumbs = base64.b64decode(shown["thumbs"])
    assert len(thumbs) == 16 * shown["bands"] * shown["frames"]
    assert shown["label"] == "Timbre"  # the level's own name
    refused = ask(page, "palette", {"level": 5})
    assert "Level 6 is not" in refused["status"]


def test_a_swatch_is_heard_as_that_codes_own_preview(page: Page) -> None:
    status, headers, data = page.post("code", {"level": 2, "code": 7})
    assert status == 200 and int(headers["X-Distill-Rate"]) == 48000
    entry = page.session.models.entry
    assert entry is not None
    assert data == pcm16(preview_code(2, 7, entry.loaded))
    note = urllib.request.unquote(headers["X-Distill-Status"])
    assert note.startswith("Code 7 of") and "(level 3)" in note
    assert ask(page, "code", {"level": 0, "code": 16})["ok"] is False


def test_where_a_code_lives_and_a_moment_heard(page: Page) -> None:
    found = ask(page, "places", {"level": 0, "code": 3})
    assert found["total"] >= sum(count for _, count in found["files"]) > 0
    moment = found["moments"][0]
    assert moment["file"].startswith("notes") and moment["original"] is False  # not here
    status, headers, data = page.post(
        "moment", {"file": moment["file"], "column": moment["column"], "columns": 2}
    )
    assert status == 200 and len(data) / 2 / int(headers["X-Distill-Rate"]) >= 0.99
    assert "the model's decode" in urllib.request.unquote(headers["X-Distill-Status"])
    # Its Open, the file gone: the codes the model keeps of it open in A, decoded.
    asked = json.dumps({"file": moment["file"], "column": moment["column"]})
    opened = moments.open_moment(asked, page.session)
    state = page.session.state
    assert state.a is not None and state.editor is not None and state.reconstructed
    assert state.a.name == f"{moment['file']} (kept codes)" and state.a.source is None
    kept = kept_grid(page.session.model(state.a.model_path), moment["file"])
    assert torch.equal(state.editor.grids.a.codes, kept.codes)
    assert "not on this machine any more: opened the codes" in opened.status
    assert isinstance(opened.reconstruction, str) and opened.original.path == opened.reconstruction
    with pytest.raises(ValueError, match="Pick a moment"):
        moments.open_moment("", page.session)


def test_a_swatch_put_on_the_grid_fills_a_cell_or_the_selected_columns(page: Page) -> None:
    editor = page.session.state.editor
    assert editor is not None
    before = editor.grids.a.codes[0].clone()
    code = (int(before[4, 1]) + 1) % 16
    one = page.edit(op="fill", level=1, code=code, column=4, version=editor.version)
    assert one["ok"] and f"Put code {code} in level 2, column 4 of A" in one["status"]
    assert [c[:3] for c in one["a"]["cells"]] == [[1, 4, str(code)]]
    refused = page.edit(op="fill", level=1, code=code)
    assert not refused["ok"] and "Select the columns to fill first" in refused["status"]
    page.edit(op="select", level=0, column=10, last_level=2, last_column=14)
    filled = page.edit(op="fill", level=2, code=5, column=12)  # dropped inside the selection
    assert "level 3, columns 10-14" in filled["status"]
    after = page.session.state.editor
    assert after is not None and after.history.length == 2
    codes = after.grids.a.codes[0]
    assert codes[10:15, 2].tolist() == [5] * 5
    assert torch_equal(codes[10:15, :2], before[10:15, :2])  # other levels kept
    status, headers, data = page.post("play", {"columns": [4, 20], "before": True})
    assert status == 200 and "before the last edit" in urllib.request.unquote(
        headers["X-Distill-Status"]
    )
    samples = round(16 * after.grids.a.seconds_per_column * 48000)
    assert abs(len(data) // 2 - samples) <= 1


def torch_equal(a, b) -> bool:  # type: ignore[no-untyped-def]
    return bool((a == b).all())


def test_a_palette_shown_makes_the_previews_a_hand_is_about_to_play(page: Page) -> None:
    """After a level's palette, the previews of the codes grid A uses (that level first),
    then the rest of that level's codebook, are made in the background: a click then finds
    its preview made, the same sound the click would have made."""
    state = page.session.state
    assert state.editor is not None and page.session.models.entry is not None
    grid = state.editor.grids.a
    weights = page.session.models.entry.weights
    loaded = page.session.models.entry.loaded
    order = warm_order([grid], 1, ask(page, "palette", {"level": 1})["order"])
    assert order[0] == (1, int(grid.codes[0, 0, 1]))  # the asked level's codes come first
    assert {p for p in order if p[0] == 1} == {(1, c) for c in range(16)}
    assert {(lv, int(c)) for lv in range(3) for c in grid.codes[0, :, lv]} <= set(order)
    deadline = time.monotonic() + 180  # niced: slow beside other work
    while WARMER.busy() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not WARMER.busy() and WARMER.waiting == 0
    for level, code in order:
        made = CLIPS.get(code_key(weights, level, code))
        assert made is not None, (level, code)
    level, code = order[-1]
    assert CLIPS.get(code_key(weights, level, code)).pcm == pcm16(  # type: ignore[union-attr]
        preview_code(level, code, loaded)
    )


def test_the_library_asks_where_a_code_of_its_own_model_lives(
    page: Page, prior_model_file: Path
) -> None:
    """With `model` (a model the Library lists), the places and moments are that model's,
    and A's model stays loaded; a model the Library does not list is refused."""
    a_model = page.session.models.entry
    assert a_model is not None
    demo = str(DEMO_MODEL_PATH)
    found = ask(page, "places", {"level": 0, "code": 5, "model": demo})
    assert found["label"] == "Structure" and found["total"] > 0
    assert all(m["file"].endswith(".wav") for m in found["moments"])
    moment = found["moments"][0]
    status, _, data = page.post(
        "moment", {"file": moment["file"], "column": moment["column"], "model": demo}
    )
    assert status == 200 and len(data) > 0
    assert page.session.models.entry is a_model  # A's model was not unloaded
    refused = ask(page, "places", {"level": 0, "code": 5, "model": str(prior_model_file)})
    assert "not in the Library" in refused["status"]

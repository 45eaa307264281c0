"""The standalone grid page in real headless Chromium: clicks, textbox bridge, playhead, scroll."""

from __future__ import annotations

import base64
import io
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Browser, Page
from tests.browser.pages import ARTIFACTS

from distill.ui.components.code_grid import (
    GridEvent,
    parse_grid_event,
    render_code_grid,
    render_grid_page,
)

pytestmark = pytest.mark.browser


LABELS = ["Structure", "Timbre", "Texture", "Detail"]
AUDIO_SECONDS = 2.0


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh tab in the shared headless Chromium (tests/browser/conftest.py)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 520})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def wav_data_uri(seconds: float, sample_rate: int = 8000) -> str:
    """A quiet 440 Hz sine as a 16-bit mono WAV data: URI."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    pcm = (0.2 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.tobytes())
    return "data:audio/wav;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def open_grid_page(page: Page, tmp_path: Path, columns: int, audio: bool = True) -> None:
    """Write a 4-level grid of `columns` columns over AUDIO_SECONDS to disk and open it."""
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 64, size=(1, columns, 4))
    codes[0, 5, 3] = -1
    grid = render_code_grid(codes, 4, 64, (1, columns), LABELS, (1, 3), AUDIO_SECONDS)
    uri = wav_data_uri(AUDIO_SECONDS) if audio else None
    document = render_grid_page(grid, "sine.wav", uri, "4 levels, codebook 64")
    path = tmp_path / "grid.html"
    path.write_text(document, encoding="utf-8")
    page.goto(path.as_uri())


def wait_until(page: Page, expression: str, timeout_s: float = 10.0) -> None:
    """Poll a JS expression until it is true. (wait_for_function would need 'unsafe-eval',
    which the page's Content-Security-Policy rightly forbids.)"""
    for _ in range(int(timeout_s / 0.02)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(20)
    raise AssertionError(f"Timed out waiting for {expression}")


def status_payload(page: Page) -> str:
    return page.get_attribute("#grid-status", "data-payload") or ""


def selected_payloads(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        ".code-cell.selected",
        "els => els.map(e => 'cell,' + e.parentNode.dataset.l + ',' + e.dataset.p)",
    )


def test_clicks_show_payloads_and_select_the_cell(page: Page, tmp_path: Path) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    open_grid_page(page, tmp_path, columns=40)
    assert selected_payloads(page) == ["cell,1,3"]  # from render_code_grid(selected_cell=)

    page.click('.cg-row[data-l="2"] .code-cell[data-p="4"]')
    assert status_payload(page) == "cell,2,4"
    assert page.text_content("#grid-status").startswith("cell,2,4 — Texture, column 4")
    assert selected_payloads(page) == ["cell,2,4"]

    page.click('.cg-col[data-p="7"]')
    assert status_payload(page) == "col,7"
    assert "column 7 (0.35 s)" in page.text_content("#grid-status")
    page.click('.cg-play[data-l="1"]')
    assert status_payload(page) == "row,1"
    assert page.text_content("#grid-status").startswith("row,1 — Timbre")
    assert selected_payloads(page) == ["cell,2,4"]  # headers and Play leave the selection

    page.click('.cg-row[data-l="3"] .code-cell[data-p="5"]')  # a "no code" cell
    assert "no code" in page.text_content("#grid-status")
    assert all(url.startswith(("file:", "data:")) for url in requests), requests


def test_hidden_textbox_gets_every_click_with_a_nonce(page: Page, tmp_path: Path) -> None:
    open_grid_page(page, tmp_path, columns=40, audio=False)
    # Stand in for Gradio's hidden Textbox(elem_id="code-grid-cell-clicked").
    page.evaluate(
        """() => {
        const box = document.createElement('div');
        box.id = 'code-grid-cell-clicked';
        box.innerHTML = '<textarea></textarea>';
        document.body.appendChild(box);
        window.seen = [];
        box.querySelector('textarea').addEventListener('input', e => seen.push(e.target.value));
    }"""
    )
    cell = '.cg-row[data-l="0"] .code-cell[data-p="9"]'
    page.click(cell)
    page.click(cell)
    page.click('.cg-col[data-p="2"]')
    seen: list[str] = page.evaluate("window.seen")
    assert len(seen) == 3 and seen[0] != seen[1]  # the same cell twice still fires twice
    events = [parse_grid_event(value) for value in seen]
    assert events == [GridEvent("cell", 0, 9), GridEvent("cell", 0, 9), GridEvent("col", None, 2)]


def playhead_x(page: Page) -> float:
    return page.evaluate("document.querySelector('.playhead-line').getBoundingClientRect().x")


def test_playhead_follows_the_playing_audio(page: Page, tmp_path: Path) -> None:
    open_grid_page(page, tmp_path, columns=40)  # 40 x 26 px: fits without scrolling
    assert not page.is_visible(".playhead-line")
    page.evaluate("document.getElementById('grid-audio').play()")
    wait_until(page, "document.getElementById('grid-audio').currentTime > 0.2")
    first = playhead_x(page)
    wait_until(page, "document.getElementById('grid-audio').currentTime > 0.8")
    second = playhead_x(page)
    assert page.is_visible(".playhead-line")
    assert second > first + 10

    page.evaluate("document.getElementById('grid-audio').pause()")
    data = page.eval_on_selector(".cg-data", "el => el.getBoundingClientRect()")
    seconds = page.evaluate("document.getElementById('grid-audio').currentTime")
    expected = data["x"] + seconds / AUDIO_SECONDS * data["width"]
    assert abs(playhead_x(page) + 1 - expected) < 2  # frozen exactly at the paused time
    page.wait_for_timeout(150)
    assert page.is_visible(".playhead-line")

    page.evaluate("a => { a.currentTime = 1.8; a.play(); }", page.query_selector("#grid-audio"))
    wait_until(page, "document.getElementById('grid-audio').ended")
    assert not page.is_visible(".playhead-line")  # hidden once playback ends


def test_css_animation_fallback(page: Page, tmp_path: Path) -> None:
    open_grid_page(page, tmp_path, columns=40, audio=False)
    page.evaluate("window.startPlayhead(1.0)")
    left = "parseFloat(getComputedStyle(document.querySelector('.playhead-line')).left)"
    wait_until(page, f"{left} > 100")
    assert page.evaluate("document.querySelector('.playhead-line.playing') !== null")
    page.evaluate("window.stopPlayhead()")
    assert not page.is_visible(".playhead-line")


def test_labels_stay_visible_and_playhead_stays_in_view(page: Page, tmp_path: Path) -> None:
    open_grid_page(page, tmp_path, columns=300)
    label = page.locator(".cg-name").first
    cell = page.locator('.cg-row[data-l="0"] .code-cell[data-p="0"]')
    label_before, cell_before = label.bounding_box(), cell.bounding_box()
    page.eval_on_selector(".cg-scroll", "el => { el.scrollLeft = 2000; }")
    label_after, cell_after = label.bounding_box(), cell.bounding_box()
    assert label_before and label_after and cell_before and cell_after
    assert abs(label_after["x"] - label_before["x"]) < 1
    assert abs(cell_before["x"] - cell_after["x"] - 2000) < 1
    assert page.is_visible('.cg-play[data-l="3"]')

    # Moving the playhead past the visible area scrolls the grid so it stays in view.
    page.evaluate("window.distillGrid.setPlayheadTime(1.9)")
    box = page.eval_on_selector(".cg-scroll", "el => el.getBoundingClientRect()")
    labels = page.eval_on_selector(".cg-labels", "el => el.getBoundingClientRect()")
    x = playhead_x(page)
    assert labels["x"] + labels["width"] < x < box["x"] + box["width"]


def test_screenshot_of_the_page(page: Page, tmp_path: Path) -> None:
    open_grid_page(page, tmp_path, columns=120)
    page.click('.cg-row[data-l="2"] .code-cell[data-p="6"]')
    page.evaluate("window.distillGrid.setPlayheadTime(0.5)")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "grid_page.png"), full_page=True)
    assert (ARTIFACTS / "grid_page.png").stat().st_size > 10_000

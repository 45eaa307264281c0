"""The gestures issue 27 found wrong, done as a user does them in real headless Chromium:
absolute blend sliders that follow the history, the transport at the grid, Solo shown as
Solo, grid B named with its spectrogram, a new file opening at its start, the layout at
1440 and 800 px, and a reload mid-decode that stops the server's work."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from tests.browser.pages import SLOW_MS, AppPage
from tests.helpers import write_tone

from distill.ui.codes.session import SESSIONS

pytestmark = pytest.mark.browser

A = "#codes-grid .distill-grid"
B = "#codes-grid-b .distill-grid"


@pytest.fixture
def beta(tmp_path: Path) -> Path:
    return write_tone(tmp_path / "beta.wav", 1.5, 660.0)


def row_codes(page: Page, grid: str, level: int) -> list[str]:
    return page.locator(f'{grid} .cg-row[data-l="{level}"] .code-cell').all_text_contents()


def slide(page: Page, element_id: str, start: float, end: float) -> None:
    """Press the slider's thumb at `start` of its track, drag to `end`, let go."""
    track = page.locator(f"#{element_id} input[type=range]")
    track.scroll_into_view_if_needed()
    box = track.bounding_box()
    assert box
    y = box["y"] + box["height"] / 2
    inner = box["width"] - 16  # the thumb's centre runs 8 px in from each end
    page.mouse.move(box["x"] + 8 + inner * start, y)
    page.mouse.down()
    page.mouse.move(box["x"] + 8 + inner * end, y, steps=10)
    page.mouse.up()


def test_a_blend_slider_is_absolute_and_follows_undo(
    new_tab, tiny_model: Path, tmp_path: Path
) -> None:
    a = write_tone(tmp_path / "alpha.wav", 2.0, 220.0)
    b = write_tone(tmp_path / "beta.wav", 2.0, 880.0)
    tab: AppPage = new_tab()
    page = tab.page
    tab.encode(a, b)
    history, slider = page.locator("#edit-history"), page.locator("#edit-blend-whole input")
    a0 = [row_codes(page, A, level) for level in range(4)]
    b0 = [row_codes(page, B, level) for level in range(4)]

    slide(page, "edit-blend-whole", 0.0, 1.0)  # all the way to B, released: one step
    expect(history).to_have_text("Edit 1 of 1", timeout=SLOW_MS)
    expect(page.locator("#edit-blend-whole output")).to_have_text("100%")
    assert [row_codes(page, A, level) for level in range(4)] == b0
    slide(page, "edit-blend-whole", 1.0, 0.0)  # and back to 0: A as it was, exactly
    expect(history).to_have_text("Edit 2 of 2", timeout=SLOW_MS)
    expect(page.locator("#codes-status")).to_contain_text("Blend back at 0")
    assert [row_codes(page, A, level) for level in range(4)] == a0
    tab.screenshot("gestures_blend_back_to_0.png")

    # Ctrl+Z with the slider still focused undoes, and the slider follows the history.
    page.keyboard.press("Control+z")
    expect(history).to_have_text("Edit 1 of 2")
    expect(slider).to_have_value("1")
    page.keyboard.press("Control+z")
    expect(history).to_have_text("Edit 0 of 2")
    expect(slider).to_have_value("0")
    assert [row_codes(page, A, level) for level in range(4)] == a0
    # The arrow keys move it too, and what they show is kept: one step per press.
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(history).to_have_text("Edit 1 of 1")
    expect(page.locator("#codes-status")).to_contain_text("Blended all of A 5%")
    expect(page.locator(f"{A} .code-cell.blended").first).to_be_visible()
    # A slider moving (not let go yet) changes cells without flashing them: the blend's
    # shades show where it went; a flash on every move took the page from the next one.
    before_move = [row_codes(page, A, level) for level in range(4)]
    flashing = page.evaluate(
        """() => new Promise(resolve => {
          const input = document.querySelector('#edit-blend-whole input');
          document.addEventListener('distill-edited', () => resolve(
            document.querySelectorAll('#codes-grid .code-cell.flash').length), {once: true});
          input.value = 0.9;
          input.dispatchEvent(new Event('input', {bubbles: true}));
        })"""
    )
    assert [row_codes(page, A, level) for level in range(4)] != before_move
    assert flashing == 0
    # A new file starts a new history: the sliders are back at 0.
    page.click("#codes-encode")
    expect(history).to_have_text("No edits yet.", timeout=SLOW_MS)
    expect(slider).to_have_value("0")


def test_a_resting_pointer_fetches_the_preview_that_its_click_then_plays(
    new_tab, tiny_model: Path, tmp_path: Path
) -> None:
    tab: AppPage = new_tab()
    page = tab.page
    tab.encode(write_tone(tmp_path / "tone.wav", 2.0, 220.0))
    # The palette beside the grid drawn first (it follows a cell's click 250 ms later, and
    # its panels moving the grid under a resting pointer would make it rest elsewhere).
    expect(page.locator("#code-palette .pal-swatch").first).to_be_visible(timeout=SLOW_MS)
    route = "/distill/codes/preview"
    asked: list[dict] = []
    page.on(
        "request",
        lambda r: asked.append(json.loads(r.post_data or "{}")) if route in r.url else None,
    )

    def rest_on(locator: Locator, kind: str) -> None:
        """The pointer resting on `locator` until its preview (of `kind`) has come back."""
        with page.expect_response(
            lambda r: route in r.url and json.loads(r.request.post_data or "{}")["kind"] == kind
        ):
            locator.hover()

    page.mouse.move(5, 5)
    # A column's header: resting on it asks for its moment before any click ...
    header = page.locator(f'{A} .cg-col[data-p="7"]')
    column = {"side": "a", "kind": "col", "level": None, "column": 7}
    rest_on(header, "col")
    assert asked == [column]
    since = tab.now()
    header.click()
    tab.heard("col", since)
    assert asked == [column], "the click plays what was fetched; it does not ask again"
    # ... and a cell the same way.
    cell = page.locator(f'{A} .cg-row[data-l="0"] .code-cell[data-p="3"]')
    code = {"side": "a", "kind": "cell", "level": 0, "column": 3}
    rest_on(cell, "cell")
    assert asked[-1] == code
    since = tab.now()
    cell.click()
    tab.heard("cell", since)
    assert asked.count(code) == 1


def test_the_transport_plays_stops_loops_a_selection_and_the_space_bar_toggles(
    new_tab, tiny_model: Path, tmp_path: Path
) -> None:
    tab: AppPage = new_tab()
    page = tab.page
    tab.encode(write_tone(tmp_path / "tone.wav", 3.0, 220.0))
    page.locator("body").click(position={"x": 5, "y": 5})
    since = tab.now()
    page.keyboard.press(" ")
    tab.heard("transport", since)
    expect(page.locator("#transport-play")).to_have_attribute("aria-pressed", "true")
    page.wait_for_function("() => window.distillAudio.position() > 0.3", timeout=SLOW_MS)
    expect(page.locator("#transport-time")).not_to_have_text("0:00.00")
    expect(page.locator(f"{A} .playhead-line")).to_have_class(re.compile(r"\bactive\b"))
    page.keyboard.press(" ")
    expect(page.locator("#transport-play")).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("window.distillAudio.playing()") is None

    # Select columns 10-19, loop the selection: it plays from column 10 and wraps around.
    tab.drag_select(A, (0, 10), (1, 19))
    expect(page.locator("#codes-status")).to_contain_text("columns 10-19")
    page.select_option("#transport-range", "selection")
    page.check("#transport-loop")
    since = tab.now()
    page.click("#transport-play")
    tab.heard("transport", since)
    start, end = 10 * 2048 / 48000, 20 * 2048 / 48000
    page.wait_for_function(
        "() => { const v = window.distillAudio.playing(); return v && v.looping; }",
        timeout=SLOW_MS,
    )
    time.sleep(0.3)
    position = float(page.evaluate("window.distillAudio.position()"))
    assert start <= position <= end + 0.01, "a looped selection plays inside its columns"
    page.click("#transport-stop")
    assert page.evaluate("window.distillAudio.playing()") is None


def test_solo_lights_its_s_and_greys_the_rest_without_lighting_their_m(
    new_tab, tiny_model: Path, tmp_path: Path
) -> None:
    tab: AppPage = new_tab()
    page = tab.page
    tab.encode(write_tone(tmp_path / "tone.wav", 1.5, 330.0))
    page.locator(f'{A} .cg-solo[data-l="2"]').click()
    expect(page.locator(f'{A} .cg-label[data-l="2"]')).to_have_class(re.compile(r"\bsolo\b"))
    expect(page.locator(f'{A} .cg-solo[data-l="2"]')).to_have_attribute("aria-pressed", "true")
    for level in (0, 1, 3):
        label = page.locator(f'{A} .cg-label[data-l="{level}"]')
        expect(label).to_have_class(re.compile(r"\bquiet\b"))
        expect(label).not_to_have_class(re.compile(r"\bmuted\b"))
        expect(label.locator(".cg-mute")).to_have_attribute("aria-pressed", "false")
    page.locator(f'{A} .cg-mute[data-l="0"]').click()
    expect(page.locator(f'{A} .cg-label[data-l="0"]')).to_have_class(re.compile(r"\bmuted\b"))
    tab.screenshot("gestures_solo.png")


def test_grid_b_shows_its_name_and_spectrogram_and_a_new_file_opens_at_its_start(
    new_tab, tiny_model: Path, tmp_path: Path, beta: Path
) -> None:
    tab: AppPage = new_tab()
    page = tab.page
    expect(page.locator("#codes-grid-b")).to_contain_text("put one in the B box")
    tab.encode(write_tone(tmp_path / "first.wav", 20.0, 220.0), beta)
    expect(page.locator("#codes-summary-b")).to_contain_text("B · beta.wav")
    expect(page.locator("#codes-grid-b")).not_to_contain_text("put one in the B box")
    expect(page.locator(f"{B} .cg-pic-row.original img")).to_have_count(1)
    page.evaluate(f"document.querySelector('{A} .cg-scroll').scrollLeft = 5000")
    tab.upload("codes-upload", write_tone(tmp_path / "second.wav", 20.0, 330.0))
    page.click("#codes-encode")
    expect(page.locator("#codes-summary")).to_contain_text("second.wav", timeout=SLOW_MS)
    page.wait_for_timeout(300)  # the pictures' script settles a new grid in the next frame
    assert page.evaluate(f"document.querySelector('{A} .cg-scroll').scrollLeft") == 0


@pytest.mark.parametrize("width", [1440, 800])
def test_the_controls_fit_at_1440_and_800_pixels(
    new_tab, tiny_model: Path, tmp_path: Path, beta: Path, width: int
) -> None:
    tab: AppPage = new_tab()
    page = tab.page
    page.set_viewport_size({"width": width, "height": 1000})
    tab.encode(write_tone(tmp_path / "alpha.wav", 2.0, 220.0), beta)
    for element in ("#codes-model", "#codes-upload-b", "#codes-upload", "#codes-toolbar"):
        box = page.locator(element).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, element
        clipped = page.evaluate(
            "s => { const e = document.querySelector(s);"
            " return e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1; }",
            element,
        )
        assert not clipped, f"{element} is clipped at {width} px"
    counter = page.locator("#edit-history").bounding_box()
    assert counter is not None and counter["height"] < 24, "the history counter wraps"
    tab.screenshot(f"gestures_layout_{width}.png")


def test_a_reload_mid_decode_stops_the_servers_work(
    new_tab, tiny_model: Path, tmp_path: Path
) -> None:
    tab: AppPage = new_tab()
    page = tab.page
    tab.encode(write_tone(tmp_path / "long.wav", 300.0, 110.0))  # minutes of decoding
    pending = page.locator(f"{A} .cg-pic-row.reconstruction .cg-pic-note")
    expect(pending).to_contain_text("Decoding the reconstruction")
    hash_, key = page.evaluate(
        "[window.__gradio_session_hash__, document.querySelector('#codes-key [data-key]')"
        ".dataset.key]"
    )
    session = SESSIONS.find(hash_, key)
    assert session is not None and session.running == 1  # the reconstruction is decoding
    page.reload()
    expect(page.locator("#codes-grid")).to_be_visible(timeout=SLOW_MS)
    deadline = time.monotonic() + 60
    while session.running and time.monotonic() < deadline:
        time.sleep(0.2)
    assert session.running == 0, "the abandoned decode kept running"
    assert not session.state.reconstructed

"""The pictures over the grid in real headless Chromium: the spectrogram's columns line up
with the grid's (start and scrolled), the playhead crosses both, Difference toggles, the
overview jumps, and a long file's grid is in use before its reconstruction is decoded."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from playwright.sync_api import expect
from tests.browser.pages import SLOW_MS, AppPage
from tests.helpers import write_tone

from distill.ui.components.code_grid import BLOCK_COLUMNS, COLUMN_WIDTH_PX

pytestmark = pytest.mark.browser

GRID = "#codes-grid .distill-grid"
STEP = 2048 / 48000  # the tiny model's seconds per column

# The page x (CSS pixels) of the brightest pixel column near column `column` (5 columns either
# side) in the picture block holding it: the block drawn onto a canvas, its pixels summed per
# x, scaled to the block's width in the page.
BRIGHTEST_X = """
([row, column, blockColumns]) => {
  const images = document.querySelectorAll("#codes-grid .cg-pic-row." + row + " img");
  const image = images[Math.floor(column / blockColumns)];
  const canvas = document.createElement("canvas");
  canvas.width = image.naturalWidth;
  canvas.height = image.naturalHeight;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const first = column - 5 - Math.floor(column / blockColumns) * blockColumns;
  const perColumn = canvas.width / (image.getBoundingClientRect().width / ${COLUMN});
  const from = Math.max(0, Math.floor(first * perColumn));
  const to = Math.min(canvas.width, Math.ceil((first + 11) * perColumn));
  let best = 0, bestSum = -1;
  for (let x = from; x < to; x++) {
    let sum = 0;
    for (let y = 0; y < canvas.height; y++) sum += pixels[(y * canvas.width + x) * 4];
    if (sum > bestSum) { bestSum = sum; best = x; }
  }
  const box = image.getBoundingClientRect();
  return box.left + (best + 0.5) * box.width / canvas.width;
}
""".replace("${COLUMN}", str(COLUMN_WIDTH_PX))


def bursts(path: Path, seconds: float, columns: list[int]) -> Path:
    """Quiet noise with a loud 2 ms burst in the middle of each of these columns."""
    audio = 1e-4 * np.random.default_rng(0).standard_normal(int(seconds * 48000))
    for column in columns:
        start = int((column + 0.5) * STEP * 48000) - 48
        audio[start : start + 96] += 0.8 * np.hanning(96)
    sf.write(path, audio.astype(np.float32), 48000)
    return path


def encode(tab: AppPage, audio: Path) -> None:
    tab.choose("codes-model", "tiny")
    tab.upload("codes-upload", audio)
    tab.page.click("#codes-encode")
    expect(tab.page.locator("#codes-summary")).to_contain_text(audio.name, timeout=SLOW_MS)


def wait_pictures(tab: AppPage, row: str) -> None:
    """Every block of a picture row that is in view has loaded."""
    tab.page.wait_for_function(
        "row => { const box = document.querySelector('#codes-grid .cg-scroll')"
        ".getBoundingClientRect();"
        " const shown = [...document.querySelectorAll('#codes-grid .cg-pic-row.' + row + ' img')]"
        ".filter(i => { const r = i.getBoundingClientRect();"
        " return r.right > box.left && r.left < box.right; });"
        " return shown.length > 0 && shown.every(i => i.complete && i.naturalWidth > 0); }",
        arg=row,
        timeout=SLOW_MS,
    )


def column_box(tab: AppPage, column: int) -> dict:
    box = tab.page.locator(f'{GRID} .cg-col[data-p="{column}"]').bounding_box()
    assert box is not None
    return box


def assert_lined_up(tab: AppPage, column: int, rows: tuple[str, ...]) -> None:
    """Column `column` sits at the same x in each picture row as in the grid."""
    header = column_box(tab, column)
    block = column // BLOCK_COLUMNS
    for row in rows:
        image = tab.page.locator(f"{GRID} .cg-pic-row.{row} img").nth(block).bounding_box()
        assert image is not None
        x = image["x"] + (column - block * BLOCK_COLUMNS) * COLUMN_WIDTH_PX
        assert x == pytest.approx(header["x"], abs=0.5), f"{row} column {column}"
        assert header["width"] == pytest.approx(COLUMN_WIDTH_PX, abs=0.5)
        brightest = tab.page.evaluate(BRIGHTEST_X, [row, column, BLOCK_COLUMNS])
        assert header["x"] <= brightest <= header["x"] + header["width"], f"{row} burst"


def test_spectrograms_line_up_with_the_grid_and_the_playhead_crosses_them(
    new_tab, tiny_model: Path, tmp_path: Path
) -> None:
    columns = [6, 30, 151]
    audio = bursts(tmp_path / "bursts.wav", 7.5, columns)  # 176 columns: two blocks
    tab = new_tab()
    page = tab.page
    encode(tab, audio)
    wait_pictures(tab, "original")
    tab.wait_reconstruction()
    wait_pictures(tab, "reconstruction")
    assert_lined_up(tab, 6, ("original",))
    assert_lined_up(tab, 30, ("original",))
    tab.screenshot("pictures-start.png")

    # Scrolled to the burst in the second block: still the same x in the picture and the grid.
    page.evaluate(
        f"document.querySelector('{GRID} .cg-scroll').scrollLeft = {151 * COLUMN_WIDTH_PX - 400}"
    )
    wait_pictures(tab, "original")
    assert_lined_up(tab, 151, ("original",))
    header = column_box(tab, 151)
    reconstruction = page.locator(f"{GRID} .cg-pic-row.reconstruction img").nth(1).bounding_box()
    assert reconstruction is not None
    assert reconstruction["x"] + 51 * COLUMN_WIDTH_PX == pytest.approx(header["x"], abs=0.5)
    tab.screenshot("pictures-scrolled.png")

    # The playhead runs over the pictures and the grid, at the playing moment's column.
    page.evaluate("document.querySelector('#codes-original audio').currentTime = 6.0")
    page.evaluate("document.querySelector('#codes-original audio').play()")
    page.wait_for_function(
        "document.querySelector('#codes-original audio').currentTime > 6.2", timeout=SLOW_MS
    )
    page.evaluate("document.querySelector('#codes-original audio').pause()")
    now = float(page.evaluate("document.querySelector('#codes-original audio').currentTime"))
    line = page.locator(f"{GRID} .playhead-line").bounding_box()
    top = page.locator(f"{GRID} .cg-pic-row.original").bounding_box()
    last_row = page.locator(f"{GRID} .cg-row").last.bounding_box()
    assert line is not None and top is not None and last_row is not None
    assert line["y"] <= top["y"] + 1
    assert line["y"] + line["height"] >= last_row["y"] + last_row["height"] - 1
    playing = column_box(tab, int(now / STEP))
    assert playing["x"] - 1 <= line["x"] + line["width"] / 2 <= playing["x"] + playing["width"] + 1
    tab.screenshot("pictures-playhead.png")

    # Difference: the reconstruction's row gives way to where it loses or adds energy.
    toggle = page.locator(f"{GRID} .cg-diff-toggle")
    expect(page.locator(f"{GRID} .cg-pic-row.difference")).to_be_hidden()
    toggle.click()
    expect(page.locator(f"{GRID} .cg-pic-row.difference")).to_be_visible()
    expect(page.locator(f"{GRID} .cg-pic-row.reconstruction")).to_be_hidden()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    wait_pictures(tab, "difference")
    assert_lined_up(tab, 151, ("difference",))
    tab.screenshot("pictures-difference.png")
    # A redrawn grid (Decode) keeps the choice and the place it was scrolled to.
    scrolled = page.evaluate(f"document.querySelector('{GRID} .cg-scroll').scrollLeft")
    page.click("#codes-decode")
    expect(page.locator("#codes-status")).to_contain_text("Decoded the grid", timeout=SLOW_MS)
    expect(page.locator(f"{GRID} .cg-pic-row.difference")).to_be_visible()
    expect(page.locator(f"{GRID} .cg-diff-toggle")).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(
        f"left => document.querySelector('{GRID} .cg-scroll').scrollLeft === left",
        arg=scrolled,
    )
    page.locator(f"{GRID} .cg-diff-toggle").click()
    expect(page.locator(f"{GRID} .cg-pic-row.reconstruction")).to_be_visible()


def window_centre(tab: AppPage) -> float:
    """Where the middle of the visible data area is, as a share of the whole file."""
    return float(
        tab.page.evaluate(
            f"(() => {{ const g = document.querySelector('{GRID}');"
            " const b = g.querySelector('.cg-scroll'); const label = +g.dataset.labelWidth;"
            " const width = +g.dataset.columns * +g.dataset.colWidth;"
            " return (b.scrollLeft + (b.clientWidth - label) / 2) / width; })()"
        )
    )


def test_the_overview_marks_the_window_and_jumps(new_tab, tiny_model: Path, tmp_path: Path) -> None:
    audio = write_tone(tmp_path / "minute.wav", 60.0, 110.0)  # ~1400 columns
    tab = new_tab()
    page = tab.page
    encode(tab, audio)
    tab.wait_reconstruction(timeout_ms=3 * SLOW_MS)  # the grid is redrawn with it
    strip = page.locator(f"{GRID} .cg-overview").bounding_box()
    frame = page.locator(f"{GRID} .cg-overview .cg-window")
    assert strip is not None
    expect(frame).to_have_attribute("style", re.compile(r"width: \d"))
    box = frame.bounding_box()
    assert box is not None and box["x"] == pytest.approx(strip["x"], abs=3)
    visible_share = box["width"] / strip["width"]
    assert 0.01 < visible_share < 0.2  # about 1100 of 36,000 pixels are in view

    y = strip["y"] + strip["height"] / 2
    page.mouse.click(strip["x"] + 0.75 * strip["width"], y)
    assert window_centre(tab) == pytest.approx(0.75, abs=0.01)
    box = frame.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] / 2 == pytest.approx(strip["x"] + 0.75 * strip["width"], abs=3)
    wait_pictures(tab, "original")
    tab.screenshot("pictures-overview-jump.png")

    page.mouse.move(strip["x"] + 0.2 * strip["width"], y)
    page.mouse.down()
    page.mouse.move(strip["x"] + 0.3 * strip["width"], y, steps=5)
    page.mouse.move(strip["x"] + 0.4 * strip["width"], y, steps=5)
    assert window_centre(tab) == pytest.approx(0.4, abs=0.01)
    page.mouse.up()
    # Scrolling the grid itself moves the window too.
    page.evaluate(f"document.querySelector('{GRID} .cg-scroll').scrollLeft = 0")
    page.wait_for_function(
        f"document.querySelector('{GRID} .cg-window').style.left === '0%'", timeout=SLOW_MS
    )


def test_a_long_files_grid_is_in_use_before_its_reconstruction(
    new_tab, tiny_model: Path, tmp_path: Path
) -> None:
    audio = write_tone(tmp_path / "long.wav", 150.0, 165.0)  # 2.5 minutes: a long decode
    tab = new_tab()
    page = tab.page
    encode(tab, audio)
    pending = page.locator(f"{GRID} .cg-pic-row.reconstruction .cg-pic-note")
    expect(pending).to_contain_text("Decoding the reconstruction…")
    wait_pictures(tab, "original")
    assert tab.audio_src("codes-reconstruction") == ""
    # The decode shows its progress on the reconstruction's player, not over the grid.
    expect(page.locator("#codes-reconstruction")).to_contain_text(
        "Decoding the reconstruction", timeout=SLOW_MS
    )
    # (Gradio's status overlay: "wrap ... translucent" over the grid while it encodes.)
    expect(page.locator("#codes-reconstruction .wrap:not(.hide)")).to_have_count(1)
    expect(page.locator("#codes-grid .wrap:not(.hide)")).to_have_count(0)
    tab.screenshot("pictures-long-file-decoding.png")

    # A click on the grid is answered while the reconstruction is still being decoded.
    page.locator(f'{GRID} .cg-row[data-l="1"] .code-cell[data-p="40"]').click()
    expect(page.locator("#codes-status")).to_contain_text("column 40", timeout=SLOW_MS)
    tab.heard("cell")
    expect(pending).to_have_count(1)  # still decoding
    assert tab.audio_src("codes-reconstruction") == ""

    tab.wait_reconstruction(timeout_ms=5 * SLOW_MS)  # minutes on a busy 2-core machine
    expect(pending).to_have_count(0)
    expect(page.locator("#codes-status")).to_contain_text("Reconstruction of long.wav ready")
    wait_pictures(tab, "reconstruction")
    tab.screenshot("pictures-long-file-decoded.png")

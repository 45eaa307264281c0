"""The editor in real headless Chromium, as a user does it: type a code (and a refused one),
drag-select, swap between two encoded files, move both blend sliders, undo and redo with the
buttons and the keyboard, mute a level, decode and hear the edit, export."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from tests.browser.pages import SLOW_MS, AppPage
from tests.helpers import write_tone

from distill.inference import encode_grid
from distill.models.persistence import load_model

pytestmark = pytest.mark.browser

A = "#codes-grid .distill-grid"
B = "#codes-grid-b .distill-grid"


def cell(page: Page, grid: str, level: int, position: int) -> Locator:
    return page.locator(f'{grid} .cg-row[data-l="{level}"] .code-cell[data-p="{position}"]')


def codes_of(page: Page, grid: str, level: int, first: int, last: int) -> list[str]:
    # textContent, not innerText: a block of cells scrolled out of view is not rendered
    # (content-visibility: auto), and innerText of what is not rendered is empty.
    return [cell(page, grid, level, p).text_content() or "" for p in range(first, last + 1)]


def drag(page: Page, start: Locator, end: Locator) -> None:
    """Press on one cell, move across to another, release: as a hand on a mouse does."""
    first, last = start.bounding_box(), end.bounding_box()
    assert first and last
    page.mouse.move(first["x"] + 5, first["y"] + 5)
    page.mouse.down()
    page.mouse.move((first["x"] + last["x"]) / 2 + 5, (first["y"] + last["y"]) / 2 + 5, steps=4)
    page.mouse.move(last["x"] + 5, last["y"] + 5, steps=4)
    page.mouse.up()


def slide(page: Page, element_id: str, fraction: float) -> None:
    """Drag a slider's thumb from its left end to `fraction` of its track, then let go."""
    track = page.locator(f"#{element_id} input[type=range]")
    track.scroll_into_view_if_needed()  # the mouse only reaches what is in the viewport
    box = track.bounding_box()
    assert box
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 2, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * fraction, y, steps=8)
    page.mouse.up()


def history(page: Page) -> Locator:
    return page.locator("#edit-history")


def test_edit_swap_blend_undo_listen_export(new_tab, tiny_model: Path, tmp_path: Path) -> None:
    a_file = write_tone(tmp_path / "alpha.wav", 2.0, 220.0)
    b_file = write_tone(tmp_path / "beta.wav", 1.5, 880.0)
    loaded = load_model(tiny_model)
    b_codes = encode_grid(b_file, loaded).codes[0]
    tab: AppPage = new_tab()
    page = tab.page
    tab.choose("codes-model", "tiny")
    tab.upload("codes-upload", a_file)
    tab.upload("codes-upload-b", b_file)
    page.click("#codes-encode")
    expect(page.locator(B)).to_have_count(1, timeout=SLOW_MS)
    expect(history(page)).to_contain_text("No edits yet")
    tab.wait_reconstruction()
    unedited = tab.audio_src("codes-unedited")
    assert unedited, "the decode before any edit is there for A/B"

    # Double-click a cell and type a code: marked as edited, no sound, one step of history.
    target = cell(page, A, 2, 6)
    target.dblclick()
    box = target.locator("input.cg-edit")
    expect(box).to_be_focused()
    box.fill("7")
    box.press("Enter")
    expect(cell(page, A, 2, 6)).to_have_text("7")
    expect(cell(page, A, 2, 6)).to_have_class(re.compile(r"\bedited\b"))
    expect(history(page)).to_contain_text("Edit 1 of 1")
    # A code the model does not have is refused with a message; the cell keeps its code.
    cell(page, A, 1, 3).dblclick()
    before = cell(page, A, 1, 3).locator("input.cg-edit").input_value()
    cell(page, A, 1, 3).locator("input.cg-edit").fill("99")
    cell(page, A, 1, 3).locator("input.cg-edit").press("Enter")
    tab.toast("0 to 63")
    expect(cell(page, A, 1, 3)).to_have_text(before)
    expect(history(page)).to_contain_text("Edit 1 of 1")

    # Drag a rectangle over A (levels 1-2, columns 2-8): it is shown while and after dragging.
    drag(page, cell(page, A, 0, 2), cell(page, A, 1, 8))
    expect(page.locator("#codes-status")).to_contain_text("Selected levels 1-2, columns 2-8")
    expect(page.locator(f"{A} .code-cell.in-selection")).to_have_count(14)

    # Swap it with B from column 3: A gets B's codes there, B gets A's; both flash.
    a_before = codes_of(page, A, 0, 2, 8)
    page.locator("#edit-swap-at").fill("3")
    page.click("#edit-swap")
    expect(page.locator("#codes-status")).to_contain_text("Swapped levels 1-2, columns 2-8")
    expect(history(page)).to_contain_text("Edit 2 of 2")
    assert codes_of(page, A, 0, 2, 8) == [str(int(c)) for c in b_codes[3:10, 0]]
    assert codes_of(page, B, 0, 3, 9) == a_before
    expect(page.locator(f"{A} .code-cell.flash").first).to_be_visible()
    tab.screenshot("editor_after_swap.png")

    # Blend the selection towards B, then all of A: the grid updates as the slider moves;
    # blended cells show their snap distance on hover.
    slide(page, "edit-blend-selection", 0.9)
    expect(page.locator("#codes-status")).to_contain_text(
        re.compile(r"Blended the selection of A 9\d%"), timeout=SLOW_MS
    )
    blended = page.locator(f"{A} .code-cell.blended")
    expect(blended).to_have_count(14)
    assert re.fullmatch(
        r"snapped \d\.\d{3} from the mix", blended.first.get_attribute("title") or ""
    )
    expect(history(page)).to_contain_text("Edit 3 of 3")
    slide(page, "edit-blend-whole", 0.5)
    expect(history(page)).to_contain_text("Edit 4 of 4", timeout=SLOW_MS)
    assert page.locator(f"{A} .code-cell.blended").count() > 14
    tab.screenshot("editor_after_blend.png")

    # Undo and redo: buttons, then the keyboard (Ctrl+Z, Ctrl+Y, Ctrl+Shift+Z).
    page.click("#edit-undo")
    expect(history(page)).to_contain_text("Edit 3 of 4")
    page.click("#edit-undo")
    expect(history(page)).to_contain_text("Edit 2 of 4")
    page.click("#edit-redo")
    expect(history(page)).to_contain_text("Edit 3 of 4")
    page.locator("body").click(position={"x": 5, "y": 5})  # focus off any text field
    page.keyboard.press("Control+z")
    expect(history(page)).to_contain_text("Edit 2 of 4")
    page.keyboard.press("Control+z")
    expect(history(page)).to_contain_text("Edit 1 of 4")
    expect(cell(page, A, 0, 2)).to_have_text(a_before[0])  # the swap is undone
    page.keyboard.press("Control+y")
    expect(history(page)).to_contain_text("Edit 2 of 4")
    page.keyboard.press("Control+Shift+z")
    expect(history(page)).to_contain_text("Edit 3 of 4")

    # Hear the edit: mute a level, decode into the reconstruction, compare with before.
    page.locator(f'{A} .cg-mute[data-l="3"]').click()
    expect(page.locator(f"{A} .cg-label").nth(3)).to_have_class(re.compile(r"\bquiet\b"))
    old = tab.audio_src("codes-reconstruction")
    page.click("#codes-decode")
    expect(page.locator("#codes-status")).to_contain_text("levels left out: 4", timeout=SLOW_MS)
    assert tab.audio_src("codes-reconstruction") != old
    assert tab.audio_src("codes-unedited") == unedited

    # Export the edited audio (24-bit WAV) and the edited codes.
    download = page.locator("#edit-exported a").first
    page.click("#edit-export-audio")
    expect(download).to_have_attribute("href", re.compile(r"/alpha-edited\.wav$"), timeout=SLOW_MS)
    page.click("#edit-export-codes")
    expect(download).to_have_attribute("href", re.compile(r"/alpha-edited\.codes\.json$"))

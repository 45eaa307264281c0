"""Keeping work in real headless Chromium, as a user does it: encode the demo sound, edit it,
save the session, reload the page and take the offer to restore it (grid and history back,
Undo works), open the saved file in another browser through Open a session, and export the
selection as a sample whose length is exactly its columns; `distill ui --session FILE` opens
saved work in the first page."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urljoin

import pytest
import soundfile as sf
from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import Error as PlaywrightError
from tests.browser.pages import SLOW_MS, AppPage, free_port

from distill.demo.sounds import EXAMPLE_SOUND
from distill.models.persistence import DEMO_MODEL_PATH
from distill.ui.codes import edits, opening
from distill.ui.codes.keep import save_session
from distill.ui.codes.session import CodesSession, end_codes_session

pytestmark = pytest.mark.browser

A = "#codes-grid .distill-grid"


def cell(page: Page, level: int, column: int) -> Locator:
    return page.locator(f'{A} .cg-row[data-l="{level}"] .code-cell[data-p="{column}"]')


def history(page: Page) -> Locator:
    return page.locator("#edit-history")


def exported(tab: AppPage, name: str) -> bytes:
    """The file the Exported file box offers once it names `name`, as downloaded."""
    link = tab.page.locator("#edit-exported a").first
    expect(link).to_have_attribute("href", re.compile(re.escape(name) + "$"), timeout=SLOW_MS)
    href = link.get_attribute("href") or ""
    response = tab.page.request.get(urljoin(tab.url + "/", href))
    assert response.ok
    return response.body()


def typed(page: Page, level: int, column: int, code: str) -> None:
    target = cell(page, level, column)
    target.dblclick()
    box = target.locator("input.cg-edit")
    box.fill(code)
    box.press("Enter")
    expect(cell(page, level, column)).to_have_text(code)


def test_save_reload_restore_open_and_export(new_tab, tiny_model: Path, tmp_path: Path) -> None:
    tab: AppPage = new_tab()
    page = tab.page
    tab.choose("codes-model", "tiny")
    page.click("#codes-encode")  # the demo sound the page opens with
    expect(history(page)).to_contain_text("No edits yet", timeout=SLOW_MS)
    tab.wait_reconstruction()
    before = cell(page, 2, 6).text_content()
    code = "7" if before != "7" else "8"
    typed(page, 2, 6, code)
    expect(history(page)).to_contain_text("Edit 1 of 1")
    tab.drag_select(A, (0, 3), (1, 9))
    expect(page.locator("#codes-status")).to_contain_text("Selected levels 1-2, columns 3-9")

    page.click("#session-save")
    saved = tmp_path / "melody.distill-session"
    saved.write_bytes(exported(tab, "melody.distill-session"))
    expect(page.locator("#codes-status")).to_contain_text("Saved the session (1 of 1 edits)")

    # A reload offers the page's last session; Restore brings grid, history and selection back.
    page.reload()
    offer = page.locator("#session-offer")
    expect(offer).to_be_visible(timeout=SLOW_MS)
    expect(offer).to_contain_text(
        re.compile(
            r"Restore your last session \(A: melody\.wav, "
            r"1 edit, saved \d\d:\d\d\)"
        )
    )
    tab.screenshot("keep_restore_offer.png")
    page.click("#session-restore")
    expect(offer).to_be_hidden()
    expect(history(page)).to_contain_text("Edit 1 of 1", timeout=SLOW_MS)
    expect(cell(page, 2, 6)).to_have_text(code)
    expect(cell(page, 2, 6)).to_have_class(re.compile(r"\bedited\b"))
    expect(page.locator(f"{A} .code-cell.in-selection")).to_have_count(14)
    tab.wait_reconstruction()  # (its status line says so, after "Opened the session ...")
    tab.screenshot("keep_restored.png")
    page.click("#edit-undo")
    expect(history(page)).to_contain_text("Edit 0 of 1")
    expect(cell(page, 2, 6)).to_have_text(before or "")

    # Another browser opens the saved file through Open a session.
    other: AppPage = new_tab()
    expect(other.page.locator("#session-offer")).to_be_hidden()  # not its session to restore
    other.page.locator("#session-open input[type=file]").set_input_files(str(saved))
    expect(history(other.page)).to_contain_text("Edit 1 of 1", timeout=SLOW_MS)
    expect(cell(other.page, 2, 6)).to_have_text(code)
    other.wait_reconstruction()
    other.screenshot("keep_opened.png")

    # Its selection (levels 1-2, columns 3-9) exports as exactly 7 columns of sound, then as
    # a loop of 3 repeats.
    other.page.click("#export-selection")
    wav = exported(other, "melody-columns-3-9.wav")
    audio, rate = sf.read(io.BytesIO(wav))
    per_column = 2048  # hop 512 x 4 frames per column at 48 kHz
    assert rate == 48000 and audio.shape[0] == 7 * per_column
    other.page.locator("#export-repeats input").fill("3")
    other.page.locator("#export-seamless input").check()
    other.page.click("#export-selection")
    loop, _ = sf.read(io.BytesIO(exported(other, "melody-columns-3-9-loop-x3.wav")))
    assert loop.shape[0] == 3 * 7 * per_column
    expect(other.page.locator("#codes-status")).to_contain_text("as a seamless loop")
    other.screenshot("keep_exported.png")

    # A file that is no session is refused with its own message; the page keeps its work.
    notes = tmp_path / "notes.txt"
    notes.write_text("not a session")
    other.upload("session-open", notes)
    other.toast("notes.txt is not a Distill session file")
    expect(history(other.page)).to_contain_text("Edit 1 of 1")


def test_distill_ui_with_a_session_opens_that_work_in_the_first_page(
    chromium: Browser, tmp_path: Path
) -> None:
    """`distill ui --session FILE`, as a user types it: the saved work (the demo model's grid
    of the example sound, one typed code) is back in the page that opens, history and all."""
    session = CodesSession()
    opening.encode(str(DEMO_MODEL_PATH), str(EXAMPLE_SOUND), session)
    editor = session.state.editor
    assert editor is not None
    code = (int(editor.grids.a.codes[0, 6, 2]) + 1) % editor.grids.a.codebook_size
    step = edits.set_cell(editor, "a", 2, 6, code)
    session.update(lambda state: replace(state, editor=step.editor))
    saved = Path(save_session(session).exported)
    port = free_port()
    environment = {**os.environ, "DISTILL_HOME": str(tmp_path / "home")}
    command = [str(Path(sys.executable).parent / "distill"), "ui", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--no-open-browser", "--session", str(saved)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    try:
        page = context.new_page()
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:  # the server takes a few seconds to start (torch, the model)
            try:
                page.goto(url)
                break
            except PlaywrightError:
                assert time.monotonic() < deadline and server.poll() is None, "no server"
                time.sleep(0.5)
        tab = AppPage(page, url)
        expect(history(page)).to_contain_text("Edit 1 of 1", timeout=SLOW_MS)
        expect(cell(page, 2, 6)).to_have_text(str(code))
        expect(page.locator("#codes-summary")).to_contain_text("melody.wav")
        tab.screenshot("keep_cli_session.png")
    finally:
        context.close()
        server.terminate()
        output = server.communicate(timeout=60)[0]
        end_codes_session(session)
    assert "Traceback" not in output, output

"""In real headless Chromium: the Library's codebook diagnostics (heatmap and badges), and what
a new user trips over (an upload error names their file, the upload label stays true,
no "Use via API" link)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect
from tests.browser.pages import SLOW_MS

from distill.models.persistence import DEMO_MODEL_PATH

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_copy(distill_home: Path) -> Path:
    """The bundled demo model (diagnostics included) as a model of the user's own."""
    target = distill_home / "models" / "demo-copy.distill"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEMO_MODEL_PATH, target)
    return target


def test_the_library_shows_the_heatmap_and_badges(new_tab, demo_copy: Path) -> None:
    tab = new_tab()
    tab.tab("Library")
    tab.choose("library-model", "distill-demo")  # the name inside the copied file
    panel = tab.page.locator("#library-diagnostics")
    levels = panel.locator(".distill-diag-level")
    expect(levels).to_have_count(4)
    expect(panel.locator(".distill-heatmap")).to_have_count(4)
    expect(panel.locator(".distill-heatmap").first.locator("i")).to_have_count(128)
    expect(levels.first.locator(".distill-badge")).to_have_text("green")
    expect(levels.first).to_contain_text("1 · Structure")
    expect(levels.first).to_contain_text("dB")
    expect(levels.nth(3).locator(".distill-diag-reason")).to_contain_text("muting it changes")
    # The strips are drawn: a used code's cell is darker than an unused one's background.
    box = panel.locator(".distill-heatmap").first.bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] >= 14
    shades = panel.locator(".distill-heatmap").first.evaluate(
        "h => [...h.children].map(c => getComputedStyle(c).backgroundColor)"
    )
    assert len(set(shades)) > 10  # many shades: counts differ from code to code
    panel.scroll_into_view_if_needed()
    tab.screenshot("library_diagnostics.png")


def test_an_upload_that_is_not_audio_names_the_file_under_a_true_label(
    new_tab, demo_copy: Path, tmp_path: Path
) -> None:
    tab = new_tab()
    upload = tab.page.locator("#codes-upload")
    expect(upload).to_contain_text("melody")  # the example, and a label that says so
    expect(upload).to_contain_text("A: a demo sound, or drop your own")
    text = tmp_path / "text.mp3"
    text.write_text("This is a text file with an .mp3 name.\n")
    tab.upload("codes-upload", text)
    expect(upload).not_to_contain_text("melody")
    expect(upload).not_to_contain_text("is loaded")
    tab.page.click("#codes-encode")
    toast = tab.page.locator(".toast-body", has_text="text.mp3").first
    expect(toast).to_be_visible(timeout=SLOW_MS)
    message = toast.inner_text()
    assert "'text.mp3' is not an audio file that can be read" in message
    assert "/gradio/" not in message and "/tmp" not in message
    tab.screenshot("upload_error_names_the_file.png")
    toast.locator(".toast-close").click()


def test_there_is_no_use_via_api_link(new_tab) -> None:
    tab = new_tab()
    footer = tab.page.locator("footer")
    expect(footer).to_be_visible()
    expect(footer).not_to_contain_text(re.compile("API", re.IGNORECASE))
    expect(tab.page.get_by_text("Use via API")).to_have_count(0)


def test_a_heatmap_code_lists_where_it_lives_and_one_opens_in_the_codes_tab(
    new_tab, demo_copy: Path, capfd
) -> None:
    """A click on a code of a Library strip lists where the code lives in that model's
    training files; a moment is heard, and its Open puts the file in grid A on the Codes tab."""
    tab = new_tab()
    page = tab.page
    tab.tab("Library")
    tab.choose("library-model", "distill-demo")
    panel = page.locator("#library-diagnostics")
    cell = panel.locator('.distill-diag-level[data-level="0"] .distill-heatmap i.used').first
    code = cell.get_attribute("data-code")
    cell.click()
    places = panel.locator(".distill-heat-places")
    expect(places.locator(".occ-head")).to_contain_text(f"Code {code} of Structure")
    moments = places.locator(".occ-moment")
    expect(moments.first).to_be_visible()
    expect(cell).to_have_class(re.compile("chosen"))
    before = tab.now()
    moments.first.locator(".occ-play").click()
    tab.heard("moment", before)
    file = moments.first.get_attribute("data-file")
    assert file and file.endswith(".wav")
    panel.scroll_into_view_if_needed()
    tab.screenshot("library_heatmap_places.png")
    moments.first.locator(".occ-open").click()
    expect(page.locator("#codes-summary")).to_contain_text(file, timeout=SLOW_MS)
    expect(page.locator("#codes-grid .distill-grid")).to_be_visible()
    # The decode that follows an opening had nothing to do (the kept codes came decoded):
    # its answer changes nothing, and the server's log has no traceback for it.
    expect(page.locator("#codes-reconstruction audio")).to_have_attribute(
        "src", re.compile("."), timeout=SLOW_MS
    )
    page.wait_for_timeout(1500)
    assert "Traceback" not in capfd.readouterr().err

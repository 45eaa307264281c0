"""Model files changed under the running app, in real headless Chromium: replaced, then
deleted by hand (as the CLI or a file manager would) while the Codes tab has it selected."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from tests.browser.pages import SLOW_MS, AppPage
from tests.helpers import make_tiny_model_file, write_tone

pytestmark = pytest.mark.browser

GRID = "#codes-grid .distill-grid"


def listed_models(tab: AppPage) -> list[str]:
    """The Codes tab's model list as a user sees it when opening it."""
    box = tab.page.locator("#codes-model input")
    box.click()
    options = tab.page.locator("[data-testid=dropdown-option]")
    expect(options.first).to_be_visible()
    # Each option reads "[✓ ]NAME · L levels × K"; the tick marks the selected one.
    names = [text.split(" · ")[0].split()[-1] for text in options.all_inner_texts()]
    box.press("Escape")
    return names


def test_a_model_replaced_then_deleted_under_the_running_app(
    new_tab, distill_home: Path, tmp_path: Path
) -> None:
    model = make_tiny_model_file(distill_home / "models" / "tiny.distill")
    tone = write_tone(tmp_path / "tone.wav", 1.5, 220.0)
    tab = new_tab()
    tab.encode(tone, model="tiny")
    status = tab.page.locator("#codes-status")
    # The reconstruction follows the encode and has the last word; a fast CPU can show its
    # message before a check for "Encoded." ever reads the status.
    tab.wait_reconstruction()
    expect(status).to_contain_text(re.compile(r"Encoded\.|Reconstruction of tone\.wav ready"))

    # Someone retrains 'tiny' elsewhere: the file now holds other weights.
    os.replace(make_tiny_model_file(tmp_path / "elsewhere" / "tiny.distill", seed=5), model)
    expect(status).to_contain_text(
        "The model 'tiny' was replaced on disk since this grid was encoded", timeout=SLOW_MS
    )
    tab.screenshot("faults_model_replaced.png")
    tab.page.locator(f'{GRID} .cg-row[data-l="0"] .code-cell[data-p="2"]').click()
    tab.toast("press Encode to encode the file again with the new model")

    # Then it is deleted by hand, and another model appears: the list follows, and says why.
    make_tiny_model_file(distill_home / "models" / "bells.distill", seed=2)
    model.unlink()
    expect(status).to_contain_text(
        "The model 'tiny' was deleted or renamed outside this page since it was loaded",
        timeout=SLOW_MS,
    )
    expect(tab.page.locator("#codes-model input")).to_have_value(re.compile("^bells"))
    tab.screenshot("faults_model_deleted.png")
    assert listed_models(tab) == ["bells"]
    page_text = tab.page.locator("body").inner_text()
    assert "No such file" not in page_text and "Traceback" not in page_text

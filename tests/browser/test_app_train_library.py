"""The Train and Library tabs in real headless Chromium: train, cancel, rename, delete, open."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from tests.browser.pages import SLOW_MS, AppPage
from tests.helpers import make_tiny_model_file, write_tone

from distill.models.persistence import read_model_info

pytestmark = pytest.mark.browser

TRAIN_MS = 180_000  # a real (tiny) training run on a busy 2-core machine


@pytest.fixture
def sounds(tmp_path: Path) -> list[Path]:
    """Four short, different recordings to learn from."""
    return [
        write_tone(tmp_path / "sounds" / f"tone_{freq}.wav", 1.5, freq)
        for freq in (110.0, 165.0, 220.0, 330.0)
    ]


def start_training(tab: AppPage, files: list[Path], name: str, minutes: str, levels: str) -> None:
    tab.tab("Train")
    tab.upload("train-files", *files)
    tab.page.locator("#train-name textarea, #train-name input").first.fill(name)
    tab.page.locator("#train-minutes input").fill(minutes)
    levels_box = tab.page.locator("#train-levels input[type=number]")
    levels_box.fill(levels)
    levels_box.press("Enter")
    tab.page.click("#train-start")


@pytest.mark.slow
def test_train_in_browser_then_encode_with_the_new_model(
    new_tab, distill_home: Path, sounds: list[Path], tmp_path: Path
) -> None:
    tab = new_tab()
    start_training(tab, sounds, "fresh", "0.1", "3")
    status = tab.page.locator("#train-status")
    expect(status).to_contain_text("Finished", timeout=TRAIN_MS)
    expect(status).to_contain_text("fresh saved")
    # While it trained, the page drew the loss chart and the codebook use per level.
    expect(tab.page.locator("#train-loss canvas, #train-loss svg").first).to_be_visible()
    expect(tab.page.locator("#train-usage .distill-usage-row")).to_have_count(3)
    expect(tab.page.locator("#train-start")).to_be_enabled()
    # Loss against time with the kept checkpoint marked, a held-out excerpt to listen to, and
    # the codebook diagnostics of the new model (a badge and a heatmap per level).
    expect(tab.page.locator("#train-loss")).to_contain_text("best checkpoint")
    expect(tab.page.locator("#train-loss")).to_contain_text("seconds of training")
    expect(tab.page.locator("#train-listen")).to_contain_text("decoded at step")
    expect(tab.page.locator("#train-listen")).to_contain_text("0:00")  # a loaded player
    summary = tab.page.locator("#train-summary")
    expect(summary.locator(".distill-diag-level")).to_have_count(3)
    expect(summary.locator(".distill-heatmap")).to_have_count(3)
    expect(summary.locator(".distill-badge").first).to_have_text(re.compile("green|yellow|red"))
    tab.screenshot("train_after_training.png")
    saved = distill_home / "models" / "fresh.distill"
    assert read_model_info(saved).vqvae_config.num_levels == 3

    # Without a restart the Codes tab offers (and selects) the new model, and it encodes.
    tab.tab("Codes")
    expect(tab.page.locator("#codes-model input")).to_have_value(re.compile("^fresh"))
    tone = write_tone(tmp_path / "new.wav", 2.0, 196.0)
    tab.upload("codes-upload", tone)
    tab.page.click("#codes-encode")
    expect(tab.page.locator("#codes-summary")).to_contain_text("new.wav", timeout=SLOW_MS)
    expect(tab.page.locator("#codes-grid .cg-row")).to_have_count(3)
    expect(tab.page.locator("#codes-grid .cg-name")).to_have_text(["Structure", "Timbre", "Detail"])


@pytest.mark.slow
def test_cancel_keeps_the_best_model_so_far(
    new_tab, distill_home: Path, sounds: list[Path]
) -> None:
    tab = new_tab()
    start_training(tab, sounds, "stopped", "30", "2")
    status = tab.page.locator("#train-status")
    expect(status).to_contain_text("Training", timeout=TRAIN_MS)  # past loading, learning
    tab.page.click("#train-cancel")
    expect(status).to_contain_text("Stopped early; kept the best model so far", timeout=TRAIN_MS)
    saved = distill_home / "models" / "stopped.distill"
    assert read_model_info(saved).metadata.training.steps >= 1


def test_training_bad_input_is_a_clear_message(new_tab, distill_home: Path) -> None:
    tab = new_tab()
    tab.tab("Train")
    tab.page.click("#train-start")
    tab.toast("Choose the audio to learn from")
    expect(tab.page.locator("#train-start")).to_be_enabled()


def test_library_rename_delete_and_open_in_codes(new_tab, distill_home: Path) -> None:
    models = distill_home / "models"
    make_tiny_model_file(models / "alpha.distill", 3, 16)
    make_tiny_model_file(models / "beta.distill", 2, 16)
    (models / "junk.distill").write_bytes(b"not a model")
    tab = new_tab()
    tab.tab("Library")
    table = tab.page.locator("#library-table")
    expect(table).to_contain_text("alpha")
    expect(table).to_contain_text("beta")
    expect(tab.page.locator("#library-note")).to_contain_text("junk.distill")
    tab.screenshot("library.png")

    tab.choose("library-model", "alpha")
    tab.page.locator("#library-new-name textarea, #library-new-name input").first.fill("gamma")
    tab.page.click("#library-rename")
    expect(tab.page.locator("#library-status")).to_contain_text("Renamed 'alpha' to 'gamma'")
    expect(table).to_contain_text("gamma")
    expect(table).not_to_contain_text("alpha")
    assert (models / "gamma.distill").exists() and not (models / "alpha.distill").exists()

    # Delete asks first; "No" keeps the file, "Yes" removes it.
    tab.choose("library-model", "beta")
    tab.page.click("#library-delete")
    expect(tab.page.locator("#library-confirm")).to_contain_text("Delete beta for good?")
    tab.page.click("#library-keep")
    expect(tab.page.locator("#library-confirm")).to_be_hidden()
    assert (models / "beta.distill").exists()
    tab.page.click("#library-delete")
    tab.page.click("#library-confirm-delete")
    expect(tab.page.locator("#library-status")).to_contain_text("Deleted 'beta'")
    expect(table).not_to_contain_text("beta")
    assert not (models / "beta.distill").exists()

    # Open in Codes tab selects the model there and switches to it.
    tab.choose("library-model", "gamma")
    tab.page.click("#library-open")
    expect(tab.page.locator("#codes-grid")).to_be_visible()
    expect(tab.page.locator("#codes-model input")).to_have_value(re.compile("^gamma"))
    expect(tab.page.locator("#codes-labels textarea")).to_have_value("Structure, Timbre, Detail")

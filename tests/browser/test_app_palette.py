"""Play the codebook, as a user does in real headless Chromium: pick a level in the palette,
hear a swatch, drag it onto a selection (the grid and the history change, the region plays
at once, Before plays it as it was), see where a code lives in the training files, hear a
moment of the original and open it in the grid at its columns."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import expect
from tests.browser.pages import SLOW_MS, AppPage
from tests.helpers import make_tiny_model_file, write_tone
from tests.prior.grids import add_prior

from distill.models.persistence import load_model, save_model

pytestmark = pytest.mark.browser

A = "#codes-grid .distill-grid"
PALETTE = "#code-palette"


@pytest.fixture
def model_with_sources(distill_home: Path, trained_prior, tmp_path: Path) -> Path:
    """The tiny model with a prior whose files ('notes0.wav', ...) are in a folder the model
    file names as where its training files were read from."""
    path = make_tiny_model_file(distill_home / "models" / "tiny.distill")
    add_prior(path, trained_prior)
    sources = tmp_path / "my-sounds"
    sources.mkdir()
    for number, info in enumerate(trained_prior.metadata.files):
        seconds = info.columns * 512 * 4 / 48000 + 0.2  # as long as its kept grid
        write_tone(sources / info.name, seconds, 220.0 * (1 + number % 4))
    loaded = load_model(path)
    dataset = loaded.metadata.dataset
    assert dataset is not None
    metadata = replace(
        loaded.metadata, dataset=replace(dataset, source_folders=(str(sources.resolve()),))
    )
    return save_model(
        path,
        loaded.model,
        loaded.spectrogram.config,
        metadata,
        loaded.codebook_health,
        loaded.trained_prior,
    )


def row_codes(tab: AppPage, level: int) -> list[str]:
    return tab.page.locator(f'{A} .cg-row[data-l="{level}"] .code-cell').all_text_contents()


def test_pick_a_level_hear_a_swatch_and_drop_it_on_a_selection(
    new_tab, model_with_sources: Path, tmp_path: Path
) -> None:
    tab: AppPage = new_tab()
    page = tab.page
    tab.encode(write_tone(tmp_path / "a.wav", 2.0, 330.0))
    swatches = page.locator(f"{PALETTE} .pal-swatch")
    expect(swatches).to_have_count(16, timeout=SLOW_MS)  # every code of level 1
    expect(swatches.first).to_have_attribute("data-level", "0")
    page.click('#code-palette-levels .pal-level[data-level="2"]')
    expect(swatches.first).to_have_attribute("data-level", "2")
    expect(page.locator("#code-palette-head")).to_contain_text("(level 3): 16 codes")
    tab.screenshot("palette-level-3.png")

    page.uncheck("#code-hover-hear")  # a swatch plays on click only, from here on
    code = swatches.nth(3).get_attribute("data-code")
    assert code is not None
    swatch = page.locator(f'{PALETTE} .pal-swatch[data-level="2"][data-code="{code}"]')
    since = tab.now()
    swatch.click()
    tab.heard("swatch", since)
    expect(page.locator("#codes-status")).to_contain_text(f"Code {code} of")
    expect(page.locator("#code-occurrences")).to_contain_text(f"Code {code} of")

    before = row_codes(tab, 2)
    tab.drag_select(A, (0, 10), (2, 15))
    expect(page.locator("#codes-status")).to_contain_text("Selected levels 1-3, columns 10-15")
    since = tab.now()
    swatch.drag_to(page.locator(f'{A} .cg-row[data-l="1"] .code-cell[data-p="12"]'))
    expect(page.locator("#edit-history")).to_have_text("Edit 1 of 1")
    after = row_codes(tab, 2)
    assert after[10:16] == [code] * 6  # the selected columns of the swatch's level
    assert after[:10] == before[:10] and after[16:] == before[16:]
    expect(page.locator("#codes-status")).to_contain_text(
        f"Put code {code} in level 3, columns 10-15 of A"
    )
    tab.heard("transport", since)  # the edit is heard at once, with its context
    tab.screenshot("palette-dropped.png")
    since = tab.now()
    page.click("#code-hear-before")
    tab.heard("transport", since)
    expect(page.locator("#codes-status")).to_contain_text("before the last edit")


def test_where_a_code_lives_hear_a_moment_and_open_it(
    new_tab, model_with_sources: Path, tmp_path: Path
) -> None:
    tab: AppPage = new_tab()
    page = tab.page
    tab.encode(write_tone(tmp_path / "a.wav", 2.0, 330.0))
    swatches = page.locator(f"{PALETTE} .pal-swatch")
    expect(swatches).to_have_count(16, timeout=SLOW_MS)
    page.uncheck("#code-hover-hear")
    swatches.first.click()  # the most used code of level 1
    moments = page.locator("#code-occurrences .occ-moment")
    expect(moments.first).to_be_visible()
    first = moments.first
    name, column = first.get_attribute("data-file"), first.get_attribute("data-column")
    first_columns = first.get_attribute("data-columns")
    assert name is not None and name.startswith("notes") and column and first_columns
    since = tab.now()
    first.locator(".occ-play").click()
    tab.heard("moment", since)
    expect(page.locator("#codes-status")).to_contain_text(f"{name} at")
    expect(page.locator("#codes-status")).to_contain_text("the original")
    tab.screenshot("palette-occurrences.png")
    first.locator(".occ-open").click()
    expect(page.locator("#codes-summary")).to_contain_text(name, timeout=SLOW_MS)
    selected = page.locator(f'{A} .cg-row[data-l="0"] .code-cell.in-selection')
    expect(selected.first).to_have_attribute("data-p", column, timeout=SLOW_MS)
    expect(page.locator(f"{A} .code-cell.in-selection")).to_have_count(
        int(first_columns), timeout=SLOW_MS
    )  # the moment's run, on its level
    tab.screenshot("palette-opened-moment.png")

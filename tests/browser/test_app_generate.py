"""The Generate panel in real headless Chromium: generate from the bundled demo model, see
the grid, click a generated cell and hear it; continue the example; 'no prior' said plainly."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from tests.browser.pages import ARTIFACTS, SLOW_MS, AppPage, free_port
from tests.helpers import make_tiny_model_file

from distill.models.persistence import DEMO_MODEL_PATH, load_model
from distill.prior.sampling import columns_for

pytestmark = pytest.mark.browser

GRID = "#codes-grid .distill-grid"


@pytest.fixture(scope="module")
def demo_app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The real app with the bundled demo model visible, and a models folder holding one
    model without a prior."""
    from distill.ui.app import launch_app

    home = tmp_path_factory.mktemp("generate_home")
    make_tiny_model_file(home / "models" / "plain.distill", 4, 64)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DISTILL_HOME", str(home))
        port = free_port()
        app = launch_app(port=port, prevent_thread_lock=True)
        try:
            yield f"http://127.0.0.1:{port}", home
        finally:
            app.close()


@pytest.fixture
def tab(chromium: Browser, demo_app_url: tuple[str, Path]) -> Iterator[AppPage]:
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    page = AppPage(context.new_page(), demo_app_url[0]).open()
    yield page
    context.close()
    assert page.errors == [], f"JavaScript errors on the page: {page.errors}"
    assert page.outside == [], f"The page fetched from outside this machine: {page.outside}"


def wait_playing(tab: AppPage, element_id: str) -> None:
    tab.page.wait_for_function(
        "id => { const a = document.querySelector('#' + id + ' audio');"
        " return a && !a.paused && a.currentTime > 0.05; }",
        arg=element_id,
        timeout=SLOW_MS,
    )


def test_generate_from_the_demo_model_then_click_a_generated_cell_and_hear_it(tab: AppPage):
    page = tab.page
    expect(page.locator("#codes-model input")).to_have_value(re.compile("^demo"))
    expect(page.locator("#gen-prior")).to_contain_text("Prior: held-out perplexity")
    page.locator("#gen-seconds input").fill("3")
    page.locator("#gen-seed input").fill("2")
    page.click("#gen-new")
    expect(page.locator("#codes-summary")).to_contain_text("generated (seed 2)", timeout=SLOW_MS)
    columns = columns_for(load_model(DEMO_MODEL_PATH), 3.0)
    expect(page.locator(f"{GRID} .cg-row")).to_have_count(4)
    expect(page.locator(f"{GRID} .cg-col")).to_have_count(columns)
    expect(page.locator("#codes-status")).to_contain_text("Copies")
    expect(page.locator("#gen-prior")).to_contain_text("in a row")
    assert "distill-generated" in tab.audio_src("gen-audio")
    tab.screenshot("generate_from_demo.png")

    cell = page.locator(f'{GRID} .cg-row[data-l="0"] .code-cell[data-p="10"]')
    code = cell.inner_text()
    cell.click()
    expect(page.locator("#codes-status")).to_contain_text(f"column 10 at 0.43 s, code {code}")
    assert "distill-preview" in tab.audio_src("codes-preview")
    wait_playing(tab, "codes-preview")  # the generated cell's code, heard
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#codes-grid").screenshot(path=str(ARTIFACTS / "generate_clicked.png"))

    page.evaluate("document.querySelector('#gen-audio audio').play()")
    wait_playing(tab, "gen-audio")


def test_continue_the_encoded_example(tab: AppPage):
    page = tab.page
    page.click("#codes-encode")
    expect(page.locator("#codes-summary")).to_contain_text("melody.wav", timeout=SLOW_MS)
    before = page.locator(f"{GRID} .cg-col").count()
    page.locator("#gen-seconds input").fill("1")
    page.click("#gen-continue")
    expect(page.locator("#codes-summary")).to_contain_text("melody.wav continued", timeout=SLOW_MS)
    expect(page.locator(f"{GRID} .cg-col")).to_have_count(before + 23)
    expect(page.locator("#codes-status")).to_contain_text(f"from column {before}")


def test_a_model_without_a_prior_says_no_prior(tab: AppPage):
    tab.choose("codes-model", "plain")
    expect(tab.page.locator("#gen-prior")).to_contain_text("No prior")
    tab.page.click("#gen-new")
    tab.toast("has no prior, so it cannot generate")

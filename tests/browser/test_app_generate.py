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
    expect(page.locator("#codes-summary")).to_contain_text(
        "generated (seed 2, take ", timeout=SLOW_MS
    )
    columns = columns_for(load_model(DEMO_MODEL_PATH), 3.0)
    expect(page.locator(f"{GRID} .cg-row")).to_have_count(4)
    expect(page.locator(f"{GRID} .cg-col")).to_have_count(columns)
    expect(page.locator("#codes-status")).to_contain_text("Copies")
    expect(page.locator("#gen-result")).to_contain_text(
        "seed 2, temperature 1, top-k off, top-p 1, novelty 1, events as in the files, 3 s"
    )
    assert "distill-generated" in tab.audio_src("codes-original")  # it is the file now
    tab.screenshot("generate_from_demo.png")

    cell = page.locator(f'{GRID} .cg-row[data-l="0"] .code-cell[data-p="10"]')
    code = cell.inner_text()
    before = tab.now()
    cell.click()
    expect(page.locator("#codes-status")).to_contain_text(f"column 10 at 0.43 s, code {code}")
    tab.heard("cell", before)  # the generated cell's code, heard
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#codes-grid").screenshot(path=str(ARTIFACTS / "generate_clicked.png"))

    page.evaluate("document.querySelector('#codes-original audio').play()")
    wait_playing(tab, "codes-original")


def test_generate_shows_its_takes_to_hear_and_open_any_of_them_in_a(tab: AppPage):
    """Generate draws several takes at once, each a log-mel thumbnail with its number; one
    is heard through the fast path, another opened in A replaces the file there."""
    page = tab.page
    page.locator("#gen-seconds input").fill("2")
    page.locator("#gen-seed input").fill("5")
    page.locator("#gen-takes-count input").fill("3")
    page.click("#gen-new")
    cards = page.locator("#gen-takes .gen-take")
    expect(cards).to_have_count(3, timeout=SLOW_MS)
    expect(page.locator("#gen-takes .gen-take-open")).to_have_attribute("data-take", "0")
    assert page.evaluate(
        "[...document.querySelectorAll('#gen-takes .gen-take img')]"
        ".every(i => i.complete && i.naturalWidth > 40 && i.naturalHeight === 32)"
    ), "a take's thumbnail did not load"
    numbers = [cards.nth(i).get_attribute("data-number") for i in range(3)]
    assert len(set(numbers)) == 3
    expect(page.locator("#codes-summary")).to_contain_text(f"generated (seed 5, take {numbers[0]})")
    before = tab.now()
    cards.nth(1).locator(".gen-take-play").click()
    tab.heard("take", before)
    expect(page.locator("#codes-status")).to_contain_text(f"Playing take {numbers[1]} of seed 5")
    expect(cards.nth(1)).to_have_class(re.compile("gen-take-playing"))
    cards.nth(2).locator(".gen-take-pick").click()
    expect(page.locator("#codes-summary")).to_contain_text(
        f"generated (seed 5, take {numbers[2]})", timeout=SLOW_MS
    )
    expect(page.locator("#gen-takes .gen-take-open")).to_have_attribute("data-take", "2")
    expect(page.locator("#edit-history")).to_have_text("No edits yet.")
    assert "distill-generated" in tab.audio_src("codes-original")
    page.locator("#gen-panel").screenshot(path=str(ARTIFACTS / "generate_takes.png"))


def test_a_model_without_a_prior_says_no_prior(tab: AppPage):
    tab.choose("codes-model", "plain")
    expect(tab.page.locator("#gen-prior")).to_contain_text("No prior")
    tab.page.click("#gen-new")
    tab.toast("has no prior, so it cannot generate")


def test_generate_then_export_writes_the_generated_sound(tab: AppPage):
    """A generated grid replaces the page's file as an encode does: the players, the grid,
    the pictures, and what Export writes."""
    page = tab.page
    page.locator("#gen-seconds input").fill("2")
    page.locator("#gen-seed input").fill("3")
    page.click("#gen-new")
    expect(page.locator("#codes-summary")).to_contain_text(
        "generated (seed 3, take ", timeout=SLOW_MS
    )
    assert "distill-generated" in tab.audio_src("codes-original")
    expect(page.locator(f"{GRID} .cg-pic-row.original img")).to_have_count(1)
    expect(page.locator("#edit-history")).to_have_text("No edits yet.")
    page.click("#edit-export-audio")
    expect(page.locator("#edit-exported a").first).to_have_attribute(
        "href", re.compile(r"/generated-seed-3-take-\d+\.wav$"), timeout=SLOW_MS
    )


def test_continue_is_one_step_with_its_join_marked_and_undo_takes_it_back(tab: AppPage):
    page = tab.page
    page.click("#codes-encode")
    expect(page.locator("#codes-summary")).to_contain_text("melody.wav", timeout=SLOW_MS)
    before = page.locator(f"{GRID} .cg-col").count()
    page.locator("#gen-seconds input").fill("1")
    page.click("#gen-continue")
    expect(page.locator(f"{GRID} .cg-col")).to_have_count(before + 23, timeout=SLOW_MS)
    expect(page.locator("#codes-status")).to_contain_text(f"from column {before}")
    join = page.locator(f"{GRID} .cg-join")
    expect(join).to_be_visible()
    expect(join).to_have_attribute("data-p", str(before))
    expect(page.locator("#edit-history")).to_have_text("Edit 1 of 1")
    tab.screenshot("generate_continued.png")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+z")
    expect(page.locator(f"{GRID} .cg-col")).to_have_count(before)
    expect(page.locator(f"{GRID} .cg-join")).to_be_hidden()
    expect(page.locator("#edit-history")).to_have_text("Edit 0 of 1")
    page.keyboard.press("Control+y")
    expect(page.locator(f"{GRID} .cg-col")).to_have_count(before + 23)
    expect(page.locator(f"{GRID} .cg-join")).to_be_visible()


def test_new_take_regenerates_the_selection_differently_each_time(tab: AppPage):
    page = tab.page
    page.locator("#gen-seconds input").fill("2")
    page.click("#gen-new")
    expect(page.locator("#codes-summary")).to_contain_text(
        "generated (seed 0, take ", timeout=SLOW_MS
    )
    tab.drag_select(GRID, (1, 8), (3, 30))
    expect(page.locator("#codes-status")).to_contain_text("columns 8-30")

    def region() -> list[list[str]]:
        return [
            page.locator(f'{GRID} .cg-row[data-l="{level}"] .code-cell').all_text_contents()[8:31]
            for level in (1, 2, 3)
        ]

    page.click("#gen-regenerate")
    expect(page.locator("#edit-history")).to_have_text("Edit 1 of 1", timeout=SLOW_MS)
    takes = [region()]
    seeds = []
    for step in (2, 3):
        page.click("#gen-new-take")
        expect(page.locator("#edit-history")).to_have_text(
            f"Edit {step} of {step}", timeout=SLOW_MS
        )
        seed = page.locator("#gen-seed input").input_value()
        expect(page.locator("#gen-result")).to_contain_text(  # the region's length
            re.compile(
                rf"seed {seed}, temperature 1, top-k off, top-p 1, novelty 1, "
                r"events as in the files, 0\.98 s"
            )
        )
        seeds.append(seed)
        takes.append(region())
    assert seeds[0] != seeds[1] and "0" not in seeds
    assert takes[0] != takes[1] != takes[2], "New take drew the same codes again"


def test_bad_settings_say_so_and_leave_no_error_marks(tab: AppPage, capfd):
    page = tab.page
    page.locator("#gen-seed input").fill("")
    page.click("#gen-new")
    tab.toast("The seed is empty or not a number")
    page.locator("#gen-seed input").fill("-3")
    page.click("#gen-new")
    tab.toast("got -3")
    # No red "Error" mark stays on the grid, the bar or the players (Gradio puts one on
    # every output of an event that raised), and no traceback reached the server's log.
    expect(page.get_by_text("Error", exact=True)).to_have_count(0)
    tab.screenshot("generate_bad_seed.png")
    assert "Traceback" not in capfd.readouterr().err

"""A first run as `make run` leaves it: `distill ui` in its own process, no models of the user's
own, the bundled demo model selected and the example sound loaded; Encode is the only step."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from tests.browser.pages import SLOW_MS, AppPage, free_port

from distill.demo.sounds import EXAMPLE_SOUND
from distill.inference import encode_audio_file
from distill.models.persistence import DEMO_MODEL_PATH, load_model

pytestmark = pytest.mark.browser

GRID = "#codes-grid .distill-grid"
START_TIMEOUT_S = 180.0


def wait_until_serving(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"`distill ui` exited early:\n{process.stdout.read()}")  # type: ignore[union-attr]
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"`distill ui` did not serve {url} within {START_TIMEOUT_S:.0f} s")


@pytest.fixture
def first_run_url(tmp_path: Path) -> Iterator[str]:
    """`distill ui` as `make run` starts it, for a user with no models yet."""
    port = free_port()
    env = {**os.environ, "DISTILL_HOME": str(tmp_path / "fresh_home")}
    command = [sys.executable, "-m", "distill", "ui", "--port", str(port), "--no-open-browser"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_example_encodes_with_the_demo_model_without_uploading(
    chromium: Browser, first_run_url: str
) -> None:
    assert DEMO_MODEL_PATH.is_file(), "the demo model must ship with the package"
    expected = encode_audio_file(EXAMPLE_SOUND, load_model(DEMO_MODEL_PATH, device="cpu"))
    columns, levels = expected["spatial_shape"][1], expected["num_quantizers"]

    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    tab = AppPage(context.new_page(), first_run_url).open()
    page = tab.page
    try:
        expect(page.locator("#codes-model input")).to_have_value(
            "demo (bundled example) · 4 levels × 128"
        )
        expect(page.locator("#codes-upload")).to_contain_text(EXAMPLE_SOUND.stem)
        # Ready to listen to: the player's audio gets the example's file (it loads after the
        # page's other values, so wait for it as a user would).
        player = page.locator("#codes-original audio")
        expect(player).to_have_attribute("src", re.compile(re.escape(EXAMPLE_SOUND.name)))

        page.click("#codes-encode")  # the only step: nothing uploaded, nothing chosen
        summary = page.locator("#codes-summary")
        expect(summary).to_contain_text(EXAMPLE_SOUND.name, timeout=SLOW_MS)
        expect(summary).to_contain_text("model demo")
        expect(page.locator(f"{GRID} .cg-row")).to_have_count(levels)
        expect(page.locator(f"{GRID} .cg-col")).to_have_count(columns)
        first_row = [
            int(c)
            for c in page.locator(f"{GRID} .cg-row").first.locator(".code-cell").all_inner_texts()
        ]
        assert first_row == [int(c) for c in expected["indices"][0, :, 0].tolist()]
        assert tab.wait_reconstruction(), "the reconstruction follows the grid, for A/B"

        page.locator(f'{GRID} .cg-row[data-l="0"] .code-cell[data-p="10"]').click()
        expect(page.locator("#codes-status")).to_contain_text("column 10")
        tab.heard("cell")  # through Web Audio: the audio clock moves past its start
        tab.screenshot("first_run_codes_tab.png")
    finally:
        context.close()
    assert tab.errors == [], f"JavaScript errors on the page: {tab.errors}"
    assert tab.outside == [], f"The page fetched from outside this machine: {tab.outside}"

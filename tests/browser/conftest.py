"""Browser-test fixtures: the real Distill app served in-process, and headless Debian Chromium."""

from __future__ import annotations

import importlib.util
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from playwright.sync_api import Browser, Page, expect, sync_playwright


def _reexport_root_conftest() -> None:
    """pytest imports every conftest.py as the module `conftest`; once this one is loaded,
    `from conftest import make_tiny_model_file` in test modules collected later finds this
    file. Re-export tests/conftest.py's plain helpers (not its fixtures) so they still work."""
    root = Path(__file__).resolve().parents[1] / "conftest.py"
    spec = importlib.util.spec_from_file_location("distill_tests_root_conftest", root)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, value in vars(module).items():
        is_fixture = hasattr(value, "_get_wrapped_function") or hasattr(
            value, "_pytestfixturefunction"
        )
        if not name.startswith("_") and not is_fixture and name not in globals():
            globals()[name] = value


_reexport_root_conftest()

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
SLOW_MS = 60_000  # generous waits for model work on a busy 2-core machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    # No skip: a missing Chromium must fail the run (`make browser` installs it).
    # Module scope: only one Playwright (sync API) may run at a time, and other browser test
    # modules start their own.
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing; run `make browser` to install Chromium."
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app on a free port. Each test points DISTILL_HOME at its own folder (the
    app reads it on every call); the bundled demo model is hidden so lists are predictable.
    Module scope: the demo is visible again to the test modules after this one."""
    from distill.models import persistence
    from distill.ui.app import launch_app

    home = tmp_path_factory.mktemp("app_home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DISTILL_HOME", str(home))
        patch.setattr(persistence, "DEMO_MODEL_PATH", home / "no-demo.distill")
        port = free_port()
        app = launch_app(port=port, prevent_thread_lock=True)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            app.close()


class AppPage:
    """A user's browser tab on the app, with the few gestures the tests repeat."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url
        self.errors: list[str] = []
        self.outside: list[str] = []  # requests that left this machine (there must be none)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("request", self._note_request)

    def _note_request(self, request) -> None:  # type: ignore[no-untyped-def]
        if not re.match(r"^(https?://127\.0\.0\.1[:/]|data:|blob:|about:)", request.url):
            self.outside.append(request.url)

    def open(self) -> AppPage:
        self.page.goto(self.url)
        expect(self.page.locator("#codes-grid")).to_be_visible(timeout=SLOW_MS)
        return self

    def tab(self, name: str) -> None:
        self.page.get_by_role("tab", name=name).click()

    def choose(self, dropdown_id: str, option_text: str) -> None:
        """Pick the option containing option_text in a Gradio dropdown."""
        box = self.page.locator(f"#{dropdown_id} input")
        expect(box).to_be_enabled()
        box.click()
        self.page.locator("[data-testid=dropdown-option]", has_text=option_text).first.click()
        expect(box).to_have_value(re.compile(re.escape(option_text)))

    def upload(self, element_id: str, *paths: Path) -> None:
        """Give a gr.File these files, clearing what it held first (as a user would)."""
        clear = self.page.locator(f"#{element_id} button[aria-label=Clear]")
        if clear.count():
            clear.first.click()
        self.page.locator(f"#{element_id} input[type=file]").set_input_files(
            [str(p) for p in paths]
        )
        for path in paths:
            expect(self.page.locator(f"#{element_id}")).to_contain_text(path.stem)

    def toast(self, text: str) -> None:
        """Wait for the error or warning toast containing `text`, then close it (it covers
        the top right of the page for a while otherwise)."""
        toast = self.page.locator(".toast-body", has_text=text).first
        expect(toast).to_be_visible(timeout=SLOW_MS)
        toast.locator(".toast-close").click()
        expect(toast).to_be_hidden()

    def audio_src(self, element_id: str) -> str:
        return str(
            self.page.evaluate(
                "id => { const a = document.querySelector('#' + id + ' audio');"
                " return a ? a.currentSrc || a.src : ''; }",
                element_id,
            )
        )

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def new_tab(chromium: Browser, app_url: str) -> Iterator:
    """Factory: each call opens the app in a new, separate browser context (a new session)."""
    contexts = []
    tabs: list[AppPage] = []

    def make() -> AppPage:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        tab = AppPage(context.new_page(), app_url)
        tabs.append(tab)
        return tab.open()

    yield make
    for context in contexts:
        context.close()
    for tab in tabs:
        assert tab.errors == [], f"JavaScript errors on the page: {tab.errors}"
        assert tab.outside == [], f"The page fetched from outside this machine: {tab.outside}"


def write_tone(path: Path, seconds: float, freq: float, sample_rate: int = 48000) -> Path:
    """A short real recording stand-in: a decaying harmonic tone with a noisy attack."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    tone = sum(np.sin(2 * np.pi * freq * k * t) / k for k in (1, 2, 3))
    noise = np.random.default_rng(int(freq)).standard_normal(t.shape) * np.exp(-t * 30)
    samples = (0.3 * tone * np.exp(-t * 1.5) + 0.2 * noise).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, samples, sample_rate, subtype="PCM_16")
    return path

"""Browser-test fixtures: the real Distill app served in-process, and headless Debian Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from tests.browser.pages import CHROMIUM, CHROMIUM_ARGS, AppPage, free_port
from tests.helpers import make_tiny_model_file


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


@pytest.fixture
def tiny_model(distill_home: Path) -> Path:
    """A real 4-level model (K 64) in this test's own DISTILL_HOME, listed as 'tiny'."""
    return make_tiny_model_file(distill_home / "models" / "tiny.distill", 4, 64)


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

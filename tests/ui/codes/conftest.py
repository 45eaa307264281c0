"""The Codes tab's fast-path tests share one real app server per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.browser.pages import free_port


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    from distill.ui.app import launch_app

    app = launch_app(port=free_port(), prevent_thread_lock=True)
    try:
        yield app.local_url.rstrip("/")
    finally:
        app.close()

"""Browser-test helpers (import them from here, not from conftest): Chromium's settings, a
user's tab on the app and its gestures, free ports."""

from __future__ import annotations

import contextlib
import re
import socket
from pathlib import Path

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

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
        chooser = self.page.locator(f"#{element_id} input[type=file]")
        # The box may still be drawing the file it opened with (a busy machine): wait until
        # it shows either that file (with its Clear button) or the empty drop zone.
        expect(clear.or_(chooser).first).to_be_attached(timeout=SLOW_MS)
        if clear.count():
            clear.first.click()
        chooser.set_input_files([str(p) for p in paths], timeout=SLOW_MS)
        for path in paths:
            expect(self.page.locator(f"#{element_id}")).to_contain_text(path.stem)

    def toast(self, text: str) -> None:
        """Wait for the message toast containing `text` (Gradio's, or the fast path's own),
        then close it (it covers the top right of the page for a while otherwise)."""
        # A closing Gradio toast stays in the page a moment, inert, while it fades out.
        toasts = self.page.locator(".toast-body:not([inert]), .distill-toast", has_text=text)
        expect(toasts.first).to_be_visible(timeout=SLOW_MS)
        # The same message can rightly come twice (a dropdown's change handler that read the
        # file as well as the button's): close every one.
        for _ in range(5):
            if not toasts.count():
                break
            with contextlib.suppress(PlaywrightTimeoutError):  # it may close itself meanwhile
                toasts.first.locator(".toast-close, .distill-toast-close").click(timeout=2000)
            self.page.wait_for_timeout(200)
        expect(toasts).to_have_count(0)

    def encode(self, a: Path, b: Path | None = None, model: str = "tiny") -> None:
        """Pick the model, put `a` (and `b`) in the upload boxes, press Encode, and wait for
        the grids to name them."""
        self.choose("codes-model", model)
        self.upload("codes-upload", a)
        if b is not None:
            self.upload("codes-upload-b", b)
        self.page.click("#codes-encode")
        expect(self.page.locator("#codes-summary")).to_contain_text(a.name, timeout=SLOW_MS)
        if b is not None:
            expect(self.page.locator("#codes-summary-b")).to_contain_text(b.name, timeout=SLOW_MS)

    def heard(self, kind: str, since: float = 0.0, timeout_ms: float = SLOW_MS) -> None:
        """Wait until a sound of this kind ('cell', 'col', 'row', 'transport') begun after
        `since` (the page's performance.now()) plays: the audio clock has moved past its
        start."""
        self.page.wait_for_function(
            "([kind, since]) => window.distillAudio.sounded(kind, since)",
            arg=[kind, since],
            timeout=timeout_ms,
        )

    def now(self) -> float:
        """The page's clock (performance.now()), to tell later sounds from earlier ones."""
        return float(self.page.evaluate("performance.now()"))

    def audio_src(self, element_id: str) -> str:
        return str(
            self.page.evaluate(
                "id => { const a = document.querySelector('#' + id + ' audio');"
                " return a ? a.currentSrc || a.src : ''; }",
                element_id,
            )
        )

    def wait_reconstruction(self, timeout_ms: float = SLOW_MS) -> str:
        """Wait for the reconstruction that follows an encode (it is decoded after the grid
        shows); its URL."""
        self.page.wait_for_function(
            "() => { const a = document.querySelector('#codes-reconstruction audio');"
            " return a && (a.currentSrc || a.src); }",
            timeout=timeout_ms,
        )
        return self.audio_src("codes-reconstruction")

    def drag_select(self, grid: str, corner: tuple[int, int], other: tuple[int, int]) -> None:
        """Press on one cell (level, column) of `grid`, move to another, let go."""
        cells = [
            self.page.locator(f'{grid} .cg-row[data-l="{level}"] .code-cell[data-p="{column}"]')
            for level, column in (corner, other)
        ]
        cells[0].hover()
        self.page.mouse.down()
        cells[1].hover()
        self.page.mouse.up()

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path

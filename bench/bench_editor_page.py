"""How fast an edit reaches the page: the real app, the bundled demo model, a 10-second file.

    .venv/bin/python bench/bench_editor_page.py [--runs 9]

Starts the app in this process, opens it in headless Debian Chromium, encodes two 10-second
files (A and B), then times, in the page, from the gesture to the grid showing its result:
a code typed into a cell (until the cell shows it), and a blend slider moved (until the
grid shows the blended cells). Writes bench/results/editor_page.json.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

RESULTS = Path(__file__).parent / "results"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# Resolves with the milliseconds from sending `payload` to `done()` being true in the page.
TIME_GESTURE = """
([payload, check]) => new Promise(resolve => {
  const done = new Function("return (" + check + ")();");
  const start = performance.now();
  const observer = new MutationObserver(() => {
    if (done()) { observer.disconnect(); resolve(performance.now() - start); }
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
  window.distillGrid.send(document.querySelector("#codes-grid .distill-grid"), payload);
})
"""
TIME_SLIDER = """
([value, check]) => new Promise(resolve => {
  const done = new Function("return (" + check + ")();");
  const input = document.querySelector("#edit-blend-whole input[type=range]");
  const start = performance.now();
  const observer = new MutationObserver(() => {
    if (done()) { observer.disconnect(); resolve(performance.now() - start); }
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
  input.value = value;
  input.dispatchEvent(new Event("input", {bubbles: true}));
})
"""


def _tone(path: Path, seconds: float, pitch: float) -> Path:
    t = np.arange(int(seconds * 48000)) / 48000
    audio = sum(np.sin(2 * np.pi * pitch * k * t) / k for k in (1, 2, 3, 4))
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 0.7 * t)
    sf.write(path, (0.2 * audio * envelope).astype(np.float32), 48000)
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--out", type=Path, default=RESULTS / "editor_page.json")
    args = parser.parse_args()
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from playwright.sync_api import sync_playwright

    from distill.ui.app import launch_app

    work = Path(tempfile.mkdtemp())
    os.environ["DISTILL_HOME"] = str(work / "home")
    a, b = _tone(work / "a.wav", 10.0, 220.0), _tone(work / "b.wav", 10.0, 330.0)
    port = _free_port()
    app = launch_app(port=port, prevent_thread_lock=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"http://127.0.0.1:{port}")
            page.locator("#codes-upload button[aria-label=Clear]").first.click()  # the example
            page.locator("#codes-upload input[type=file]").set_input_files(str(a))
            page.locator("#codes-upload-b input[type=file]").set_input_files(str(b))
            page.wait_for_timeout(1000)
            page.click("#codes-encode")
            page.wait_for_selector("#codes-grid-b .distill-grid", timeout=120_000)
            columns = int(page.get_attribute("#codes-grid .distill-grid", "data-columns") or 0)
            set_ms = []
            for run in range(args.runs):
                code = 3 + run % 20
                check = (
                    '() => { const c = document.querySelector(\'#codes-grid .cg-row[data-l="1"]'
                    f' .code-cell[data-p="{10 + run}"]\'); return c && c.textContent === '
                    f"'{code}' && c.classList.contains('edited'); }}"
                )
                set_ms.append(page.evaluate(TIME_GESTURE, [f"set,1,{10 + run},{code}", check]))
            blend_ms = []
            for run in range(args.runs):
                value = 0.1 + 0.1 * (run % 9)
                percent = f"{value:.0%}"
                check = (
                    "() => document.querySelector('#codes-status').textContent.includes("
                    f"'{percent} of the way')"
                )
                blend_ms.append(page.evaluate(TIME_SLIDER, [f"{value:.2f}", check]))
                page.wait_for_timeout(100)
            browser.close()
    finally:
        app.close()
    result = {
        "file_seconds": 10.0,
        "columns": columns,
        "model": "demo",
        "runs": args.runs,
        "set_code_ms_median": round(statistics.median(set_ms), 1),
        "set_code_ms_max": round(max(set_ms), 1),
        "blend_slider_ms_median": round(statistics.median(blend_ms), 1),
        "blend_slider_ms_max": round(max(blend_ms), 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

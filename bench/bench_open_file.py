"""How soon a file opens in the app: time to grid and time to reconstruction, 10 s and 10 min.

    .venv/bin/python bench/bench_open_file.py [--lengths 10 600]

Starts the app in this process with the bundled demo model, opens it in headless Debian
Chromium and, for each length, uploads a file of the bundled demo sounds laid end to end,
presses Encode and times in the page (from the press): the grid with the original's
spectrogram shown (its first picture block loaded), a click on a cell served while the
reconstruction is still decoding (its status line), and the reconstruction's spectrogram
shown. Then it scrolls the long grid across 20 screens and records the frame times, and
jumps with the overview strip; last, it times the library's part of the time to grid alone
(encode, picture blocks, grid HTML). Writes bench/results/open_file.json.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import tempfile
import time
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
GRID = "#codes-grid .distill-grid"
FIRST_PICTURE = f"{GRID} .cg-pic-row.original img"
RECONSTRUCTION_PICTURE = f"{GRID} .cg-pic-row.reconstruction img"

# Resolves with the milliseconds from the grid sending `payload` to the status showing `text`.
TIME_CLICK = """
([payload, text]) => new Promise(resolve => {
  const start = performance.now();
  const status = document.querySelector("#codes-status");
  const observer = new MutationObserver(() => {
    if (!status.textContent.includes(text)) return;
    observer.disconnect();
    resolve(performance.now() - start);
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
  window.distillGrid.send(document.querySelector("#codes-grid .distill-grid"), payload);
})
"""

# Resolves with the milliseconds of every animation frame while the grid scrolls `screens`
# screens to the right, one step per frame (what a user's drag of the scroll bar does).
SCROLL_FRAMES = """
([selector, screens]) => new Promise(resolve => {
  const box = document.querySelector(selector + " .cg-scroll");
  const step = box.clientWidth / 4, stop = screens * box.clientWidth;
  const frames = [];
  let last = performance.now();
  function frame(now) {
    frames.push(now - last);
    last = now;
    if (box.scrollLeft >= stop || box.scrollLeft + box.clientWidth >= box.scrollWidth) {
      resolve(frames.slice(1));
      return;
    }
    box.scrollLeft += step;
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
})
"""


def demo_file(path: Path, seconds: float) -> Path:
    """The bundled demo sounds end to end (with 0.2 s gaps), repeated to `seconds`."""
    from distill.demo.sounds import DEMO_SOUNDS_DIR

    pieces, total, target = [], 0, int(seconds * 48000)
    sounds = sorted(DEMO_SOUNDS_DIR.glob("*.wav"))
    while total < target:
        for sound in sounds:
            audio, rate = sf.read(sound, dtype="float32", always_2d=True)
            assert rate == 48000, sound
            pieces += [audio.mean(axis=1), np.zeros(9600, np.float32)]
            total += audio.shape[0] + 9600
    sf.write(path, np.concatenate(pieces)[:target], 48000)
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _seconds_since(start: float) -> float:
    return round(time.perf_counter() - start, 2)


def open_file(page, path: Path) -> dict:  # type: ignore[no-untyped-def]
    """Encode `path` in the page and time what shows, from the press of Encode."""
    page.locator("#codes-upload button[aria-label=Clear]").first.click()
    page.locator("#codes-upload input[type=file]").set_input_files(str(path))
    page.wait_for_function(
        "name => document.querySelector('#codes-upload').textContent.includes(name)",
        arg=path.stem,
    )
    page.wait_for_timeout(500)
    start = time.perf_counter()
    page.click("#codes-encode")
    page.wait_for_function(
        "([name, selector]) => document.querySelector('#codes-summary').textContent"
        ".includes(name) && [document.querySelector(selector)].every(i => i && i.complete"
        " && i.naturalWidth > 0)",
        arg=[path.name, FIRST_PICTURE],
        timeout=300_000,
        polling=50,
    )
    grid_s = _seconds_since(start)
    decoding = page.locator(RECONSTRUCTION_PICTURE).count() == 0
    during_ms = click_ms(page, 3)
    click_s = _seconds_since(start)
    click_during_decode = decoding and page.locator(RECONSTRUCTION_PICTURE).count() == 0
    page.wait_for_selector(RECONSTRUCTION_PICTURE, timeout=600_000)
    reconstruction_s = _seconds_since(start)
    columns = int(page.get_attribute(GRID, "data-columns") or 0)
    return {
        "file_seconds": round(sf.info(path).duration, 1),
        "columns": columns,
        "time_to_grid_s": grid_s,
        "click_answered_at_s": click_s,
        "click_answered_while_decoding": click_during_decode,
        "click_ms_while_decoding": during_ms,
        "time_to_reconstruction_s": reconstruction_s,
        "click_ms_after_decode": click_ms(page, 5),
        "grid_html_kb": round(len(page.inner_html("#codes-grid")) / 1024),
    }


def click_ms(page, column: int) -> float:  # type: ignore[no-untyped-def]
    """Milliseconds, timed in the page, from a click's gesture on a cell of the first level
    (what the grid's onclick sends) to the status line naming it. (Playwright's own click
    waits for the page to settle first, up to 1.7 s more on a 14,000-column grid.)"""
    return round(page.evaluate(TIME_CLICK, [f"cell,0,{column}", f"column {column} at"]))


def encode_alone(path: Path) -> dict:
    """The library's share of the time to grid, timed in this process after the page run:
    encode_sound, then the original's picture blocks and the grid's HTML."""
    from distill.inference import encode_sound
    from distill.models.persistence import find_model, load_model
    from distill.ui.codes.pictures import original_pictures, remove_pictures
    from distill.ui.components.code_grid import render_grid

    loaded = load_model(find_model("demo"))
    start = time.perf_counter()
    encoded = encode_sound(path, loaded)
    encode_s = _seconds_since(start)
    start = time.perf_counter()
    state = original_pictures(encoded, loaded.spectrogram)
    pictures_s = _seconds_since(start)
    start = time.perf_counter()
    render_grid(encoded.grid, pictures=state.shown)
    html_s = _seconds_since(start)
    remove_pictures(state)
    return {"encode_s": encode_s, "pictures_s": pictures_s, "grid_html_s": html_s}


def scroll_and_jump(page) -> dict:  # type: ignore[no-untyped-def]
    """Frame times while scrolling 20 screens, and picture blocks fetched so far; then a
    click on the overview's middle, and where the grid went."""
    frames = page.evaluate(SCROLL_FRAMES, [GRID, 20])
    loaded = page.evaluate(
        f"document.querySelectorAll('{GRID} .cg-pic-row.original img').length"
        " - [...document.querySelectorAll('" + GRID + " .cg-pic-row.original img')]"
        ".filter(i => !i.complete || i.naturalWidth === 0).length"
    )
    blocks = page.locator(FIRST_PICTURE).count()
    strip = page.locator(f"{GRID} .cg-overview").bounding_box()
    page.mouse.click(strip["x"] + strip["width"] / 2, strip["y"] + strip["height"] / 2)
    middle = page.evaluate(
        f"(() => {{ const b = document.querySelector('{GRID} .cg-scroll');"
        " return (b.scrollLeft + b.clientWidth / 2) / b.scrollWidth; })()"
    )
    return {
        "scroll_frames": len(frames),
        "scroll_frame_ms_median": round(statistics.median(frames), 1),
        "scroll_frame_ms_p95": round(sorted(frames)[int(0.95 * (len(frames) - 1))], 1),
        "picture_blocks": blocks,
        "picture_blocks_loaded_after_scroll": loaded,
        "overview_click_middle_lands_at": round(middle, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lengths", type=float, nargs="+", default=[10.0, 600.0])
    parser.add_argument("--out", type=Path, default=RESULTS / "open_file.json")
    args = parser.parse_args()
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from playwright.sync_api import sync_playwright

    from distill.ui.app import launch_app

    work = Path(tempfile.mkdtemp())
    os.environ["DISTILL_HOME"] = str(work / "home")
    cases = {}
    port = _free_port()
    app = launch_app(port=port, prevent_thread_lock=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"http://127.0.0.1:{port}")
            page.wait_for_selector("#codes-encode")
            for seconds in args.lengths:
                name = f"{seconds:g}s"
                path = demo_file(work / f"demo-{name}.wav", seconds)
                case = open_file(page, path)
                if seconds >= 60:
                    case |= scroll_and_jump(page)
                case["alone"] = encode_alone(path)
                cases[name] = case
                print(name, json.dumps(case), flush=True)
            browser.close()
    finally:
        app.close()
    result = {
        "benchmark": "opening a file in the app (demo model, headless Chromium)",
        "cpus": os.cpu_count(),
        "load_average_after": round(os.getloadavg()[0], 2),
        "cases": cases,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

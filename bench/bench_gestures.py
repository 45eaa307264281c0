"""How fast the Codes tab answers a hand, timed in the page: the real app, the bundled demo
model, 10-second files, headless Debian Chromium.

    .venv/bin/python bench/bench_gestures.py [--runs 12] [--with-training] [--settle S]
        [--out FILE]

Every time runs in the page from the gesture (a click dispatched on the element, a key
event, a slider's input event) to its result: for sounds, the Web Audio clock moving past
the sound's start (`distillAudio.moving`); for edits, the cell (or level label) showing it.
A typed code is timed twice: to the cell showing it (the page shows a code the model has at
once) and to the app's confirmation applied. A slider is timed per move (moves 300 ms apart)
and over a fast drag (30 moves, 16 ms apart, then the release): the updates the grid gets
after the release's answer are counted. A cell's click is timed twice more as a hand makes
it: the pointer resting on the cell 100 or 200 ms before the click (the page fetches the
preview of a code the pointer rests on). Timing starts once the previews the app makes in
the background after an opening are made (warm.py; how long that took is written down), so
a "new code" is one never heard, its preview made ahead. --with-training starts `distill
train` on the demo sounds beside it first (the loaded run) and stops it after; --settle
waits S seconds after the reconstruction first. Writes
bench/results/gestures_idle.json (or gestures_loaded.json); report.py puts them in
bench/README.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf

from bench_open_file import CHROMIUM_ARGS as OPEN_FILE_CHROMIUM_ARGS

if TYPE_CHECKING:
    from playwright.sync_api import Page

RESULTS = Path(__file__).parent / "results"
ROOT = Path(__file__).resolve().parents[1]
# bench_open_file's browser, allowed to make sound before a gesture.
CHROMIUM_ARGS = [*OPEN_FILE_CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"]
A = "#codes-grid .distill-grid"
REST_MS = (100, 200)  # how long the pointer rests on a cell before its click

# Milliseconds from clicking `selector` to a sound of `kind` sounding (the audio clock moving).
TIME_SOUND = """
async ([selector, kind]) => {
  const element = document.querySelector(selector);
  const start = performance.now();
  element.dispatchEvent(new MouseEvent("click", {bubbles: true, detail: 1}));
  return (await window.distillAudio.moving(kind, start)) - start;
}
"""
# Milliseconds from running `action` (a JavaScript statement: a key event, a grid gesture)
# to `check()` being true (looked at on every change of the page).
TIME_UNTIL = """
async ([action, check]) => {
  const done = new Function("return (" + check + ")();");
  return await new Promise(resolve => {
    const start = performance.now();
    const observer = new MutationObserver(() => {
      if (done()) { observer.disconnect(); resolve(performance.now() - start); }
    });
    observer.observe(document.body, {subtree: true, childList: true, characterData: true,
      attributes: true});
    new Function(action)();
  });
}
"""
KEY = "document.dispatchEvent(new KeyboardEvent('keydown', {bubbles: true, %s}))"
GESTURE = "window.distillGrid.send(document.querySelector('#codes-grid .distill-grid'), '%s')"
# A code typed into a cell: milliseconds to the cell showing it, and to the app's answer
# (its confirmation) applied.
TIME_TYPED = """
async ([payload, level, column, code]) => {
  const size = 100, grid = document.querySelector("#codes-grid .distill-grid");
  const cell = () => grid.querySelectorAll(".cg-block")[Math.floor(column / size)]
    .children[1 + level].children[column % size];
  let shown = 0;
  return await new Promise(resolve => {
    const start = performance.now();
    const observer = new MutationObserver(() => {
      if (!shown && cell().textContent === String(code)) shown = performance.now() - start;
    });
    observer.observe(grid, {subtree: true, childList: true, characterData: true});
    document.addEventListener("distill-edited", function done() {
      document.removeEventListener("distill-edited", done);
      observer.disconnect();
      requestAnimationFrame(() => resolve([shown, performance.now() - start]));
    });
    window.distillGrid.send(grid, payload);
  });
}
"""
# A slider moved to `value`: milliseconds until the grid shows that blend (its version moved
# on and the bar's output says the amount).
TIME_SLIDE = """
async ([value]) => {
  const input = document.querySelector("#edit-blend-whole input");
  const grid = document.querySelector("#codes-grid .distill-grid");
  const before = +grid.dataset.version;
  return await new Promise(resolve => {
    const start = performance.now();
    document.addEventListener("distill-edited", function seen(event) {
      if (Math.abs(event.detail.toolbar.blend_whole - value) > 1e-6) return;
      document.removeEventListener("distill-edited", seen);
      requestAnimationFrame(() => resolve(performance.now() - start));
    });
    input.value = value;
    input.dispatchEvent(new Event("input", {bubbles: true}));
  });
}
"""
# A fast drag: 30 moves 16 ms apart, then the release. Resolves with the milliseconds from
# the release to its answer applied, and how many grid updates came after that.
DRAG = """
async () => {
  const input = document.querySelector("#edit-blend-whole input");
  let updates = 0, released = 0, settled = 0;
  const counter = () => { updates += 1; };
  document.addEventListener("distill-edited", counter);
  for (let i = 1; i <= 30; i++) {
    input.value = (i / 30).toFixed(2);
    input.dispatchEvent(new Event("input", {bubbles: true}));
    await new Promise(r => setTimeout(r, 16));
  }
  released = performance.now();
  input.dispatchEvent(new Event("change", {bubbles: true}));
  await new Promise(resolve => {
    document.addEventListener("distill-edited", function last(event) {
      if (!event.detail.status.startsWith("Blended")) return;  // the release's answer
      document.removeEventListener("distill-edited", last);
      settled = performance.now(); updates = 0; resolve();
    });
  });
  await new Promise(r => setTimeout(r, 2000));
  document.removeEventListener("distill-edited", counter);
  return [settled - released, updates];
}
"""


def _file(path: Path, sounds: list[Path], seconds: float) -> Path:
    """The demo sounds end to end, to `seconds`."""
    pieces, total = [], 0
    while total < seconds * 48000:
        for sound in sounds:
            audio, _ = sf.read(sound, dtype="float32", always_2d=True)  # all at 48 kHz
            pieces.append(audio.mean(axis=1))
            total += len(pieces[-1])
    sf.write(path, np.concatenate(pieces)[: int(seconds * 48000)], 48000)
    return path


def _new_codes(page: Page) -> list[tuple[int, int]]:
    """(level, column) of grid A's cells, one per code of each level (first places first),
    the levels taken in turn: each is a code not heard yet in this page."""
    found: list[list[tuple[int, int]]] = []
    for level in range(4):
        row = f'{A} .cg-row[data-l="{level}"] .code-cell'
        codes = page.evaluate(f"[...document.querySelectorAll('{row}')].map(c => c.textContent)")
        seen: set[str] = set()
        found.append(
            [(level, p) for p, c in enumerate(codes) if c and not (c in seen or seen.add(c))]
        )
    return [place for places in itertools.zip_longest(*found) for place in places if place]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _median(values: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(values), 1),
        "max_ms": round(max(values), 1),
        "runs": len(values),
    }


def _training(home: Path) -> subprocess.Popen:
    """`distill train` on the demo sounds in the background (the loaded machine)."""
    from distill.demo.sounds import DEMO_SOUNDS_DIR

    env = {**os.environ, "DISTILL_HOME": str(home / "train-home")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distill",
            "train",
            str(DEMO_SOUNDS_DIR),
            "--name",
            "load",
            "--minutes",
            "30",
            "--device",
            "cpu",
            "--force",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(20)  # past start-up and the first batches: training at full speed
    return process


def wait_warm(limit_s: float = 300.0) -> dict[str, float]:
    """Wait until the app's background previews are made (warm.py; the app runs in this
    process): how long that took from now, and how many it made."""
    from distill.ui.codes.warm import WARMER

    started, made = time.monotonic(), WARMER.made
    while WARMER.busy() and time.monotonic() - started < limit_s:
        time.sleep(0.05)
    return {"waited_s": round(time.monotonic() - started, 2), "made": WARMER.made - made}


def measure(page: Page, runs: int) -> dict[str, dict[str, float]]:
    results: dict[str, list[float]] = {}

    def note(name: str, value: float) -> None:
        results.setdefault(name, []).append(float(value))

    fresh = iter(_new_codes(page))
    page.mouse.move(5, 5)  # the pointer off the grid: dispatched clicks, nothing fetched ahead
    for _ in range(runs):
        level, column = next(fresh)
        cell = f'{A} .cg-row[data-l="{level}"] .code-cell[data-p="{column}"]'
        note("cell click -> sound (new code)", page.evaluate(TIME_SOUND, [cell, "cell"]))
        page.wait_for_timeout(150)
        note("cell click -> sound (code heard before)", page.evaluate(TIME_SOUND, [cell, "cell"]))
        page.wait_for_timeout(150)
        note(
            "column click -> sound",
            page.evaluate(TIME_SOUND, [f'{A} .cg-col[data-p="{column + 1}"]', "col"]),
        )
        page.wait_for_timeout(150)
    # A click as a hand makes it: the pointer comes to rest on the cell first (the page
    # fetches the preview of a code the pointer rests on), then the button is pressed.
    page.mouse.move(5, 5)
    for rest in REST_MS:
        for _ in range(runs):
            level, column = next(fresh)
            cell = f'{A} .cg-row[data-l="{level}"] .code-cell[data-p="{column}"]'
            page.locator(cell).scroll_into_view_if_needed()
            page.hover(cell)
            page.wait_for_timeout(rest)
            note(
                f"cell click -> sound (new code, the pointer resting {rest} ms first)",
                page.evaluate(TIME_SOUND, [cell, "cell"]),
            )
            page.mouse.move(5, 5)
            page.wait_for_timeout(300)
    for run in range(runs):
        play = f'{A} .cg-play[data-l="{run % 4}"]'
        note("row Play -> sound", page.evaluate(TIME_SOUND, [play, "row"]))
        page.wait_for_timeout(300)
        page.evaluate("window.distillAudio.stop('bench')")
        note(
            "space bar -> transport sound",
            page.evaluate(
                "async () => { const s = performance.now();"
                " document.dispatchEvent(new KeyboardEvent('keydown', {key: ' ', bubbles: true}));"
                " return (await window.distillAudio.moving('transport', s)) - s; }"
            ),
        )
        page.wait_for_timeout(300)
        page.evaluate("window.distillAudio.stop('bench')")
    for run in range(runs):
        column, code = 30 + run, 3 + run
        shown, confirmed = page.evaluate(TIME_TYPED, [f"set,1,{column},{code}", 1, column, code])
        note("typed code -> shown", shown)
        note("typed code -> confirmed by the app", confirmed)
        page.wait_for_timeout(200)
    history = "document.querySelector('#edit-history').textContent"
    for _ in range(runs):
        position = int(page.evaluate(f"parseInt({history}.split(' ')[1])"))
        undo = f"() => {history}.startsWith('Edit {position - 1} of')"
        note(
            "Ctrl+Z -> grid updated",
            page.evaluate(TIME_UNTIL, [KEY % "key: 'z', ctrlKey: true", undo]),
        )
        redo = f"() => {history}.startsWith('Edit {position} of')"
        note(
            "Ctrl+Y -> grid updated",
            page.evaluate(TIME_UNTIL, [KEY % "key: 'y', ctrlKey: true", redo]),
        )
        page.wait_for_timeout(200)
    for run in range(runs):
        label = f"document.querySelector('{A} .cg-label[data-l=\"{run % 4}\"]')"
        muted = "true" if run // 4 % 2 == 0 else "false"
        check = f"() => {label}.classList.contains('muted') === {muted}"
        note("M -> shown", page.evaluate(TIME_UNTIL, [GESTURE % f"mute,{run % 4}", check]))
        page.wait_for_timeout(150)
    for run in range(runs):
        note(
            "blend slider move -> grid updated",
            page.evaluate(TIME_SLIDE, [round(0.1 + 0.05 * run, 2)]),
        )
        page.wait_for_timeout(300)
    page.evaluate(
        "document.querySelector('#edit-blend-whole input')"
        ".dispatchEvent(new Event('change', {bubbles: true}))"
    )
    page.wait_for_timeout(500)
    drags = [page.evaluate(DRAG) for _ in range(3)]
    summary = {name: _median(values) for name, values in results.items()}
    summary["blend drag: release -> kept"] = _median([d[0] for d in drags])
    summary["blend drag: updates after the release"] = {"count": max(d[1] for d in drags)}
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--with-training", action="store_true")
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--settle",
        type=float,
        default=0.0,
        help="seconds to wait after the reconstruction before timing",
    )
    args = parser.parse_args()
    out = args.out or RESULTS / (
        "gestures_loaded.json" if args.with_training else "gestures_idle.json"
    )
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from playwright.sync_api import sync_playwright

    from distill.demo.sounds import DEMO_SOUNDS_DIR
    from distill.ui.app import launch_app

    work = Path(tempfile.mkdtemp())
    os.environ["DISTILL_HOME"] = str(work / "home")
    sounds = sorted(DEMO_SOUNDS_DIR.glob("*.wav"))
    a = _file(work / "a.wav", sounds, 10.0)
    b = _file(work / "b.wav", sounds[::-1], 10.0)
    training = _training(work) if args.with_training else None
    port = _free_port()
    app = launch_app(port=port, prevent_thread_lock=True)
    loads = [os.getloadavg()[0]]
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}")
            page.wait_for_function(
                "document.querySelector('#codes-key [data-key]')", timeout=120_000
            )
            page.locator("#codes-upload button[aria-label=Clear]").first.click()
            page.locator("#codes-upload input[type=file]").set_input_files(str(a))
            page.locator("#codes-upload-b input[type=file]").set_input_files(str(b))
            page.wait_for_timeout(1500)
            page.click("#codes-encode")
            page.wait_for_selector("#codes-summary-b", timeout=300_000)
            page.wait_for_function(
                "document.querySelector('#codes-reconstruction audio')?.src", timeout=300_000
            )
            page.wait_for_timeout(args.settle * 1000)
            # The previews of the file's codes are made in the background once the palette
            # shows (warm.py): timed after they are, as a hand finds them after a moment.
            page.wait_for_selector("#code-palette .pal-swatch", timeout=120_000)
            warm = wait_warm()
            # Timed without "Hear each edit" (issue 30): the gestures' own answers are timed
            # here; an edit heard at once plays after its answer (bench_palette.py).
            page.uncheck("#code-hear-edits")
            page.click("#codes-grid .cg-scroll")  # a first gesture: the page may make sound
            columns = int(page.get_attribute(A, "data-columns") or 0)
            results = measure(page, args.runs)
            loads.append(os.getloadavg()[0])
            browser.close()
    finally:
        app.close()
        if training is not None:
            training.send_signal(signal.SIGINT)
            training.wait(timeout=120)
    document = {
        "file_seconds": 10.0,
        "columns": columns,
        "model": "demo",
        "machine": f"{os.cpu_count()} CPUs",
        "training_beside": args.with_training,
        "settle_s": args.settle,
        "previews_made_ahead": warm,
        "load_average": [round(x, 2) for x in loads],
        "results": results,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2) + "\n")
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()

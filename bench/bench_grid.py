"""Benchmark the code grid: HTML size and render time for 10 s and 5 min files, 4 levels.

Run: .venv/bin/python bench/bench_grid.py   (writes bench/results/grid.json)
Also measures, when Chromium is at /usr/bin/chromium, how long the browser takes to insert the
grid's HTML with innerHTML (as Gradio does) and lay it out.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from distill.ui.components.code_grid import render_code_grid, render_grid_page

COLUMNS_PER_SECOND = 48_000 / 512 / 4  # DESIGN decision 1: ~23.4 columns per second
LEVELS = 4
CODEBOOK_SIZE = 256  # the largest adaptive size: three-digit codes in every cell
CASES = {"10s": (10.0, 21), "5min": (300.0, 9)}  # duration, timed repeats
RESULTS = Path(__file__).resolve().parent / "results" / "grid.json"
CHROMIUM = Path("/usr/bin/chromium")


def codes_for(duration_s: float) -> np.ndarray:
    """Random codes [1, F', L] for a file of duration_s seconds (seeded, so runs compare)."""
    columns = round(duration_s * COLUMNS_PER_SECOND)
    return np.random.default_rng(0).integers(0, CODEBOOK_SIZE, size=(1, columns, LEVELS))


def render(codes: np.ndarray, duration_s: float) -> str:
    columns = codes.shape[1]
    return render_code_grid(codes, LEVELS, CODEBOOK_SIZE, (1, columns), None, (0, 0), duration_s)


def time_render(duration_s: float, repeats: int) -> dict[str, float | int]:
    codes = codes_for(duration_s)
    markup = render(codes, duration_s)  # warm-up (builds the palette once)
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        render(codes, duration_s)
        seconds.append(time.perf_counter() - start)
    page = render_grid_page(markup, "bench")
    return {
        "duration_s": duration_s,
        "columns": codes.shape[1],
        "levels": LEVELS,
        "cells": codes.shape[1] * LEVELS,
        "html_bytes": len(markup.encode("utf-8")),
        "page_bytes": len(page.encode("utf-8")),
        "render_ms_median": round(statistics.median(seconds) * 1000, 2),
        "render_ms_min": round(min(seconds) * 1000, 2),
        "repeats": repeats,
    }


BROWSER_JS = """markup => {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const host = document.getElementById('host');
    host.innerHTML = '';
    void host.offsetHeight;
    const start = performance.now();
    host.innerHTML = markup;
    void host.offsetHeight;  // force style and layout, as showing the grid would
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[2];
}"""


def time_browser(markups: dict[str, str]) -> dict[str, float] | str:
    """Median ms for Chromium to insert each grid with innerHTML and lay it out."""
    if not CHROMIUM.exists():
        return "skipped: /usr/bin/chromium not found"
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        page = browser.new_page(viewport={"width": 1280, "height": 600})
        page.set_content('<div id="host"></div>')
        result = {
            name: round(page.evaluate(BROWSER_JS, markup), 1) for name, markup in markups.items()
        }
        browser.close()
    return result


def main() -> None:
    results = {name: time_render(duration, repeats) for name, (duration, repeats) in CASES.items()}
    markups = {name: render(codes_for(duration), duration) for name, (duration, _) in CASES.items()}
    report = {
        "benchmark": "code grid HTML (render_code_grid)",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "codebook_size": CODEBOOK_SIZE,
        "cases": results,
        "chromium_insert_and_layout_ms_median": time_browser(markups),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

"""How fast the palette answers, timed in the page: the real app, a 10-second file, headless
Debian Chromium; the bundled demo model, and a model whose file keeps the grids of 500 files.

    .venv/bin/python bench/bench_palette.py [--runs 12] [--model PATH] [--files 500] [--out FILE]

Times, from the gesture (a click dispatched on the element) to its result in the page:
- palette shown: a level's button -> every swatch of that level drawn. The first time for a
  level its thumbnails are drawn by the decoder (cold); after that they are kept (warm).
- swatch heard: a swatch click -> its sound playing (the Web Audio clock moving past its
  start), for a code never heard before (at once after its level is shown, and once the
  previews the app makes in the background for that level are made: warm.py) and for one
  heard before.
- occurrences listed: a swatch click -> where its code lives drawn beside the palette.

The 500-file model is --model (default: the demo) with its kept grids resampled into --files
files (seeded crops of the model's own files' grids, their lengths kept): what a palette and
its occurrences read from the model file is then the size a 500-file collection gives. Its
autoencoder and prior are the model's own. Writes bench/results/palette.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from bench_gestures import CHROMIUM_ARGS, TIME_SOUND, TIME_UNTIL, _file, _free_port, wait_warm

if TYPE_CHECKING:
    from playwright.sync_api import Page

RESULTS = Path(__file__).parent / "results"
PALETTE = "#code-palette"
SHOWN = "() => { const p = document.querySelector('#code-palette'); return p && p.dataset.level === '%d' && p.querySelectorAll('.pal-swatch').length === %d; }"  # noqa: E501
LISTED = "() => { const o = document.querySelector('#code-occurrences'); return o && o.dataset.level === '%d' && o.dataset.code === '%d'; }"  # noqa: E501
CLICK = "document.querySelector(%s).dispatchEvent(new MouseEvent('click', {bubbles: true}))"


def many_files(model: Path, files: int, out: Path) -> Path:
    """`model` with its kept grids resampled into `files` files (seeded crops), saved at out."""
    from distill.models.persistence import load_model, save_model
    from distill.models.prior_records import PriorFile, TrainedPrior

    loaded = load_model(model)
    prior = loaded.trained_prior
    assert prior is not None, f"{model} keeps no grids (it has no prior)"
    sources = [grid for _, grid in prior.file_grids()]
    generator = np.random.default_rng(0)
    infos, grids = [], []
    for number in range(files):
        grid = sources[int(generator.integers(len(sources)))]
        start = int(generator.integers(max(1, grid.shape[0] // 2)))
        piece = torch.roll(grid, -start, dims=0)  # the file's own columns, from another start
        infos.append(PriorFile(f"file{number:03d}.wav", piece.shape[0], number % 10 == 0))
        grids.append(piece)
    metadata = replace(prior.metadata, files=tuple(infos))
    big = TrainedPrior(prior.network, metadata, torch.cat(grids))
    named = replace(loaded.metadata, name=out.stem, read_only=False)
    return save_model(
        out, loaded.model, loaded.spectrogram.config, named, loaded.codebook_health, big
    )


def _median(values: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(values), 1),
        "max_ms": round(max(values), 1),
        "runs": len(values),
    }


def measure(page: Page, runs: int) -> dict[str, dict[str, float]]:
    results: dict[str, list[float]] = {}

    def note(name: str, value: float) -> None:
        results.setdefault(name, []).append(float(value))

    levels = int(page.evaluate("document.querySelectorAll('.pal-level').length"))
    size = int(page.get_attribute(PALETTE, "data-size") or 0)
    page.uncheck("#code-hover-hear")
    for run in range(runs):
        for level in range(levels):
            button = json.dumps(f'.pal-level[data-level="{level}"]')
            took = page.evaluate(TIME_UNTIL, [CLICK % button, SHOWN % (level, size)])
            note("palette shown (cold)" if run == 0 else "palette shown (warm)", took)
        level = run % levels
        page.evaluate(TIME_UNTIL, [CLICK % json.dumps(f'.pal-level[data-level="{level}"]'),
                                   SHOWN % (level, size)])  # fmt: skip
        code = int(page.evaluate(f"document.querySelectorAll('{PALETTE} .pal-swatch')[{run}]"
                                 ".dataset.code"))  # fmt: skip
        swatch = f'{PALETTE} .pal-swatch[data-code="{code}"]'
        note("swatch heard (new code, at once)", page.evaluate(TIME_SOUND, [swatch, "swatch"]))
        page.wait_for_function(LISTED % (level, code))
        # A level looked at a moment first: its previews made in the background (warm.py).
        warm = wait_warm()
        note("previews made ahead, waited (ms)", 1000 * warm["waited_s"])
        fresh = int(page.evaluate(f"document.querySelectorAll('{PALETTE} .pal-swatch')"
                                  f"[{run + 2 * runs}].dataset.code"))  # fmt: skip
        later = f'{PALETTE} .pal-swatch[data-code="{fresh}"]'
        note(
            "swatch heard (new code, its level shown a moment)",
            page.evaluate(TIME_SOUND, [later, "swatch"]),
        )
        page.wait_for_function(LISTED % (level, fresh))
        page.wait_for_timeout(300)
        note("swatch heard (heard before)", page.evaluate(TIME_SOUND, [swatch, "swatch"]))
        page.wait_for_timeout(300)
        other = int(page.evaluate(f"document.querySelectorAll('{PALETTE} .pal-swatch')"
                                  f"[{run + runs}].dataset.code"))  # fmt: skip
        target = json.dumps(f'{PALETTE} .pal-swatch[data-code="{other}"]')
        note(
            "occurrences listed",
            page.evaluate(TIME_UNTIL, [CLICK % target, LISTED % (level, other)]),
        )
        page.wait_for_timeout(300)
        page.evaluate("window.distillAudio.stop('bench')")
    return {name: _median(values) for name, values in results.items()}


def run_page(port: int, model_name: str, audio: Path, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(f"http://127.0.0.1:{port}")
        page.wait_for_function("document.querySelector('#codes-key [data-key]')", timeout=120_000)
        page.locator("#codes-model input").click()
        page.locator("[data-testid=dropdown-option]", has_text=model_name).first.click()
        page.locator("#codes-upload button[aria-label=Clear]").first.click()
        page.locator("#codes-upload input[type=file]").set_input_files(str(audio))
        page.wait_for_timeout(1500)
        page.click("#codes-encode")
        page.wait_for_function(
            "document.querySelector('#codes-reconstruction audio')?.src", timeout=300_000
        )
        page.wait_for_selector(f"{PALETTE} .pal-swatch", timeout=120_000)
        page.click("#codes-grid .cg-scroll")  # a first gesture: the page may make sound
        results = measure(page, runs)
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--model", type=Path, help="a model file with kept grids (default: demo)")
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--out", type=Path, default=RESULTS / "palette.json")
    args = parser.parse_args()
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from distill.demo.sounds import DEMO_SOUNDS_DIR
    from distill.models.persistence import DEMO_MODEL_PATH, load_model
    from distill.ui.app import launch_app

    work = Path(tempfile.mkdtemp())
    home = work / "home"
    os.environ["DISTILL_HOME"] = str(home)
    source = args.model or DEMO_MODEL_PATH
    big = many_files(source, args.files, home / "models" / f"files{args.files}.distill")
    audio = _file(work / "a.wav", sorted(DEMO_SOUNDS_DIR.glob("*.wav")), 10.0)
    port = _free_port()
    app = launch_app(port=port, prevent_thread_lock=True)
    loads = [os.getloadavg()[0]]
    document: dict = {"file_seconds": 10.0, "machine": f"{os.cpu_count()} CPUs", "models": {}}
    try:
        for name, path in (("demo", DEMO_MODEL_PATH), (f"files{args.files}", big)):
            loaded = load_model(path)
            prior = loaded.trained_prior
            assert prior is not None
            results = run_page(port, name, audio, args.runs)
            loads.append(os.getloadavg()[0])
            document["models"][name] = {
                "levels": loaded.model.num_quantizers,
                "codebook_size": loaded.model.codebook_size,
                "kept_files": len(prior.metadata.files),
                "kept_columns": int(prior.grids.shape[0]),
                "results": results,
            }
    finally:
        app.close()
    document["source_model"] = str(source.name)
    document["load_average"] = [round(x, 2) for x in loads]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n")
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()

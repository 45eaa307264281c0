"""Benchmark the codebook diagnostics and the held-out listening decode on the demo model.

Run: .venv/bin/python bench/bench_diagnostics.py   (writes bench/results/diagnostics.json)
Times, on the bundled demo model and its 36 demo sounds (32 for training, 4 held out):
what the end of training adds (per-code counts over the training set and each level's
contribution on the held-out files, `diagnose_codebooks`), one decode of the 3 s held-out
excerpt the Train tab plays (`decode_excerpt`), and drawing the diagnostics panel's HTML.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from distill.audio.spectrogram import AudioSpectrogram
from distill.demo.sounds import DEMO_SOUNDS_DIR
from distill.models.labels import get_level_labels
from distill.models.persistence import DEMO_MODEL_PATH, load_model
from distill.training.data import load_dataset
from distill.training.diagnostics import diagnose_codebooks
from distill.training.listening import decode_excerpt, held_out_excerpt
from distill.ui.components.diagnostics import diagnostics_html

RESULTS = Path(__file__).resolve().parent / "results" / "diagnostics.json"


def median_ms(run: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def main() -> None:
    loaded = load_model(DEMO_MODEL_PATH)
    spec = loaded.spectrogram
    dataset = load_dataset(DEMO_SOUNDS_DIR, AudioSpectrogram(spec.config), 0.1, 0)
    health = diagnose_codebooks(loaded.model, dataset, 16, 128, spec.config)
    excerpt = held_out_excerpt(dataset, spec)
    assert excerpt is not None
    labels = get_level_labels(loaded.model.num_quantizers)
    page = diagnostics_html(health, labels)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, torch threads "
        f"{os.environ.get('OMP_NUM_THREADS', 'default')}",
        "training_files": len(dataset.train),
        "held_out_files": len(dataset.validation),
        "diagnose_ms": median_ms(
            lambda: diagnose_codebooks(loaded.model, dataset, 16, 128, spec.config), 3
        ),
        "excerpt_s": round(excerpt.mel.shape[-1] * spec.config.hop_length / 48000, 2),
        "excerpt_decode_ms": median_ms(
            lambda: decode_excerpt(loaded.model, excerpt, spec, 0, 0), 5
        ),
        "panel_html_kb": round(len(page.encode()) / 1024, 1),
        "panel_render_ms": median_ms(lambda: diagnostics_html(health, labels), 11),
        "contributions_db": [level.contribution_db for level in health.levels],
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

"""Benchmark the editor's functions on a 10-second file: median milliseconds per edit.

Run: .venv/bin/python bench/bench_edit.py   (writes bench/results/edit.json)
Two synthetic 10 s recordings are encoded by the bundled demo model (4 levels, 128 codes per
level); set_code, swap_region, blend_region (a region and the whole grid), mute and undo are
timed on their grids. The largest model shape (8 levels, 256 codes, 64 dims) is timed on the
blend's core, `snap_mix`, with random codebooks.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
import torch

from distill.editing import (
    EditHistory,
    Region,
    blend_region,
    mute_levels,
    set_code,
    snap_mix,
    swap_region,
)
from distill.inference import CodeGrid, encode_grid
from distill.models.persistence import DEMO_MODEL_PATH, LoadedVQModel, load_model

DURATION_S = 10.0
SAMPLE_RATE = 48_000
REPEATS = 51
RESULTS = Path(__file__).resolve().parent / "results" / "edit.json"


def tone(freq: float) -> np.ndarray:
    """A 10 s harmonic tone with a pulse every half second: [S] float32."""
    t = np.arange(int(DURATION_S * SAMPLE_RATE)) / SAMPLE_RATE
    pulse = np.exp(-(t % 0.5) * 12)
    harmonics = sum(np.sin(2 * np.pi * freq * k * t) / k for k in (1, 2, 3))
    return (0.3 * harmonics * pulse).astype(np.float32)


def encoded_pair(loaded: LoadedVQModel) -> tuple[CodeGrid, CodeGrid]:
    with tempfile.TemporaryDirectory() as folder:
        grids = []
        for freq in (220.0, 587.0):
            path = Path(folder) / f"tone_{freq:.0f}.wav"
            sf.write(path, tone(freq), SAMPLE_RATE, subtype="PCM_16")
            grids.append(encode_grid(path, loaded))
    return grids[0], grids[1]


def median_ms(call: Callable[[], Any]) -> dict[str, float]:
    call()  # warm-up
    seconds = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return {
        "median_ms": round(statistics.median(seconds) * 1000, 3),
        "min_ms": round(min(seconds) * 1000, 3),
    }


def time_undo(a: CodeGrid, b: CodeGrid) -> dict[str, float]:
    """One undo (and its redo, so the history never runs out) over 20 edit states."""
    history = EditHistory((a, b))
    for column in range(20):
        history.push((set_code(history.current[0], 0, column, 1), b))

    def undo_redo() -> None:
        history.undo()
        history.redo()

    result = median_ms(undo_redo)
    return {key: round(value / 2, 4) for key, value in result.items()}  # per step


def largest_model_blend(columns: int) -> dict[str, float]:
    """snap_mix for every cell of a grid of the largest shape: 8 levels, K 256, D 64."""
    generator = torch.Generator().manual_seed(0)
    codebooks = torch.randn(8, 256, 64, generator=generator)
    codes_a = torch.randint(0, 256, (columns, 8), generator=generator)
    codes_b = torch.randint(0, 256, (columns, 8), generator=generator)
    return median_ms(lambda: snap_mix(codes_a, codes_b, 0.35, codebooks))


def main() -> None:
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    loaded = load_model(DEMO_MODEL_PATH, "cpu")
    a, b = encoded_pair(loaded)
    region = Region((1, 2), (50, 150))
    cases = {
        "set_code": median_ms(lambda: set_code(a, 2, 117, 5)),
        "swap_region levels 2-3 columns 50-150": median_ms(lambda: swap_region(a, b, region)),
        "blend_region levels 2-3 columns 50-150": median_ms(
            lambda: blend_region(a, b, 0.35, loaded, region)
        ),
        "blend_region whole grid": median_ms(lambda: blend_region(a, b, 0.35, loaded)),
        "mute_levels 3-4": median_ms(lambda: mute_levels(a, [2, 3])),
        "undo": time_undo(a, b),
        "snap_mix whole grid, 8 levels, K 256": largest_model_blend(a.num_columns),
    }
    report = {
        "benchmark": "editor functions (distill.editing) on a 10 s file",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "load_average_1min": round(os.getloadavg()[0], 2),  # other work slows the medians
        },
        "model": "demo (4 levels, 128 codes per level)",
        "grid": {"columns": a.num_columns, "levels": a.num_levels},
        "repeats": REPEATS,
        "cases": cases,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    json.dump(report, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()

"""Benchmark what the fault handling costs: median milliseconds per call.

Run: .venv/bin/python bench/bench_faults.py   (writes bench/results/faults.json)
- saving the bundled demo model (4.5 MB) the way it is saved now (serialised in memory,
  written through distill.files with fsync, renamed) and the way it was (safetensors'
  save_file to a temporary file, renamed, no fsync), in a temporary folder on this disk;
- reserving and releasing a model name (the lock file);
- one tick of the app's watch on a models folder of 20 models (stat only), and the weights
  hash it takes only when a loaded model's file changed.
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

from safetensors.torch import save_file

from distill.inference.codes_json import model_sha256
from distill.models.locks import hold_model_name
from distill.models.persistence import DEMO_MODEL_PATH, load_model, save_model
from distill.ui.watch import models_listing

REPEATS = 21
MODELS_IN_FOLDER = 20
RESULTS = Path(__file__).resolve().parent / "results" / "faults.json"


def median_ms(action: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


def main() -> None:
    loaded = load_model(DEMO_MODEL_PATH)
    tensors = {k: v.detach().contiguous() for k, v in loaded.model.state_dict().items()}
    with tempfile.TemporaryDirectory(dir=Path.home()) as folder:
        target = Path(folder) / "bench.distill"

        def save_now() -> None:
            save_model(target, loaded.model, loaded.spectrogram.config, loaded.metadata)

        def save_before() -> None:  # what persistence.save_model did before issue 15
            temporary = target.with_name(".bench.tmp")
            save_file(tensors, str(temporary))
            os.replace(temporary, target)

        def lock_round_trip() -> None:
            with hold_model_name(target, "bench"):
                pass

        models = Path(folder) / "models"
        models.mkdir()
        for index in range(MODELS_IN_FOLDER):
            (models / f"m{index}.distill").write_bytes(b"x" * 1000)
        results = {
            "save_demo_model_now_ms": median_ms(save_now),
            "save_demo_model_before_ms": median_ms(save_before),
            "model_file_mb": round(target.stat().st_size / 1e6, 2),
            "lock_acquire_release_ms": median_ms(lock_round_trip),
            "watch_tick_listing_ms": median_ms(lambda: models_listing(models)),
            "weights_hash_demo_model_ms": median_ms(lambda: model_sha256(DEMO_MODEL_PATH)),
        }
    record = {
        "results": results,
        "repeats": REPEATS,
        "models_in_folder": MODELS_IN_FOLDER,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()

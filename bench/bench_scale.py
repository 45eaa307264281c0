"""Training on one process vs two (torchrun, gloo), and folder encoding at 1 and 2 jobs.

    .venv/bin/python bench/bench_scale.py [DIR] [--steps 40]

DIR defaults to the bundled demo sounds. Training uses `distill train` with the CPU preset
(width 128, batch 16 per process, 128-frame crops) for a step budget, alone with 1 and with
2 torch threads, then as two torchrun processes with 1 thread each (each step then sees
twice the windows). Steps/s are the model file's own: steps / training seconds (loading
the audio excluded, the one closing validation included). Folder encoding runs
`distill encode demo DIR -o OUT --jobs N`; its time includes starting the workers. Writes
bench/results/scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DEMO_SOUNDS = ROOT / "src" / "distill" / "demo" / "sounds"
RESULTS = BENCH / "results"


def _environment(home: Path, threads: int) -> dict[str, str]:
    source = str(ROOT / "src")
    return {
        **os.environ,
        "DISTILL_HOME": str(home),
        "OMP_NUM_THREADS": str(threads),
        "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")]),
    }


def _train(corpus: Path, steps: int, processes: int, threads: int) -> dict[str, object]:
    """One training run through the CLI; its speed as the model file records it."""
    from distill.models.persistence import read_model_info

    home = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    distill = ["-m", "distill", "train", str(corpus), "--name", "bench", "--device", "cpu"]
    distill += ["--steps", str(steps), "--preset", "cpu"]
    launcher = [sys.executable]
    if processes > 1:
        launcher += ["-m", "torch.distributed.run", "--standalone"]
        launcher += ["--nproc_per_node", str(processes)]
    started = time.monotonic()
    subprocess.run(
        launcher + distill,
        env=_environment(home, threads),
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.monotonic() - started
    training = read_model_info(home / "models" / "bench.distill").metadata.training
    assert training is not None
    per_second = training.steps / training.elapsed_s
    windows = per_second * training.setup.batch_size * training.setup.num_processes
    return {
        "processes": processes,
        "threads_per_process": threads,
        "steps": training.steps,
        "training_s": training.elapsed_s,
        "steps_per_second": round(per_second, 3),
        "windows_per_second": round(windows, 2),
        "best_val_loss": training.best_val_loss,
        "wall_s_with_startup": round(wall, 1),
    }


def _encode(corpus: Path, jobs: int) -> dict[str, object]:
    """`distill encode demo DIR -o OUT --jobs N`, timed from the outside."""
    import soundfile as sf

    from distill.audio.io import find_audio_files

    out = Path(tempfile.mkdtemp(prefix="bench-encode-")) / "codes"
    command = [sys.executable, "-m", "distill", "encode", "demo", str(corpus), "-o", str(out)]
    command += ["--jobs", str(jobs), "--device", "cpu"]
    started = time.monotonic()
    subprocess.run(command, env=_environment(out.parent, 1), check=True, capture_output=True)
    wall = time.monotonic() - started
    files = find_audio_files(corpus)
    seconds = sum(sf.info(str(path)).duration for path in files)
    written = len(list(out.rglob("*.json")))
    return {
        "jobs": jobs,
        "files": written,
        "audio_s": round(seconds, 1),
        "wall_s": round(wall, 1),
        "files_per_second": round(written / wall, 2),
        "audio_seconds_per_second": round(seconds / wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", type=Path, nargs="?", default=DEMO_SOUNDS)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--out", type=Path, default=RESULTS / "scale.json")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    training = [
        _train(args.corpus, args.steps, processes=1, threads=1),
        _train(args.corpus, args.steps, processes=1, threads=2),
        _train(args.corpus, args.steps, processes=2, threads=1),
    ]
    encoding = [_encode(args.corpus, jobs) for jobs in (1, 2)]
    summary = {
        "corpus": str(
            args.corpus.relative_to(ROOT) if args.corpus.is_relative_to(ROOT) else args.corpus
        ),
        "cpu_cores": os.cpu_count(),
        "load_average_before": round(load, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "note": "shared CPU: other work ran at the same time, so these are upper bounds on time",
        "training": training,
        "folder_encoding": encoding,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()

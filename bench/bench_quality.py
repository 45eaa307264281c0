"""Score a saved model on a corpus's held-out files with the quality ruler (no training).

    .venv/bin/python bench/bench_quality.py MODEL CORPUS_DIR --out bench/results/quality.json

Per file and on average: the model's decode as users get it and the Griffin-Lim-only
ceiling, each as multi-scale mel distance at the input's level, at the best gain, and the
harmonic distance (see distill.audio.metrics and distill.training.evaluation).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from corpus import split_corpus
from distill.models.persistence import load_model
from distill.training.evaluation import reconstruction_report

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model", type=Path)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--iterations", type=int, default=None, help="Griffin-Lim iterations")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--out", type=Path, default=RESULTS / "quality.json")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    _, held_out = split_corpus(args.corpus)
    report = reconstruction_report(load_model(args.model), held_out, args.iterations)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps({k: v for k, v in report.items() if k != "files"}, indent=2))


if __name__ == "__main__":
    main()

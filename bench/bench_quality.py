"""Score a saved model on a corpus's held-out files with the quality ruler (no training).

    .venv/bin/python bench/bench_quality.py MODEL CORPUS_DIR --out bench/results/quality.json

Per file and on average: the model's decode as users get it and the Griffin-Lim-only
ceiling, each as multi-scale mel distance at the input's level, at the best gain, and the
harmonic distance (see distill.audio.metrics and distill.training.evaluation).

--before scores the same weights as decodes were made before issue 10's inversion and level
changes: the clamped pseudo-inverse (no magnitude refinement), 32 Griffin-Lim iterations and
the decode's gated RMS brought to the training loudness, and the encoder's own codes (no code
search). A model trained with today's recipe scored both ways gives the inversion's share of
a change; the training recipe's share needs the old recipe trained too.

--set NAME=VALUE (repeatable) decodes the same weights, model and ceiling alike, with one of
the inversion's settings changed, e.g. `--set silence_gate_db=0 --set spill_gate_db=0` for
the decode before the silence gate.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import torch

from corpus import split_corpus
from distill.audio.spectrogram import AudioSpectrogram
from distill.models.persistence import LoadedVQModel, load_model
from distill.training.evaluation import reconstruction_report

RESULTS = Path(__file__).parent / "results"
INVERSION_FIELDS = (
    "griffin_lim_iterations",
    "griffin_lim_momentum",
    "magnitude_iterations",
    "silence_gate_db",
    "spill_gate_db",
    "phase_start",
    "restore_energy_db",
)
BEFORE_ITERATIONS = 32  # Griffin-Lim iterations of a render before issue 10


def decoded_as_before(loaded: LoadedVQModel) -> LoadedVQModel:
    """The same weights with the inversion of before issue 10: the clamped pseudo-inverse,
    no magnitude refinement, no energy restored (decode with BEFORE_ITERATIONS and
    match_loudness=True)."""
    old = replace(loaded.spectrogram.config, magnitude_iterations=0, restore_energy_db=0.0)
    return replace(loaded, spectrogram=AudioSpectrogram(old, loaded.device))


def with_inversion(loaded: LoadedVQModel, settings: list[str]) -> LoadedVQModel:
    """The same weights decoded with SpectrogramConfig fields changed ("NAME=VALUE", floats);
    only the inversion's fields may change, since the model heard the rest."""
    changes: dict[str, float] = {}
    for item in settings:
        name, _, value = item.partition("=")
        if name not in INVERSION_FIELDS:
            raise SystemExit(f"--set {item}: only {', '.join(INVERSION_FIELDS)} may change")
        changes[name] = type(getattr(loaded.spectrogram.config, name))(value)
    config = replace(loaded.spectrogram.config, **changes)
    return replace(loaded, spectrogram=AudioSpectrogram(config, loaded.device))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model", type=Path)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--iterations", type=int, default=None, help="Griffin-Lim iterations")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--before", action="store_true", help="the decode before issue 10")
    parser.add_argument(
        "--refine-steps", type=int, default=None, help="code search steps (default: encode's)"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="decode with this SpectrogramConfig field changed (e.g. silence_gate_db=0): an "
        "ablation of the inversion on the same weights",
    )
    parser.add_argument(
        "--first-levels", action="store_true", help="also decode levels 1..k alone, k = 1..L"
    )
    parser.add_argument(
        "--training-files",
        action="store_true",
        help="score the corpus's training files instead of its held-out ones (what a model "
        "was fitted to: memorised or not)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "quality.json")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    training, held_out = split_corpus(args.corpus)
    loaded = load_model(args.model)
    if args.set:
        loaded = with_inversion(loaded, args.set)
    iterations, steps = args.iterations, args.refine_steps
    if args.before:
        loaded = decoded_as_before(loaded)
        iterations = iterations or BEFORE_ITERATIONS
        steps = 0 if steps is None else steps
    report = reconstruction_report(
        loaded,
        training if args.training_files else held_out,
        iterations,
        args.before,
        steps,
        first_levels=args.first_levels,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps({k: v for k, v in report.items() if k != "files"}, indent=2))


if __name__ == "__main__":
    main()

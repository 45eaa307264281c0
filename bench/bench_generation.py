"""The generation benchmark (issue 28): generated takes beside the collection's held-out and
training files, every statistic measured alike on codes and the decoder's log-mel (no
Griffin-Lim); per-level perplexity against a unigram; the issue's targets checked.

    .venv/bin/python bench/bench_generation.py --model demo
    .venv/bin/python bench/bench_generation.py --model build/home/models/corpus.distill \
        --held-out build/corpus
    # retrain the prior (3 seeds, a setting changed) on a copy of the model, then measure:
    .venv/bin/python bench/bench_generation.py --model demo --source src/distill/demo/sounds \
        --retrain --prior-seeds 0 1 2 --prior segment_columns=128 --keep build/priors/seg128

--held-out DIR: the fixed held-out files of a corpus built by bench/corpus.py (neither the
autoencoder nor its prior saw them); without it, the prior's own held-out files. --sampling
KEY=VALUE passes a setting to the library's generation; --prior KEY=VALUE one to the prior's
training (PriorTrainConfig) when retraining.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from corpus import split_corpus
from distill.inference import encode_grid
from distill.models.library import find_model
from distill.models.persistence import LoadedVQModel, load_model
from distill.prior import draw
from distill.prior.evaluation import level_nll, perplexity, unigram_level_nll
from distill.prior.fit import fit_prior
from distill.prior.sampling import SamplingSettings
from distill.prior.settings import DEFAULT_TAKES
from distill.prior.takes import generate_takes
from distill.prior.training import PriorTrainConfig
from generation_continue import continuation_statistics, regeneration_statistics
from generation_plot import plot_pieces
from generation_stats import Piece, pieces_of, set_statistics, takes_statistics, yardstick
from generation_targets import check_targets

RESULTS = Path(__file__).parent / "results"


def parse_value(text: str) -> Any:
    """'0.8' -> 0.8, '4' -> 4, 'none' -> None, 'true' -> True, '1,0.8' -> (1.0, 0.8)."""
    if "," in text:
        return tuple(float(v) for v in text.split(","))
    lowered = text.lower()
    if lowered in ("none", "null"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def parse_settings(pairs: list[str]) -> dict[str, Any]:
    return {k: parse_value(v) for k, v in (pair.split("=", 1) for pair in pairs)}


def reference_pieces(loaded: LoadedVQModel, held_out_dir: Path | None) -> tuple[list, list]:
    """(training pieces, held-out pieces): the prior's training grids, and the corpus's fixed
    held-out files encoded by the encoder alone (as the prior learns codes) or the prior's own
    held-out grids."""
    prior = loaded.trained_prior
    assert prior is not None, "the model has no prior"
    training = [(f.name, codes) for f, codes in prior.file_grids(held_out=False)]
    if held_out_dir is None:
        held = [(f.name, codes) for f, codes in prior.file_grids(held_out=True)]
    else:
        _, paths = split_corpus(held_out_dir)
        held = [(p.name, encode_grid(p, loaded, refine_steps=0).codes[0]) for p in paths]
    return pieces_of(loaded, training), pieces_of(loaded, held)


def level_perplexities(loaded: LoadedVQModel, held: list[Piece]) -> dict:
    """Held-out perplexity per level beside the unigram of the training grids, and ratios."""
    prior = loaded.trained_prior
    assert prior is not None
    train = [codes for _, codes in prior.file_grids(held_out=False)]
    grids = [torch.from_numpy(p.codes) for p in held]
    model = [perplexity(v) for v in level_nll(prior.network, grids)]
    unigram = [perplexity(v) for v in unigram_level_nll(train, grids, loaded.model.codebook_size)]
    return {
        "prior": [round(v, 2) for v in model],
        "unigram": [round(v, 2) for v in unigram],
        "ratio": [round(m / u, 3) for m, u in zip(model, unigram, strict=True)],
    }


def draw_takes(
    loaded: LoadedVQModel, seeds: list[int], seconds: float, sampling: dict, takes: int
) -> tuple[list[Piece], list[dict]]:
    """The takes Generate gives at `sampling` (the library's defaults where unset), each
    seed's call timed; rejected takes are counted, the kept ones measured."""
    pieces, runs = [], []
    for seed in seeds:
        started = time.monotonic()
        result = generate_takes(loaded, seconds, SamplingSettings(seed=seed, **sampling), takes)
        elapsed = time.monotonic() - started
        for take in result.takes:
            codes = take.result.grid.codes[0]
            pieces.extend(pieces_of(loaded, [(f"seed {seed} take {take.number}", codes)]))
        runs.append(
            {
                "seed": seed,
                "takes": len(result.takes),
                "rejected": [t.flaw for t in result.rejected],
                "sounds": [1 + len(t.result.sound_starts) for t in result.takes],
                "generate_s": round(elapsed, 3),
                "memorisation": result.takes[0].result.memorisation.describe(),
            }
        )
    return pieces, runs


def retrained_model(model: Path, source: Path | None, seed: int, prior: dict, keep: Path) -> Path:
    """A copy of `model` with a prior trained afresh (seed, settings); reused when kept."""
    target = keep / f"{model.stem}-prior{seed}.distill"
    if not target.is_file():
        keep.mkdir(parents=True, exist_ok=True)
        scratch = target.with_suffix(".tmp.distill")
        shutil.copyfile(model, scratch)
        fit_prior(scratch, source, PriorTrainConfig(seed=seed, **prior))
        scratch.replace(target)
    return target


def measure(
    loaded: LoadedVQModel, args: argparse.Namespace, sampling: dict, images: Path | None = None
) -> dict:
    training, held = reference_pieces(loaded, args.held_out)
    stick = yardstick(loaded, training)
    takes, runs = draw_takes(loaded, list(range(args.seeds)), args.seconds, sampling, args.takes)
    if images is not None:
        frame_s = stick.seconds_per_column / stick.frames_per_column
        plot_pieces(training, takes, frame_s, images)
    sets = {
        "generated": takes_statistics(takes, stick),
        "held_out": set_statistics(held, stick),
        "training": set_statistics(training, stick, leave_one_out=True),
    }
    result = {
        "onset_threshold": round(stick.threshold, 4),
        "sets": sets,
        "perplexity": level_perplexities(loaded, held),
        "runs": runs,
    }
    result["continuation"] = continuation_statistics(loaded, held, sampling)
    result["regeneration"] = regeneration_statistics(loaded, held, sampling)
    result["targets"] = check_targets(result)
    return result


def summarise(results: list[dict]) -> dict:
    """Over prior seeds: the median of each generated statistic and perplexity ratio."""
    generated = [r["sets"]["generated"] for r in results]
    keys = [k for k in generated[0] if k not in ("files", "seconds", "per_take")]
    median = {k: float(np.median([g[k] for g in generated if g[k] is not None])) for k in keys}
    ratios = np.median([r["perplexity"]["ratio"] for r in results], axis=0)
    return {"generated": median, "perplexity_ratio": [round(float(v), 3) for v in ratios]}


def table(label: str, result: dict) -> str:
    """One markdown block: the three sets side by side, the perplexities, the targets."""
    keys = ["hold_share", "longest_hold_s", "changes_per_s", "onsets_per_s", "dynamics"]
    keys += ["bigram_share", "fourgram_share", "longest_copy_s"]
    lines = [
        f"**{label}**",
        "",
        "| set | " + " | ".join(keys) + " |",
        "|---" * (len(keys) + 1) + "|",
    ]
    for name, stats in result["sets"].items():
        lines.append(f"| {name} | " + " | ".join(str(stats[k]) for k in keys) + " |")
    ppl = result["perplexity"]
    lines += [
        "",
        f"perplexity per level {ppl['prior']} vs unigram {ppl['unigram']}: ratio {ppl['ratio']}",
    ]
    lines += [f"continuation of held-out files from their middle: {result['continuation']}"]
    lines += [f"their middle second regenerated: {result['regeneration']}"]
    lines += [f"- {t}" for t in result["targets"]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="demo", help="A model with a prior ('demo', a path).")
    parser.add_argument(
        "--held-out", type=Path, default=None, help="A corpus folder: its fixed held-out files."
    )
    parser.add_argument("--seeds", type=int, default=5, help="Takes: seeds 0..N-1.")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--takes", type=int, default=DEFAULT_TAKES, help="Takes per seed.")
    parser.add_argument("--sampling", nargs="*", default=[], help="KEY=VALUE for generate().")
    parser.add_argument("--retrain", action="store_true", help="Train the prior afresh first.")
    parser.add_argument(
        "--source", type=Path, default=None, help="The audio the model was trained on."
    )
    parser.add_argument("--prior", nargs="*", default=[], help="KEY=VALUE for PriorTrainConfig.")
    parser.add_argument("--prior-seeds", type=int, nargs="*", default=[0])
    parser.add_argument("--keep", type=Path, default=Path("build/priors/default"))
    parser.add_argument(
        "--calibrated-levels",
        type=int,
        default=None,
        help="draw.CALIBRATED_LEVELS for this run (an ablation; default: the library's).",
    )
    parser.add_argument(
        "--continue-stray",
        type=float,
        default=None,
        help="draw.CONTINUE_STRAY for this run (an ablation; 1: a continuation is not held "
        "to its file's level-1 codes).",
    )
    parser.add_argument("--label", default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--images", type=Path, default=None, help="PNG: takes beside training files (log-mel)."
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.calibrated_levels is not None:
        draw.CALIBRATED_LEVELS = args.calibrated_levels
    if args.continue_stray is not None:
        draw.CONTINUE_STRAY = args.continue_stray
    sampling, prior = parse_settings(args.sampling), parse_settings(args.prior)
    model = Path(find_model(args.model))
    label = args.label or f"{model.stem} {' '.join(args.prior + args.sampling) or 'defaults'}"
    started = time.monotonic()
    results = []
    for seed in args.prior_seeds if args.retrain else [None]:
        path = (
            model if seed is None else retrained_model(model, args.source, seed, prior, args.keep)
        )
        images = args.images if seed is None or seed == args.prior_seeds[0] else None
        result = measure(load_model(path, "cpu"), args, sampling, images)
        result["model_path"] = str(path)
        print(
            table(f"{label} (prior seed {seed})" if seed is not None else label, result), flush=True
        )
        results.append(result)
    document = {"label": label, "sampling": sampling, "prior": prior, "results": results}
    document["summary"] = summarise(results)
    document["wall_s"] = round(time.monotonic() - started, 1)
    document["loadavg"] = Path("/proc/loadavg").read_text().split()[:3]
    print(json.dumps(document["summary"]))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()

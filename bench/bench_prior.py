"""The prior's benchmark: training speed (steps/s), perplexity on held-out grids against a
unigram baseline, generation speed in columns per second against real time (23.4 columns/s),
and what generations copy from the training grids; log-mel images of generations beside
training clips.

    .venv/bin/python bench/bench_prior.py --model demo                  (make bench)
    .venv/bin/python bench/bench_prior.py --corpus build/corpus --minutes 5 --prior-minutes 1.5
    .venv/bin/python bench/bench_prior.py --corpus build/corpus --model build/bench-prior.distill

With --model and --corpus, a model trained before is measured on the corpus (no training).

With --model, the model's own prior is measured (its stored perplexities) and a short
training run on its stored grids gives steps/s. With --corpus (built by bench/corpus.py), an
autoencoder and then its prior are trained on the corpus's training files, and the prior is
also scored on the corpus's fixed held-out files, which neither ever saw.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from corpus import split_corpus
from distill.audio.io import load_audio, to_mono
from distill.audio.loudness import normalize_loudness
from distill.demo.sounds import DEMO_SOUNDS_DIR
from distill.inference import decode_grid, encode_grid
from distill.models.library import find_model
from distill.models.persistence import LoadedVQModel, load_model
from distill.prior.draw import draw_columns
from distill.prior.evaluation import grid_nll, perplexity, unigram_nll
from distill.prior.fit import fit_prior, stored_grids
from distill.prior.sampling import SamplingSettings, _steering, generate
from distill.prior.training import PriorTrainConfig, train_prior
from distill.training import TrainConfig, train_vqvae

RESULTS = Path(__file__).parent / "results"
SEEDS = (0, 1, 2)
GENERATE_SECONDS = 20.0


def _train_corpus_model(corpus: Path, minutes: float, prior_minutes: float, keep: Path) -> Path:
    """An autoencoder, then its prior, on the corpus's training files; saved under `keep`."""
    train_files, _ = split_corpus(corpus)
    config = TrainConfig(max_minutes=minutes, device="cpu")
    result = train_vqvae(train_files, "bench-prior", config, keep, overwrite=True)
    fit_prior(result.model_path, train_files, PriorTrainConfig(max_minutes=prior_minutes))
    return result.model_path


def _training_summary(loaded: LoadedVQModel) -> dict:
    """How the model and its prior were trained, from the model file."""
    training, meta = loaded.metadata.training, loaded.prior_metadata
    assert meta is not None
    summary = {
        "prior_minutes": round(meta.elapsed_s / 60, 2),
        "prior_steps": meta.steps,
        "prior_best_step": meta.best_step,
        "prior_stopped_early": meta.stopped_early,
        "prior_train_steps_per_second": round(meta.steps / max(meta.elapsed_s, 1e-9), 2),
    }
    if training is not None:
        summary |= {
            "autoencoder_minutes": round(training.elapsed_s / 60, 2),
            "autoencoder_steps": training.steps,
        }
    return summary


def _training_speed(loaded: LoadedVQModel, steps: int) -> dict:
    """A short training run on the model's stored grids (not saved): steps per second."""
    assert loaded.trained_prior is not None
    grids = stored_grids(loaded.trained_prior)
    config = PriorTrainConfig(max_steps=steps, validate_every_steps=steps + 1)
    started = time.monotonic()
    train_prior(grids, loaded.model.codebook_size, config)
    return {"prior_steps_per_second": round(steps / (time.monotonic() - started), 2)}


def _corpus_held_out(loaded: LoadedVQModel, corpus: Path) -> dict:
    """The prior on files neither model saw, against the unigram of its training grids."""
    prior = loaded.trained_prior
    assert prior is not None
    _, held_out = split_corpus(corpus)
    # the encoder's own codes, as the prior is trained on (prior/data.py)
    grids = [encode_grid(path, loaded, refine_steps=0).codes[0] for path in held_out]
    train = [codes for _, codes in prior.file_grids(held_out=False)]
    return {
        "corpus_held_out_files": len(grids),
        "corpus_held_out_perplexity": round(perplexity(grid_nll(prior.network, grids)), 2),
        "corpus_held_out_unigram_perplexity": round(
            perplexity(unigram_nll(train, grids, loaded.model.codebook_size)), 2
        ),
    }


def _generation(loaded: LoadedVQModel, temperature: float, top_p: float) -> tuple[dict, list]:
    """Columns per second of sampling alone and of generate() (memorisation included)."""
    trained = loaded.trained_prior
    assert trained is not None
    runs, results = [], []
    for seed in SEEDS:
        started = time.monotonic()
        settings = SamplingSettings(temperature=temperature, top_p=top_p, seed=seed)
        result = generate(loaded, GENERATE_SECONDS, settings)
        total_s = time.monotonic() - started
        columns = result.grid.num_columns
        plan = torch.zeros(columns, result.grid.num_levels, dtype=torch.long)
        started = time.monotonic()
        steering = _steering(loaded, settings, allow_end=True)  # as generate() steers
        draw_columns(trained.network, plan[:0], plan, plan == 0, settings, steering)
        sample_s = time.monotonic() - started
        memo = result.memorisation
        runs.append(
            {
                "seed": seed,
                "columns": columns,
                "sampling_columns_per_second": round(columns / sample_s, 1),
                "generate_columns_per_second": round(columns / total_s, 1),
                "longest_copy_s": round(memo.longest_run_s, 2),
                "longest_copy_from": memo.source,
                "phrase_share": round(memo.phrase_share or 0.0, 3),
                "memorisation": memo.describe(),
            }
        )
        results.append(result)
    real_time = results[0].grid.columns_per_second
    sampling = sorted(r["sampling_columns_per_second"] for r in runs)
    whole = sorted(r["generate_columns_per_second"] for r in runs)
    summary = {
        "seconds_per_generation": GENERATE_SECONDS,
        "temperature": temperature,
        "top_p": top_p,
        "real_time_columns_per_second": round(real_time, 2),
        "median_sampling_columns_per_second": sampling[len(sampling) // 2],
        "slowest_sampling_columns_per_second": sampling[0],
        "median_generate_columns_per_second": whole[len(whole) // 2],
        "ratio_to_real_time": round(sampling[len(sampling) // 2] / real_time, 1),
        "slowest_ratio_to_real_time": round(sampling[0] / real_time, 1),
        "runs": runs,
    }
    return summary, results


def _log_mel(loaded: LoadedVQModel, audio: np.ndarray) -> np.ndarray:
    waveform, _ = normalize_loudness(torch.from_numpy(audio).reshape(1, -1), 48000)
    with torch.no_grad():
        mel = loaded.spectrogram.waveform_to_mel(waveform.unsqueeze(0).to(loaded.device))
    return mel[0, 0].cpu().numpy()


def _images(loaded: LoadedVQModel, results: list, training: list[Path], path: Path) -> None:
    """Top row: training clips (their first 10 s); bottom row: generations, as heard."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, len(results), figsize=(4.2 * len(results), 6), squeeze=False)
    for column, (clip, result) in enumerate(zip(training, results, strict=False)):
        audio = to_mono(load_audio(clip, 48000).waveform)[0, : 10 * 48000].numpy()
        generated = decode_grid(result.grid, loaded)[: 10 * 48000]
        memo = result.memorisation
        for row, (mel, title) in enumerate(
            [
                (_log_mel(loaded, audio), f"training clip: {clip.name}"),
                (
                    _log_mel(loaded, generated),
                    f"generated, seed {SEEDS[column]} (first 10 s)\ncopies at most "
                    f"{memo.longest_run_s:.1f} s; {memo.phrase_share or 0:.0%} of phrases seen",
                ),
            ]
        ):
            axes[row][column].imshow(mel, origin="lower", aspect="auto", cmap="magma")
            axes[row][column].set_title(title, fontsize=8)
            axes[row][column].set_xlabel("mel frames (10.7 ms)", fontsize=7)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=80)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=None, help="A model with a prior ('demo', a path).")
    parser.add_argument("--corpus", type=Path, default=None, help="Train on this corpus instead.")
    parser.add_argument("--minutes", type=float, default=6.0, help="Autoencoder budget (corpus).")
    parser.add_argument("--prior-minutes", type=float, default=1.5, help="Prior budget (corpus).")
    parser.add_argument("--train-steps", type=int, default=60, help="Timed steps (--model).")
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--top-p", type=float, default=1.0)
    parser.add_argument("--keep", type=Path, default=None, help="Where the corpus model goes.")
    parser.add_argument("--out", type=Path, default=RESULTS / "prior.json")
    parser.add_argument("--images", type=Path, default=None, help="PNG of generations.")
    args = parser.parse_args()
    torch.set_num_threads(1)

    started = time.monotonic()
    if args.model is None and args.corpus is not None:  # train; with --model: measure it
        keep = args.keep or Path(tempfile.mkdtemp())
        model_path = _train_corpus_model(args.corpus, args.minutes, args.prior_minutes, keep)
    else:
        model_path = find_model(args.model or "demo")
    loaded = load_model(model_path, "cpu")
    meta = loaded.prior_metadata
    assert meta is not None, f"{model_path} has no prior"
    summary = {"model_path": str(model_path), **_training_summary(loaded)}
    if args.corpus is None:
        summary |= _training_speed(loaded, args.train_steps)
    summary |= {
        "model": loaded.metadata.name,
        "prior_parameters": sum(p.numel() for p in loaded.prior.parameters()),  # type: ignore[union-attr]
        "training_columns": meta.num_columns,
        "files": len(meta.files),
        "held_out_files": sum(f.held_out for f in meta.files),
        "heldout_perplexity": meta.heldout_perplexity,
        "unigram_perplexity": meta.unigram_perplexity,
        "codebook_size": loaded.model.codebook_size,
    }
    if args.corpus is not None:
        summary |= _corpus_held_out(loaded, args.corpus)
    generation, results = _generation(loaded, args.temperature, args.top_p)
    summary["generation"] = generation
    if args.images is not None:
        folder = args.corpus or DEMO_SOUNDS_DIR  # where the training files are
        training = [folder / f.name for f in meta.files if not f.held_out]
        clips = [c for c in training if c.is_file()][:: max(1, len(training) // 3)]
        _images(loaded, results, clips[: len(results)], args.images)
    summary["wall_s"] = round(time.monotonic() - started, 1)
    summary["note"] = "timings on a shared CPU (other work running): upper bounds"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2))
    print(json.dumps({k: v for k, v in summary.items() if k != "generation"}, indent=2))
    print(json.dumps({k: v for k, v in generation.items() if k != "runs"}, indent=2))
    for run in generation["runs"]:
        print(run["memorisation"])


if __name__ == "__main__":
    main()

"""Train on a real corpus for a time budget; report steps/s and the ruler's numbers.

    .venv/bin/python bench/bench_training.py CORPUS_DIR --minutes 15 [--set crop_frames=192 ...]

Writes bench/results/training.json (or --out). A corpus built by bench/corpus.py trains on
its training files only and is scored on its fixed held-out list (held_out.txt); any other
folder is scored on the validation files of training's own split. `--set NAME=VALUE` sets a
TrainConfig field, `--set model.NAME=VALUE` a VQVAEConfig one (ablations at equal steps).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import torch

from corpus import HELD_OUT_LIST, split_corpus
from distill.audio.io import find_audio_files
from distill.audio.spectrogram import SpectrogramConfig
from distill.models.persistence import load_model
from distill.models.vqvae import VQVAEConfig
from distill.training import TrainConfig, train_vqvae
from distill.training.data import split_validation
from distill.training.evaluation import reconstruction_report

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--minutes", type=float, default=None, help="Default 12 without --steps.")
    parser.add_argument("--steps", type=int, default=None, help="Stop after this many steps.")
    parser.add_argument("--name", default="bench")
    parser.add_argument("--levels", type=int, default=4)
    parser.add_argument("--codebook-size", type=int, default=None)
    parser.add_argument("--hidden", type=int, default=VQVAEConfig.hidden_channels)
    parser.add_argument("--latent", type=int, default=VQVAEConfig.latent_dim)
    parser.add_argument("--batch", type=int, default=TrainConfig.batch_size)
    parser.add_argument("--crop", "--chunk", type=int, default=TrainConfig.crop_frames)
    parser.add_argument("--lr", type=float, default=TrainConfig.learning_rate)
    parser.add_argument("--shift", type=int, default=TrainConfig.max_shift_bins)
    parser.add_argument("--set", action="append", default=[], help="NAME=VALUE override")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--keep", type=Path, default=None, help="Copy the model here.")
    parser.add_argument("--out", type=Path, default=RESULTS / "training.json")
    args = parser.parse_args()

    if args.threads:
        torch.set_num_threads(args.threads)
    train_overrides, model_overrides = parse_overrides(args.set)
    model_config = VQVAEConfig(
        **{"hidden_channels": args.hidden, "latent_dim": args.latent, **model_overrides}
    )
    minutes = 15.0 if args.minutes is None and args.steps is None else args.minutes
    options = {
        "max_minutes": minutes,
        "max_steps": args.steps,
        "num_levels": args.levels,
        "codebook_size": args.codebook_size,
        "batch_size": args.batch,
        "crop_frames": args.crop,
        "learning_rate": args.lr,
        "max_shift_bins": args.shift,
        "device": args.device,
    }
    config = TrainConfig(**{**options, **train_overrides}, model=model_config)
    directory = args.keep or Path(tempfile.mkdtemp())
    started = time.monotonic()
    if (args.corpus / HELD_OUT_LIST).is_file():
        train_files, held_out = split_corpus(args.corpus)
    else:
        train_files = find_audio_files(args.corpus)
        _, held_out = split_validation(train_files, config.val_fraction, config.seed)
    result = train_vqvae(train_files, args.name, config, directory, overwrite=True)
    loaded = load_model(result.model_path)
    report = reconstruction_report(loaded, held_out)
    summary = {
        "corpus_files": result.dataset.num_files,
        "corpus_minutes": round(result.dataset.total_duration_s / 60, 2),
        "train_minutes": round(result.elapsed_s / 60, 2),
        "device": args.device,
        "steps": result.steps,
        "steps_per_second": round(result.steps_per_second, 3),
        "best_val_loss": round(result.best_val_loss, 4),
        "model_file_mb": round(result.model_path.stat().st_size / 1e6, 2),
        "codebook_use": [level.utilisation for level in result.codebook_health.levels],
        "train_config": {k: v for k, v in asdict(config).items() if k != "model"},
        "steps_per_second_note": "with --threads; other work may share the CPU",
        "model_config": loaded.vqvae_config.to_dict(),
        "spectrogram_config": loaded.spectrogram.config.to_dict(),
        "reconstruction": report,
        "wall_s": round(time.monotonic() - started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2))
    brief = {k: v for k, v in summary.items() if k not in ("reconstruction", "model_config")}
    print(json.dumps(brief, indent=2))
    print({k: v for k, v in report.items() if k != "files"})


def parse_overrides(items: list[str]) -> tuple[dict, dict]:
    """["crop_frames=192", "model.latent_dim=32", "spectrogram.n_mels=128"] -> (TrainConfig
    fields, a SpectrogramConfig among them if any, VQVAEConfig fields)."""
    train: dict = {}
    model: dict = {}
    spectrogram: dict = {}
    for item in items:
        name, _, text = item.partition("=")
        value = json.loads(text) if text not in ("None", "") else None
        value = tuple(value) if isinstance(value, list) else value
        if name.startswith("model."):
            model[name.removeprefix("model.")] = value
        elif name.startswith("spectrogram."):
            spectrogram[name.removeprefix("spectrogram.")] = value
        else:
            train[name] = value
    if spectrogram:
        train["spectrogram"] = SpectrogramConfig(**spectrogram)
    return train, model


if __name__ == "__main__":
    main()

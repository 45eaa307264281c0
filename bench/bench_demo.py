"""The bundled demo model on the demo clips it never trained on, and the Griffin-Lim ceiling.

    .venv/bin/python bench/bench_demo.py [--model FILE --out FILE]

Writes bench/results/demo.json (--model: another build of the demo, e.g. before it is copied
into the package, measured on the demo clips its file says it held out):
- `held_out`: multi-scale log-mel distance of the demo model's decode and of the
  Griffin-Lim-only ceiling (mel -> waveform, no model) on the held-out demo clips (the model
  file records which), their ratio and the loudness change of the decode;
- `ceiling_by_iterations`: the ceiling over every demo clip at several Griffin-Lim iteration
  counts, with the inversion time per second of audio (what previews and decodes pay).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch

from distill.audio.io import load_audio, to_mono
from distill.audio.loudness import normalize_loudness
from distill.audio.metrics import harmonic_distance, multiscale_mel_distance
from distill.audio.spectrogram import AudioSpectrogram
from distill.demo.sounds import DEMO_SOUNDS_DIR, list_demo_sounds
from distill.models.persistence import DEMO_MODEL_PATH, load_model
from distill.training.evaluation import reconstruction_report

RESULTS = Path(__file__).resolve().parent / "results" / "demo.json"
ITERATIONS = (8, 16, 32, 64)


@torch.no_grad()
def ceiling_by_iterations(paths: list[Path]) -> dict[str, dict[str, float]]:
    """Mean ruler distances of the ceiling (normalised level) and inversion ms per audio
    second, per iteration count."""
    spec = AudioSpectrogram()
    clips = []
    for path in paths:
        audio = load_audio(path, spec.config.sample_rate)
        waveform, _ = normalize_loudness(to_mono(audio.waveform), spec.config.sample_rate)
        clips.append((waveform, spec.waveform_to_mel(waveform.unsqueeze(0))))
    seconds = sum(w.shape[-1] for w, _ in clips) / spec.config.sample_rate
    results = {}
    for iterations in ITERATIONS:
        started = time.perf_counter()
        inverted = [spec.mel_to_waveform(mel, iterations, w.shape[-1])[0, 0] for w, mel in clips]
        elapsed = time.perf_counter() - started
        distances = [
            multiscale_mel_distance(w[0], x) for (w, _), x in zip(clips, inverted, strict=True)
        ]
        harmonic = [harmonic_distance(w[0], x) for (w, _), x in zip(clips, inverted, strict=True)]
        results[str(iterations)] = {
            "ceiling_distance": round(statistics.mean(distances), 4),
            "ceiling_harmonic": round(statistics.mean(harmonic), 4),
            "ms_per_audio_second": round(1000 * elapsed / seconds, 1),
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEMO_MODEL_PATH)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--no-ceiling", action="store_true", help="skip the iteration sweep")
    args = parser.parse_args()
    model_path, results = args.model, args.out
    loaded = load_model(model_path)
    dataset, training = loaded.metadata.dataset, loaded.metadata.training
    held_names = dataset.validation_file_names if dataset else ()
    held_out = [DEMO_SOUNDS_DIR / name for name in held_names]
    started = time.perf_counter()
    report = reconstruction_report(loaded, held_out)
    summary = {
        "model": str(model_path.name),
        "model_file_mb": round(model_path.stat().st_size / 1e6, 2),
        "model_config": loaded.vqvae_config.to_dict(),
        "training": {
            k: v for k, v in (training.to_dict() if training else {}).items() if k != "train_config"
        },
        "codebook_use": [
            level.utilisation
            for level in (loaded.codebook_health.levels if loaded.codebook_health else ())
        ],
        "held_out": report,
        "held_out_seconds": round(time.perf_counter() - started, 1),
        "ceiling_by_iterations": {}
        if args.no_ceiling
        else ceiling_by_iterations(list_demo_sounds()),
        "torch_threads": torch.get_num_threads(),
    }
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(summary, indent=2) + "\n")
    brief = {k: v for k, v in report.items() if k != "files"}
    print(json.dumps({"held_out": brief, "ceiling": summary["ceiling_by_iterations"]}, indent=2))
    print(f"wrote {results}")


if __name__ == "__main__":
    main()

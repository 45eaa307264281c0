"""Codes pipeline speed on a 10 s file with a default-size model; writes bench/results/codes.json.

Times (median of --runs) encode (with the code search, and without it), full decode,
single-code preview, time-slice preview and row playback. The model has VQVAEConfig()
defaults and codebooks k-means-initialised by a train-mode forward pass (repeated until every
level is initialised), so it computes exactly what a trained model of that size does.
With --long it also measures the peak memory growth (Linux) and time of encoding and
decoding a 5-minute file.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from distill.audio.spectrogram import AudioSpectrogram, SpectrogramConfig
from distill.inference import (
    decode_code_grid,
    encode_audio_file,
    encode_sound,
    play_row_audio,
    preview_single_code,
    preview_time_slice,
)
from distill.models.persistence import ModelMetadata, load_model, save_model
from distill.models.vqvae import ConvVQVAE, VQVAEConfig

RESULTS = Path(__file__).resolve().parent / "results" / "codes.json"
SAMPLE_RATE = 48000


def synth_audio(seconds: float, seed: int = 0) -> np.ndarray:
    """A changing mix of tones and noise bursts: [S] float32."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    pitch = 220.0 * 2 ** (np.floor(t * 2) % 12 / 12)  # a new note every 0.5 s
    phase = 2 * np.pi * np.cumsum(pitch) / SAMPLE_RATE
    tone = sum(np.sin(k * phase) / k for k in (1, 2, 3, 5))
    bursts = rng.standard_normal(t.shape) * np.exp(-(t % 0.5) * 30)
    return (0.2 * tone + 0.1 * bursts).astype(np.float32)


def build_model(path: Path, audio: np.ndarray) -> Path:
    """Default-size model whose codebooks were k-means-initialised on this audio's mel."""
    torch.manual_seed(0)
    model = ConvVQVAE(VQVAEConfig())
    mel = AudioSpectrogram().waveform_to_mel(torch.from_numpy(audio).reshape(1, 1, -1))
    chunks = mel[..., : (mel.shape[-1] // 64) * 64].reshape(
        1, mel.shape[2], -1, 64
    )  # [1, M, N, 64]
    batch = chunks.permute(2, 0, 1, 3)  # [N, 1, M, 64]: 64-frame training-like chunks
    model.train()
    with torch.no_grad():
        # A forward that draws quantizer dropout leaves the finer levels uninitialised, and the
        # library would then initialise them from the first file encoded: repeat until none is.
        for _ in range(20):
            model(batch)
            if all(bool(flag) for name, flag in model.named_buffers() if "initted" in name):
                break
        else:
            raise RuntimeError("quantizer levels still uninitialised after 20 forward passes")
    model.eval()
    return save_model(path, model, SpectrogramConfig(), ModelMetadata(name="bench-default"))


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()  # warm-up: first calls pay for allocations and lazy initialisation
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def time_pipeline(model_path: Path, audio_path: Path, runs: int) -> dict[str, float]:
    loaded = load_model(model_path, "cpu")
    encoded = encode_audio_file(audio_path, loaded)
    grid = (encoded["indices"], loaded, encoded["spatial_shape"], encoded["mel_shape"])
    shapes = (encoded["spatial_shape"], encoded["mel_shape"])
    middle = encoded["spatial_shape"][1] // 2
    restore = {"num_samples": encoded["num_samples"], "loudness_gain": encoded["loudness_gain"]}
    return {
        "encode": median_ms(lambda: encode_audio_file(audio_path, loaded), runs),
        "encode_without_search": median_ms(
            lambda: encode_sound(audio_path, loaded, refine_steps=0), runs
        ),
        "decode": median_ms(
            lambda: decode_code_grid(encoded["indices"], *shapes, loaded, **restore), runs
        ),
        "preview_single_code": median_ms(lambda: preview_single_code(1, 7, loaded, *shapes), runs),
        "preview_time_slice": median_ms(lambda: preview_time_slice(middle, *grid), runs),
        "play_row_audio": median_ms(lambda: play_row_audio(0, *grid, **restore), runs),
    }


def _status_mib(key: str) -> float:
    """A memory line of /proc/self/status (Linux), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    raise KeyError(key)


def peak_growth(action: Callable[[], object]) -> dict[str, float]:
    """Peak RSS growth (MiB) and seconds of one call; Linux's clear_refs resets the peak first."""
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_mib("VmRSS")
    start = time.perf_counter()
    action()
    seconds = time.perf_counter() - start
    return {"peak_growth_mib": round(_status_mib("VmHWM") - before), "seconds": round(seconds, 1)}


def long_file_memory(model_path: Path, workdir: Path, minutes: float) -> dict[str, dict]:
    """Peak memory of encoding and decoding a long file (chunked, so it should stay flat)."""
    audio_path = workdir / "long.wav"
    sf.write(audio_path, synth_audio(minutes * 60, seed=1), SAMPLE_RATE)
    loaded = load_model(model_path, "cpu")
    encoded = encode_audio_file(audio_path, loaded)
    restore = {"num_samples": encoded["num_samples"], "loudness_gain": encoded["loudness_gain"]}
    shapes = (encoded["spatial_shape"], encoded["mel_shape"])
    return {
        "encode": peak_growth(lambda: encode_audio_file(audio_path, loaded)),
        "decode": peak_growth(
            lambda: decode_code_grid(encoded["indices"], *shapes, loaded, **restore)
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--long", action="store_true", help="also measure a 5-minute file")
    parser.add_argument(
        "--model", type=Path, default=None, help="time this model file (default: a fresh one)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        audio = synth_audio(10.0)
        audio_path = workdir / "ten_seconds.wav"
        sf.write(audio_path, audio, SAMPLE_RATE)
        model_path = args.model or build_model(workdir / "bench-default.distill", audio)
        timings = time_pipeline(model_path, audio_path, args.runs)
        long = long_file_memory(model_path, workdir, 5.0) if args.long else None
    report = {
        "file_seconds": 10.0,
        "runs": args.runs,
        "median_ms": {name: round(ms, 1) for name, ms in timings.items()},
        "model": str(args.model)
        if args.model
        else "VQVAEConfig() defaults, k-means-initialised codebooks",
        "torch_threads": torch.get_num_threads(),
        "machine": f"{platform.machine()} {platform.processor() or platform.platform()}",
        "long_file_5_min": long,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{'stage (10 s file)':<22}{'median ms':>10}")
    for name, ms in timings.items():
        print(f"{name:<22}{ms:>10.1f}")
    if long:
        for stage, numbers in long.items():
            print(
                f"5-min {stage}: peak RSS growth {numbers['peak_growth_mib']:.0f} MiB, "
                f"{numbers['seconds']:.1f} s"
            )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

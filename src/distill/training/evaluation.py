"""How well a model reconstructs held-out audio, against the Griffin-Lim-only ceiling."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from distill.audio.io import load_audio, to_mono
from distill.audio.loudness import match_decoded_loudness, measure_loudness_db, normalize_loudness
from distill.audio.spectrogram import multiscale_mel_distance
from distill.models.persistence import LoadedVQModel


@dataclass(frozen=True)
class FileReconstruction:
    name: str
    duration_s: float
    ceiling_distance: float  # original -> mel -> Griffin-Lim, no model
    model_distance: float  # original -> codes -> decoder -> Griffin-Lim
    loudness_change_db: float  # decode as users get it (level matched) vs original, gated RMS
    raw_loudness_change_db: float  # the decoder's own level before matching

    @property
    def ratio(self) -> float:
        return self.model_distance / max(self.ceiling_distance, 1e-9)


def _level_change_db(decoded: torch.Tensor, original: torch.Tensor, sample_rate: int) -> float:
    change = measure_loudness_db(decoded, sample_rate) - measure_loudness_db(original, sample_rate)
    return change if math.isfinite(change) else 0.0


@torch.no_grad()
def reconstruct_file(loaded: LoadedVQModel, path: Path, iterations: int = 32) -> FileReconstruction:
    """Distances of the ceiling and of the model's decode from one file (both normalised);
    the decode's level is matched as `decode_code_grid` matches it."""
    spec = loaded.spectrogram
    rate = spec.config.sample_rate
    audio = load_audio(path, rate)
    waveform, gain = normalize_loudness(to_mono(audio.waveform), rate)
    waveform = waveform.to(loaded.device)
    length = waveform.shape[-1]
    mel = spec.waveform_to_mel(waveform.unsqueeze(0))  # [1, 1, M, F]
    ceiling = spec.mel_to_waveform(mel, iterations, length)[0, 0]
    recon_mel, _, _ = loaded.model.eval()(mel)
    raw = spec.mel_to_waveform(recon_mel, iterations, length)[0, 0].cpu()
    decoded = match_decoded_loudness(raw, gain, rate)
    original = waveform[0].cpu()
    return FileReconstruction(
        path.name,
        audio.duration_s,
        multiscale_mel_distance(original, ceiling.cpu()),
        multiscale_mel_distance(original, decoded),
        _level_change_db(decoded, original, rate),
        _level_change_db(raw, original, rate),
    )


def reconstruction_report(loaded: LoadedVQModel, paths: list[Path]) -> dict:
    """Per-file results and their means; ratio = model distance / ceiling distance."""
    files = [reconstruct_file(loaded, path) for path in paths]
    ceiling = sum(f.ceiling_distance for f in files) / len(files)
    model = sum(f.model_distance for f in files) / len(files)
    return {
        "num_files": len(files),
        "ceiling_distance": round(ceiling, 4),
        "model_distance": round(model, 4),
        "ratio": round(model / max(ceiling, 1e-9), 3),
        "mean_abs_loudness_change_db": round(
            sum(abs(f.loudness_change_db) for f in files) / len(files), 2
        ),
        "mean_abs_raw_loudness_change_db": round(
            sum(abs(f.raw_loudness_change_db) for f in files) / len(files), 2
        ),
        "files": [{**asdict(f), "ratio": round(f.ratio, 3)} for f in files],
    }

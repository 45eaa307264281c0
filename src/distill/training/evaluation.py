"""How well a model reconstructs held-out audio, against the Griffin-Lim-only ceiling."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from distill.audio.io import load_audio, to_mono
from distill.audio.loudness import normalize_loudness
from distill.audio.spectrogram import multiscale_mel_distance
from distill.models.persistence import LoadedVQModel


@dataclass(frozen=True)
class FileReconstruction:
    name: str
    duration_s: float
    ceiling_distance: float  # original -> mel -> Griffin-Lim, no model
    model_distance: float  # original -> codes -> decoder -> Griffin-Lim
    loudness_change_db: float  # model decode vs original, RMS

    @property
    def ratio(self) -> float:
        return self.model_distance / max(self.ceiling_distance, 1e-9)


def _rms_db(waveform: torch.Tensor) -> float:
    return 10 * math.log10(float(waveform.pow(2).mean()) + 1e-12)


@torch.no_grad()
def reconstruct_file(loaded: LoadedVQModel, path: Path, iterations: int = 32) -> FileReconstruction:
    """Distances of the ceiling and of the model's decode from one file (both normalised)."""
    spec = loaded.spectrogram
    audio = load_audio(path, spec.config.sample_rate)
    waveform, _ = normalize_loudness(to_mono(audio.waveform), spec.config.sample_rate)
    waveform = waveform.to(loaded.device)
    length = waveform.shape[-1]
    mel = spec.waveform_to_mel(waveform.unsqueeze(0))  # [1, 1, M, F]
    ceiling = spec.mel_to_waveform(mel, iterations, length)[0, 0]
    recon_mel, _, _ = loaded.model.eval()(mel)
    decoded = spec.mel_to_waveform(recon_mel, iterations, length)[0, 0]
    original = waveform[0].cpu()
    return FileReconstruction(
        path.name,
        audio.duration_s,
        multiscale_mel_distance(original, ceiling.cpu()),
        multiscale_mel_distance(original, decoded.cpu()),
        _rms_db(decoded.cpu()) - _rms_db(original),
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
        "files": [{**asdict(f), "ratio": round(f.ratio, 3)} for f in files],
    }

"""How well a model reconstructs held-out audio, against the Griffin-Lim-only ceiling.

Both are scored with the fixed ruler (`audio.metrics`) on the original file at its own level
against what a user gets: the codes encoding gives (searched against the input as
`encode_sound` does, `inference.refine`), decoded at the decoder's own level with the
encode's gain undone (`undo_loudness`, as `decode_grid` does), as long as the file. The
ceiling is original -> mel -> Griffin-Lim with no model, at the level restored the same way;
no decode of a model can beat it.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from distill.audio.io import load_audio, to_mono
from distill.audio.loudness import (
    match_decoded_loudness,
    measure_loudness_db,
    normalize_loudness,
    undo_loudness,
)
from distill.audio.metrics import QualityDistances, best_gain_distance, quality_distances
from distill.inference.chunked import decode_codes_chunked, encode_mel_chunked
from distill.inference.refine import refine_steps_for
from distill.models.persistence import LoadedVQModel


@dataclass(frozen=True)
class FileReconstruction:
    """The ruler's numbers for one held-out file: the model's decode and the ceiling."""

    name: str
    duration_s: float
    model: QualityDistances  # original -> codes -> decoder -> Griffin-Lim, level restored
    ceiling: QualityDistances  # original -> mel -> Griffin-Lim, no model
    loudness_change_db: float  # gated RMS of the decode as users get it minus the original's
    raw_loudness_change_db: float  # the decoder's own level, before matching
    raw_level_error_db: float  # level_error_db of the decoder's own level, before matching
    rms_change_db: float = 0.0  # whole-file RMS of the decode as users get it minus the original's
    first_levels_mel: tuple[float, ...] = ()  # mel distance decoding levels 1..k, k = 1..L

    @property
    def ratio(self) -> float:
        """Model over ceiling, multi-scale mel distance at the input's level."""
        return self.model.mel / max(self.ceiling.mel, 1e-9)

    @property
    def level_error_db(self) -> float:
        """How much louder the decode is than the level that scores it best (dB)."""
        return -self.model.best_gain_db


def _rms_change_db(decoded: torch.Tensor, original: torch.Tensor) -> float:
    """Whole-file RMS of `decoded` over `original`'s, in dB (0 where either is silent)."""
    ratio = decoded.square().mean() / original.square().mean().clamp(min=1e-20)
    change = 10 * math.log10(max(float(ratio), 1e-20))
    return change if float(original.abs().max()) > 0 and float(decoded.abs().max()) > 0 else 0.0


def _level_change_db(decoded: torch.Tensor, original: torch.Tensor, sample_rate: int) -> float:
    change = measure_loudness_db(decoded, sample_rate) - measure_loudness_db(original, sample_rate)
    return change if math.isfinite(change) else 0.0


@dataclass(frozen=True)
class RulerDecode:
    """One file as the ruler decodes it (see module doc), before any inversion."""

    original: torch.Tensor  # [1, S] at the file's own level
    gain: float  # the encode's loudness gain (normalised = original * gain)
    mel: torch.Tensor  # [1, 1, M, F] of the normalised input
    codes: torch.Tensor  # [1, F', L] as encoding gives them
    spectrum: torch.Tensor  # [1, 1, X, F] the decoder's


@torch.no_grad()
def ruler_decode(loaded: LoadedVQModel, path: Path, refine_steps: int | None = None) -> RulerDecode:
    """`path` loaded at its own level, normalised, encoded (with the code search, as
    `encode_sound` does; refine_steps as in `reconstruct_file`) and decoded."""
    spectrogram = loaded.spectrogram
    rate = spectrogram.config.sample_rate
    original = to_mono(load_audio(path, rate).waveform)  # [1, S] at the file's own level
    normalised, gain = normalize_loudness(original, rate)
    mel = spectrogram.waveform_to_mel(normalised.unsqueeze(0).to(loaded.device))  # [1, 1, M, F]
    model = loaded.model.eval()
    steps = refine_steps_for(mel.shape[-1], refine_steps)
    codes = encode_mel_chunked(model, mel, refine_steps=steps, config=spectrogram.config)
    spectrum = decode_codes_chunked(model, codes, (mel.shape[2], mel.shape[3]))
    return RulerDecode(original, gain, mel, codes, spectrum)


@torch.no_grad()
def reconstruct_file(
    loaded: LoadedVQModel,
    path: Path,
    iterations: int | None = None,
    match_loudness: bool = False,
    refine_steps: int | None = None,
    first_levels: bool = False,
) -> FileReconstruction:
    """Ruler numbers of the model's decode and of the ceiling for one file (see module doc).

    iterations: Griffin-Lim iterations, None for the model's final-render default.
    match_loudness: score the decode with its gated RMS brought to the training loudness
    first (decode_grid's opt-in, the default before decodes kept their own level).
    refine_steps: the code search's steps, None for encoding's default, 0 for the encoder's
    own codes (as every decode was before the search).
    first_levels: also score the decodes of levels 1..k alone (the others silent), k = 1..L.
    """
    spectrogram = loaded.spectrogram
    rate = spectrogram.config.sample_rate
    ruled = ruler_decode(loaded, path, refine_steps)
    original, gain, mel, codes = ruled.original, ruled.gain, ruled.mel, ruled.codes
    length = original.shape[-1]
    ceiling = spectrogram.mel_to_waveform(mel, iterations, length)[0, 0].cpu()
    mel_shape = (mel.shape[2], mel.shape[3])
    raw = spectrogram.to_waveform(ruled.spectrum, iterations, length)[0, 0].cpu()
    prefixes = []
    for keep in range(1, codes.shape[-1] + 1) if first_levels else ():
        kept = codes.clone()
        kept[..., keep:] = -1  # levels after the first `keep` add nothing
        spectrum = decode_codes_chunked(loaded.model, kept, mel_shape)
        waveform = spectrogram.to_waveform(spectrum, iterations, length)[0, 0].cpu()
        prefixes.append(round(quality_distances(original[0], undo_loudness(waveform, gain)).mel, 4))
    matched = match_decoded_loudness(raw, gain, rate) if match_loudness else raw
    decoded = undo_loudness(matched, gain)  # as decode_grid gives it
    reference = original[0]
    _, raw_gain_db = best_gain_distance(reference, undo_loudness(raw, gain))
    return FileReconstruction(
        path.name,
        length / rate,
        quality_distances(reference, decoded),
        quality_distances(reference, undo_loudness(ceiling, gain)),
        _level_change_db(decoded, reference, rate),
        _level_change_db(undo_loudness(raw, gain), reference, rate),
        -raw_gain_db,
        _rms_change_db(decoded, reference),
        tuple(prefixes),
    )


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 4)


def _summary(files: list[FileReconstruction], which: str) -> dict:
    scores = [getattr(f, which) for f in files]
    return {
        "mel": _mean([s.mel for s in scores]),
        "best_gain_mel": _mean([s.best_gain_mel for s in scores]),
        "harmonic": _mean([s.harmonic for s in scores]),
    }


def _first_levels(files: list[FileReconstruction]) -> dict:
    """Mean distance decoding levels 1..k, and each added level's share of improvement."""
    if not files or not files[0].first_levels_mel:
        return {}
    means = [
        _mean([f.first_levels_mel[k] for f in files]) for k in range(len(files[0].first_levels_mel))
    ]
    gains = [round(1 - after / before, 4) for before, after in itertools.pairwise(means)]
    return {"first_levels_mel": means, "level_improvement": gains}


def reconstruction_report(
    loaded: LoadedVQModel,
    paths: list[Path],
    iterations: int | None = None,
    match_loudness: bool = False,
    refine_steps: int | None = None,
    first_levels: bool = False,
) -> dict:
    """Per-file ruler numbers and their means, for the model and for the ceiling (and with
    first_levels, the mean distance decoding levels 1..k alone and what each level adds)."""
    files = [
        reconstruct_file(loaded, path, iterations, match_loudness, refine_steps, first_levels)
        for path in paths
    ]
    rms = [f.rms_change_db for f in files]
    model, ceiling = _summary(files, "model"), _summary(files, "ceiling")
    levels = [f.level_error_db for f in files]
    return {
        "num_files": len(files),
        "model": model,
        "ceiling": ceiling,
        "ratio": round(model["mel"] / max(ceiling["mel"], 1e-9), 3),
        "worst_ratio": round(max(f.ratio for f in files), 3),
        "mean_level_error_db": round(sum(levels) / len(levels), 2),
        "mean_abs_level_error_db": round(sum(abs(v) for v in levels) / len(levels), 2),
        "max_abs_level_error_db": round(max(abs(v) for v in levels), 2),
        "raw_mean_abs_level_error_db": _mean([abs(f.raw_level_error_db) for f in files]),
        "raw_max_abs_level_error_db": max(abs(f.raw_level_error_db) for f in files),
        "mean_abs_loudness_change_db": _mean([abs(f.loudness_change_db) for f in files]),
        "max_abs_loudness_change_db": round(max(abs(f.loudness_change_db) for f in files), 2),
        "mean_abs_raw_loudness_change_db": _mean([abs(f.raw_loudness_change_db) for f in files]),
        "mean_rms_change_db": _mean(rms),
        "mean_abs_rms_change_db": _mean([abs(v) for v in rms]),
        "max_abs_rms_change_db": round(max(abs(v) for v in rms), 2),
        **_first_levels(files),
        "files": [
            {**asdict(f), "ratio": round(f.ratio, 3), "level_error_db": f.level_error_db}
            for f in files
        ],
    }

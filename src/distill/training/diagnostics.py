"""Codebook diagnostics at the end of training: which codes each level uses how often (over the
training set), how much each level changes the decode (on held-out audio), and a green /
yellow / red badge per level with its reason in plain words.

A level's contribution is measured by muting it (its codes set to -1, which
`codes_to_embeddings` reads as "adds nothing") and comparing the decode with the full one:
the mean absolute log-mel difference, in dB of mel power. It is what checks the labels
Structure / Timbre / Texture / Detail: a coarse level should change the sound the most.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from distill.audio.spectrogram import AudioSpectrogram, SpectrogramConfig
from distill.models.persistence import load_model, rewrite_model
from distill.models.records import DIAGNOSTICS_VERSION, CodebookHealth, LevelHealth
from distill.models.vqvae import ConvVQVAE
from distill.training.config import TrainConfig
from distill.training.data import MelDataset, TrainingError, load_dataset, tiled_batches
from distill.training.health import (
    LOW_USE_WARNING,
    health_warnings,
    level_health,
    measure_code_counts,
)

FAIR_USE = 0.60  # a level using under this share of its codebook is yellow (under 0.30: red)
UNEVEN_USE = 0.25  # perplexity under this share of the codes used: a few codes do the work
SILENT_DB = 0.3  # muting a level changes the decode by under this: it adds almost nothing
LIGHT_DB = 1.0  # ... under this: a light touch (yellow; the demo's Detail level: 0.4 dB)


@dataclass(frozen=True)
class HealthBadge:
    """One level's verdict: 'green', 'yellow' or 'red', and why, in a sentence."""

    level: int  # 0-based
    colour: str
    reason: str


def mel_db(spectrogram: SpectrogramConfig) -> float:
    """dB of mel power per unit of normalised log-mel (power_to_log divides log10 by log_scale)."""
    return 10.0 * spectrogram.log_scale


@torch.no_grad()
def level_contributions_db(
    model: ConvVQVAE, batches: Iterable[torch.Tensor], spectrogram: SpectrogramConfig
) -> list[float]:
    """Per level, the mean |decode - decode with that level muted| in dB of mel power, over
    mel batches [B, 1, M, F] (eval mode). Large: the level shapes the sound."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    to_mel = AudioSpectrogram(spectrogram, device).to_mel  # a linear output, as mel bands
    totals = torch.zeros(model.num_quantizers, dtype=torch.float64)
    elements = 0
    for batch in batches:
        batch = batch.to(device)
        target = (batch.shape[2], batch.shape[3])
        _, codes, _ = model.quantize(model.encode(batch))  # codes [B, F', L]
        shape = (1, codes.shape[1])
        full = to_mel(model.decode(model.codes_to_embeddings(codes, shape), target))
        for level in range(model.num_quantizers):
            muted = codes.clone()
            muted[..., level] = -1  # this level adds nothing
            decoded = to_mel(model.decode(model.codes_to_embeddings(muted, shape), target))
            totals[level] += float((decoded - full).abs().double().sum())  # [B, 1, M, F]
        elements += full.numel()
    model.train(was_training)
    scale = mel_db(spectrogram) / max(elements, 1)
    return [float(total) * scale for total in totals]


def diagnose_codebooks(
    model: ConvVQVAE,
    dataset: MelDataset,
    batch_size: int,
    crop_frames: int,
    spectrogram: SpectrogramConfig,
    level_labels: list[str] | None = None,
) -> CodebookHealth:
    """Health with diagnostics: code use over the training clips, contributions on the
    validation clips (the training clips when nothing was held out)."""
    train = tiled_batches(dataset.train, batch_size, crop_frames, spectrogram.silence)
    held_out = dataset.validation or dataset.train
    counts = measure_code_counts(model, train)  # [L, K]
    contributions = level_contributions_db(
        model, tiled_batches(held_out, batch_size, crop_frames, spectrogram.silence), spectrogram
    )
    levels = tuple(
        replace(
            level_health(counts[level], level),
            code_counts=tuple(int(c) for c in counts[level]),
            contribution_db=round(contributions[level], 2),
        )
        for level in range(model.num_quantizers)
    )
    return CodebookHealth(levels, tuple(health_warnings(levels, level_labels)), DIAGNOSTICS_VERSION)


def level_badge(health: LevelHealth) -> HealthBadge:
    """Green, yellow or red for one level, with every reason that made it so."""
    red, yellow = [], []
    used = f"uses {health.used_codes} of {health.codebook_size} codes"
    if health.utilisation < LOW_USE_WARNING:
        red.append(f"{used}: the collection may be too uniform, or train longer")
    elif health.utilisation < FAIR_USE:
        yellow.append(f"{used}: a smaller codebook would do, or train longer")
    if health.used_codes and health.perplexity < UNEVEN_USE * health.used_codes:
        yellow.append(
            f"a few codes do most of the work (as if it used {health.perplexity:.0f} evenly)"
        )
    contribution = health.contribution_db
    if contribution is not None and contribution < SILENT_DB:
        red.append(
            f"muting it changes the sound by only {contribution:.1f} dB: it adds almost nothing"
        )
    elif contribution is not None and contribution < LIGHT_DB:
        yellow.append(f"muting it changes the sound by only {contribution:.1f} dB")
    if red or yellow:
        return HealthBadge(health.level, "red" if red else "yellow", "; ".join(red + yellow))
    reason = f"{used}, evenly"
    if contribution is not None:
        reason += f"; muting it changes the sound by {contribution:.1f} dB"
    return HealthBadge(health.level, "green", reason)


def usage_shares(counts: Sequence[int]) -> list[float]:
    """Code counts [K] -> shades in [0, 1] for a heatmap: log(1 + count) over the most used
    code's (a log scale, so a code used 10 times shows beside one used 1000 times)."""
    top = math.log1p(max(counts, default=0))
    return [math.log1p(count) / top if top else 0.0 for count in counts]


def add_diagnostics(model_file: str | Path, audio: Path | Sequence[Path]) -> CodebookHealth:
    """Measure and store the diagnostics of a model file trained on `audio` (the same split
    of it, from the seed and validation share the file records), weights untouched.

    For model files made before diagnostics (the bundled demo); read-only files too, since
    it is the maintainer who runs this. A TrainingError if the files do not match the model's.
    """
    loaded = load_model(model_file)
    training, summary = loaded.metadata.training, loaded.metadata.dataset
    if training is None or summary is None:
        raise TrainingError(f"{Path(model_file).name} records no training data to measure on.")
    settings = TrainConfig.from_stored(training, loaded.vqvae_config, loaded.spectrogram.config)
    spectrogram = settings.spectrogram
    dataset = load_dataset(
        audio, AudioSpectrogram(spectrogram), settings.val_fraction, settings.seed
    )
    held_out = tuple(clip.path.name for clip in dataset.validation)
    if held_out != summary.validation_file_names[: len(held_out)] or not held_out:
        raise TrainingError(
            f"Those audio files are not the ones {Path(model_file).name} was trained on "
            "(its held-out files differ)."
        )
    health = diagnose_codebooks(
        loaded.model, dataset, settings.batch_size, settings.crop_frames, spectrogram
    )
    rewrite_model(model_file, loaded, codebook_health=health)
    return health


def bucket_counts(counts: Sequence[int], buckets: int) -> list[int]:
    """Code counts [K] summed into at most `buckets` runs of neighbouring codes (for a narrow
    heatmap, such as a terminal's): [min(K, buckets)]."""
    if len(counts) <= buckets:
        return list(counts)
    size = -(-len(counts) // buckets)  # codes per bucket, rounded up
    return [sum(counts[i : i + size]) for i in range(0, len(counts), size)]

"""The shipped base model: an autoencoder pretrained on hours of openly licensed audio that
every training starts from (DESIGN.md 15). Its data card lies beside it (DATA_CARD.md);
`make base-model` rebuilds it (distill.base)."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

import torch

from distill.audio.spectrogram import SpectrogramConfig
from distill.models.persistence import (
    ModelMetadata,
    read_model_info,
    save_model,
)
from distill.models.records import BaseIdentity, DatasetSummary, TrainingSummary
from distill.models.vqvae import ConvVQVAE, VQVAEConfig

BASE_MODEL_PATH = Path(__file__).resolve().parent / "weights" / "base.distill"
# Another base file to start from, or "none" to train from scratch unless told otherwise
# (the tests set it: their tiny models are not the base's size).
BASE_ENV = "DISTILL_BASE_MODEL"
BASE_NAME = "distill-base"
BASE_LEVELS = 8
BASE_CODEBOOK_SIZE = 256


def base_config(spectrogram: SpectrogramConfig) -> VQVAEConfig:
    """The base's architecture: the CPU defaults with a linear output, 8 levels of 256 codes,
    no dropout (hours of audio are not memorised)."""
    return VQVAEConfig(
        n_mels=spectrogram.n_mels,
        output="linear",
        linear_bins=spectrogram.n_fft // 2 + 1,
        num_levels=BASE_LEVELS,
        codebook_size=BASE_CODEBOOK_SIZE,
        dropout=0.0,
    )


def save_base(
    path: Path,
    model: ConvVQVAE,
    spectrogram: SpectrogramConfig,
    steps: int,
    elapsed_s: float,
    data: dict,
) -> Path:
    """The base as a model file with half-precision weights (they load into float32)."""
    metadata = ModelMetadata(
        name=BASE_NAME,
        dataset=DatasetSummary(
            num_files=int(data["files"]),
            num_train_files=int(data["files"]),
            num_val_files=0,
            total_duration_s=round(float(data["hours"]) * 3600, 1),
            file_names=(),
            validation_file_names=(),
            skipped_files=(),
        ),
        training=TrainingSummary(
            steps=steps, epochs=0.0, elapsed_s=round(elapsed_s, 1), best_val_loss=0.0, device=""
        ),
        read_only=True,
    )
    return save_model(path, model, spectrogram, metadata, weights_dtype=torch.float16)


def default_base_path() -> Path | None:
    """The base a training starts from unless told otherwise: $DISTILL_BASE_MODEL if set
    ("none": none), else the shipped one."""
    chosen = os.environ.get(BASE_ENV, "")
    if chosen.lower() == "none":
        return None
    return Path(chosen) if chosen else BASE_MODEL_PATH


@lru_cache(maxsize=4)
def base_identity(path: Path = BASE_MODEL_PATH) -> BaseIdentity:
    """The base's name and file hash (what a model trained from it records)."""
    name = read_model_info(path).metadata.name
    return BaseIdentity(name, hashlib.sha256(path.read_bytes()).hexdigest())

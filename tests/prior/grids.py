"""Synthetic code grids with structure a prior can learn (plain helpers for the prior tests)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from distill.models.persistence import load_model, save_model
from distill.models.prior_records import PriorFile, TrainedPrior
from distill.prior.data import FileGrid
from distill.prior.training import PriorTrainConfig, train_prior

TINY_PRIOR = PriorTrainConfig(
    max_steps=150,
    batch_size=8,
    segment_columns=32,
    learning_rate=5e-3,
    validate_every_steps=25,
    hidden_size=32,
    num_layers=1,
    dropout=0.0,
    fine_dropout=None,  # none in the finer heads either
)


def note_grid(
    columns: int, levels: int = 3, codebook_size: int = 16, seed: int = 0
) -> torch.Tensor:
    """codes [F', L]: 'notes' held for 3-6 columns, each step up the codebook by 1, 2 or 5;
    the finer levels follow the note and how long it has been held. Unigram-flat, but
    predictable from context."""
    rng = np.random.default_rng(seed)
    rows: list[list[int]] = []
    note = int(rng.integers(codebook_size))
    while len(rows) < columns:
        for held in range(int(rng.integers(3, 7))):
            row = [note, (note * 3 + held) % codebook_size, (note + 5 * held) % codebook_size]
            rows.append(row[:levels])
        note = (note + int(rng.choice([1, 2, 5]))) % codebook_size
    return torch.tensor(rows[:columns], dtype=torch.long)


def note_files(num_files: int = 6, columns: int = 120, held_out: int = 2) -> list[FileGrid]:
    """Files of note grids, the last `held_out` of them held out."""
    return [
        FileGrid(
            PriorFile(f"notes{i}.wav", columns, i >= num_files - held_out),
            note_grid(columns, seed=i),
        )
        for i in range(num_files)
    ]


def add_prior(model_path: Path, prior: TrainedPrior) -> Path:
    """Save `prior` into the model file at `model_path` (its autoencoder kept)."""
    loaded = load_model(model_path)
    return save_model(
        model_path,
        loaded.model,
        loaded.spectrogram.config,
        loaded.metadata,
        loaded.codebook_health,
        prior,
    )


def tiny_prior() -> TrainedPrior:
    return train_prior(note_files(), 16, TINY_PRIOR)

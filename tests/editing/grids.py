"""Small grids for the editing tests (plain helpers, imported by the test modules)."""

from __future__ import annotations

import torch
from tests.helpers import N_MELS

from distill.inference import CodeGrid

SECONDS_PER_COLUMN = 4 * 512 / 48000  # frames per column x hop / sample rate


def make_grid(
    columns: int = 8, levels: int = 3, codebook_size: int = 16, seed: int = 0
) -> CodeGrid:
    """A grid of random codes [1, columns, levels] shaped like the tiny model's."""
    generator = torch.Generator().manual_seed(seed)
    codes = torch.randint(0, codebook_size, (1, columns, levels), generator=generator)
    return CodeGrid(
        codes=codes,
        codebook_size=codebook_size,
        mel_shape=(N_MELS, columns * 4),
        num_samples=(columns * 4 - 1) * 512,
        sample_rate=48000,
        seconds_per_column=SECONDS_PER_COLUMN,
        level_labels=tuple(f"Level {n + 1}" for n in range(levels)),
    )

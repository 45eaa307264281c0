"""What the training files do, read from the grids a prior keeps: how often a new sound starts,
which level-1 moves they make, how long they hold a level-1 code, and the longest they stay on
one or two codes. Sampling steers by these (novelty, events, hold penalty) and takes are
judged against them (stuck)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from distill.models.prior_records import TrainedPrior
from distill.prior import character

STUCK_CODES = 2  # a stretch on at most this many level-1 codes (a hold, or a flicker) is stuck


@dataclass(frozen=True)
class CollectionHabits:
    """moves [K + 1, K] bool: moves[a, b] where level 1 goes from code a to code b != a in a
    training file; row K: the codes a training file starts on."""

    sounds_per_minute: float
    moves: torch.Tensor
    typical_run: int  # columns: 90% of the training files' level-1 runs are this long or less
    longest_stuck: int  # columns: the longest a training file stays on <= STUCK_CODES codes


def stuck_columns(sequence: np.ndarray, codes: int = STUCK_CODES) -> int:
    """The longest stretch of `sequence` [N] that uses at most `codes` distinct values."""
    runs = character.level_runs(sequence)
    values = character.collapse_runs(sequence)
    best = first = 0
    window: dict[int, int] = {}  # value -> runs of it in the window
    total = 0
    for value, length in zip(values.tolist(), runs.tolist(), strict=True):
        window[value] = window.get(value, 0) + 1
        total += length
        while len(window) > codes:
            gone = int(values[first])
            window[gone] -= 1
            if not window[gone]:
                del window[gone]
            total -= int(runs[first])
            first += 1
        best = max(best, total)
    return best


def _moves(sequences: list[np.ndarray], codebook_size: int) -> torch.Tensor:
    moves = torch.zeros(codebook_size + 1, codebook_size, dtype=torch.bool)
    for sequence in sequences:
        path = character.collapse_runs(sequence)
        if len(path):
            moves[codebook_size, int(path[0])] = True
        steps = torch.from_numpy(path.astype(np.int64))
        moves[steps[:-1], steps[1:]] = True
    return moves


def collection_habits(prior: TrainedPrior, seconds_per_column: float) -> CollectionHabits:
    """The habits of the prior's training files (its held-out ones when it has no others)."""
    files = prior.file_grids(held_out=False) or prior.file_grids()
    sequences = [codes[:, 0].numpy() for _, codes in files]
    runs = np.concatenate([character.level_runs(s) for s in sequences])
    minutes = sum(len(s) for s in sequences) * seconds_per_column / 60
    return CollectionHabits(
        sounds_per_minute=len(sequences) / max(minutes, 1e-9),
        moves=_moves(sequences, prior.config.codebook_size),
        typical_run=max(1, int(np.percentile(runs, 90))) if len(runs) else 1,
        longest_stuck=max(stuck_columns(s) for s in sequences),
    )

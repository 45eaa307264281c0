"""How much a generated stretch copies the grids the prior was trained on: the longest run of
columns found verbatim in one training file (and which), and the share of its n-grams of
columns (4 by default) that occur anywhere in them. A column matches only when every level's
code does; runs never cross from one file into the next."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from numpy.lib.stride_tricks import sliding_window_view

from distill.models.prior_records import TrainedPrior

NGRAM_COLUMNS = 4
_SEPARATOR = -1  # between files in the token stream: matches nothing


@dataclass(frozen=True)
class Memorisation:
    """What a result copies from the training grids."""

    num_columns: int  # columns measured (the generated ones)
    longest_run: int  # columns in a row found verbatim in one training file
    longest_run_s: float
    source: str | None  # the file of that run (None: not even one column matched)
    ngram_columns: int
    ngram_share: float | None  # share of its n-grams found in the training grids (None: too short)

    def describe(self) -> str:
        """One plain sentence: 'Copies at most 1.2 s in a row (28 columns) from rain.wav; 35%
        of its 4-column stretches occur in the training files.'"""
        if self.source is None:
            text = "Copies no column verbatim from the training files"
        else:
            columns = "1 column" if self.longest_run == 1 else f"{self.longest_run} columns"
            text = (
                f"Copies at most {self.longest_run_s:.1f} s in a row ({columns}) from {self.source}"
            )
        if self.ngram_share is None:
            return f"{text}."
        return (
            f"{text}; {self.ngram_share:.0%} of its {self.ngram_columns}-column stretches occur "
            "in the training files."
        )


def _tokens(generated: np.ndarray, pieces: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Columns as integers (equal columns, equal tokens): (generated [N], corpus [M]), the
    corpus files joined with a separator after each."""
    rows = np.concatenate([generated, *pieces]) if pieces else generated
    _, inverse = np.unique(rows, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    ours, rest = inverse[: len(generated)], inverse[len(generated) :]
    corpus, start = [], 0
    for piece in pieces:
        corpus += [rest[start : start + len(piece)], np.array([_SEPARATOR])]
        start += len(piece)
    return ours, np.concatenate(corpus) if corpus else np.array([_SEPARATOR])


def _longest_run(ours: np.ndarray, corpus: np.ndarray) -> tuple[int, int]:
    """(length, end position in corpus) of the longest common run of tokens (dynamic
    programming over the generated columns, vectorised over the corpus)."""
    previous = np.zeros(len(corpus) + 1, dtype=np.int32)
    best, where = 0, -1
    for token in ours:
        current = np.zeros_like(previous)
        current[1:] = np.where(corpus == token, previous[:-1] + 1, 0)
        position = int(current.argmax())
        if current[position] > best:
            best, where = int(current[position]), position - 1
        previous = current
    return best, where


def _ngram_share(ours: np.ndarray, corpus: np.ndarray, size: int) -> float | None:
    if len(ours) < size:
        return None
    windows = sliding_window_view(corpus, size) if len(corpus) >= size else np.empty((0, size))
    windows = windows[(windows != _SEPARATOR).all(axis=1)]
    mine = sliding_window_view(ours, size)
    both = np.concatenate([mine, windows]).astype(np.int64)
    _, inverse = np.unique(both, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    found = np.isin(inverse[: len(mine)], inverse[len(mine) :])
    return float(found.mean())


def measure_memorisation(
    codes: torch.Tensor,
    prior: TrainedPrior,
    seconds_per_column: float,
    ngram_columns: int = NGRAM_COLUMNS,
) -> Memorisation:
    """codes [N, L]: the generated columns, compared with every grid the prior stores (its
    training files and its held-out ones: copying either is copying the collection)."""
    files = prior.file_grids()
    pieces = [piece.numpy() for _, piece in files]
    ours, corpus = _tokens(codes.numpy(), pieces)
    run, end = _longest_run(ours, corpus)
    source = None
    if run > 0:
        lengths = np.cumsum([len(p) + 1 for p in pieces])  # +1: each file's separator
        source = files[int(np.searchsorted(lengths, end, side="right"))][0].name
    return Memorisation(
        num_columns=int(codes.shape[0]),
        longest_run=run,
        longest_run_s=run * seconds_per_column,
        source=source,
        ngram_columns=ngram_columns,
        ngram_share=_ngram_share(ours, corpus, ngram_columns),
    )

"""How much a generated stretch copies the grids the prior was trained on, and how its moves
compare with those of the collection's files it never trained on.

- The longest run of whole columns found verbatim in one stored file (and which file): a
  column matches only when every level's code does; runs never cross from one file into
  the next.
- Phrases: the run-collapsed level-1 sequences of 4 codes (A A B C C D -> A B C D), the
  path a sound takes whatever its timing. The share of a result's phrases that occur in the
  training files means little alone (a whole-column 4-gram share scored 0% for generations
  and for real held-out recordings alike), so it is set beside the same share for the
  prior's held-out files: far below theirs, the result makes moves the files never make;
  far above, it loops through the training files' phrases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from distill.models.prior_records import TrainedPrior
from distill.prior import character

PHRASE_CODES = 4
_SEPARATOR = -1  # between files in the token stream: matches nothing


@dataclass(frozen=True)
class Memorisation:
    """What a result copies from the training grids, and how familiar its moves are."""

    num_columns: int  # columns measured (the generated ones)
    longest_run: int  # columns in a row found verbatim in one stored file
    longest_run_s: float
    source: str | None  # the file of that run (None: not even one column matched)
    phrase_share: float | None  # of its level-1 phrases, found in the training files
    held_out_phrase_share: float | None  # the same for the held-out files (None: none)

    def describe(self) -> str:
        """Plain sentences: 'Copies at most 1.2 s in a row (28 columns) from rain.wav. 35% of
        its level-1 phrases occur in the training files (files it never trained on: 19%).'"""
        if self.source is None:
            text = "Copies no column verbatim from the training files."
        else:
            columns = "1 column" if self.longest_run == 1 else f"{self.longest_run} columns"
            text = (
                f"Copies at most {self.longest_run_s:.1f} s in a row ({columns}) from "
                f"{self.source}."
            )
        if self.phrase_share is None:
            return text
        text += (
            f" {self.phrase_share:.0%} of its level-1 phrases ({PHRASE_CODES} codes) occur in "
            "the training files"
        )
        if self.held_out_phrase_share is None:
            return f"{text}."
        return f"{text} (your files it never trained on: {self.held_out_phrase_share:.0%})."


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


def longest_copy(codes: np.ndarray, pieces: list[np.ndarray]) -> tuple[int, int | None]:
    """codes [N, L] against grids `pieces` ([F', L] each): (the longest run of columns found
    verbatim in one piece, that piece's index; None when not one column matches)."""
    ours, corpus = _tokens(codes, pieces)
    run, end = _longest_run(ours, corpus)
    if run == 0:
        return 0, None
    lengths = np.cumsum([len(p) + 1 for p in pieces])  # +1: each file's separator
    return run, int(np.searchsorted(lengths, end, side="right"))


def _level1(files: list) -> list[np.ndarray]:
    return [codes[:, 0].numpy() for _, codes in files]


def measure_memorisation(
    codes: torch.Tensor, prior: TrainedPrior, seconds_per_column: float
) -> Memorisation:
    """codes [N, L]: the generated columns, compared with every grid the prior stores (its
    training files and its held-out ones: copying either is copying the collection); its
    phrases with the training files', beside the held-out files' share."""
    files = prior.file_grids()
    run, index = longest_copy(codes.numpy(), [piece.numpy() for _, piece in files])
    training = prior.file_grids(held_out=False)
    seen = character.moves_seen(_level1(training), PHRASE_CODES)
    held = [] if prior.metadata.heldout_is_training else prior.file_grids(held_out=True)
    return Memorisation(
        num_columns=int(codes.shape[0]),
        longest_run=run,
        longest_run_s=run * seconds_per_column,
        source=None if index is None else files[index][0].name,
        phrase_share=character.share_of_moves_seen([codes[:, 0].numpy()], seen, PHRASE_CODES),
        held_out_phrase_share=character.share_of_moves_seen(_level1(held), seen, PHRASE_CODES),
    )

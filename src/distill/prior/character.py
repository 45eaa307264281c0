"""What a code grid does over time, measured the same way for generated takes and for the
collection's own files: holds and changes of the top level's code, the run-collapsed moves
of that level that the training files make, and the onsets and dynamics of the decoded
log-mel. The generation benchmark, take rejection and the memorisation line all use these.

The top level (level 1) carries a sound's structure: a long run of one code there is a held
sound, and its sequence with the runs collapsed (A A B B B C -> A B C) is the path a sound
takes, whatever its timing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

HOLD_SECONDS = 1.0  # a level-1 run this long or longer is a hold
ONSET_GAP_SECONDS = 0.05  # two onsets closer than this are one


def level_runs(sequence: np.ndarray) -> np.ndarray:
    """Lengths of the runs of equal codes in `sequence` [N], in order (empty for N = 0)."""
    if len(sequence) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.diff(sequence)) + 1
    edges = np.concatenate([[0], starts, [len(sequence)]])
    return np.diff(edges)


def collapse_runs(sequence: np.ndarray) -> np.ndarray:
    """`sequence` [N] with each run of equal codes kept once: A A B B B C -> A B C."""
    if len(sequence) == 0:
        return sequence
    keep = np.concatenate([[True], np.diff(sequence) != 0])
    return sequence[keep]


def hold_share(runs: np.ndarray, hold_columns: int) -> float:
    """The share of columns that sit inside runs of at least `hold_columns`."""
    total = int(runs.sum())
    return float(runs[runs >= hold_columns].sum() / total) if total else 0.0


def changes(sequence: np.ndarray) -> int:
    """How many times the code changes from one column to the next."""
    return int(np.count_nonzero(np.diff(sequence))) if len(sequence) > 1 else 0


def ngrams(sequence: np.ndarray, size: int) -> list[tuple[int, ...]]:
    """The `size`-grams of `sequence`, in order (none when it is shorter)."""
    if len(sequence) < size:
        return []
    windows = np.lib.stride_tricks.sliding_window_view(sequence, size)
    return [tuple(int(v) for v in w) for w in windows]


def moves_seen(sequences: Iterable[np.ndarray], size: int) -> set[tuple[int, ...]]:
    """Every run-collapsed `size`-gram of the level-1 `sequences` (never across files)."""
    seen: set[tuple[int, ...]] = set()
    for sequence in sequences:
        seen.update(ngrams(collapse_runs(sequence), size))
    return seen


def share_of_moves_seen(
    sequences: Sequence[np.ndarray], seen: set[tuple[int, ...]], size: int
) -> float | None:
    """Of the run-collapsed `size`-grams in `sequences`, the share found in `seen` (None
    when they hold none)."""
    found = total = 0
    for sequence in sequences:
        grams = ngrams(collapse_runs(sequence), size)
        found += sum(gram in seen for gram in grams)
        total += len(grams)
    return found / total if total else None


def onset_flux(mel: np.ndarray, silence: float) -> np.ndarray:
    """Spectral flux of a normalised log-mel [M, F] -> [F]: the mean rise over the bands from
    one frame to the next, the first frame measured from silence (so a sound that starts at
    the very beginning counts as an attack)."""
    padded = np.concatenate([np.full((mel.shape[0], 1), silence), mel], axis=1)
    return np.maximum(np.diff(padded, axis=1), 0.0).mean(axis=0)


def onset_frames(flux: np.ndarray, threshold: float, min_gap: int) -> np.ndarray:
    """Frames where the flux peaks above `threshold`, at least `min_gap` frames apart (the
    larger peak of two close ones wins, scanning in order)."""
    above = np.flatnonzero(flux > threshold)
    picked: list[int] = []
    for frame in above:
        lo, hi = max(0, frame - 1), min(len(flux), frame + 2)
        if flux[frame] < flux[lo:hi].max():
            continue  # not a local peak
        if picked and frame - picked[-1] < min_gap:
            if flux[frame] > flux[picked[-1]]:
                picked[-1] = int(frame)
            continue
        picked.append(int(frame))
    return np.asarray(picked, dtype=np.int64)


def onset_threshold(fluxes: Sequence[np.ndarray]) -> float:
    """A fixed onset threshold from a collection's files: half the median of each file's
    strongest rise after its first frame, so it follows how sharp the attacks inside the
    collection's decoded sounds are. The first frame is left out: measured from the floor
    (`onset_flux`), it jumps far higher than any attack a decoder draws inside a sound (5-9x
    on the demo), and a threshold set by it counted no attack inside a generated take."""
    peaks = [float(f[1:].max()) for f in fluxes if len(f) > 1]
    return 0.5 * float(np.median(peaks)) if peaks else float("inf")


def loudness_curve(mel: np.ndarray) -> np.ndarray:
    """Normalised log-mel [M, F] -> its mean over the bands per frame [F]."""
    return mel.mean(axis=0)

"""The generation benchmark's yardstick: the statistics of a set of code grids (generated takes,
held-out files, training files), each grid with its decoded log-mel, measured alike.

Per set (pooled over its grids, or per take and then the median over takes):
- hold share: columns inside level-1 runs of 1 s or more; longest hold (s);
- level-1 changes per second;
- onsets per second: spectral-flux peaks of the decoded log-mel above one threshold fixed
  from the training files, each grid's first attack counted (its flux starts from silence);
- dynamics: the standard deviation over frames of the mean log-mel (normalised units: 1 is
  40 dB), per grid, weighted by length;
- bigram / 4-gram share: of the run-collapsed level-1 pairs and 4-code sequences, the share
  that occur in the training grids (a training file is measured against the others);
- longest copy (s): the longest run of whole columns found verbatim in one training file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from distill.models.persistence import LoadedVQModel
from distill.prior import character
from distill.prior.memorisation import longest_copy
from distill.prior.takes import codes_mel


@dataclass(frozen=True)
class Piece:
    """One grid of a set: codes [F', L] and its decoded normalised log-mel [M, F]."""

    name: str
    codes: np.ndarray
    mel: np.ndarray


@dataclass
class Yardstick:
    """What every set is measured against: the training grids, their moves, the onset
    threshold and the time axis."""

    training: list[Piece]
    seconds_per_column: float
    frames_per_column: int
    silence: float
    threshold: float = 0.0
    seen: dict[int, set[tuple[int, ...]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        fluxes = [character.onset_flux(p.mel, self.silence) for p in self.training]
        self.threshold = character.onset_threshold(fluxes)
        self.seen = {
            n: character.moves_seen((p.codes[:, 0] for p in self.training), n) for n in (2, 4)
        }

    @property
    def hold_columns(self) -> int:
        return round(character.HOLD_SECONDS / self.seconds_per_column)

    @property
    def min_gap_frames(self) -> int:
        frame_s = self.seconds_per_column / self.frames_per_column
        return max(1, round(character.ONSET_GAP_SECONDS / frame_s))


def decode_mel(loaded: LoadedVQModel, codes: torch.Tensor) -> np.ndarray:
    """codes [F', L] -> the decoder's normalised log-mel [M, F' x frames per column] (a linear
    output's spectrum taken to the mel bands)."""
    frames = int(codes.shape[0]) * loaded.model.config.time_downsample
    mel = codes_mel(loaded, codes[None], (loaded.spectrogram.config.n_mels, frames))
    return mel[0, 0].cpu().numpy()


def pieces_of(loaded: LoadedVQModel, named: list[tuple[str, torch.Tensor]]) -> list[Piece]:
    return [Piece(name, codes.numpy(), decode_mel(loaded, codes)) for name, codes in named]


def yardstick(loaded: LoadedVQModel, training: list[Piece]) -> Yardstick:
    config = loaded.spectrogram.config
    step = loaded.model.config.time_downsample
    return Yardstick(training, step * config.hop_length / config.sample_rate, step, config.silence)


def _moves(pieces: list[Piece], stick: Yardstick, size: int, leave_one_out: bool) -> float | None:
    if not leave_one_out:
        return character.share_of_moves_seen(
            [p.codes[:, 0] for p in pieces], stick.seen[size], size
        )
    found = total = 0  # each training file against the others
    for index, piece in enumerate(pieces):
        others = (p.codes[:, 0] for i, p in enumerate(pieces) if i != index)
        grams = character.ngrams(character.collapse_runs(piece.codes[:, 0]), size)
        seen = character.moves_seen(others, size)
        found += sum(g in seen for g in grams)
        total += len(grams)
    return found / total if total else None


def _longest_copy_columns(pieces: list[Piece], stick: Yardstick, leave_one_out: bool) -> int:
    best = 0
    for piece in pieces:
        sources = [p.codes for p in stick.training if not (leave_one_out and p.name == piece.name)]
        best = max(best, longest_copy(piece.codes, sources)[0])
    return best


def set_statistics(pieces: list[Piece], stick: Yardstick, leave_one_out: bool = False) -> dict:
    """The yardstick's statistics of `pieces` pooled (see the module's docstring)."""
    runs = [character.level_runs(p.codes[:, 0]) for p in pieces]
    columns = sum(len(p.codes) for p in pieces)
    seconds = columns * stick.seconds_per_column
    onsets = sum(
        len(
            character.onset_frames(
                character.onset_flux(p.mel, stick.silence), stick.threshold, stick.min_gap_frames
            )
        )
        for p in pieces
    )
    spreads = [float(character.loudness_curve(p.mel).std()) for p in pieces]
    weights = [p.mel.shape[1] for p in pieces]
    holds = sum(character.hold_share(r, stick.hold_columns) * r.sum() for r in runs)
    return {
        "files": len(pieces),
        "seconds": round(seconds, 2),
        "hold_share": round(float(holds / max(columns, 1)), 3),
        "longest_hold_s": round(max(int(r.max()) for r in runs) * stick.seconds_per_column, 2),
        "changes_per_s": round(sum(character.changes(p.codes[:, 0]) for p in pieces) / seconds, 2),
        "onsets_per_s": round(onsets / seconds, 3),
        "dynamics": round(float(np.average(spreads, weights=weights)), 3),
        "bigram_share": _round(_moves(pieces, stick, 2, leave_one_out)),
        "fourgram_share": _round(_moves(pieces, stick, 4, leave_one_out)),
        "longest_copy_s": round(
            _longest_copy_columns(pieces, stick, leave_one_out) * stick.seconds_per_column, 2
        ),
    }


def takes_statistics(takes: list[Piece], stick: Yardstick) -> dict:
    """Each take measured alone, then the median over takes of every statistic."""
    each = [set_statistics([take], stick) for take in takes]
    keys = [k for k in each[0] if k not in ("files", "seconds")]
    summary: dict = {"files": len(takes), "seconds": round(sum(e["seconds"] for e in each), 2)}
    for key in keys:
        values = [e[key] for e in each if e[key] is not None]
        summary[key] = _round(float(np.median(values))) if values else None
    summary["per_take"] = each
    return summary


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)

"""Several takes at once: drawn side by side, the silent and the stuck ones set aside and
others drawn in their place (within a limit), each kept take saying how it was made and what
it copies. Generate in the CLI and the app both come here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from distill.inference.chunked import decode_codes_chunked
from distill.inference.grid import CodeGrid, seconds_per_column
from distill.inference.validation import is_whole_number
from distill.models.persistence import LoadedVQModel
from distill.prior.habits import CollectionHabits, collection_habits, stuck_columns
from distill.prior.sampling import GenerationResult, draw_takes, require_prior, settings_with
from distill.prior.settings import DEFAULT_TAKES, MAX_TAKES, PriorError, SamplingSettings

SILENT_DB = 30.0  # a frame whose every band is within this many dB of the floor is silent
SILENT_SHARE = 0.8  # a take silent for more than this share of its length is "silent"
STUCK_FACTOR = 2.0  # stuck: on 1-2 level-1 codes this many times longer than any file is
STUCK_MIN_SECONDS = 3.0  # ... and for at least this long
REDRAW_ROUNDS = 2  # rounds of new takes drawn in place of rejected ones


@dataclass(frozen=True)
class Take:
    """One take: its result, its number among its seed's takes (1-based: the same seed and
    number always give the same take), why it was set aside (None: kept) and its log-mel as
    the decoder gives it (judged once, kept for its thumbnail)."""

    result: GenerationResult
    number: int
    flaw: str | None
    mel: torch.Tensor  # [1, 1, M, F]


@dataclass(frozen=True)
class Takes:
    """The takes asked for, best first: every kept take, then (only when too few were good)
    the least bad of the rejected ones, each with its flaw; `rejected`: all set aside."""

    takes: tuple[Take, ...]
    rejected: tuple[Take, ...]

    def describe(self) -> str:
        """'4 takes; 2 more drawn in place of 1 silent and 1 stuck take.'"""
        count = len(self.takes)
        text = f"{count} take" + ("s" if count != 1 else "")
        if not self.rejected:
            return f"{text}."
        silent = sum(t.flaw == "silent" for t in self.rejected)
        kinds = [f"{silent} silent"] if silent else []
        if len(self.rejected) > silent:
            kinds.append(f"{len(self.rejected) - silent} stuck")
        return f"{text}; set aside {' and '.join(kinds)} (drawn again in their place)."


def decoded_mel(loaded: LoadedVQModel, grid: CodeGrid) -> torch.Tensor:
    """A grid's log-mel [1, 1, M, F] as the decoder gives it (a linear output's spectrum
    taken to the mel bands; no Griffin-Lim)."""
    return codes_mel(loaded, grid.codes, grid.mel_shape)


def codes_mel(
    loaded: LoadedVQModel, codes: torch.Tensor, mel_shape: tuple[int, int]
) -> torch.Tensor:
    """codes [1, F', L] -> the decoder's log-mel [1, 1, M, F] for `mel_shape` (M, F)."""
    loaded.model.eval()
    with torch.no_grad():
        spectrum = decode_codes_chunked(loaded.model, codes.to(loaded.device), mel_shape)
        return loaded.spectrogram.to_mel(spectrum)


def silent_share(loaded: LoadedVQModel, mel: torch.Tensor) -> float:
    """The share of a decoded log-mel's frames [1, 1, M, F] whose every band is within
    SILENT_DB of the floor (`decoded_mel`: the decoder alone, no Griffin-Lim)."""
    power = loaded.spectrogram.log_to_power(mel)[0, 0]  # [M, F]
    floor = loaded.spectrogram.config.power_floor * (10 ** (SILENT_DB / 10) - 1)
    return float((power.amax(dim=0) <= floor).double().mean())


def take_flaw(
    loaded: LoadedVQModel, result: GenerationResult, mel: torch.Tensor, habits: CollectionHabits
) -> str | None:
    """'silent', 'stuck' or None (fine), judged on the drawn columns and the grid's decoded
    log-mel `mel` (`decoded_mel`)."""
    if silent_share(loaded, mel) > SILENT_SHARE:
        return "silent"
    start, end = result.columns
    stuck = stuck_columns(result.grid.codes[0, start:end, 0].numpy())
    limit = max(STUCK_FACTOR * habits.longest_stuck, STUCK_MIN_SECONDS / seconds_per_column(loaded))
    return "stuck" if stuck > limit else None


def _check_takes(takes: Any) -> int:
    if not is_whole_number(takes) or not 1 <= takes <= MAX_TAKES:
        raise PriorError(f"Takes must be a whole number from 1 to {MAX_TAKES}, got {takes!r}.")
    return int(takes)


def generate_takes(
    loaded: LoadedVQModel,
    seconds: float,
    settings: SamplingSettings | None = None,
    takes: int = DEFAULT_TAKES,
    base: CodeGrid | None = None,
    **changes: Any,
) -> Takes:
    """`takes` takes of new sound (or of `base` continued), the silent and stuck ones set
    aside and redrawn (up to REDRAW_ROUNDS rounds); see `sampling.draw_takes`."""
    wanted = _check_takes(takes)
    settings = settings_with(settings, changes)
    habits = collection_habits(require_prior(loaded), seconds_per_column(loaded))
    kept: list[Take] = []
    rejected: list[Take] = []
    drawn, batch = 0, wanted
    for _ in range(1 + REDRAW_ROUNDS):
        for offset, result in enumerate(draw_takes(loaded, seconds, settings, batch, drawn, base)):
            mel = decoded_mel(loaded, result.grid)
            flaw = take_flaw(loaded, result, mel, habits)
            (rejected if flaw else kept).append(Take(result, drawn + offset + 1, flaw, mel))
        drawn += batch
        if len(kept) >= wanted:
            break
        batch = wanted - len(kept)
    filler = sorted(rejected, key=lambda t: t.flaw == "silent")[: wanted - len(kept)]
    return Takes(tuple(kept[:wanted] + filler), tuple(rejected))

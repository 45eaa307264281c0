"""How codes are drawn from a prior: one frozen record, checked once, for the library, the CLI
and the app alike. Light to import (no torch): the CLI reads its defaults for --help."""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral
from typing import Any

DEFAULT_TAKES = 4
MAX_TAKES = 16
MAX_EVENTS_PER_MINUTE = 600.0
DEFAULT_HOLD_PENALTY = 1.0


class PriorError(ValueError):
    """Generation cannot run: no prior, or an argument outside what it accepts."""


def is_whole_number(value: Any) -> bool:
    """An int (numpy ints too), not a bool (inference.validation's rule, without its imports)."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class SamplingSettings:
    """How codes are drawn, per level: logits / temperature (times that level's factor, times
    the temperature the prior was calibrated at on held-out files: 1 draws as calibrated),
    the steering below, then top-k, top-p (nucleus) and min-p.

    novelty (0 to 1): how far level 1 may stray from the moves the training files make. A
    level-1 code that differs from the previous one is a move; a move no training file makes
    has its probability multiplied by `novelty` (0: only moves your files make, 1: whatever
    the prior proposes). Holding a code and ending a sound are never limited.
    events: new sounds per minute; None: as often as in the training files (the prior's
    endings moved to their rate after training, prior.pace; files from before: the prior's
    own rate); 0: one sound that never ends. Only priors that learned endings (version 2)
    can start new sounds.
    hold_penalty: how strongly a level-1 code held longer than the training files usually
    hold one is pushed to change (0: off), in logits per typical run length beyond it. The
    default (1) was measured on the generation benchmark: without it a prior trained on
    minutes of one-shots holds a code 2-3 s where its files hold it under 1 s, and half of
    the takes drawn are set aside as stuck (bench/README.md, "Generation").
    """

    temperature: float = 1.0  # > 0; lower is more conservative
    top_k: int = 0  # keep the k likeliest codes; 0: no limit; 1: greedy
    top_p: float = 1.0  # keep the likeliest codes whose probabilities sum to p, in (0, 1]
    seed: int = 0
    min_p: float = 0.0  # drop codes less likely than min_p x the likeliest one's probability
    level_temperatures: tuple[float, ...] = ()  # factors for levels 1, 2, ... (missing: 1)
    novelty: float = 1.0
    events: float | None = None
    hold_penalty: float = DEFAULT_HOLD_PENALTY

    def __post_init__(self) -> None:
        if not is_number(self.temperature) or not self.temperature > 0:
            raise PriorError(f"The temperature must be a number above 0, got {self.temperature!r}.")
        if not is_whole_number(self.top_k) or self.top_k < 0:
            raise PriorError(
                f"top-k must be a whole number, 0 or more (0: no limit), got {self.top_k!r}."
            )
        if not is_number(self.top_p) or not 0 < self.top_p <= 1:
            raise PriorError(f"top-p must be above 0 and at most 1, got {self.top_p!r}.")
        if not is_whole_number(self.seed) or self.seed < 0:
            raise PriorError(f"The seed must be a whole number, 0 or more, got {self.seed!r}.")
        self._check_steering()

    def _check_steering(self) -> None:
        if not is_number(self.min_p) or not 0 <= self.min_p < 1:
            raise PriorError(f"min-p must be at least 0 and under 1, got {self.min_p!r}.")
        if not all(is_number(t) and t > 0 for t in self.level_temperatures):
            raise PriorError(
                f"Each level's temperature factor must be above 0, got {self.level_temperatures!r}."
            )
        if not is_number(self.novelty) or not 0 <= self.novelty <= 1:
            raise PriorError(
                f"Novelty must be from 0 (close to your files) to 1 (new), got {self.novelty!r}."
            )
        if self.events is not None and (
            not is_number(self.events) or not 0 <= self.events <= MAX_EVENTS_PER_MINUTE
        ):
            raise PriorError(
                f"Events must be a number of new sounds per minute from 0 to "
                f"{MAX_EVENTS_PER_MINUTE:.0f} (or unset: as in your files), got {self.events!r}."
            )
        if not is_number(self.hold_penalty) or self.hold_penalty < 0:
            raise PriorError(f"The hold penalty must be 0 or more, got {self.hold_penalty!r}.")

    def level_temperature(self, level: int) -> float:
        factors = self.level_temperatures
        return self.temperature * (factors[level] if level < len(factors) else 1.0)

    def describe(self) -> str:
        top_k = "off" if self.top_k == 0 else str(self.top_k)
        text = (
            f"seed {self.seed}, temperature {self.temperature:g}, top-k {top_k}, "
            f"top-p {self.top_p:g}"
        )
        if self.min_p:
            text += f", min-p {self.min_p:g}"
        if self.level_temperatures:
            text += ", level temperatures x" + "/".join(f"{t:g}" for t in self.level_temperatures)
        text += f", novelty {self.novelty:g}"
        events = "as in the files" if self.events is None else f"{self.events:g}/min"
        text += f", events {events}"
        if self.hold_penalty != DEFAULT_HOLD_PENALTY:
            text += f", hold penalty {self.hold_penalty:g}"
        return text

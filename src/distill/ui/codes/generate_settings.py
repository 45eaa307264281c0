"""The Generate panel's fields as a generation's settings: every field checked, an empty one
said plainly (blank events: as often as in your files), the sampler's own record
(`SamplingSettings`) saying what else is out of range."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from distill.prior.sampling import SamplingSettings

MAX_UI_TAKES = 8  # takes side by side in the panel (the library draws up to 16)


@dataclass(frozen=True)
class Take:
    """A generation's settings: how long (a regenerated region: its own length) and how its
    codes are drawn (the sampler's own record, which checks them)."""

    seconds: float
    sampling: SamplingSettings

    def describe(self) -> str:
        return f"{self.sampling.describe()}, {round(self.seconds, 2):g} s"


def _number(value: Any, what: str, hint: str) -> Any:
    """A field's number (a whole one as an int, for the sampler's whole-number checks), or a
    sentence when it is empty."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise ValueError(f"{what} is empty or not a number: {hint}")
    return int(number) if number.is_integer() else number


def take_settings(
    seconds: Any,
    temperature: Any,
    top_k: Any,
    top_p: Any,
    seed: Any,
    events: Any = None,
    novelty: Any = SamplingSettings.novelty,
) -> Take:
    """The panel's fields as a Take: an empty field is said plainly (blank events: as in
    your files); SamplingSettings says what else is out of range."""
    sampling = SamplingSettings(
        temperature=_number(temperature, "The temperature", "try 1."),
        top_k=_number(top_k, "top-k", "0 keeps every code."),
        top_p=_number(top_p, "top-p", "1 keeps every code."),
        seed=_number(seed, "The seed", "type one, or press New take for a fresh one."),
        novelty=_number(novelty, "Novelty", "0 keeps close to your files, 1 is new."),
        events=None
        if events is None or str(events).strip() == ""
        else _number(events, "Events", "leave it blank for as often as in your files."),
    )
    return Take(_number(seconds, "The length", "give seconds above 0, at most 600."), sampling)


def take_count(value: Any) -> int:
    """The Takes field as a whole number from 1 to MAX_UI_TAKES (a sentence otherwise)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not number.is_integer() or not 1 <= number <= MAX_UI_TAKES:
        raise ValueError(
            f"Takes must be a whole number from 1 to {MAX_UI_TAKES} (how many to draw and "
            f"show side by side), got {value!r}."
        )
    return int(number)

"""The takes of the last Generate, side by side under its buttons: each a small log-mel
thumbnail as the decoder gives it (no Griffin-Lim, so the strip costs little), its number and
sounds, and why it was set aside when it was; ▶ streams the take (the fast path's `take`
route), Open puts it in A as Generate does with the first (`generate.open_take`). The page
side is takes.js."""

from __future__ import annotations

import html
import json
from typing import Any

from distill.inference.pictures import mel_picture, overview_image
from distill.models.persistence import LoadedVQModel
from distill.prior.takes import Takes
from distill.ui.codes.state import CodesState, ShownTake, TakeStrip
from distill.ui.components.pictures import data_url

THUMB_WIDTH = 180  # pixels: a take's thumbnail is pooled down to this (32 rows high)
NO_TAKES = "Press Generate first: Open picks one of the takes it drew."


def take_name(seed: int, number: int) -> str:
    """What A is called when a take is open in it."""
    return f"generated (seed {seed}, take {number})"


def take_strip(
    loaded: LoadedVQModel, model_path: str, seed: int, takes: Takes, lines: list[str]
) -> TakeStrip:
    """The strip of `takes` (best first, as drawn), `lines[i]` each one's result line; the
    thumbnails share one colour scale (a quiet take looks quiet beside a loud one)."""
    pictures = [mel_picture(t.mel, t.result.grid, loaded.spectrogram) for t in takes.takes]
    loudest = max(picture.loudest_db for picture in pictures)
    shown = []
    for take, line, picture in zip(takes.takes, lines, pictures, strict=True):
        thumbnail = data_url(overview_image(picture, THUMB_WIDTH, loudest))
        sounds = 1 + len(take.result.sound_starts)
        shown.append(ShownTake(take.number, take.result.grid, sounds, take.flaw, line, thumbnail))
    return TakeStrip(model_path, seed, tuple(shown))


def picked_take(state: CodesState, payload: Any) -> tuple[TakeStrip, int]:
    """(the strip, an index of its takes) that `{"take": i}` names, as a dict or the page's
    JSON (ValueError otherwise)."""
    strip = state.takes
    if strip is None or not strip.takes:
        raise ValueError(NO_TAKES)
    try:
        asked = payload if isinstance(payload, dict) else json.loads(str(payload or ""))
        chosen = int(asked["take"])
    except (ValueError, KeyError, TypeError):
        raise ValueError("Pick a take in the strip first, then press its Open.") from None
    if not 0 <= chosen < len(strip.takes):
        raise ValueError(
            f"There is no take {chosen + 1} any more: the last Generate drew "
            f"{len(strip.takes)}. Press Generate for new ones."
        )
    return strip, chosen


def _caption(take: ShownTake) -> str:
    seconds = take.grid.duration_s
    text = f"Take {take.number} · {seconds:.1f} s · {take.sounds} sound" + (
        "s" if take.sounds != 1 else ""
    )
    if take.flaw:
        text += f" · {take.flaw} (the best left)"
    return text


def takes_html(state: CodesState) -> str:
    """The strip (an empty one before any Generate); the take open in A is marked."""
    strip = state.takes
    if strip is None or not strip.takes:
        return '<div class="gen-takes gen-takes-empty"></div>'
    open_name = state.a.name if state.a is not None else None
    cards = []
    for index, take in enumerate(strip.takes):
        chosen = open_name == take_name(strip.seed, take.number)
        caption = html.escape(_caption(take) + (" · in A" if chosen else ""))
        classes = (
            "gen-take"
            + (" gen-take-open" if chosen else "")
            + (" gen-take-flawed" if take.flaw else "")
        )
        cards.append(
            f'<figure class="{classes}" data-take="{index}" data-number="{take.number}">'
            f'<img src="{take.thumbnail}" alt="log-mel of take {take.number}" '
            f'title="{caption}" draggable="false">'
            f"<figcaption>{caption}</figcaption>"
            f'<div class="gen-take-buttons">'
            f'<button type="button" class="gen-take-play" title="Hear take {take.number}">'
            "▶ Hear</button>"
            f'<button type="button" class="gen-take-pick" title="Open take {take.number} in A">'
            "Open in A</button>"
            "</div></figure>"
        )
    seed = strip.seed
    head = (
        f'<div class="gen-takes-head">{len(strip.takes)} takes of seed {seed}: hear them, '
        "open the one you like in A.</div>"
    )
    return f'<div class="gen-takes" data-seed="{seed}">{head}{"".join(cards)}</div>'

"""The bar over grid A: the transport (play, stop, loop, whole file or selection; the space
bar toggles it) and the editor's controls (undo and redo with the history counter, swap,
the two blend sliders). Plain HTML that transport.js and fast.js drive: a gesture here goes
through the app's fast path, never through Gradio's event queue.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

BLEND_STEP = 0.05


@dataclass(frozen=True)
class ToolbarView:
    """What the bar shows: the history line, which of undo and redo can act, where each
    blend slider stands, and what there is to act on."""

    history: str = "Encode a file to edit its codes."
    can_undo: bool = False
    can_redo: bool = False
    blend_selection: float = 0.0
    blend_whole: float = 0.0
    has_grid: bool = False
    has_b: bool = False
    has_selection: bool = False  # a selection on A (what Play can loop, and what blends)
    version: int = 0


def _disabled(on: bool) -> str:
    return "" if on else " disabled"


def _slider(element_id: str, label: str, value: float, enabled: bool) -> str:
    return (
        f'<label class="tb-blend" id="{element_id}"><span>{html.escape(label)}</span>'
        f'<input type="range" min="0" max="1" step="{BLEND_STEP}" value="{value:g}"'
        f'{_disabled(enabled)} aria-label="{html.escape(label, quote=True)}">'
        f"<output>{value:.0%}</output></label>"
    )


def toolbar_html(view: ToolbarView) -> str:
    """The bar's HTML for `view` (fast.js updates it in place afterwards)."""
    grid, b = view.has_grid, view.has_grid and view.has_b
    return (
        f'<div class="distill-toolbar" data-version="{view.version}">'
        '<div class="tb-group tb-transport" role="group" aria-label="Transport">'
        f'<button type="button" id="transport-play" class="tb-primary"{_disabled(grid)} '
        'title="Play the grid as it is now, as heard (space bar)">&#9654; Play</button>'
        f'<button type="button" id="transport-stop"{_disabled(grid)} '
        'title="Stop (space bar)">&#9632; Stop</button>'
        '<label class="tb-check" title="Play it again and again">'
        '<input type="checkbox" id="transport-loop"> Loop</label>'
        '<select id="transport-range" aria-label="What Play plays">'
        '<option value="file">whole file</option>'
        f'<option value="selection"{_disabled(view.has_selection)}>selection</option></select>'
        '<span id="transport-time" class="tb-time" aria-live="off">0:00.00</span></div>'
        '<div class="tb-group tb-history" role="group" aria-label="History">'
        f'<button type="button" id="edit-undo"{_disabled(view.can_undo)} '
        'title="Undo (Ctrl+Z)">&#8630; Undo</button>'
        f'<button type="button" id="edit-redo"{_disabled(view.can_redo)} '
        'title="Redo (Ctrl+Y or Ctrl+Shift+Z)">&#8631; Redo</button>'
        f'<span id="edit-history" class="tb-counter">{html.escape(view.history)}</span></div>'
        '<div class="tb-group tb-swap" role="group" aria-label="Swap">'
        f'<button type="button" id="edit-swap"{_disabled(b)} '
        'title="Exchange the selection with the same region of the other file">'
        "&#8644; Swap selection</button>"
        '<label class="tb-at">with the other file from column '
        f'<input type="text" id="edit-swap-at" inputmode="numeric" size="5"{_disabled(b)} '
        'placeholder="same" aria-label="Swap at column of the other file"></label></div>'
        '<div class="tb-group tb-blends" role="group" aria-label="Blend towards B">'
        + _slider("edit-blend-selection", "Blend selection → B", view.blend_selection, b)
        + _slider("edit-blend-whole", "Blend all of A → B", view.blend_whole, b)
        + "</div></div>"
    )

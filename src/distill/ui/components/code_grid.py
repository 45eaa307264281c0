"""Interactive HTML code grid: rows are quantizer levels (L), columns are time (F').

Clicks reach Python through the app's hidden Textbox(elem_id="code-grid-cell-clicked"): one
delegated onclick on the grid root sets its value with the native setter and calls
dispatchEvent(new Event("input")); parse_grid_event reads the payload. The playhead follows
playing audio through GRID_SCRIPT (load it with launch(head=...)).
"""

from __future__ import annotations

import html
from functools import cache
from typing import Any

import numpy as np

from distill.ui.components.grid_assets import (
    CLICK_HANDLER_JS,
    CLICK_TEXTBOX_ID,
    GRID_CSS,
    GRID_SCRIPT,
)
from distill.ui.components.grid_checks import (
    NO_CODE,
    CodeGridError,
    check_duration,
    check_selected,
    codes_matrix,
    positive_int,
    spatial_columns,
)
from distill.ui.components.grid_events import GridEvent, parse_grid_event
from distill.ui.components.grid_page import render_grid_page

__all__ = [
    "CLICK_TEXTBOX_ID",
    "COLUMN_WIDTH_PX",
    "DEFAULT_LEVEL_LABELS",
    "EMPTY_MESSAGE",
    "GRID_SCRIPT",
    "LABEL_WIDTH_PX",
    "NO_CODE",
    "TICK_EVERY_COLUMNS",
    "CodeGridError",
    "GridEvent",
    "code_colours",
    "format_time",
    "get_level_labels",
    "parse_grid_event",
    "render_code_grid",
    "render_grid_page",
]

COLUMN_WIDTH_PX = 26  # fixed width of one time column
LABEL_WIDTH_PX = 80  # sticky label column on the left
TICK_EVERY_COLUMNS = 10  # a time marker every this many columns
CHUNK_COLUMNS = 100  # columns per separately laid-out block (see _chunks_html)
HEADER_HEIGHT_PX = 18  # the clickable column-number row
ROW_HEIGHT_PX = 34  # one level
EMPTY_MESSAGE = "Upload an audio file and click Encode to see codes here."

DEFAULT_LEVEL_LABELS: dict[int, list[str]] = {
    2: ["Structure", "Detail"],
    3: ["Structure", "Timbre", "Detail"],
    4: ["Structure", "Timbre", "Texture", "Detail"],
}


def get_level_labels(num_quantizers: int, custom_labels: list[str] | None = None) -> list[str]:
    """Labels for L levels, top (level 0, coarsest) first.

    Custom labels win (one per level; a blank entry falls back to that level's default).
    Defaults: DEFAULT_LEVEL_LABELS for 2-4 levels, otherwise "Level 1" .. "Level L"
    (1-based, so level index 0 is "Level 1").
    """
    num_levels = positive_int("num_quantizers", num_quantizers)
    defaults = DEFAULT_LEVEL_LABELS.get(num_levels) or [
        f"Level {n}" for n in range(1, num_levels + 1)
    ]
    if custom_labels is None:
        return list(defaults)
    if isinstance(custom_labels, str) or len(custom_labels) != num_levels:
        count = "a string" if isinstance(custom_labels, str) else f"{len(custom_labels)} labels"
        raise CodeGridError(
            f"Level labels: got {count} but the model has {num_levels} levels; "
            f"give exactly one label per level."
        )
    labels = []
    for level, label in enumerate(custom_labels):
        if label is not None and not isinstance(label, str):
            raise CodeGridError(f"Level label {level} must be text, got {type(label).__name__}.")
        labels.append(label.strip() if label and label.strip() else defaults[level])
    return labels


@cache
def _palette() -> tuple[tuple[str, str], ...]:
    """(background, text) hex colours for the 20 code colour classes, from matplotlib tab20."""
    import matplotlib  # lazy: only needed once, when the first grid is drawn
    from matplotlib.colors import to_hex, to_rgb

    tab20 = matplotlib.colormaps["tab20"]
    pairs = []
    for n in range(20):
        background = to_hex(tab20(n))
        pairs.append((background, _readable_text_colour(to_rgb(background))))
    return tuple(pairs)


def _readable_text_colour(rgb: tuple[float, float, float]) -> str:
    """Black or white, whichever has the higher WCAG 2 contrast ratio against `rgb`."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    contrast_black = (luminance + 0.05) / 0.05
    contrast_white = 1.05 / (luminance + 0.05)
    return "#000000" if contrast_black >= contrast_white else "#ffffff"


def code_colours(code: int) -> tuple[str, str]:
    """(background, text) hex colours of a cell showing `code`: tab20(code % 20)."""
    return _palette()[code % 20]


@cache
def _grid_style() -> str:
    """The grid's <style> element: layout CSS plus one class per tab20 colour."""
    colours = "".join(
        f".distill-grid .code-cell.c{n}{{background:{bg};color:{fg}}}"
        for n, (bg, fg) in enumerate(_palette())
    )
    return f"<style>{GRID_CSS}{colours}\n</style>"


def format_time(seconds: float) -> str:
    """A time marker label: "0.43s" under a minute, "4:05.2" from one minute on."""
    if round(seconds, 2) < 60:
        return f"{seconds:.2f}s"
    minutes, rest = divmod(round(seconds, 1), 60)  # round first: 299.96 s is 5:00.0, not 4:60.0
    return f"{int(minutes)}:{rest:04.1f}"


def render_code_grid(
    indices: Any,
    num_quantizers: int,
    codebook_size: int,
    spatial_shape: tuple[int, int],
    level_labels: list[str] | None,
    selected_cell: tuple[int, int] | None,
    duration_s: float,
) -> str:
    """HTML for the code grid of one file.

    indices: codes [1, F', L] (torch.Tensor or np.ndarray; F' = H*W of spatial_shape, L =
    num_quantizers), each in [0, codebook_size) or -1 for "no code". None gives the empty-state
    message and ignores the other arguments. selected_cell is (level, position) or None.
    Raises CodeGridError (a ValueError) with one clear sentence for anything invalid.
    """
    if indices is None:
        return (
            '<div class="distill-grid-empty" style="padding:48px 16px;text-align:center;'
            "color:var(--body-text-color-subdued,#57606a);border:1px dashed "
            'var(--border-color-primary,#d0d7de);border-radius:6px">'
            f"{html.escape(EMPTY_MESSAGE)}</div>"
        )
    num_levels = positive_int("num_quantizers", num_quantizers)
    size = positive_int("codebook_size", codebook_size)
    codes = codes_matrix(indices, num_levels, size, spatial_columns(spatial_shape))
    num_columns = codes.shape[0]
    selected = check_selected(selected_cell, num_levels, num_columns)
    duration = check_duration(duration_s)
    labels = get_level_labels(num_levels, level_labels)
    data_width = num_columns * COLUMN_WIDTH_PX
    root = (
        f'<div class="distill-grid" data-duration="{duration!r}" data-columns="{num_columns}" '
        f'data-levels="{num_levels}" data-col-width="{COLUMN_WIDTH_PX}" '
        f'data-label-width="{LABEL_WIDTH_PX}" '
        f'style="--cg-col:{COLUMN_WIDTH_PX}px;--cg-label:{LABEL_WIDTH_PX}px" '
        f'role="group" aria-label="Code grid: {num_levels} levels by {num_columns} columns" '
        f'onclick="{html.escape(CLICK_HANDLER_JS, quote=True)}">'
    )
    return "".join(
        [
            _grid_style(),
            root,
            '<div class="cg-scroll"><div class="cg-body">',
            _labels_html(labels),
            f'<div class="cg-data" style="width:{data_width}px">',
            _ruler_html(num_columns, duration),
            _chunks_html(codes, size, selected),
            '<div class="playhead-line"></div>',
            "</div></div></div></div>",
        ]
    )


def _labels_html(labels: list[str]) -> str:
    """The sticky left column: a corner over the ruler and header, then one label per level."""
    rows = [
        '<div class="cg-labels"><div class="cg-corner">time<br>column</div>',
        *(
            f'<div class="cg-label"><span class="cg-name" title="{html.escape(label, quote=True)}">'
            f"{html.escape(label, quote=True)}</span>"
            f'<button type="button" class="cg-play" data-l="{level}" '
            f'title="Play this level alone">&#9654; Play</button></div>'
            for level, label in enumerate(labels)
        ),
        "</div>",
    ]
    return "".join(rows)


def _ruler_html(num_columns: int, duration: float) -> str:
    """Time markers every TICK_EVERY_COLUMNS columns at the column's start time."""
    ticks = "".join(
        f'<span class="cg-tick" data-p="{p}" style="left:{p * COLUMN_WIDTH_PX}px">'
        f"{format_time(p * duration / num_columns)}</span>"
        for p in range(0, num_columns, TICK_EVERY_COLUMNS)
    )
    return f'<div class="cg-ruler">{ticks}</div>'


def _chunks_html(codes: np.ndarray, codebook_size: int, selected: tuple[int, int] | None) -> str:
    """Column headers and cells of `codes` [F', L], cut into blocks of CHUNK_COLUMNS columns.

    Each block has a fixed size and `content-visibility: auto`, so the browser lays out only
    the blocks in view: a 5-minute file (~28,000 cells) then costs what one screen costs.
    """
    num_columns, num_levels = codes.shape
    cells = _cell_strings(codes, codebook_size)  # [L][F'] strings
    if selected is not None:
        level, position = selected
        cells[level][position] = cells[level][position].replace(
            "code-cell ", "code-cell selected ", 1
        )
    height = HEADER_HEIGHT_PX + num_levels * ROW_HEIGHT_PX
    chunks = []
    for start in range(0, num_columns, CHUNK_COLUMNS):
        stop = min(start + CHUNK_COLUMNS, num_columns)
        head = "".join(f'<i class="cg-col" data-p="{p}">{p}</i>' for p in range(start, stop))
        rows = "".join(
            f'<div class="cg-row" data-l="{level}">{"".join(cells[level][start:stop])}</div>'
            for level in range(num_levels)
        )
        width = (stop - start) * COLUMN_WIDTH_PX
        chunks.append(
            f'<div class="cg-chunk" style="width:{width}px;height:{height}px">'
            f'<div class="cg-head">{head}</div>{rows}</div>'
        )
    return f'<div class="cg-chunks">{"".join(chunks)}</div>'


def _cell_strings(codes: np.ndarray, codebook_size: int) -> list[list[str]]:
    """One <i class="code-cell c{code % 20}" data-p="{position}">{code}</i> per code, [L][F']."""
    # Per-code prefix and suffix strings keep the inner loop to two concatenations per cell.
    prefix = {NO_CODE: '<i class="code-cell cn" data-p="'}
    suffix = {NO_CODE: '"></i>'}
    for code in range(codebook_size):
        prefix[code] = f'<i class="code-cell c{code % 20}" data-p="'
        suffix[code] = f'">{code}</i>'
    return [
        [prefix[c] + str(p) + suffix[c] for p, c in enumerate(column)]
        for column in codes.T.tolist()  # codes.T: [L, F']
    ]

"""Interactive HTML code grid: rows are quantizer levels (L), columns are time (F')."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from functools import cache
from numbers import Integral, Real
from typing import Any

import numpy as np

from distill.ui.components.grid_assets import CLICK_HANDLER_JS, GRID_CSS, GRID_SCRIPT
from distill.ui.components.grid_events import GridEvent, parse_grid_event
from distill.ui.components.grid_page import render_grid_page

__all__ = [
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
NO_CODE = -1  # "this level contributes nothing here": drawn as an empty grey cell
EMPTY_MESSAGE = "Upload an audio file and click Encode to see codes here."

DEFAULT_LEVEL_LABELS: dict[int, list[str]] = {
    2: ["Structure", "Detail"],
    3: ["Structure", "Timbre", "Detail"],
    4: ["Structure", "Timbre", "Texture", "Detail"],
}


class CodeGridError(ValueError):
    """Arguments that cannot be drawn as a code grid (wrong shape, range or labels)."""


def get_level_labels(num_quantizers: int, custom_labels: list[str] | None = None) -> list[str]:
    """Labels for L levels, top (level 0, coarsest) first.

    Custom labels win (one per level; a blank entry falls back to that level's default).
    Defaults: DEFAULT_LEVEL_LABELS for 2-4 levels, otherwise "Level 1" .. "Level L"
    (1-based, so level index 0 is "Level 1").
    """
    num_levels = _positive_int("num_quantizers", num_quantizers)
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
        f".distill-grid .c{n}{{background:{bg};color:{fg}}}"
        for n, (bg, fg) in enumerate(_palette())
    )
    return f"<style>{GRID_CSS}{colours}\n</style>"


def format_time(seconds: float) -> str:
    """A time marker label: "0.43s" under a minute, "4:05.2" from one minute on."""
    if seconds < 60:
        return f"{seconds:.2f}s"
    minutes, rest = divmod(seconds, 60)
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
    num_levels = _positive_int("num_quantizers", num_quantizers)
    size = _positive_int("codebook_size", codebook_size)
    codes = _codes_matrix(indices, num_levels, size, _spatial_columns(spatial_shape))
    num_columns = codes.shape[0]
    selected = _check_selected(selected_cell, num_levels, num_columns)
    duration = _check_duration(duration_s)
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
            _header_html(num_columns),
            _rows_html(codes, size, selected),
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


def _header_html(num_columns: int) -> str:
    """Clickable column headers (payload col,{position}) showing the column number."""
    cols = "".join(f'<i class="cg-col" data-p="{p}">{p}</i>' for p in range(num_columns))
    return f'<div class="cg-head">{cols}</div>'


def _rows_html(codes: np.ndarray, codebook_size: int, selected: tuple[int, int] | None) -> str:
    """One row per level of `codes` [F', L]; the row holds the level, each cell its position."""
    # Per-code prefix and suffix strings keep the inner loop to two concatenations per cell.
    prefix = {NO_CODE: '<i class="code-cell cn" data-p="'}
    suffix = {NO_CODE: '"></i>'}
    for code in range(codebook_size):
        prefix[code] = f'<i class="code-cell c{code % 20}" data-p="'
        suffix[code] = f'">{code}</i>'
    rows = []
    for level, column in enumerate(codes.T.tolist()):  # codes.T: [L, F']
        cells = [prefix[c] + str(p) + suffix[c] for p, c in enumerate(column)]
        if selected is not None and selected[0] == level:
            position = selected[1]
            cells[position] = cells[position].replace("code-cell ", "code-cell selected ", 1)
        rows.append(f'<div class="cg-row" data-l="{level}">{"".join(cells)}</div>')
    return "".join(rows)


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or int(value) < 1:
        raise CodeGridError(f"{name} must be a whole number of at least 1, got {value!r}.")
    return int(value)


def _spatial_columns(spatial_shape: object) -> int:
    """F' = H*W from spatial_shape (H, W), both positive whole numbers."""
    if (
        not isinstance(spatial_shape, Sequence)
        or len(spatial_shape) != 2
        or not all(isinstance(v, Integral) and not isinstance(v, bool) for v in spatial_shape)
        or min(int(v) for v in spatial_shape) < 1
    ):
        raise CodeGridError(
            f"spatial_shape must be two positive whole numbers (H, W), got {spatial_shape!r}."
        )
    return int(spatial_shape[0]) * int(spatial_shape[1])


def _codes_matrix(indices: Any, num_levels: int, codebook_size: int, columns: int) -> np.ndarray:
    """Validated codes as a NumPy array [F', L] from indices [1, F', L]."""
    if hasattr(indices, "detach"):  # a torch.Tensor, without importing torch here
        indices = indices.detach().cpu().numpy()
    array = np.asarray(indices)
    if array.ndim != 3 or array.shape[0] != 1:
        raise CodeGridError(
            f"indices must have shape [1, F', L] = [1, {columns}, {num_levels}], "
            f"got {list(array.shape)}."
        )
    if array.shape[2] != num_levels:
        raise CodeGridError(
            f"indices has {array.shape[2]} levels but num_quantizers is {num_levels}."
        )
    if array.shape[1] != columns:
        raise CodeGridError(
            f"indices has {array.shape[1]} columns but spatial_shape gives H*W = {columns}."
        )
    if not np.issubdtype(array.dtype, np.integer):
        raise CodeGridError(f"indices must hold whole-number codes, got dtype {array.dtype}.")
    bad = np.argwhere((array[0] < NO_CODE) | (array[0] >= codebook_size))
    if bad.size:
        position, level = (int(v) for v in bad[0])
        raise CodeGridError(
            f"Code {int(array[0, position, level])} at level {level}, column {position} is "
            f"outside [0, {codebook_size}) (use -1 for 'no code')."
        )
    return array[0]


def _check_selected(selected: object, num_levels: int, num_columns: int) -> tuple[int, int] | None:
    if selected is None:
        return None
    if (
        not isinstance(selected, Sequence)
        or len(selected) != 2
        or not all(isinstance(v, Integral) and not isinstance(v, bool) for v in selected)
    ):
        raise CodeGridError(f"selected_cell must be (level, position) or None, got {selected!r}.")
    level, position = int(selected[0]), int(selected[1])
    if not (0 <= level < num_levels and 0 <= position < num_columns):
        raise CodeGridError(
            f"selected_cell {(level, position)} is outside the grid of {num_levels} levels "
            f"by {num_columns} columns."
        )
    return level, position


def _check_duration(duration_s: object) -> float:
    if isinstance(duration_s, bool) or not isinstance(duration_s, Real):
        raise CodeGridError(f"duration_s must be a number of seconds, got {duration_s!r}.")
    duration = float(duration_s)
    if not math.isfinite(duration) or duration <= 0:
        raise CodeGridError(f"duration_s must be a positive number of seconds, got {duration}.")
    return duration

"""Interactive HTML code grid: rows are quantizer levels (L), columns are time (F').

Clicks reach Python through the app's hidden Textbox(elem_id="code-grid-cell-clicked"): one
delegated onclick on the grid root (`distillGrid.click` in grid.js) sets its value with the
native setter and calls dispatchEvent(new Event("input")); parse_grid_event reads the
payload. The playhead follows playing audio through GRID_SCRIPT (grid.js; load it with
launch(head=...)). Times come from the grid's seconds per column (the model's time axis).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from functools import cache
from numbers import Integral, Real
from typing import Any

import numpy as np

from distill.inference.grid import (
    NO_CODE,
    CodeGrid,
    CodeGridError,
    checked_codes,
    shape_pair,
)
from distill.inference.validation import check_column, check_level
from distill.models.labels import DEFAULT_LEVEL_LABELS, get_level_labels
from distill.ui.components.grid_events import GridEvent, parse_grid_event
from distill.ui.components.grid_marks import GridMarks, mark_cells
from distill.ui.components.grid_page import render_grid_page
from distill.ui.components.pictures import (
    GridPictures,
    overview_html,
    picture_labels_html,
    pictures_html,
)
from distill.ui.components.static import GRID_CSS, GRID_SCRIPT, PICTURES_CSS

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
    "GridMarks",
    "GridPictures",
    "code_colours",
    "format_time",
    "get_level_labels",
    "parse_grid_event",
    "render_code_grid",
    "render_grid",
    "render_grid_page",
]
CLICK_TEXTBOX_ID = "code-grid-cell-clicked"  # elem_id of the app's hidden Textbox
CLICK_HANDLER_JS = "window.distillGrid&&window.distillGrid.click(this,event)"

COLUMN_WIDTH_PX = 26  # fixed width of one time column
LABEL_WIDTH_PX = 112  # sticky label column on the left: a name, then Play, M and S
TICK_EVERY_COLUMNS = 10  # a time marker every this many columns
BLOCK_COLUMNS = 100  # columns per separately laid-out block (see _blocks_html)
HEADER_HEIGHT_PX = 18  # the clickable column-number row
ROW_HEIGHT_PX = 34  # one level
EMPTY_MESSAGE = "Upload an audio file and click Encode to see codes here."


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
    return f"<style>{GRID_CSS}{PICTURES_CSS}{colours}\n</style>"


def format_time(seconds: float) -> str:
    """A time marker label: "0.43s" under a minute, "4:05.2" from one minute on."""
    if round(seconds, 2) < 60:
        return f"{seconds:.2f}s"
    minutes, rest = divmod(round(seconds, 1), 60)  # round first: 299.96 s is 5:00.0, not 4:60.0
    return f"{int(minutes)}:{rest:04.1f}"


def render_grid(
    grid: CodeGrid | None,
    level_labels: list[str] | tuple[str, ...] | None = None,
    selected_cell: tuple[int, int] | None = None,
    *,
    grid_id: str = "a",
    marks: GridMarks | None = None,
    editable: bool = False,
    pictures: GridPictures | None = None,
) -> str:
    """HTML for a code grid (its own labels unless others are given); None: the empty state.

    grid_id "b" marks the editor's second grid (its gestures say so); marks are the
    editor's per-cell marks (edited, selection, blend, last change); editable lets a
    double-click type a new code into a cell; pictures are the spectrograms drawn over the
    grid (column-aligned) and the overview strip of the whole file.
    """
    if grid is None:
        return _empty_html()
    labels = list(level_labels or grid.level_labels) or None
    return _grid_html(
        grid.codes[0].numpy(),
        grid.codebook_size,
        get_level_labels(grid.num_levels, labels),
        _check_selected(selected_cell, grid.num_levels, grid.num_columns),
        grid.duration_s,
        grid.seconds_per_column,
        grid_id,
        marks,
        editable,
        pictures,
    )


def render_code_grid(
    indices: Any,
    num_quantizers: int,
    codebook_size: int,
    spatial_shape: tuple[int, int],
    level_labels: list[str] | None,
    selected_cell: tuple[int, int] | None,
    duration_s: float,
    *,
    seconds_per_column: float | None = None,
) -> str:
    """The plan's renderer: HTML for the code grid of one file.

    indices: codes [1, F', L] (torch.Tensor or np.ndarray; F' = H*W of spatial_shape, L =
    num_quantizers), each in [0, codebook_size) or -1 for "no code". None gives the empty-state
    message and ignores the other arguments. selected_cell is (level, position) or None.
    seconds_per_column is the model's time axis; without it (the plan's seven arguments) it
    is duration_s / F'. `render_grid` draws a `CodeGrid`, which carries its time axis.
    Raises CodeGridError (a ValueError) with one clear sentence for anything invalid.
    """
    if indices is None:
        return _empty_html()
    num_levels = _positive_int("num_quantizers", num_quantizers)
    size = _positive_int("codebook_size", codebook_size)
    columns = _spatial_columns(spatial_shape)
    codes = checked_codes(indices, size, num_levels, columns)[0].numpy()  # [F', L]
    duration = _positive_seconds("duration_s", duration_s)
    step = duration / columns if seconds_per_column is None else seconds_per_column
    return _grid_html(
        codes,
        size,
        get_level_labels(num_levels, level_labels),
        _check_selected(selected_cell, num_levels, columns),
        duration,
        _positive_seconds("seconds_per_column", step),
    )


def _empty_html() -> str:
    return (
        '<div class="distill-grid-empty" style="padding:48px 16px;text-align:center;'
        "color:var(--body-text-color-subdued,#57606a);border:1px dashed "
        'var(--border-color-primary,#d0d7de);border-radius:6px">'
        f"{html.escape(EMPTY_MESSAGE)}</div>"
    )


def _grid_html(
    codes: np.ndarray,
    codebook_size: int,
    labels: list[str],
    selected: tuple[int, int] | None,
    duration: float,
    seconds_per_column: float,
    grid_id: str = "a",
    marks: GridMarks | None = None,
    editable: bool = False,
    pictures: GridPictures | None = None,
) -> str:
    """Checked codes [F', L] -> the grid's HTML (overview, pictures, ruler, cells, playhead,
    click bridge)."""
    num_columns, num_levels = codes.shape
    data_width = num_columns * COLUMN_WIDTH_PX
    quiet = marks.quiet_levels if marks else frozenset()
    root = (
        f'<div class="distill-grid" data-grid="{html.escape(grid_id, quote=True)}" '
        f'data-editable="{str(editable).lower()}" '
        f'data-duration="{duration!r}" '
        f'data-seconds-per-column="{seconds_per_column!r}" data-columns="{num_columns}" '
        f'data-levels="{num_levels}" data-col-width="{COLUMN_WIDTH_PX}" '
        f'data-label-width="{LABEL_WIDTH_PX}" data-click-target="{CLICK_TEXTBOX_ID}" '
        f'style="--cg-col:{COLUMN_WIDTH_PX}px;--cg-label:{LABEL_WIDTH_PX}px" '
        f'role="group" aria-label="Code grid: {num_levels} levels by {num_columns} columns" '
        f'onclick="{html.escape(CLICK_HANDLER_JS, quote=True)}">'
    )
    above = ""
    if pictures is not None:
        above = pictures_html(pictures, num_columns, COLUMN_WIDTH_PX, BLOCK_COLUMNS)
    return "".join(
        [
            _grid_style(),
            root,
            overview_html(pictures, LABEL_WIDTH_PX) if pictures is not None else "",
            '<div class="cg-scroll"><div class="cg-body">',
            _labels_html(labels, quiet, pictures is not None),
            f'<div class="cg-data" style="width:{data_width}px">',
            above,
            _ruler_html(num_columns, seconds_per_column),
            _blocks_html(codes, codebook_size, selected, marks),
            '<div class="playhead-line"></div>',
            "</div></div></div></div>",
        ]
    )


def _labels_html(
    labels: list[str], quiet: frozenset[int] = frozenset(), pictures: bool = False
) -> str:
    """The sticky left column: the pictures' labels (if any), a corner over the ruler and
    header, then one label per level (with Play, and Mute / Solo for what a decode of the
    grid lets you hear)."""
    rows = ['<div class="cg-labels">', picture_labels_html() if pictures else ""]
    rows.append('<div class="cg-corner">time<br>column</div>')
    for level, label in enumerate(labels):
        name = html.escape(label, quote=True)
        state = " quiet" if level in quiet else ""
        rows.append(
            f'<div class="cg-label{state}"><span class="cg-name" title="{name}">{name}</span>'
            f'<span class="cg-buttons"><button type="button" class="cg-play" data-l="{level}" '
            f'title="Play this level alone">&#9654; Play</button>'
            f'<button type="button" class="cg-mute" data-l="{level}" '
            f'title="Mute this level when the grid is decoded">M</button>'
            f'<button type="button" class="cg-solo" data-l="{level}" '
            f'title="Hear only this level when the grid is decoded">S</button></span></div>'
        )
    rows.append("</div>")
    return "".join(rows)


def _ruler_html(num_columns: int, seconds_per_column: float) -> str:
    """Time markers every TICK_EVERY_COLUMNS columns at the column's start time."""
    ticks = "".join(
        f'<span class="cg-tick" data-p="{p}" style="left:{p * COLUMN_WIDTH_PX}px">'
        f"{format_time(p * seconds_per_column)}</span>"
        for p in range(0, num_columns, TICK_EVERY_COLUMNS)
    )
    return f'<div class="cg-ruler">{ticks}</div>'


def _blocks_html(
    codes: np.ndarray,
    codebook_size: int,
    selected: tuple[int, int] | None,
    marks: GridMarks | None = None,
) -> str:
    """Column headers and cells of `codes` [F', L], cut into blocks of BLOCK_COLUMNS columns.

    Each block has a fixed size and `content-visibility: auto`, so the browser lays out only
    the blocks in view: a 5-minute file (~28,000 cells) then costs what one screen costs.
    """
    num_columns, num_levels = codes.shape
    cells = _cell_strings(codes, codebook_size)  # [L][F'] strings
    if marks is not None:
        mark_cells(cells, marks)
    if selected is not None:
        level, position = selected
        cells[level][position] = cells[level][position].replace(
            "code-cell ", "code-cell selected ", 1
        )
    height = HEADER_HEIGHT_PX + num_levels * ROW_HEIGHT_PX
    blocks = []
    for start in range(0, num_columns, BLOCK_COLUMNS):
        stop = min(start + BLOCK_COLUMNS, num_columns)
        head = "".join(f'<i class="cg-col" data-p="{p}">{p}</i>' for p in range(start, stop))
        rows = "".join(
            f'<div class="cg-row" data-l="{level}">{"".join(cells[level][start:stop])}</div>'
            for level in range(num_levels)
        )
        width = (stop - start) * COLUMN_WIDTH_PX
        blocks.append(
            f'<div class="cg-block" style="width:{width}px;height:{height}px">'
            f'<div class="cg-head">{head}</div>{rows}</div>'
        )
    return f'<div class="cg-blocks">{"".join(blocks)}</div>'


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


def _positive_int(name: str, value: object) -> int:
    """`value` as an int if it is a whole number >= 1 (bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, Integral) or int(value) < 1:
        raise CodeGridError(f"{name} must be a whole number of at least 1, got {value!r}.")
    return int(value)


def _spatial_columns(spatial_shape: object) -> int:
    """F' = H*W from spatial_shape (H, W), both positive whole numbers (the grid's check)."""
    height, width = shape_pair("spatial_shape", spatial_shape)
    return height * width


def _check_selected(selected: object, num_levels: int, num_columns: int) -> tuple[int, int] | None:
    """selected_cell as (level, position) inside an L x F' grid, or None."""
    if selected is None:
        return None
    if not isinstance(selected, Sequence) or len(selected) != 2:
        raise CodeGridError(f"selected_cell must be (level, position) or None, got {selected!r}.")
    return check_level(selected[0], num_levels), check_column(selected[1], num_columns)


def _positive_seconds(name: str, value: object) -> float:
    """A finite number of seconds > 0."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise CodeGridError(f"{name} must be a number of seconds, got {value!r}.")
    seconds = float(value)
    if not math.isfinite(seconds) or seconds <= 0:
        raise CodeGridError(f"{name} must be a positive number of seconds, got {seconds}.")
    return seconds

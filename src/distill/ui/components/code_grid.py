"""Interactive HTML code grid: rows are quantizer levels (L), columns are time (F').

One delegated onclick on the grid root (`distillGrid.click` in grid.js) turns a click into
the plan's payload ("cell,L,P", "col,P", "row,L", ...): it is announced as a DOM event
(distill-grid-click), which the app's fast path (ui/codes/fast.js) and the standalone page
answer, and written into a hidden Textbox(elem_id="code-grid-cell-clicked") where a page has
one (parse_grid_event reads such payloads). The playhead follows playing audio through
GRID_SCRIPT (grid.js; load it with launch(head=...)). Times come from the grid's seconds per
column (the model's time axis).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

from distill.inference.grid import NO_CODE, CodeGrid, CodeGridError, checked_codes, shape_pair
from distill.inference.validation import check_column, check_level
from distill.models.labels import DEFAULT_LEVEL_LABELS, get_level_labels
from distill.ui.components.colours import code_colours
from distill.ui.components.grid_events import GridEvent, parse_grid_event
from distill.ui.components.grid_html import (
    BLOCK_COLUMNS,
    CLICK_TEXTBOX_ID,
    COLUMN_WIDTH_PX,
    LABEL_WIDTH_PX,
    TICK_EVERY_COLUMNS,
    GridDrawing,
    draw_grid,
    format_time,
)
from distill.ui.components.grid_marks import GridMarks
from distill.ui.components.grid_page import render_grid_page
from distill.ui.components.pictures import GridPictures
from distill.ui.components.static import GRID_SCRIPT

__all__ = [
    "BLOCK_COLUMNS",
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
EMPTY_MESSAGE = "Upload an audio file and click Encode to see codes here."


def render_grid(
    grid: CodeGrid | None,
    level_labels: list[str] | tuple[str, ...] | None = None,
    selected_cell: tuple[int, int] | None = None,
    *,
    grid_id: str = "a",
    marks: GridMarks | None = None,
    editable: bool = False,
    pictures: GridPictures | None = None,
    version: int = 0,
    title_html: str = "",
    title_id: str = "",
    file_key: str = "",
) -> str:
    """HTML for a code grid (its own labels unless others are given); None: the empty state.

    grid_id "b" marks the editor's second grid (its gestures say so); marks are the
    editor's per-cell marks (edited, selection, blend, last change) and the levels a decode
    leaves out; editable lets a double-click type a new code into a cell; pictures are the
    spectrograms drawn over the grid (column-aligned) and the overview strip of the whole
    file; version is what the page has been shown (patches apply to it); title_html a
    heading (escaped HTML) over it, with the element id title_id; file_key tells the page
    which opened file it is (a redraw of the same file keeps its scroll, a new one does not).
    """
    if grid is None:
        return _empty_html()
    labels = list(level_labels or grid.level_labels) or None
    drawing = GridDrawing(
        grid.codes[0].numpy(),
        grid.codebook_size,
        get_level_labels(grid.num_levels, labels),
        grid.duration_s,
        grid.seconds_per_column,
        grid_id=grid_id,
        selected=_check_selected(selected_cell, grid.num_levels, grid.num_columns),
        marks=marks,
        editable=editable,
        pictures=pictures,
        version=version,
        title_html=title_html,
        title_id=title_id,
        file_key=file_key,
    )
    return draw_grid(drawing)


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
    drawing = GridDrawing(
        codes,
        size,
        get_level_labels(num_levels, level_labels),
        duration,
        _positive_seconds("seconds_per_column", step),
        selected=_check_selected(selected_cell, num_levels, columns),
    )
    return draw_grid(drawing)


def _empty_html() -> str:
    return (
        '<div class="distill-grid-empty" style="padding:48px 16px;text-align:center;'
        "color:var(--body-text-color-subdued,#57606a);border:1px dashed "
        'var(--border-color-primary,#d0d7de);border-radius:6px">'
        f"{html.escape(EMPTY_MESSAGE)}</div>"
    )


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

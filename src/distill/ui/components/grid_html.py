"""The code grid's HTML, part by part: the root with its time axis, the sticky level labels
(Play, M, S), the ruler, the cells in blocks of columns, the pictures, the join of a
continuation and the playhead. `code_grid.render_grid` checks its inputs and calls this.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cache

import numpy as np

from distill.inference.grid import NO_CODE
from distill.ui.components.colours import palette_css
from distill.ui.components.grid_marks import GridMarks, mark_cells
from distill.ui.components.pictures import (
    GridPictures,
    overview_html,
    picture_labels_html,
    pictures_html,
)
from distill.ui.components.static import GRID_CSS, PICTURES_CSS

CLICK_TEXTBOX_ID = "code-grid-cell-clicked"  # the plan's click bridge (a hidden Textbox)
CLICK_HANDLER_JS = "window.distillGrid&&window.distillGrid.click(this,event)"
COLUMN_WIDTH_PX = 26  # fixed width of one time column
LABEL_WIDTH_PX = 112  # sticky label column on the left: a name, then Play, M and S
TICK_EVERY_COLUMNS = 10  # a time marker every this many columns
BLOCK_COLUMNS = 100  # columns per separately laid-out block (see _blocks_html)
HEADER_HEIGHT_PX = 18  # the clickable column-number row
ROW_HEIGHT_PX = 34  # one level


@dataclass(frozen=True, eq=False)
class GridDrawing:
    """Everything one drawn grid shows: checked codes [F', L] and their time axis, the
    level labels, marks and pictures, and which grid of the page it is."""

    codes: np.ndarray
    codebook_size: int
    labels: list[str]
    duration: float
    seconds_per_column: float
    grid_id: str = "a"
    selected: tuple[int, int] | None = None  # the plan's one highlighted cell
    marks: GridMarks | None = None
    editable: bool = False
    pictures: GridPictures | None = None
    version: int = 0  # what the page has been shown: patches apply to this version
    title_html: str = ""  # a heading over the grid (the file's name), already escaped
    title_id: str = ""  # an element id for the heading (the Codes tab's summary line)
    file_key: str = ""  # which opened file this is (pictures.js keeps each one's scroll)


@cache
def grid_style(codebook_size: int) -> str:
    """The grid's <style> element: layout CSS plus one colour class per code."""
    return f"<style>{GRID_CSS}{PICTURES_CSS}{palette_css(codebook_size)}\n</style>"


def format_time(seconds: float) -> str:
    """A time marker label: "0.43s" under a minute, "4:05.2" from one minute on."""
    if round(seconds, 2) < 60:
        return f"{seconds:.2f}s"
    minutes, rest = divmod(round(seconds, 1), 60)  # round first: 299.96 s is 5:00.0, not 4:60.0
    return f"{int(minutes)}:{rest:04.1f}"


def draw_grid(drawing: GridDrawing) -> str:
    """The grid's HTML (title, overview, pictures, ruler, cells, join, playhead)."""
    num_columns, num_levels = drawing.codes.shape
    marks = drawing.marks or GridMarks()
    pictures = drawing.pictures
    root = (
        f'<div class="distill-grid" data-grid="{html.escape(drawing.grid_id, quote=True)}" '
        f'data-editable="{str(drawing.editable).lower()}" '
        f'data-duration="{drawing.duration!r}" '
        f'data-seconds-per-column="{drawing.seconds_per_column!r}" data-columns="{num_columns}" '
        f'data-levels="{num_levels}" data-codebook-size="{drawing.codebook_size}" '
        f'data-version="{drawing.version}" data-col-width="{COLUMN_WIDTH_PX}" '
        f'data-block-columns="{BLOCK_COLUMNS}" data-file="{html.escape(drawing.file_key)}" '
        f'data-label-width="{LABEL_WIDTH_PX}" data-click-target="{CLICK_TEXTBOX_ID}" '
        f'style="--cg-col:{COLUMN_WIDTH_PX}px;--cg-label:{LABEL_WIDTH_PX}px" '
        f'role="group" aria-label="Code grid: {num_levels} levels by {num_columns} columns" '
        f'onclick="{html.escape(CLICK_HANDLER_JS, quote=True)}">'
    )
    title_id = f' id="{html.escape(drawing.title_id, quote=True)}"' if drawing.title_id else ""
    title = drawing.title_html and f'<div class="cg-title"{title_id}>{drawing.title_html}</div>'
    above = ""
    if pictures is not None:
        above = pictures_html(pictures, num_columns, COLUMN_WIDTH_PX, BLOCK_COLUMNS)
    return "".join(
        [
            grid_style(drawing.codebook_size),
            root,
            title,
            overview_html(pictures, LABEL_WIDTH_PX) if pictures is not None else "",
            '<div class="cg-scroll"><div class="cg-body">',
            _labels_html(drawing.labels, marks, pictures),
            f'<div class="cg-data" style="width:{num_columns * COLUMN_WIDTH_PX}px">',
            above,
            _ruler_html(num_columns, drawing.seconds_per_column),
            _blocks_html(drawing.codes, drawing.codebook_size, drawing.selected, marks),
            join_html(marks.join),
            '<div class="playhead-line"></div>',
            "</div></div></div></div>",
        ]
    )


def join_html(join: int | None) -> str:
    """The line where a continuation begins (hidden when there is none)."""
    hidden = " hidden" if join is None else ""
    left = (join or 0) * COLUMN_WIDTH_PX
    return (
        f'<div class="cg-join"{hidden} style="left:{left}px" data-p="{join or 0}" '
        'title="The continuation starts here"><span>continued</span></div>'
    )


def label_state(level: int, marks: GridMarks) -> str:
    """A level label's classes beyond cg-label: quiet (left out of a decode), muted (its M
    lit), solo (its S lit)."""
    names = [
        name
        for name, on in (
            ("quiet", level in marks.quiet_levels),
            ("muted", level in marks.muted),
            ("solo", marks.solo == level),
        )
        if on
    ]
    return " ".join(names)


def _labels_html(labels: list[str], marks: GridMarks, pictures: GridPictures | None) -> str:
    """The sticky left column: the pictures' labels (if any), a corner over the ruler and
    header, then one label per level (with Play, and Mute / Solo for what a decode of the
    grid lets you hear)."""
    beside = picture_labels_html(pictures.decoded_rows) if pictures is not None else ""
    rows = ['<div class="cg-labels">', beside]
    rows.append('<div class="cg-corner">time<br>column</div>')
    for level, label in enumerate(labels):
        name = html.escape(label, quote=True)
        state = label_state(level, marks)
        muted, solo = str(level in marks.muted).lower(), str(marks.solo == level).lower()
        rows.append(
            f'<div class="cg-label{" " + state if state else ""}" data-l="{level}">'
            f'<span class="cg-name" title="{name}">{name}</span>'
            f'<span class="cg-buttons"><button type="button" class="cg-play" data-l="{level}" '
            f'title="Play this level alone (again: stop)">&#9654; Play</button>'
            f'<button type="button" class="cg-mute" data-l="{level}" aria-pressed="{muted}" '
            f'title="Leave this level out of Play and Decode">M</button>'
            f'<button type="button" class="cg-solo" data-l="{level}" aria-pressed="{solo}" '
            f'title="Hear only this level in Play and Decode">S</button></span></div>'
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
    codes: np.ndarray, codebook_size: int, selected: tuple[int, int] | None, marks: GridMarks
) -> str:
    """Column headers and cells of `codes` [F', L], cut into blocks of BLOCK_COLUMNS columns.

    Each block has a fixed size and `content-visibility: auto`, so the browser lays out only
    the blocks in view: a 5-minute file (~28,000 cells) then costs what one screen costs.
    """
    num_columns, num_levels = codes.shape
    cells = _cell_strings(codes, codebook_size)  # [L][F'] strings
    mark_cells(cells, codes, marks)
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
    """One <i class="code-cell c{code}" data-p="{position}">{code}</i> per code, [L][F']."""
    # Per-code prefix and suffix strings keep the inner loop to two concatenations per cell.
    prefix = {NO_CODE: '<i class="code-cell cn" data-p="'}
    suffix = {NO_CODE: '"></i>'}
    for code in range(codebook_size):
        prefix[code] = f'<i class="code-cell c{code}" data-p="'
        suffix[code] = f'">{code}</i>'
    return [
        [prefix[c] + str(p) + suffix[c] for p, c in enumerate(column)]
        for column in codes.T.tolist()  # codes.T: [L, F']
    ]

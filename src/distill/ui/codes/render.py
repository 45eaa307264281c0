"""Text and HTML the Codes tab shows for an open file: the grid, the summary, click notes."""

from __future__ import annotations

import html

from distill.ui.codes.session import OpenFile
from distill.ui.components.code_grid import render_grid


def grid_html(open_file: OpenFile | None) -> str:
    """The code grid's HTML (the empty-state hint when nothing is encoded)."""
    return render_grid(open_file.grid if open_file else None)


def summary_text(open_file: OpenFile, model_name: str) -> str:
    """One Markdown line: columns x levels, duration, the model's column rate, codebook size."""
    grid = open_file.grid
    return (
        f"**{html.escape(open_file.audio_name)}** · {grid.num_columns} columns × "
        f"{grid.num_levels} levels · {grid.duration_s:.2f} s · "
        f"{grid.columns_per_second:.1f} columns/s ({grid.seconds_per_column * 1000:.0f} ms "
        f"each) · {grid.codebook_size} codes per level · model {html.escape(model_name)}"
    )


def level_name(open_file: OpenFile, level: int) -> str:
    return f"level {level + 1} “{html.escape(open_file.grid.level_labels[level])}”"


def cell_note(open_file: OpenFile, level: int, position: int) -> str:
    grid = open_file.grid
    code = int(grid.codes[0, position, level])
    return (
        f"Last click: {level_name(open_file, level)}, column {position} at "
        f"{grid.column_time(position):.2f} s, code {code}: playing that code alone."
    )


def column_note(open_file: OpenFile, position: int) -> str:
    grid = open_file.grid
    codes = ", ".join(str(int(c)) for c in grid.codes[0, position].tolist())
    return (
        f"Last click: column {position} at {grid.column_time(position):.2f} s, "
        f"all {grid.num_levels} levels (codes {codes}): playing that moment."
    )


def row_note(open_file: OpenFile, level: int) -> str:
    return f"Last click: Play on {level_name(open_file, level)}: that level alone, along the file."

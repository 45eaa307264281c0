"""Text and HTML the Codes tab shows for an open file: the grid, the summary, click notes."""

from __future__ import annotations

import html

import numpy as np

from distill.editing import Region
from distill.ui.codes.session import Listening, OpenFile
from distill.ui.components.code_grid import GridMarks, GridPictures, render_grid


def grid_html(
    open_file: OpenFile | None,
    grid_id: str = "a",
    selection: Region | None = None,
    changed: np.ndarray | None = None,
    distances: np.ndarray | None = None,
    listening: Listening | None = None,
    pictures: GridPictures | None = None,
) -> str:
    """A file's code grid with the editor's marks (the empty-state hint when there is none):
    cells edited since encoding, the selection, the last change, a blend's snap distances,
    and the levels a decode leaves silent; pictures: the spectrograms drawn over it."""
    if open_file is None:
        return render_grid(None)
    grid = open_file.grid
    marks = GridMarks(
        edited=(grid.codes[0] != open_file.encoded.codes[0]).numpy(),
        changed=changed,
        distances=distances,
        selection=(selection.levels, selection.columns) if selection else None,
        quiet_levels=listening.quiet_levels(grid.num_levels) if listening else frozenset(),
    )
    return render_grid(grid, grid_id=grid_id, marks=marks, editable=True, pictures=pictures)


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

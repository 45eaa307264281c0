"""Text and HTML the Codes tab shows for an encoded file: the grid, the summary, click notes."""

from __future__ import annotations

import html

from distill.ui.codes.session import EncodedFile
from distill.ui.components.code_grid import render_code_grid


def render_grid(encoded: EncodedFile | None, labels: list[str] | None) -> str:
    """The code grid's HTML (the empty-state hint when nothing is encoded)."""
    if encoded is None:
        return render_code_grid(None, 1, 1, (1, 1), None, None, 1.0)
    return render_code_grid(
        encoded.indices,
        encoded.num_levels,
        encoded.codebook_size,
        encoded.spatial_shape,
        labels,
        None,
        encoded.duration_s,
    )


def summary_text(encoded: EncodedFile, model_name: str) -> str:
    """One Markdown line: columns x levels, duration, column rate, codebook size."""
    columns = encoded.num_columns
    rate = columns / encoded.duration_s
    return (
        f"**{html.escape(encoded.audio_name)}** · {columns} columns × {encoded.num_levels} levels"
        f" · {encoded.duration_s:.2f} s · {rate:.1f} columns/s "
        f"({1000 / rate:.0f} ms each) · {encoded.codebook_size} codes per level · "
        f"model {html.escape(model_name)}"
    )


def level_name(labels: list[str], level: int) -> str:
    return f"level {level + 1} “{html.escape(labels[level])}”"


def cell_note(encoded: EncodedFile, labels: list[str], level: int, position: int) -> str:
    code = int(encoded.indices[0, position, level])
    return (
        f"Last click: {level_name(labels, level)}, column {position} at "
        f"{encoded.column_time(position):.2f} s, code {code}: playing that code alone."
    )


def column_note(encoded: EncodedFile, position: int) -> str:
    codes = ", ".join(str(int(c)) for c in encoded.indices[0, position].tolist())
    return (
        f"Last click: column {position} at {encoded.column_time(position):.2f} s, "
        f"all {encoded.num_levels} levels (codes {codes}): playing that moment."
    )


def row_note(labels: list[str], level: int) -> str:
    return f"Last click: Play on {level_name(labels, level)}: that level alone, along the file."

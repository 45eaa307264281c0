"""Codes tab handlers: encode a file, decode its grid, and play what a grid click asks for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import gradio as gr

from distill.inference import decode_grid, encode_grid, play_level, preview_code, preview_column
from distill.models.persistence import LoadedVQModel, read_model_info
from distill.ui.codes.labels import labels_for, labels_text
from distill.ui.codes.render import (
    cell_note,
    column_note,
    grid_html,
    level_name,
    row_note,
    summary_text,
)
from distill.ui.codes.session import CodesSession, OpenFile, session_model
from distill.ui.common import audio_path_of, ui_errors, ui_errors_stream, write_scratch_wav
from distill.ui.components.code_grid import GridEvent, parse_grid_event

NO_MODEL = "Choose a model first (train one in the Train tab, or use the demo model)."
NO_AUDIO = "Upload an audio file first (WAV, FLAC, OGG, MP3 or AIFF), then press Encode."
NO_GRID = "Nothing to play yet: upload an audio file and press Encode first."


def show_original(upload: Any) -> str | None:
    """The original player plays whatever was just uploaded."""
    return audio_path_of(upload)


@ui_errors
def encode(
    model_path: str | None,
    upload: Any,
    session: CodesSession,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's way to ask for a progress bar)
) -> tuple[CodesSession, str, str, str | None, str, str, str]:
    """Encode the uploaded file with the chosen model, and decode it at once for A/B.

    Returns (session, grid HTML, summary, original, reconstruction, label text, status).
    """
    audio_path = audio_path_of(upload)
    if not model_path:
        raise ValueError(NO_MODEL)
    if not audio_path:
        raise ValueError(NO_AUDIO)
    progress(0.05, desc="Loading the model")
    loaded = session_model(session, model_path)
    progress(0.2, desc="Encoding")
    info = read_model_info(model_path)
    labels = labels_for(session, info)
    grid = encode_grid(Path(audio_path), loaded).with_labels(labels)
    progress(0.5, desc="Decoding the reconstruction")
    reconstruction = session.keep_scratch(
        "reconstruction", write_scratch_wav(decode_grid(grid, loaded), "reconstruction")
    )
    open_file = session.open_file = OpenFile(model_path, Path(audio_path).name, grid)
    status = "Encoded. Click a cell, a column number or a row's Play to hear the codes."
    return (
        session,
        grid_html(open_file),
        summary_text(open_file, info.lookup_name),
        audio_path,
        reconstruction,
        labels_text(labels),
        status,
    )


@ui_errors
def decode(
    session: CodesSession,
    progress: gr.Progress = gr.Progress(),  # noqa: B008
) -> tuple[CodesSession, str, str]:
    """Decode the current grid again. Returns (session, reconstruction, status)."""
    open_file = session.open_file
    if open_file is None:
        raise ValueError("Nothing to decode yet: upload an audio file and press Encode first.")
    progress(0.1, desc="Decoding")
    loaded = session_model(session, open_file.model_path)
    path = write_scratch_wav(decode_grid(open_file.grid, loaded), "reconstruction")
    session.keep_scratch("reconstruction", path)
    seconds = open_file.grid.duration_s
    return session, path, f"Decoded the grid of {open_file.audio_name} ({seconds:.2f} s)."


def _row_playback(session: CodesSession, loaded: LoadedVQModel, level: int) -> tuple[Any, ...]:
    """One level alone along the whole file, into the level player (it moves the playhead)."""
    open_file = cast(OpenFile, session.open_file)
    audio = play_level(open_file.grid, level, loaded)
    path = session.keep_scratch("row", write_scratch_wav(audio, "level"))
    return session, gr.skip(), path, row_note(open_file, level)


def _preview(session: CodesSession, loaded: LoadedVQModel, event: GridEvent) -> tuple[Any, ...]:
    """A cell's code alone, or a column's codes together, held ~1 s, into the preview player."""
    open_file = cast(OpenFile, session.open_file)
    grid = open_file.grid
    position = cast(int, event.position)
    if event.kind == "cell" and event.level is not None:
        audio = preview_code(event.level, int(grid.codes[0, position, event.level]), loaded)
        note = cell_note(open_file, event.level, position)
    else:
        audio = preview_column(grid, position, loaded)
        note = column_note(open_file, position)
    path = session.keep_scratch("preview", write_scratch_wav(audio, "preview"))
    return session, path, gr.skip(), note


@ui_errors_stream
def grid_click(payload: str | None, session: CodesSession) -> Iterator[tuple[Any, ...]]:
    """A click on the grid ('cell,L,P', 'col,P' or 'row,L' with an @nonce).

    Streams (session, preview player, level player, status). A cell plays its code alone, a
    column all levels at that moment (both in the preview player); a row's Play plays that
    level alone along the whole file (in the level player), saying first that it is working.
    """
    open_file = session.open_file
    if open_file is None:
        raise ValueError(NO_GRID)
    grid = open_file.grid
    event = parse_grid_event(payload, num_levels=grid.num_levels, num_columns=grid.num_columns)
    if event is None:
        yield session, gr.skip(), gr.skip(), gr.skip()
        return
    loaded = session_model(session, open_file.model_path)
    if event.kind == "row" and event.level is not None:
        name = level_name(open_file, event.level)
        yield session, gr.skip(), gr.skip(), f"Decoding {name} alone along the file…"
        yield _row_playback(session, loaded, event.level)
    else:
        yield _preview(session, loaded, event)

"""Codes tab handlers: encode A (and B), then decode A's reconstruction while the grid is
already in use, decode what the grid is now, and answer the grid's gestures (clicks play; a
typed code, a selection, Mute and Solo go to the editor)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from distill.inference import (
    CodeGrid,
    decode_grid,
    encode_sound,
    play_level,
    preview_code,
    preview_column,
)
from distill.models.persistence import LoadedVQModel, read_model_info
from distill.ui.codes import editor
from distill.ui.codes.labels import labels_for, labels_text
from distill.ui.codes.pictures import original_pictures, remove_pictures, with_reconstruction
from distill.ui.codes.render import (
    cell_note,
    column_note,
    level_name,
    row_note,
    summary_text,
)
from distill.ui.codes.session import CodesSession, Listening, OpenFile, session_model
from distill.ui.common import audio_path_of, ui_errors, ui_errors_stream, write_scratch_wav
from distill.ui.components.code_grid import GridEvent, parse_grid_event
from distill.ui.components.grid_events import check_event_bounds

NO_MODEL = "Choose a model first (train one in the Train tab, or use the demo model)."
NO_AUDIO = "Upload an audio file first (WAV, FLAC, OGG, MP3 or AIFF), then press Encode."
NO_GRID = "Nothing to play yet: upload an audio file and press Encode first."
EDIT_KINDS = ("set", "select", "mute", "solo")


def show_original(upload: Any) -> str | None:
    """The original player plays whatever was just uploaded."""
    return audio_path_of(upload)


def _open(path: str, model_path: str, loaded: LoadedVQModel, labels: list[str]) -> OpenFile:
    grid = encode_sound(Path(path), loaded).grid.with_labels(labels)
    return OpenFile(model_path, Path(path).name, grid, grid)


@ui_errors
def encode(
    model_path: str | None,
    upload: Any,
    session: CodesSession,
    other_upload: Any = None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's way to ask for a progress bar)
) -> tuple[Any, ...]:
    """Encode A (and B, when one is uploaded) with the chosen model and draw A's grid with
    the original's spectrogram over it; `decode_reconstruction` follows.

    Returns (session, grid A, summary, original, reconstruction (cleared), label text, grid
    B, the unedited reconstruction (cleared), history line, the levels-heard slider,
    status). The edit history starts again, and so do the listening choices.
    """
    audio_path, other_path = audio_path_of(upload), audio_path_of(other_upload)
    if not model_path:
        raise ValueError(NO_MODEL)
    if not audio_path:
        raise ValueError(NO_AUDIO)
    progress(0.05, desc="Loading the model")
    loaded = session_model(session, model_path, encoding=True)
    progress(0.2, desc="Encoding")
    info = read_model_info(model_path)
    labels = labels_for(session, info)
    encoded = encode_sound(Path(audio_path), loaded)
    grid = encoded.grid.with_labels(labels)
    open_file = OpenFile(model_path, Path(audio_path).name, grid, grid)
    other = _open(other_path, model_path, loaded, labels) if other_path else None
    progress(0.8, desc="Drawing the spectrogram")
    remove_pictures(session.pictures)
    session.pictures = original_pictures(encoded, loaded.spectrogram)
    session.open_file, session.other_file = open_file, other
    session.listening = Listening()
    editor.start_history(session)
    a_html, b_html = editor.grids_html(session)
    status = "Encoded. Click a cell, a column number or a row's Play to hear the codes."
    if other is not None:
        status += " Drag across cells to select a region, then Swap or Blend with B."
    return (
        session,
        a_html,
        summary_text(open_file, info.lookup_name),
        audio_path,
        None,
        labels_text(labels),
        b_html,
        None,
        editor.history_text(session),
        gr.Slider(maximum=open_file.grid.num_levels, value=open_file.grid.num_levels),
        status,
    )


def _decode_with_picture(
    session: CodesSession, grid: CodeGrid, progress: gr.Progress, desc: str
) -> tuple[str, bool]:
    """Decode `grid` of A (reporting progress); keep it as the reconstruction and draw its
    spectrogram. Returns (the WAV, whether A is still the file that was decoded)."""
    open_file = session.open_file
    if open_file is None:
        raise ValueError(NO_GRID)
    loaded = session_model(session, open_file.model_path)
    encoded = open_file.encoded

    def report(done: float) -> None:
        progress(0.05 + 0.85 * done, desc=desc)

    report(0.0)
    audio = decode_grid(grid, loaded, on_progress=report)
    current = session.open_file is not None and session.open_file.encoded is encoded
    path = write_scratch_wav(audio, "reconstruction")
    if current and session.pictures is not None:
        progress(0.95, desc="Drawing the reconstruction's spectrogram")
        session.pictures = with_reconstruction(session.pictures, audio, grid, loaded.spectrogram)
    return session.keep_scratch("reconstruction", path), current


@ui_errors
def decode_reconstruction(
    session: CodesSession,
    progress: gr.Progress = gr.Progress(),  # noqa: B008
) -> tuple[Any, Any, Any, Any]:
    """After encode, while the grid already answers clicks: decode A as encoded. Returns
    (grid A with the reconstruction's spectrogram, reconstruction, unedited reconstruction,
    status); nothing changes if another file was encoded meanwhile."""
    open_file = session.open_file
    if open_file is None:
        raise ValueError(NO_GRID)
    path, current = _decode_with_picture(
        session, open_file.encoded, progress, "Decoding the reconstruction"
    )
    if not current:
        return gr.skip(), gr.skip(), gr.skip(), gr.skip()
    return (
        editor.grids_html(session)[0],
        path,
        path,
        f"Reconstruction of {open_file.audio_name} ready: play it beside the original, or "
        "press Δ Difference to see where it loses or adds energy.",
    )


@ui_errors
def decode(
    session: CodesSession,
    progress: gr.Progress = gr.Progress(),  # noqa: B008
) -> tuple[CodesSession, Any, str, Any]:
    """Decode A as it is now (edits included; levels muted, soloed or beyond the first k
    left out). Returns (session, reconstruction, status, grid A with its spectrogram)."""
    open_file = session.open_file
    if open_file is None:
        raise ValueError("Nothing to decode yet: upload an audio file and press Encode first.")
    path, current = _decode_with_picture(session, editor.heard_grid(session), progress, "Decoding")
    quiet = session.listening.quiet_levels(open_file.grid.num_levels)
    heard = (
        "" if not quiet else f"; levels left out: {', '.join(str(q + 1) for q in sorted(quiet))}"
    )
    seconds = open_file.grid.duration_s
    return (
        session,
        path,
        f"Decoded the grid of {open_file.audio_name} ({seconds:.2f} s){heard}. Compare it "
        "with the reconstruction before any edit.",
        editor.grids_html(session)[0] if current else gr.skip(),
    )


def _target(session: CodesSession, event: GridEvent) -> OpenFile:
    target = session.other_file if event.grid == "b" else session.open_file
    if target is None:
        raise ValueError(NO_GRID)
    return target


def _row_playback(session: CodesSession, loaded: LoadedVQModel, event: GridEvent) -> tuple:
    """One level alone along the whole file, into the level player (it moves the playhead)."""
    target, level = _target(session, event), int(event.level or 0)
    audio = play_level(target.grid, level, loaded)
    path = session.keep_scratch("row", write_scratch_wav(audio, "level"))
    return session, gr.skip(), path, gr.skip(), gr.skip(), gr.skip(), row_note(target, level)


def _preview(session: CodesSession, loaded: LoadedVQModel, event: GridEvent) -> tuple:
    """A cell's code alone, or a column's codes together, held ~1 s, into the preview player."""
    target = _target(session, event)
    grid, position = target.grid, int(event.position or 0)
    if event.kind == "cell" and event.level is not None:
        audio = preview_code(event.level, int(grid.codes[0, position, event.level]), loaded)
        note = cell_note(target, event.level, position)
    else:
        audio = preview_column(grid, position, loaded)
        note = column_note(target, position)
    if event.grid == "b":
        note = note.replace("Last click:", "Last click on B:", 1)
    path = session.keep_scratch("preview", write_scratch_wav(audio, "preview"))
    return session, path, gr.skip(), gr.skip(), gr.skip(), gr.skip(), note


def _edit(session: CodesSession, event: GridEvent) -> tuple:
    """An editor gesture: (session, no preview, no level audio, grid A, grid B, history, status)."""
    if event.kind == "set":
        update = editor.edit_cell(session, event)
    elif event.kind == "select":
        update = editor.select(session, event)
    else:
        update = editor.toggle_listening(session, event)
    session, a_html, b_html, history, status = update
    return session, gr.skip(), gr.skip(), a_html, b_html, history, status


@ui_errors_stream
def grid_click(payload: str | None, session: CodesSession) -> Iterator[tuple[Any, ...]]:
    """A gesture on grid A or B ('cell,L,P', 'col,P', 'row,L', 'set,L,P,K', 'select,...',
    'mute,L', 'solo,L', 'b:' first for B, with an @nonce).

    Streams (session, preview player, level player, grid A, grid B, history line, status). A
    cell plays its code alone, a column all levels at that moment (both in the preview
    player); a row's Play plays that level alone along the whole file (in the level player),
    saying first that it is working. Typed codes, selections, Mute and Solo go to the editor.
    """
    if session.open_file is None:
        raise ValueError(NO_GRID)
    event = parse_grid_event(payload)
    skip = gr.skip()
    if event is None:
        yield session, skip, skip, skip, skip, skip, skip
        return
    target = _target(session, event)
    check_event_bounds(event, target.grid.num_levels, target.grid.num_columns)
    if event.kind in EDIT_KINDS:
        yield _edit(session, event)
        return
    loaded = session_model(session, target.model_path)
    if event.kind == "row":
        name = level_name(target, int(event.level or 0))
        yield session, skip, skip, skip, skip, skip, f"Decoding {name} alone along the file…"
        yield _row_playback(session, loaded, event)
    else:
        yield _preview(session, loaded, event)

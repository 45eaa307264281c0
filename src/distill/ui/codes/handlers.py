"""Codes tab handlers: encode a file, decode its grid, and play what a grid click asks for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import gradio as gr

from distill.inference import (
    EncodedAudio,
    decode_code_grid,
    encode_audio_file,
    play_row_audio,
    preview_single_code,
    preview_time_slice,
)
from distill.models.persistence import LoadedVQModel, read_model_info
from distill.ui.codes.labels import labels_for, labels_text
from distill.ui.codes.render import (
    cell_note,
    column_note,
    level_name,
    render_grid,
    row_note,
    summary_text,
)
from distill.ui.codes.session import CodesSession, EncodedFile, session_model
from distill.ui.common import audio_path_of, ui_errors, ui_errors_stream, write_scratch_wav
from distill.ui.components.code_grid import GridEvent, parse_grid_event

NO_MODEL = "Choose a model first (train one in the Train tab, or use the demo model)."
NO_AUDIO = "Upload an audio file first (WAV, FLAC, OGG, MP3 or AIFF), then press Encode."
NO_GRID = "Nothing to play yet: upload an audio file and press Encode first."


def show_original(upload: Any) -> str | None:
    """The original player plays whatever was just uploaded."""
    return audio_path_of(upload)


def _decode(encoded: EncodedFile, loaded: LoadedVQModel) -> Any:
    """Full reconstruction [S] of the grid, as long and as loud as the original."""
    return decode_code_grid(
        encoded.indices,
        encoded.spatial_shape,
        encoded.mel_shape,
        loaded,
        num_samples=encoded.num_samples,
        loudness_gain=encoded.loudness_gain,
    )


def _encoded_file(result: EncodedAudio, model_path: str, audio_path: str) -> EncodedFile:
    """encode_audio_file's result, kept for this session's clicks and decodes."""
    return EncodedFile(
        model_path=model_path,
        audio_name=Path(audio_path).name,
        indices=result["indices"],
        spatial_shape=result["spatial_shape"],
        mel_shape=result["mel_shape"],
        num_levels=int(result["num_quantizers"]),
        codebook_size=int(result["codebook_size"]),
        duration_s=float(result["duration_s"]),
        loudness_gain=float(result["loudness_gain"]),
        num_samples=int(result["num_samples"]),
    )


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
    encoded = _encoded_file(encode_audio_file(Path(audio_path), loaded), model_path, audio_path)
    progress(0.5, desc="Decoding the reconstruction")
    reconstruction = session.keep_scratch(
        "reconstruction", write_scratch_wav(_decode(encoded, loaded), "reconstruction")
    )
    info = read_model_info(model_path)
    encoded.labels = labels = labels_for(session, info)
    session.encoded = encoded
    status = "Encoded. Click a cell, a column number or a row's Play to hear the codes."
    return (
        session,
        render_grid(encoded, labels),
        summary_text(encoded, info.lookup_name),
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
    encoded = session.encoded
    if encoded is None:
        raise ValueError("Nothing to decode yet: upload an audio file and press Encode first.")
    progress(0.1, desc="Decoding")
    loaded = session_model(session, encoded.model_path)
    path = write_scratch_wav(_decode(encoded, loaded), "reconstruction")
    session.keep_scratch("reconstruction", path)
    return session, path, f"Decoded the grid of {encoded.audio_name} ({encoded.duration_s:.2f} s)."


def _row_playback(session: CodesSession, loaded: LoadedVQModel, level: int) -> tuple[Any, ...]:
    """One level alone along the whole file, into the level player (it moves the playhead)."""
    encoded = cast(EncodedFile, session.encoded)
    audio = play_row_audio(
        level,
        encoded.indices,
        loaded,
        encoded.spatial_shape,
        encoded.mel_shape,
        num_samples=encoded.num_samples,
        loudness_gain=encoded.loudness_gain,
    )
    path = session.keep_scratch("row", write_scratch_wav(audio, "level"))
    return session, gr.skip(), path, row_note(encoded.labels, level)


def _preview(session: CodesSession, loaded: LoadedVQModel, event: GridEvent) -> tuple[Any, ...]:
    """A cell's code alone, or a column's codes together, held ~1 s, into the preview player."""
    encoded = cast(EncodedFile, session.encoded)
    position = cast(int, event.position)
    shapes = (encoded.spatial_shape, encoded.mel_shape)
    if event.kind == "cell" and event.level is not None:
        code = int(encoded.indices[0, position, event.level])
        audio = preview_single_code(event.level, code, loaded, *shapes)
        note = cell_note(encoded, encoded.labels, event.level, position)
    else:
        audio = preview_time_slice(position, encoded.indices, loaded, *shapes)
        note = column_note(encoded, position)
    path = session.keep_scratch("preview", write_scratch_wav(audio, "preview"))
    return session, path, gr.skip(), note


@ui_errors_stream
def grid_click(payload: str | None, session: CodesSession) -> Iterator[tuple[Any, ...]]:
    """A click on the grid ('cell,L,P', 'col,P' or 'row,L' with an @nonce).

    Streams (session, preview player, level player, status). A cell plays its code alone, a
    column all levels at that moment (both in the preview player); a row's Play plays that
    level alone along the whole file (in the level player), saying first that it is working.
    """
    encoded = session.encoded
    if encoded is None:
        raise ValueError(NO_GRID)
    event = parse_grid_event(
        payload, num_levels=encoded.num_levels, num_columns=encoded.num_columns
    )
    if event is None:
        yield session, gr.skip(), gr.skip(), gr.skip()
        return
    loaded = session_model(session, encoded.model_path)
    if event.kind == "row" and event.level is not None:
        name = level_name(encoded.labels, event.level)
        yield session, gr.skip(), gr.skip(), f"Decoding {name} alone along the file…"
        yield _row_playback(session, loaded, event.level)
    else:
        yield _preview(session, loaded, event)

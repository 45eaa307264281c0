"""Opening files in the Codes tab: encode A (and B), then decode A's reconstruction while
the grid already answers clicks; Decode what the grid is now; export it. Each handler returns
a view record (views.py); long work stops when its page has gone (`CodesSession.check`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np

from distill.inference import CodeGrid, decode_grid, encode_sound, write_codes_json
from distill.models.persistence import LoadedVQModel, read_model_info
from distill.ui.codes.edits import heard_grid
from distill.ui.codes.labels import labels_for, labels_text
from distill.ui.codes.pictures import (
    PictureState,
    decoded_pictures,
    original_pictures,
    with_reconstruction,
)
from distill.ui.codes.render import grid_html, toolbar
from distill.ui.codes.session import CodesSession, long_job
from distill.ui.codes.state import CodesState, Editor, OpenFile, TakeStrip, opened
from distill.ui.codes.views import KEEP, DecodeView, ExportView, OpenView, Player
from distill.ui.common import (
    audio_path_of,
    export_path,
    removed_on_failure,
    write_scratch_audio,
    write_scratch_wav,
)

NO_MODEL = "Choose a model first (train one in the Train tab, or use the demo model)."
NO_AUDIO = "Upload an audio file first (WAV, FLAC, OGG, MP3 or AIFF), then press Encode."
NO_GRID = "Nothing to decode yet: upload an audio file and press Encode first."
EXPORT_FORMATS = {"WAV (24-bit)": ("wav", "PCM_24"), "FLAC": ("flac", "PCM_24")}
ENCODED = "Encoded. Click a cell, a column number or a row's Play to hear the codes."
WITH_B = " Drag across cells to select a region, then Swap or Blend with B."
ORIGINAL = "Original"


def open_view(state: CodesState, status: str, original: Player, playing: str | None) -> OpenView:
    """The page showing `state`'s files anew: grids, bar, players (`original` for the
    original player, `playing` for the reconstruction and before-any-edit players)."""
    assert state.editor is not None
    grid = state.editor.grids.a
    return OpenView(
        grid_a=grid_html(state, "a"),
        grid_b=grid_html(state, "b"),
        toolbar=toolbar(state),
        status=status,
        labels=labels_text(grid.level_labels),
        levels=grid.num_levels,
        original=original,
        reconstruction=playing,
        unedited=playing,
    )


def open_decoded(
    session: CodesSession,
    model_path: str,
    grid: CodeGrid,
    name: str,
    status: str,
    take: str | None,
    strip: TakeStrip | None = None,
) -> OpenView:
    """A grid with no audio file behind it (a generated take, the codes a model keeps of a
    training file) opened in A like an encoded file: its decode in the players and over the
    grid, B kept when the same model made it, a fresh history. `take`: CodesState.take;
    `strip`: a new takes strip it is one of, shown from the same moment (None: as it was)."""
    loaded = session.model(model_path)
    info = read_model_info(model_path)
    grid = grid.with_labels(labels_for(session.state, info))
    audio = decode_grid(grid, loaded)
    session.check()
    path = session.keep_scratch("generated", write_scratch_wav(audio, "generated"))
    pictures = decoded_pictures(audio, grid, loaded.spectrogram)
    a = OpenFile(model_path, name, grid, None, pictures, info.lookup_name)

    def opened_decoded(state: CodesState) -> CodesState:
        b = state.b if state.b is not None and state.b.model_path == model_path else None
        takes = strip if strip is not None else state.takes
        return replace(opened(state, a, b), reconstructed=True, take=take, takes=takes)

    state = session.update(opened_decoded)
    return open_view(state, status, Player(path, f"{ORIGINAL}: {name}, decoded"), path)


def _encode_file(
    path: str,
    model_path: str,
    model_name: str,
    loaded: LoadedVQModel,
    labels: list[str],
    report: Callable[[float], None],
    decoded_rows: bool = True,
) -> OpenFile:
    encoded = encode_sound(Path(path), loaded, on_progress=report)
    grid = encoded.grid.with_labels(labels)
    pictures = original_pictures(encoded, loaded.spectrogram, decoded_rows)
    return OpenFile(model_path, Path(path).name, grid, path, pictures, model_name)


@long_job
def encode(
    model_path: str | None,
    upload: Any,
    session: CodesSession,
    other_upload: Any = None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's way to ask for a progress bar)
) -> OpenView:
    """Encode A (and B, when one is uploaded) with the chosen model and draw A's grid with
    the original's spectrogram over it; `decode_reconstruction` follows. The edit history
    starts again, and so do the listening choices and the blend sliders."""
    audio_path, other_path = audio_path_of(upload), audio_path_of(other_upload)
    if not model_path:
        raise ValueError(NO_MODEL)
    if not audio_path:
        raise ValueError(NO_AUDIO)
    progress(0.05, desc="Loading the model")
    loaded = session.model(model_path, encoding=True)
    info = read_model_info(model_path)
    labels = labels_for(session.state, info)
    parts = 2 if other_path else 1
    a = _encode_file(
        audio_path,
        model_path,
        info.lookup_name,
        loaded,
        labels,
        session.progress(lambda done: progress(0.1 + 0.8 * done / parts, desc="Encoding A")),
    )
    b = None
    if other_path:
        b = _encode_file(
            other_path,
            model_path,
            info.lookup_name,
            loaded,
            labels,
            session.progress(lambda done: progress(0.5 + 0.4 * done, desc="Encoding B")),
            decoded_rows=False,  # B is never decoded: its original's picture alone
        )
    session.check()
    state = session.update(lambda current: opened(current, a, b))
    status = ENCODED + (WITH_B if b is not None else "")
    return open_view(state, status, Player(audio_path, ORIGINAL), None)


@long_job
def decode_reconstruction(
    session: CodesSession,
    progress: gr.Progress = gr.Progress(),  # noqa: B008
) -> DecodeView | None:
    """After an encode, while the grid already answers clicks: decode A as encoded into the
    reconstruction (and its spectrogram). Nothing changes when there is nothing to decode
    or another file was opened meanwhile."""
    state = session.state
    a = state.a
    if a is None or state.reconstructed:
        return None
    loaded = session.model(a.model_path)
    report = session.progress(
        lambda done: progress(0.05 + 0.85 * done, desc="Decoding the reconstruction")
    )
    audio = decode_grid(a.encoded, loaded, on_progress=report)
    path = session.keep_scratch("reconstruction", write_scratch_wav(audio, "reconstruction"))
    if session.state.a is not a:  # another file was opened meanwhile: it decodes its own
        return None
    progress(0.95, desc="Drawing the reconstruction's spectrogram")
    pictures = _drawn(a, audio, a.encoded, loaded)

    def decoded(current: CodesState) -> CodesState:
        if current.a is not a:  # another file was opened meanwhile: it decodes its own
            return current
        return replace(current, a=replace(a, pictures=pictures), reconstructed=True)

    after = session.update(decoded)
    if not after.reconstructed or after.a is None or after.a.encoded is not a.encoded:
        return None
    return DecodeView(
        grid_a=grid_html(after, "a"),
        reconstruction=path,
        unedited=path,
        status=(
            f"Reconstruction of {a.name} ready: play it beside the original, or press "
            "Δ Difference to see where it loses or adds energy."
        ),
    )


def _drawn(
    a: OpenFile, audio: np.ndarray, grid: CodeGrid, loaded: LoadedVQModel
) -> PictureState | None:
    """A's pictures with `audio` (a decode of `grid`) as the reconstruction; None when A has
    none, or its folder went with it (another file was opened meanwhile)."""
    if a.pictures is None:
        return None
    try:
        return with_reconstruction(a.pictures, audio, grid, loaded.spectrogram)
    except FileNotFoundError:
        return None


def _export_stem(a: OpenFile, editor: Editor) -> str:
    """The file name an export gets: the file's, with '-edited' once its grid differs."""
    return f"{a.stem}-edited" if editor.grids.a != a.encoded else a.stem


@long_job
def decode(
    session: CodesSession,
    progress: gr.Progress = gr.Progress(),  # noqa: B008
) -> DecodeView:
    """Decode A as it is now (edits included; levels muted, soloed or beyond the first k
    left out) into the reconstruction player, and draw its spectrogram."""
    state = session.state
    a, editor = state.a, state.editor
    if a is None or editor is None:
        raise ValueError(NO_GRID)
    heard = heard_grid(editor)
    loaded = session.model(a.model_path)
    report = session.progress(lambda done: progress(0.05 + 0.85 * done, desc="Decoding"))
    audio = decode_grid(heard, loaded, on_progress=report)
    path = session.keep_scratch("reconstruction", write_scratch_wav(audio, "reconstruction"))
    pictures = _drawn(a, audio, heard, loaded)

    def decoded(current: CodesState) -> CodesState:
        if current.a is None or current.a.encoded is not a.encoded:
            return current
        return replace(current, a=replace(current.a, pictures=pictures or current.a.pictures))

    after = session.update(decoded)
    same = after.a is not None and after.a.encoded is a.encoded
    quiet = editor.listening.quiet_levels(heard.num_levels)
    left_out = (
        "" if not quiet else f"; levels left out: {', '.join(str(q + 1) for q in sorted(quiet))}"
    )
    return DecodeView(
        grid_a=grid_html(after, "a") if same else KEEP,
        reconstruction=path,
        status=(
            f"Decoded the grid of {a.name} ({heard.duration_s:.2f} s){left_out}. Compare it with "
            "the reconstruction before any edit."
        ),
    )


@long_job
def export_audio(session: CodesSession, kind: str | None) -> ExportView:
    """A as heard now (edits and listening choices) as a 24-bit WAV or FLAC to download."""
    state = session.state
    a, editor = state.a, state.editor
    if a is None or editor is None:
        raise ValueError(NO_GRID.replace("decode", "export"))
    suffix, subtype = EXPORT_FORMATS.get(kind or "", EXPORT_FORMATS["WAV (24-bit)"])
    heard = heard_grid(editor)
    audio = decode_grid(heard, session.model(a.model_path))
    path = write_scratch_audio(audio, _export_stem(a, editor), suffix, subtype, heard.sample_rate)
    session.keep_scratch("export", path)
    return ExportView(path, f"Exported {a.name} as it is now: {Path(path).name}.")


def export_codes(session: CodesSession) -> ExportView:
    """A's grid as a codes JSON file (with the list of what was done to it) to download."""
    state = session.state
    a, editor = state.a, state.editor
    if a is None or editor is None:
        raise ValueError(NO_GRID.replace("decode", "export"))
    path = export_path(_export_stem(a, editor), ".codes.json")
    with removed_on_failure(path):
        write_codes_json(path, editor.grids.a, a.model_path)
    session.keep_scratch("export", path)
    return ExportView(path, f"Exported the codes of {a.name} as {Path(path).name}.")

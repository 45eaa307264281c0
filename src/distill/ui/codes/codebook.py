"""The palette's side of the fast path: a level's codebook (every code's colour, use in the
training files and log-mel thumbnail), one code heard alone, where a code lives in the
training files, and a second of one of those moments. Routes beside fast.py's, keyed by the
page's session the same way; the page draws and plays them (palette.js).

The codebook is that of the model of the file open in A (the palette follows the grid).
Showing a level's palette also starts making, in the background, the previews a hand is
about to ask for (warm.py).
"""

from __future__ import annotations

import base64
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from distill.demo.sounds import DEMO_SOUNDS_DIR
from distill.inference.grid import CodeGrid
from distill.inference.palette import (
    code_places,
    level_palette,
    moment_sound,
    source_folders,
    training_file,
)
from distill.inference.threads import one_thread
from distill.models.labels import get_level_labels
from distill.models.persistence import DEMO_MODEL_PATH, LoadedVQModel
from distill.ui.codes.fast import NO_GRID, ROUTE, audio_answer, clip_model, refuse, session_of
from distill.ui.codes.session import CodesSession
from distill.ui.codes.sound import Clip, code_clip, pcm16
from distill.ui.codes.warm import WARMER, warm_order
from distill.ui.common import model_choices
from distill.ui.components.colours import code_colours

router = APIRouter(prefix=ROUTE)


class LevelAsk(BaseModel):
    level: int


class CodeAsk(BaseModel):
    """A code of a level of A's model, or of `model` (a path the Library lists)."""

    level: int
    code: int
    model: str | None = None


class MomentAsk(BaseModel):
    file: str
    column: int
    columns: int = 1
    model: str | None = None


def _model(session: CodesSession, model: str | None = None) -> tuple[str, LoadedVQModel]:
    """The weights' key and the model of the file open in A (ValueError when none), or the
    Library's `model` (one of the models it lists: a page names no other file)."""
    if model is not None:
        return library_model(session, model)
    a = session.state.a
    if a is None:
        raise ValueError(NO_GRID)
    return clip_model(session, a.model_path)


def library_model(session: CodesSession, model: str) -> tuple[str, LoadedVQModel]:
    """A model the Library lists, kept apart from A's (looking one up does not unload A's)."""
    if model not in {path for _, path in model_choices()}:
        raise ValueError("That model is not in the Library any more: choose it again there.")
    return clip_model(session, model, session.library_models)


def _label(session: CodesSession, level: int, library: LoadedVQModel | None = None) -> str:
    """A level's name: as grid A names it, or as the Library's model `library` does."""
    if library is not None:
        labels = get_level_labels(library.model.num_quantizers, library.metadata.level_labels)
    else:
        editor = session.state.editor
        labels = list(editor.grids.a.level_labels) if editor is not None else []
    return labels[level] if 0 <= level < len(labels) else f"Level {level + 1}"


def _open_grids(session: CodesSession) -> list[CodeGrid]:
    """A's grid as it is now, and B's when the same model made it (its previews are A's)."""
    state = session.state
    a, b, editor = state.a, state.b, state.editor
    if a is None or editor is None:
        return []
    grids = [editor.grids.a]
    if b is not None and editor.grids.b is not None and b.model_path == a.model_path:
        grids.append(editor.grids.b)
    return grids


def folders(loaded: LoadedVQModel) -> list[Path]:
    """Where the model's training files may be: the folders it recorded, and the bundled
    sounds for the demo model."""
    found = source_folders(loaded)
    if loaded.path is not None and loaded.path.resolve() == DEMO_MODEL_PATH.resolve():
        found.append(DEMO_SOUNDS_DIR)
    return found


@router.post("/palette")
def palette(body: LevelAsk, request: Request) -> JSONResponse:
    """Every code of a level: colour, uses, thumbnail (base64 uint8 [K, bands, frames])."""
    session = session_of(request)
    try:
        weights, loaded = _model(session)
        with one_thread():
            shown = level_palette(loaded, body.level)
    except Exception as error:
        return refuse(error)
    WARMER.ask(session, weights, loaded, warm_order(_open_grids(session), shown.level, shown.order))
    size, bands, frames = shown.thumbnails.shape
    uses = shown.uses.tolist() if shown.uses is not None else None
    colours = [code_colours(code) for code in range(size)]
    return JSONResponse(
        {
            "ok": True,
            "level": shown.level,
            "label": _label(session, shown.level),
            "levels": loaded.model.num_quantizers,
            "size": size,
            "order": shown.order,
            "uses": uses,
            "colours": [c[0] for c in colours],
            "texts": [c[1] for c in colours],
            "bands": bands,
            "frames": frames,
            "thumbs": base64.b64encode(shown.thumbnails.tobytes()).decode("ascii"),
        }
    )


@router.post("/code")
def code(body: CodeAsk, request: Request) -> Response:
    """One code of one level alone, held ~1 s (a swatch heard)."""
    session = session_of(request)
    try:
        weights, loaded = _model(session)
        clip = code_clip(weights, body.level, body.code, loaded)
    except Exception as error:
        return refuse(error)
    label = _label(session, body.level)
    return audio_answer(clip, f"Code {body.code} of {label} (level {body.level + 1}), alone.")


@router.post("/places")
def places(body: CodeAsk, request: Request) -> JSONResponse:
    """Where a code lives: its files and its longest runs, each marked playable from the
    original (the file is here) or from the model's decode of its kept grid."""
    session = session_of(request)
    try:
        _, loaded = _model(session, body.model)
        found = code_places(loaded, body.level, body.code)
    except Exception as error:
        return refuse(error)
    where = folders(loaded)
    here = {
        name: training_file(name, where) is not None for name in {m.file for m in found.moments}
    }
    return JSONResponse(
        {
            "ok": True,
            "level": found.level,
            "code": found.code,
            "label": _label(session, found.level, loaded if body.model is not None else None),
            "total": found.total,
            "num_files": found.num_files,
            "files": [[name, count] for name, count in found.files],
            "moments": [
                {
                    "file": m.file,
                    "column": m.column,
                    "columns": m.columns,
                    "start_s": round(m.start_s, 3),
                    "held_out": m.held_out,
                    "original": here[m.file],
                }
                for m in found.moments
            ],
        }
    )


@router.post("/moment")
def moment(body: MomentAsk, request: Request) -> Response:
    """A moment of a training file, heard with a little around it."""
    session = session_of(request)
    try:
        _, loaded = _model(session, body.model)
        with one_thread():
            sound = moment_sound(loaded, body.file, body.column, body.columns, folders(loaded))
    except Exception as error:
        return refuse(error)
    what = "the original" if sound.original else "the model's decode (the file is not here)"
    note = f"{body.file} at {sound.start_s:.2f} s, column {body.column}: {what}."
    return audio_answer(Clip(pcm16(sound.audio), sound.rate), note)

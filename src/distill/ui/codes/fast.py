"""The fast path for hot gestures: small routes on the FastAPI app Gradio runs on, so a click
sounds and an edit shows without Gradio's event queue, a WAV written and fetched, or a whole
grid resent (DESIGN.md 16).

Every request names its page (Gradio's session hash) and carries that page's own key
(`CodesSession.key`, sent to the page when it opened); any other key is refused. Previews
answer with 16-bit PCM the page plays through Web Audio; a level's Play and the transport
stream PCM while it is decoded; edits answer with `answers.EditAnswer` (changed cells only).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from distill.inference.grid import CodeGrid
from distill.inference.threads import one_thread
from distill.models.cache import ModelCache
from distill.models.persistence import LoadedVQModel
from distill.ui.codes import edits
from distill.ui.codes.answers import edit_answer, refused
from distill.ui.codes.render import cell_note, column_note, grid_html, row_note
from distill.ui.codes.requests import (
    Gesture,
    LevelPlay,
    Preview,
    TakePlay,
    TransportPlay,
    index,
    transition,
)
from distill.ui.codes.session import ENDED, SESSIONS, CodesSession
from distill.ui.codes.sound import Clip, code_clip, column_clip, grid_pieces, level_pieces
from distill.ui.codes.state import CodesState, Side
from distill.ui.codes.takes import picked_take
from distill.ui.common import user_message, without_upload_folders

ROUTE = "/distill/codes"
PAGE_HEADER, KEY_HEADER = "x-distill-page", "x-distill-key"
NO_GRID = "Nothing to play yet: upload an audio file and press Encode first."
logger = logging.getLogger(__name__)
router = APIRouter(prefix=ROUTE)


def session_of(request: Request) -> CodesSession:
    """The requesting page's session, if its key is that session's own (403 otherwise)."""
    session = SESSIONS.find(request.headers.get(PAGE_HEADER), request.headers.get(KEY_HEADER))
    if session is None:
        raise HTTPException(status_code=403, detail=ENDED)
    return session


def _message(error: Exception) -> str:
    if not isinstance(error, (ValueError, OSError)):
        logger.exception("unexpected error on the Codes tab's fast path", exc_info=error)
    return without_upload_folders(user_message(error))


def refuse(error: Exception, state: CodesState | None = None) -> JSONResponse:
    return JSONResponse(refused(_message(error), state).as_json(), status_code=422)


def _open_grid(state: CodesState, side: Side) -> tuple[str, CodeGrid]:
    """The model path and grid open on `side` (ValueError when none)."""
    open_file, editor = state.file(side), state.editor
    grid = editor.grids.grid(side) if editor is not None else None
    if open_file is None or grid is None:
        raise ValueError(NO_GRID)
    return open_file.model_path, grid


def clip_model(
    session: CodesSession, model_path: str, models: ModelCache | None = None
) -> tuple[str, LoadedVQModel]:
    """The model at `model_path` (from `models`; the session's own, A's, by default) and the
    key its previews are kept under (its weights)."""
    models = models or session.models
    loaded = models.model(model_path)
    entry = models.entry
    return (entry.weights if entry is not None else model_path), loaded


def audio_answer(clip: Clip, note: str) -> Response:
    headers = {"X-Distill-Status": quote(note), "X-Distill-Rate": str(clip.sample_rate)}
    return Response(clip.pcm, media_type="application/octet-stream", headers=headers)


@dataclass(frozen=True)
class Stream:
    """A sound to stream: PCM pieces as they are decoded, and what the page is told."""

    pieces: Iterator[bytes]
    rate: int
    samples: int
    note: str
    start_s: float = 0.0


def _streamed(
    request: Request,
    side: Side | Callable[[CodesState], tuple[str, CodeGrid]],
    make: Callable[[CodesState, CodeGrid, LoadedVQModel], Stream],
) -> Response:
    """The sound `make` builds from the grid open on `side` (or the model path and grid a
    function of the state picks), streamed; its first piece is decoded before answering, so
    a failure is a message, not a broken stream."""
    session = session_of(request)
    state = session.state
    try:
        model_path, grid = side(state) if callable(side) else _open_grid(state, side)
        stream = make(state, grid, session.model(model_path))
        first = next(stream.pieces, b"")
    except Exception as error:
        return refuse(error, state)
    headers = {
        "X-Distill-Status": quote(stream.note),
        "X-Distill-Rate": str(stream.rate),
        "X-Distill-Samples": str(stream.samples),
        "X-Distill-Start": f"{stream.start_s:.6f}",
    }
    body = itertools.chain([first], stream.pieces)
    return StreamingResponse(body, media_type="application/octet-stream", headers=headers)


@router.post("/preview")
def preview(body: Preview, request: Request) -> Response:
    """A cell's code alone, or a column's codes together, held ~1 s."""
    session = session_of(request)
    state = session.state
    try:
        model_path, grid = _open_grid(state, body.side)
        weights, loaded = clip_model(session, model_path)
        if body.kind == "cell":
            level = index(body.level, grid.num_levels, "level")
            column = index(body.column, grid.num_columns, "column")
            code = int(grid.codes[0, column, level])
            if code < 0:
                raise ValueError(f"Level {level + 1} is silent at column {column}.")
            return audio_answer(
                code_clip(weights, level, code, loaded), cell_note(grid, level, column, body.side)
            )
        column = index(body.column, grid.num_columns, "column")
        return audio_answer(
            column_clip(weights, grid, column, loaded), column_note(grid, column, body.side)
        )
    except Exception as error:
        return refuse(error, state)


@router.post("/level")
def level(body: LevelPlay, request: Request) -> Response:
    """One level alone along the whole file, streamed as it is decoded."""

    def make(state: CodesState, grid: CodeGrid, loaded: LoadedVQModel) -> Stream:
        chosen = index(body.level, grid.num_levels, "level")
        rate = loaded.spectrogram.config.sample_rate
        pieces = level_pieces(grid, chosen, loaded)
        return Stream(pieces, rate, grid.num_samples, row_note(grid, chosen, body.side))

    return _streamed(request, body.side, make)


@router.post("/play")
def play(body: TransportPlay, request: Request) -> Response:
    """Grid A as it is now, as heard (mute, solo, first levels), the whole file or the
    selection's columns, streamed as it is decoded."""

    def make(state: CodesState, grid: CodeGrid, loaded: LoadedVQModel) -> Stream:
        assert state.editor is not None  # _open_grid found A
        heard = edits.heard_grid(state.editor, body.before)
        selection = state.editor.selection
        columns = None
        if body.columns is not None:
            first, end = body.columns
            columns = (max(0, first), min(heard.num_columns, end))
        elif body.range == "selection" and selection is not None and selection.side == "a":
            columns = (selection.region.columns[0], selection.region.columns[1] + 1)
        start, end = columns or (0, heard.num_columns)
        rate = loaded.spectrogram.config.sample_rate
        samples = min(heard.num_samples, round(end * heard.seconds_per_column * rate)) - round(
            start * heard.seconds_per_column * rate
        )
        what = "the selection" if columns else "the whole file"
        if body.columns is not None:
            what = f"columns {start}-{end - 1}"
        when = "before the last edit" if body.before else "now"
        note = f"Playing {what} as the grid holds it {when} (space bar: stop)."
        pieces = grid_pieces(heard, loaded, columns)
        return Stream(pieces, rate, samples, note, heard.column_time(start))

    return _streamed(request, "a", make)


@router.post("/take")
def take(body: TakePlay, request: Request) -> Response:
    """One take of the last Generate, whole, streamed as it is decoded."""

    def pick(state: CodesState) -> tuple[str, CodeGrid]:
        strip, chosen = picked_take(state, {"take": body.take})
        return strip.model_path, strip.takes[chosen].grid

    def make(state: CodesState, grid: CodeGrid, loaded: LoadedVQModel) -> Stream:
        strip, chosen = picked_take(state, {"take": body.take})
        rate = loaded.spectrogram.config.sample_rate
        what = f"take {strip.takes[chosen].number} of seed {strip.seed}"
        note = f"Playing {what} ({grid.duration_s:.1f} s); its Open in A puts it in grid A."
        return Stream(grid_pieces(grid, loaded, None), rate, grid.num_samples, note)

    return _streamed(request, pick, make)


@router.post("/edit")
def edit(body: Gesture, request: Request) -> JSONResponse:
    """An editor gesture on A or B; the answer carries only what changed."""
    session = session_of(request)
    before = session.state
    try:
        editor = before.editor
        if editor is None or before.a is None:
            raise ValueError("Nothing to edit yet: upload an audio file and press Encode first.")
        loaded = session.model(before.a.model_path) if body.op == "blend" else None
        with session.lock:
            before = session.state
            assert before.editor is not None
            with one_thread():  # a blend on a busy machine: see inference.threads
                done = transition(before.editor, body, loaded)
            after = session.commit(replace(before, editor=done.editor))
    except Exception as error:
        return refuse(error, before)
    return JSONResponse(edit_answer(before, after, done.status, body.version).as_json())


@router.post("/grid")
def grid(request: Request) -> JSONResponse:
    """Both grids drawn anew (a page that lost track of its version asks for this)."""
    state = session_of(request).state
    version = state.editor.version if state.editor is not None else 0
    return JSONResponse(
        {"version": version, "a": grid_html(state, "a"), "b": grid_html(state, "b")}
    )

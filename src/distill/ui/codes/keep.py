"""Keeping work: save the Codes tab's session to a file, open one (from an upload, the page's
last autosave, or `distill ui --session`). Opening finds the model the session names and
refuses one whose weights differ; A's and B's audio files are used again when they are still
there unchanged (their spectrograms redrawn from them), else A's grid as encoded is decoded
for its picture and players. Everything is checked before the page changes."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import gradio as gr

from distill.demo.sounds import DEMO_SOUNDS_DIR
from distill.inference import CodeGridError, check_code_grid, decode_grid, encode_sound
from distill.models.cache import model_sha256
from distill.models.library import find_model, list_models
from distill.models.persistence import LoadedVQModel, ModelFileError, models_dir, read_model_info
from distill.ui.codes.keep_format import (
    SUFFIX,
    SavedFile,
    SavedSession,
    SessionFileError,
    SessionSource,
    StoredModel,
    write_session,
)
from distill.ui.codes.keep_read import read_session
from distill.ui.codes.opening import open_view
from distill.ui.codes.pictures import decoded_pictures, original_pictures
from distill.ui.codes.session import CodesSession, long_job
from distill.ui.codes.state import CodesState, OpenFile
from distill.ui.codes.views import KEEP, ExportView, Maybe, OpenView, Player
from distill.ui.common import (
    audio_path_of,
    export_path,
    removed_on_failure,
    scratch_folder,
    write_scratch_wav,
)

NOTHING = "Nothing to save yet: encode a file (or generate one) first."
NO_FILE = "Choose a session file (NAME.distill-session) to open."


@dataclass(frozen=True)
class LevelsHeard:
    """The levels-heard slider: how many levels there are and how many are heard."""

    maximum: int
    value: int


@dataclass(frozen=True)
class SessionView:
    """A session opened: the page shows its files as newly opened ones, the model selector
    names its model and the levels-heard slider stands where the session left it."""

    grid_a: str
    grid_b: str
    toolbar: str
    status: str
    labels: str
    levels: LevelsHeard
    original: Player
    reconstruction: str | None
    unedited: str | None
    model: str
    exported: None = None
    result: Maybe[str] = KEEP


def session_source(session: CodesSession) -> SessionSource:
    """What a session file of this page holds now (ValueError when nothing is open)."""
    state = session.state
    a, editor = state.a, state.editor
    if a is None or editor is None:
        raise ValueError(NOTHING)
    entry = session.models.entry
    weights = entry.weights if entry is not None and entry.path == a.model_path else None
    try:
        display = read_model_info(a.model_path).display_name
        weights = weights or model_sha256(a.model_path)
    except (ModelFileError, OSError) as error:
        if weights is None:
            message = f"Cannot save: the model of this grid is unreadable ({error})."
            raise ValueError(message) from None
        display = a.model_name
    model = StoredModel(a.model_name, weights, display)
    labels = state.labels_of(a.model_path)
    return SessionSource(a, state.b, editor, model, labels)


def save_session(session: CodesSession) -> ExportView:
    """The page's session as NAME.distill-session to download."""
    source = session_source(session)
    path = export_path(source.a.stem, SUFFIX)
    with removed_on_failure(path):
        write_session(path, source)
    session.keep_scratch("export", path)
    history = source.editor.history
    return ExportView(
        path,
        f"Saved the session ({history.position} of {history.length} edits) as "
        f"{Path(path).name}: open it again with Open a session, or `distill ui --session FILE`.",
    )


def session_model(saved: SavedSession) -> Path:
    """The model file the session was saved with: by its name, else any model with the same
    weights (renamed since); SessionFileError when none has them."""
    name, weights = saved.model.name, saved.model.sha256
    try:
        path: Path | None = find_model(name)
    except ModelFileError:
        path = None
    if path is not None and model_sha256(path) == weights:
        return path
    for info in list_models():
        if info.path != path and model_sha256(info.path) == weights:
            return info.path
    if path is not None:
        raise SessionFileError(
            f"The model '{name}' has changed since {saved.path.name} was saved: its weights "
            "differ (it was retrained or replaced), so the session's codes would not mean what "
            "they did. Nothing was opened; open the session where that model is unchanged."
        )
    raise SessionFileError(
        f"{saved.path.name} was made with the model '{name}', which is not in your models "
        f"folder ({models_dir()}) under any name. Nothing was opened; put that .distill file "
        "back there and open the session again."
    )


def _unchanged(saved: SavedFile) -> str | None:
    """The file's audio file when it is still there at the size it had (None otherwise)."""
    source = saved.source
    if source is None or saved.source_bytes is None:
        return None
    path = Path(source)
    return source if path.is_file() and path.stat().st_size == saved.source_bytes else None


@dataclass(frozen=True)
class _Opened:
    file: OpenFile
    heard_from_source: bool  # its original audio file is there and encodes to the same grid


def _open_file(
    saved: SavedFile, model_path: str, model_name: str, loaded: LoadedVQModel, side: str
) -> _Opened:
    """A saved file opened: its pictures drawn from its audio file when that still encodes to
    the saved grid (the original is then heard from it), else none yet."""
    source = _unchanged(saved)
    pictures = None
    if source is not None:
        encoded = encode_sound(Path(source), loaded)
        if encoded.grid == saved.encoded:
            pictures = original_pictures(encoded, loaded.spectrogram, decoded_rows=side == "a")
        else:
            source = None
    grid = saved.encoded
    opened = OpenFile(model_path, saved.name, grid, saved.source, pictures, model_name)
    return _Opened(opened, source is not None)


def _playable(source: str) -> str:
    """A path Gradio may serve: the file itself when it is in the temp folder or the demo
    sounds, else a copy in the scratch folder."""
    resolved = Path(source).resolve()
    for folder in (Path(tempfile.gettempdir()).resolve(), DEMO_SOUNDS_DIR.resolve()):
        if resolved.is_relative_to(folder):
            return source
    copy = scratch_folder() / f"distill-original-{resolved.name}"
    shutil.copyfile(resolved, copy)
    return str(copy)


def open_saved(session: CodesSession, saved: SavedSession, progress: Any = None) -> SessionView:
    """The saved session made this page's: checked with its model first (nothing changes
    on a refusal), then shown as a newly opened file, its history where it was."""
    report = progress or (lambda *_args, **_kwargs: None)
    report(0.05, desc="Finding the session's model")
    model_path = str(session_model(saved))
    info = read_model_info(model_path)
    loaded = session.model(model_path, encoding=True)
    _check_fits(saved, loaded)
    report(0.2, desc="Drawing A")
    a = _open_file(saved.a, model_path, info.lookup_name, loaded, "a")
    b = None
    if saved.b is not None:
        report(0.5, desc="Drawing B")
        b = _open_file(saved.b, model_path, info.lookup_name, loaded, "b")
    session.check()
    a_file, reconstruction = a.file, None
    if a.heard_from_source:
        assert a_file.source is not None
        original = Player(_playable(a_file.source), "Original")
    else:
        why = "it was generated" if saved.a.source is None else "its audio file is gone or changed"
        original = Player(None, f"Original: not in the session ({why})")
        report(0.7, desc="Decoding A as first encoded")
        audio = decode_grid(a_file.encoded, loaded)
        reconstruction = session.keep_scratch(
            "reconstruction", write_scratch_wav(audio, "reconstruction")
        )
        pictures = decoded_pictures(audio, a_file.encoded, loaded.spectrogram)
        a_file = replace(a_file, pictures=pictures)
    decoded = reconstruction is not None
    state = session.update(lambda now: _restored(now, saved, a_file, b, model_path, decoded))
    view = open_view(state, _status(saved, a.heard_from_source), original, reconstruction)
    return _session_view(view, state, model_path)


def _restored(
    current: CodesState,
    saved: SavedSession,
    a: OpenFile,
    b: _Opened | None,
    model_path: str,
    decoded: bool,
) -> CodesState:
    """The page's state with the session's files and editor (a newer version than the page
    shows); `decoded`: A's reconstruction is already decoded."""
    version = current.editor.version + 1 if current.editor is not None else 1
    editor = replace(saved.editor, version=version)
    state = replace(
        current,
        a=a,
        b=b.file if b is not None else None,
        editor=editor,
        reconstructed=decoded,
        take=None,
    )
    if saved.labels is not None:
        state = state.with_labels(model_path, list(saved.labels))
    return state


def _check_fits(saved: SavedSession, loaded: LoadedVQModel) -> None:
    """Every grid of the session fits the model (its weights matched: this is a last check
    of the levels, codebook and time axis, SessionFileError if not)."""
    states = saved.editor.history.states
    grids = [saved.a.encoded, *(g for s in states for g in (s.a, s.b) if g is not None)]
    try:
        for grid in grids:
            check_code_grid(grid, loaded)
    except CodeGridError as error:
        raise SessionFileError(f"{saved.path.name} does not fit its model: {error}") from None


def _status(saved: SavedSession, heard: bool) -> str:
    when = saved.saved_at.strftime("%Y-%m-%d %H:%M")
    where = (
        "The original is heard from its audio file."
        if heard
        else "Its original audio is not in the session: the players and the picture are "
        "decoded from A's grid as first encoded."
    )
    return (
        f"Opened the session saved {when} ({saved.summary()}). Undo and Redo go on through "
        f"its history. {where}"
    )


def _session_view(view: OpenView, state: CodesState, model_path: str) -> SessionView:
    assert state.editor is not None
    heard = state.editor.listening.first_levels or view.levels
    return SessionView(
        grid_a=view.grid_a,
        grid_b=view.grid_b,
        toolbar=view.toolbar,
        status=view.status,
        labels=view.labels,
        levels=LevelsHeard(view.levels, heard),
        original=view.original,
        reconstruction=view.reconstruction,
        unedited=view.reconstruction,
        model=model_path,
    )


@long_job
def open_session(
    upload: Any,
    session: CodesSession,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's way to ask for a progress bar)
) -> SessionView:
    """A session file from the upload box opened in the page."""
    path = audio_path_of(upload)
    if not path:
        raise ValueError(NO_FILE)
    return open_saved(session, read_session(path), progress)

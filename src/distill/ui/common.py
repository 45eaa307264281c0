"""Helpers every tab shares: one clear message per failure, scratch audio files, uploads, and
how models are listed in the model selectors (their names come from ModelInfo.display_name)."""

from __future__ import annotations

import contextlib
import functools
import html
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import gradio as gr
import numpy as np

from distill.files import describe_os_error
from distill.models.library import list_models
from distill.models.persistence import ModelInfo, models_dir

P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger(__name__)

PREVIEW_SUBTYPE = "PCM_16"  # previews are for listening only: small files, quick to fetch
SCRATCH_FOLDER = "distill-ui"  # inside the system temp folder, which Gradio may serve from


def user_message(error: BaseException) -> str:
    """The one sentence a user sees for `error` (ours are ValueErrors with clear text; an
    OSError from a full disk or a read-only folder is put in plain words)."""
    if isinstance(error, OSError):
        return describe_os_error(error)
    if isinstance(error, ValueError) and str(error):
        return str(error)
    return (
        f"Something unexpected went wrong ({type(error).__name__}: {error}). "
        "Please try again; if it keeps happening, restart Distill."
    )


def upload_folders() -> list[str]:
    """Where Gradio keeps its copies of uploads (as given and resolved)."""
    from gradio.utils import get_upload_folder

    folder = get_upload_folder()
    return sorted({folder, os.path.realpath(folder)}, key=len, reverse=True)


def without_upload_folders(message: str) -> str:
    """A message that names a file by Gradio's cached copy (UPLOADS/<hash>/name.mp3) names
    it as the user knows it: name.mp3. The folders in between hold no spaces or quotes."""
    for folder in upload_folders():
        message = re.sub(re.escape(folder.rstrip("/")) + r"/(?:[^/\s'\"]+/)*", "", message)
    return message


def as_gradio_error(error: BaseException) -> gr.Error:
    """Any exception as a gr.Error: a toast in the page, never a traceback, and never the
    server's path of an uploaded file."""
    if isinstance(error, gr.Error):
        return error
    if not isinstance(error, (ValueError, OSError)):
        logger.exception("unexpected error in a UI handler", exc_info=error)
    message = without_upload_folders(user_message(error))
    # Gradio renders the message as HTML: escape it (file names may hold '<' or '&').
    return gr.Error(html.escape(message, quote=False), print_exception=False)


def ui_errors(handler: Callable[P, R]) -> Callable[P, R]:
    """Turn every failure of `handler` into a clear gr.Error message."""

    @functools.wraps(handler)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return handler(*args, **kwargs)
        except Exception as error:
            raise as_gradio_error(error) from None

    return wrapper


def ui_errors_stream(handler: Callable[P, Iterator[Any]]) -> Callable[P, Iterator[Any]]:
    """ui_errors for generator handlers (streamed updates)."""

    @functools.wraps(handler)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Iterator[Any]:
        try:
            yield from handler(*args, **kwargs)
        except Exception as error:
            raise as_gradio_error(error) from None

    return wrapper


def write_scratch_wav(audio: np.ndarray, kind: str, sample_rate: int = 48000) -> str:
    """Save a 1-D float32 waveform [S] to a new, uniquely named WAV in the temp folder.

    A unique name per call gives a new URL, so an autoplaying player plays again even when
    the sound is the same as last time (Gradio names cached copies after the file).
    """
    from distill.audio.io import save_audio

    fd, name = tempfile.mkstemp(prefix=f"distill-{kind}-", suffix=".wav", dir=scratch_folder())
    os.close(fd)
    samples = np.asarray(audio, dtype=np.float32)
    with removed_on_failure(name):
        save_audio(name, samples, sample_rate, subtype=PREVIEW_SUBTYPE, sync=False)
    return name


def scratch_folder() -> Path:
    folder = Path(tempfile.gettempdir()) / SCRATCH_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_scratch_audio(
    audio: np.ndarray, stem: str, suffix: str, subtype: str, sample_rate: int = 48000
) -> str:
    """An export: [S] float32 saved as STEM.SUFFIX (wav or flac, e.g. 24-bit) in a new folder
    of its own, so the download keeps a readable name and never meets another's file."""
    from distill.audio.io import save_audio

    path = export_path(stem, f".{suffix}")
    with removed_on_failure(path):
        save_audio(path, np.asarray(audio, dtype=np.float32), sample_rate, subtype=subtype)
    return path


@contextlib.contextmanager
def removed_on_failure(path: str) -> Iterator[None]:
    """An export that fails (a full disk) leaves nothing behind: not even its own folder."""
    try:
        yield
    except BaseException:
        remove_files([path])
        raise


def export_path(stem: str, suffix: str) -> str:
    """The path for an export named STEM + SUFFIX in a new folder of its own (not written)."""
    folder = Path(tempfile.mkdtemp(prefix="distill-export-", dir=scratch_folder()))
    return str(folder / f"{stem}{suffix}")


def remove_files(paths: list[str]) -> None:
    """Delete scratch files we wrote (Gradio keeps its own cached copies), and the folder an
    export had to itself."""
    for path in paths:
        file = Path(path)
        file.unlink(missing_ok=True)
        if file.parent.name.startswith("distill-export-"):
            with contextlib.suppress(OSError):
                file.parent.rmdir()


def audio_path_of(upload: Any) -> str | None:
    """The path of an uploaded file (gr.File gives a path string, or None)."""
    if not upload:
        return None
    return str(getattr(upload, "name", upload))


def choice_label(info: ModelInfo) -> str:
    """How a model reads in a dropdown: its display name, levels and codebook size."""
    config = info.vqvae_config
    return f"{info.display_name} · {config.num_levels} levels × {config.codebook_size}"


def model_choices() -> list[tuple[str, str]]:
    """(label, path) for every readable model, the bundled demo first."""
    return [(choice_label(info), str(info.path)) for info in list_models()]


def pick_choice(choices: list[tuple[str, str]], *preferred: str | None) -> str | None:
    """The first preferred path still among the choices, else the first choice, else None."""
    paths = [path for _, path in choices]
    for candidate in preferred:
        if candidate and candidate in paths:
            return candidate
    return paths[0] if paths else None


def model_selector_update(selected: str | None = None, prefer: str | None = None) -> gr.Dropdown:
    """Fresh choices for a model dropdown, keeping `prefer` or `selected` when they exist."""
    choices = model_choices()
    return gr.Dropdown(choices=choices, value=pick_choice(choices, prefer, selected))


def no_models_hint() -> str:
    return f"No models yet: train one in the Train tab (models are kept in {models_dir()})."

"""Helpers every tab's handlers share: one clear message per failure, scratch audio files."""

from __future__ import annotations

import functools
import html
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import gradio as gr
import numpy as np

P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger(__name__)

PREVIEW_SUBTYPE = "PCM_16"  # previews are for listening only: small files, quick to fetch
SCRATCH_FOLDER = "distill-ui"  # inside the system temp folder, which Gradio may serve from


def user_message(error: BaseException) -> str:
    """The one sentence a user sees for `error` (ours are ValueErrors with clear text)."""
    if isinstance(error, (ValueError, OSError)) and str(error):
        return str(error)
    return (
        f"Something unexpected went wrong ({type(error).__name__}: {error}). "
        "Please try again; if it keeps happening, restart Distill."
    )


def as_gradio_error(error: BaseException) -> gr.Error:
    """Any exception as a gr.Error: a toast in the page, never a traceback."""
    if isinstance(error, gr.Error):
        return error
    if not isinstance(error, (ValueError, OSError)):
        logger.exception("unexpected error in a UI handler", exc_info=error)
    # Gradio renders the message as HTML: escape it (file names may hold '<' or '&').
    return gr.Error(html.escape(user_message(error), quote=False), print_exception=False)


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

    folder = Path(tempfile.gettempdir()) / SCRATCH_FOLDER
    folder.mkdir(exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f"distill-{kind}-", suffix=".wav", dir=folder)
    os.close(fd)
    save_audio(name, np.asarray(audio, dtype=np.float32), sample_rate, subtype=PREVIEW_SUBTYPE)
    return name


def remove_files(paths: list[str]) -> None:
    """Delete scratch files we wrote (Gradio keeps its own cached copies)."""
    for path in paths:
        Path(path).unlink(missing_ok=True)

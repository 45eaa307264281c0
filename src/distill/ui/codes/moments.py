"""Opening a training file where a code lives (the palette's "Open"): the original file is
encoded into A with the model of the file open now, as an upload and Encode would; the page
then selects the moment's columns and scrolls to them (palette.js)."""

from __future__ import annotations

import json
from typing import Any

import gradio as gr

from distill.inference.palette import training_file
from distill.ui.codes import opening
from distill.ui.codes.codebook import folders
from distill.ui.codes.session import CodesSession
from distill.ui.codes.views import OpenView

NOT_HERE = (
    "The original of '{name}' is not on this machine any more (the model keeps its codes, "
    "not its sound): put it back in its folder to open it."
)


def moment_file(session: CodesSession, payload: Any) -> tuple[str, str]:
    """(the model's path, the training file's path) a moment names (ValueError otherwise)."""
    try:
        asked = json.loads(str(payload or ""))
        name = str(asked["file"])
    except (ValueError, KeyError, TypeError):
        raise ValueError("Pick a moment in the list first, then press its Open.") from None
    a = session.state.a
    if a is None:
        raise ValueError(opening.NO_GRID)
    path = training_file(name, folders(session.model(a.model_path)))
    if path is None:
        raise ValueError(NOT_HERE.format(name=name))
    return a.model_path, str(path)


def open_moment(
    payload: Any,
    session: CodesSession,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's way to ask for a progress bar)
) -> OpenView:
    """Encode the training file a moment is in, into A, as an Encode of A alone does."""
    model_path, path = moment_file(session, payload)
    return opening.encode(model_path, path, session, None, progress)

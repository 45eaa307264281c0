"""Opening a training file where a code lives (the palette's "Open"): the original file is
encoded into A with the model of the file open now, as an upload and Encode would, or, when
the file is no longer on this machine, the codes the model keeps of it are opened, decoded;
the page then selects the moment's columns and scrolls to them (palette.js)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gradio as gr

from distill.inference.palette import kept_grid, training_file
from distill.ui.codes import opening
from distill.ui.codes.codebook import folders, library_model
from distill.ui.codes.session import CodesSession
from distill.ui.codes.views import OpenView

NOT_HERE = (
    "The original of '{name}' is not on this machine any more: opened the codes the model "
    "keeps of it, as the model decodes them (put the file back in its folder to open the "
    "original)."
)


def moment_file(session: CodesSession, payload: Any) -> tuple[str, str, Path | None]:
    """(the model's path, the training file's name, its path here or None when it is gone)
    a moment names (ValueError otherwise): of A's model, or of the Library's `model`."""
    try:
        asked = json.loads(str(payload or ""))
        name = str(asked["file"])
        model = asked.get("model")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ValueError("Pick a moment in the list first, then press its Open.") from None
    if model is not None:  # from the Library: that model, A's or not
        _, loaded = library_model(session, str(model))
        return str(model), name, training_file(name, folders(loaded))
    a = session.state.a
    if a is None:
        raise ValueError(opening.NO_GRID)
    return a.model_path, name, training_file(name, folders(session.model(a.model_path)))


def open_moment(
    payload: Any,
    session: CodesSession,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's way to ask for a progress bar)
) -> OpenView:
    """Encode the training file a moment is in, into A, as an Encode of A alone does; when
    the file is gone, open the codes the model keeps of it instead (same columns)."""
    model_path, name, path = moment_file(session, payload)
    if path is not None:
        return opening.encode(model_path, str(path), session, None, progress)
    grid = kept_grid(session.model(model_path), name)
    status = NOT_HERE.format(name=name)
    return opening.open_decoded(session, model_path, grid, f"{name} (kept codes)", status, None)

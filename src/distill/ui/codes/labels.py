"""Level labels: which ones a model shows, and renaming them (remembered per model)."""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any

import gradio as gr

from distill.models.labels import get_level_labels
from distill.models.library import update_metadata
from distill.models.persistence import ModelFileError, ModelInfo, read_model_info
from distill.ui.codes.render import grid_html
from distill.ui.codes.session import CodesSession, note_model_rewritten
from distill.ui.common import ui_errors

SEPARATOR = ","
MAX_LABEL_LENGTH = 32


def labels_text(labels: list[str]) -> str:
    return f"{SEPARATOR} ".join(labels)


def is_read_only(info: ModelInfo) -> bool:
    """Whether `persistence` would refuse to change the model (its labels stay per session)."""
    return info.read_only


def labels_for(session: CodesSession, info: ModelInfo) -> list[str]:
    """This session's renamed labels (read-only models), else the model's, else defaults."""
    num_levels = info.vqvae_config.num_levels
    custom = session.label_overrides.get(str(info.path), info.metadata.level_labels)
    try:
        return get_level_labels(num_levels, custom)
    except ValueError:  # stored labels that no longer fit the model: show the defaults
        return get_level_labels(num_levels)


def parse_labels(text: str | None, num_levels: int) -> list[str]:
    """'Structure, Timbre, ...' -> one label per level, or a ValueError saying what is wrong."""
    labels = [part.strip() for part in (text or "").split(SEPARATOR)]
    if len(labels) != num_levels or not all(labels):
        raise ValueError(
            f"Give exactly {num_levels} non-empty labels, one per level, separated by commas "
            f"(got {len([label for label in labels if label])})."
        )
    too_long = [label for label in labels if len(label) > MAX_LABEL_LENGTH]
    if too_long:
        raise ValueError(
            f"Label '{too_long[0][:40]}…' is too long: "
            f"keep labels to {MAX_LABEL_LENGTH} characters."
        )
    return labels


def show_model_labels(model_path: str | None, session: CodesSession) -> str:
    """The label editor's text for the chosen model (empty when none or unreadable)."""
    if not model_path:
        return ""
    try:
        return labels_text(labels_for(session, read_model_info(model_path)))
    except ModelFileError as error:
        gr.Warning(html.escape(str(error), quote=False))
        return ""


@ui_errors
def apply_labels(
    text: str | None, model_path: str | None, session: CodesSession
) -> tuple[CodesSession, Any, str, str]:
    """Rename the chosen model's levels: saved in the model file (read-only models: for this
    session) and the grid drawn again if it belongs to that model.

    Returns (session, grid HTML, label editor text, status line).
    """
    if not model_path:
        raise ValueError("Choose a model first: level labels are kept per model.")
    info = read_model_info(model_path)
    labels = parse_labels(text, info.vqvae_config.num_levels)
    if is_read_only(info):
        session.label_overrides[model_path] = labels
        where = "for this session (this model is read-only)"
    else:
        update_metadata(model_path, level_labels=labels)
        note_model_rewritten(session, model_path, labels)
        where = f"in {info.path.name}"
    open_file = session.open_file
    grid: Any = gr.skip()
    if open_file is not None and open_file.model_path == model_path:
        session.open_file = replace(open_file, grid=open_file.grid.with_labels(labels))
        grid = grid_html(session.open_file)
    return session, grid, labels_text(labels), f"Level labels saved {where}: {', '.join(labels)}."

"""Level labels: which ones a model shows, and renaming them (remembered per model: in the
model file, or for this session when the model is read-only)."""

from __future__ import annotations

import html
from dataclasses import replace

import gradio as gr

from distill.editing import EditHistory
from distill.models.labels import get_level_labels
from distill.models.library import update_metadata
from distill.models.persistence import ModelFileError, ModelInfo, read_model_info
from distill.ui.codes.render import grid_html
from distill.ui.codes.session import CodesSession
from distill.ui.codes.state import CodesState, Editor, Grids
from distill.ui.codes.views import KEEP, LabelsView

SEPARATOR = ","
MAX_LABEL_LENGTH = 32
NO_MODEL = "Choose a model first: level labels are kept per model."


def labels_text(labels: list[str] | tuple[str, ...]) -> str:
    return f"{SEPARATOR} ".join(labels)


def labels_for(state: CodesState, info: ModelInfo) -> list[str]:
    """This session's renamed labels (read-only models), else the model's, else defaults."""
    num_levels = info.vqvae_config.num_levels
    custom = state.labels_of(str(info.path))
    try:
        return get_level_labels(num_levels, list(custom or info.metadata.level_labels or []))
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
        return labels_text(labels_for(session.state, read_model_info(model_path)))
    except ModelFileError as error:
        gr.Warning(html.escape(str(error), quote=False))
        return ""


def _relabelled(grids: Grids, labels: list[str]) -> Grids:
    """A state of the history with every grid in it (a blend's starting grids too) named."""
    blend = grids.blend
    if blend is not None:
        blend = replace(blend, base=_relabelled(blend.base, labels))
    b = grids.b.with_labels(labels) if grids.b is not None else None
    return replace(grids, a=grids.a.with_labels(labels), b=b, blend=blend)


def relabel(editor: Editor, labels: list[str]) -> Editor:
    """The editor with its grids (and every state it can undo to) showing `labels`."""
    history = editor.history
    states = tuple(_relabelled(state, labels) for state in history.states)
    draft = _relabelled(editor.draft, labels) if editor.draft is not None else None
    moved: EditHistory[Grids] = replace(history, states=states)
    return replace(editor, history=moved, draft=draft, version=editor.version + 1)


def apply_labels(text: str | None, model_path: str | None, session: CodesSession) -> LabelsView:
    """Rename the chosen model's levels: saved in the model file (read-only models: for this
    session) and the grids drawn again if they belong to that model."""
    if not model_path:
        raise ValueError(NO_MODEL)
    info = read_model_info(model_path)
    labels = parse_labels(text, info.vqvae_config.num_levels)
    if info.read_only:
        session.update(lambda state: state.with_labels(model_path, labels))
        where = "for this session (this model is read-only)"
    else:
        update_metadata(model_path, level_labels=labels)
        session.models.rewritten(model_path, labels)
        where = f"in {info.path.name}"

    def renamed(state: CodesState) -> CodesState:
        if state.a is None or state.editor is None or state.a.model_path != model_path:
            return state
        return replace(state, editor=relabel(state.editor, labels))

    state = session.update(renamed)
    shown = state.a is not None and state.a.model_path == model_path
    return LabelsView(
        grid_a=grid_html(state, "a") if shown else KEEP,
        grid_b=grid_html(state, "b") if shown and state.b is not None else KEEP,
        labels=labels_text(labels),
        status=f"Level labels saved {where}: {', '.join(labels)}.",
    )

"""The Codes tab's small handlers: a page opening (its fast-path key) and closing (its work
stopped), the original player following the upload box, the levels-heard slider."""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any

import gradio as gr

from distill.ui.codes import edits
from distill.ui.codes.autosave import KEEPS
from distill.ui.codes.render import grid_html, toolbar
from distill.ui.codes.session import SESSIONS, CodesSession
from distill.ui.codes.views import EditView, PageView
from distill.ui.common import audio_path_of

NO_GRID = "Encode a file first: the levels heard apply to its grid."


def page_opened(session: CodesSession, request: gr.Request) -> PageView:
    """A page opened: its session is found by its Gradio session hash, and the page gets
    the key its fast-path requests must carry."""
    SESSIONS.register(str(request.session_hash), session)
    return PageView(key=f'<span data-key="{html.escape(session.key, quote=True)}"></span>')


def page_closed(request: gr.Request) -> None:
    """The page closed or reloaded (its connection closed): the work it started stops. Its
    files go when Gradio drops the session (`end_codes_session`)."""
    SESSIONS.leave(str(request.session_hash))
    KEEPS.left(str(request.session_hash))  # its last changes are saved now, not in a moment


def show_original(upload: Any) -> str | None:
    """The original player plays whatever was just uploaded."""
    return audio_path_of(upload)


def hear_first_levels(session: CodesSession, count: float) -> EditView:
    """The 'levels heard' slider: Play and Decode hear only the first k levels."""

    def heard(state: Any) -> Any:
        if state.editor is None:
            raise ValueError(NO_GRID)
        return replace(state, editor=edits.first_levels(state.editor, int(count)).editor)

    state = session.update(heard)
    assert state.editor is not None
    status = f"Play and Decode hear levels 1-{int(count)} of {state.editor.grids.a.num_levels}."
    return EditView(grid_a=grid_html(state, "a"), toolbar=toolbar(state), status=status)

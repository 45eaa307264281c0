"""The app's theme, CSS and <head> scripts (the grid script, then the playhead-to-player glue
in players.js); the CSS and JavaScript are the .css/.js files beside this module."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from distill.ui.components.code_grid import CLICK_TEXTBOX_ID, GRID_SCRIPT
from distill.ui.components.static import PICTURES_SCRIPT, read_static

if TYPE_CHECKING:
    import gradio as gr

# Element ids shared by the Codes tab (Python) and the head script (JavaScript).
GRID_ID = "codes-grid"
CLICK_BOX_ID = CLICK_TEXTBOX_ID  # the grid's inline onclick writes its payloads here
ORIGINAL_ID = "codes-original"
RECONSTRUCTION_ID = "codes-reconstruction"
ROW_AUDIO_ID = "codes-row-audio"
PREVIEW_ID = "codes-preview"
UNEDITED_ID = "codes-unedited"
UNDO_ID = "edit-undo"
REDO_ID = "edit-redo"

SYSTEM_FONTS = ("system-ui", "-apple-system", "Segoe UI", "Roboto", "DejaVu Sans", "sans-serif")
SYSTEM_MONO_FONTS = ("ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace")

APP_CSS = read_static("app.css", __package__) + read_static("diagnostics.css")
PLAYERS_SCRIPT = read_static("players.js", __package__)
PLAYER_IDS = {
    "grid": GRID_ID,
    "followed": [ORIGINAL_ID, RECONSTRUCTION_ID, UNEDITED_ID, ROW_AUDIO_ID],
    "undo": UNDO_ID,
    "redo": REDO_ID,
}

HEAD_HTML = (
    f"<script>{GRID_SCRIPT}</script>\n"
    f"<script>{PICTURES_SCRIPT}</script>\n"
    f"<script>window.distillPlayerIds = {json.dumps(PLAYER_IDS)};</script>\n"
    f"<script>{PLAYERS_SCRIPT}</script>"
)


def build_theme() -> gr.themes.Base:
    """Gradio's Soft theme with system fonts only (no font is fetched from anywhere)."""
    import gradio as gr

    return gr.themes.Soft(font=list(SYSTEM_FONTS), font_mono=list(SYSTEM_MONO_FONTS))

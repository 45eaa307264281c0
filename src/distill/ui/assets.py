"""The app's theme, CSS and <head> scripts: the grid (grid.js, pictures.js), the sound engine
(audio.js), the fast path (fast.js), the gestures (gestures.js), the palette (palette.js), the
Generate panel's takes (takes.js) and the players' playhead (players.js); the CSS and
JavaScript are the .css/.js files beside this module."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from distill.ui.components.code_grid import GRID_SCRIPT
from distill.ui.components.static import PICTURES_SCRIPT, read_static

if TYPE_CHECKING:
    import gradio as gr

# Element ids shared by the Codes tab (Python) and the head script (JavaScript).
GRID_ID = "codes-grid"
ORIGINAL_ID = "codes-original"
RECONSTRUCTION_ID = "codes-reconstruction"
UNEDITED_ID = "codes-unedited"

SYSTEM_FONTS = ("system-ui", "-apple-system", "Segoe UI", "Roboto", "DejaVu Sans", "sans-serif")
SYSTEM_MONO_FONTS = ("ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace")

APP_CSS = (
    read_static("app.css", __package__)
    + read_static("toolbar.css", __package__)
    + read_static("palette.css", __package__)
    + read_static("diagnostics.css")
)
PLAYER_IDS = {"grid": GRID_ID, "followed": [ORIGINAL_ID, RECONSTRUCTION_ID, UNEDITED_ID]}
SCRIPTS = [
    read_static(f"{name}.js", __package__)
    for name in ("audio", "fast", "gestures", "palette", "keep", "takes")
]

HEAD_HTML = "\n".join(
    [
        f"<script>{GRID_SCRIPT}</script>",
        f"<script>{PICTURES_SCRIPT}</script>",
        *(f"<script>{script}</script>" for script in SCRIPTS),
        f"<script>window.distillPlayerIds = {json.dumps(PLAYER_IDS)};</script>",
        f"<script>{read_static('players.js', __package__)}</script>",
    ]
)


def build_theme() -> gr.themes.Base:
    """Gradio's Soft theme with system fonts only (no font is fetched from anywhere)."""
    import gradio as gr

    return gr.themes.Soft(font=list(SYSTEM_FONTS), font_mono=list(SYSTEM_MONO_FONTS))

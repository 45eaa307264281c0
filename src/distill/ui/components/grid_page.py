"""A complete standalone HTML page around a rendered code grid (works opened from disk)."""

from __future__ import annotations

import html

from distill.ui.components.static import GRID_SCRIPT, PAGE_CSS, PAGE_SCRIPT

# The page may load nothing from anywhere: inline styles and scripts, audio as a data: URI.
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "media-src data:; img-src data:"
)
_STATUS_HINT = "Click a cell, a column header or a row's Play button."


class GridPageError(ValueError):
    """Arguments that cannot make a standalone grid page."""


def render_grid_page(
    html_grid: str, title: str, audio_data_uri: str | None = None, info: str = ""
) -> str:
    """A full HTML document: title, optional info line, optional audio player, status line, grid.

    html_grid comes from render_code_grid. audio_data_uri, when given, must be a
    "data:audio/..." URI; its playback drives the playhead. Clicks are described in the
    status line (#grid-status, whose data-payload holds the last payload), since no Python
    runs behind a file.
    """
    for name, text in (("html_grid", html_grid), ("title", title), ("info", info)):
        if not isinstance(text, str):
            raise GridPageError(f"{name} must be text, got {type(text).__name__}.")
    audio = ""
    if audio_data_uri is not None:
        if not isinstance(audio_data_uri, str) or not audio_data_uri.startswith("data:audio/"):
            raise GridPageError(
                "audio_data_uri must be a 'data:audio/...' URI so the page needs no other file."
            )
        audio = (
            f'<audio id="grid-audio" controls preload="auto" '
            f'src="{html.escape(audio_data_uri, quote=True)}"></audio>'
        )
    safe_title = html.escape(title, quote=True)
    info_line = f'<p class="info">{html.escape(info, quote=True)}</p>' if info else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{safe_title}</title><style>{PAGE_CSS}</style></head>\n<body>"
        f"<h1>{safe_title}</h1>{info_line}{audio}"
        f'<output id="grid-status" role="status" aria-live="polite">{_STATUS_HINT}</output>\n'
        f"{html_grid}\n"
        f"<script>{GRID_SCRIPT}</script>\n<script>{PAGE_SCRIPT}</script>\n</body></html>\n"
    )

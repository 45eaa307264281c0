"""The app's theme, CSS and <head> script (the grid script plus the playhead-to-player glue)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from distill.ui.components.code_grid import CLICK_TEXTBOX_ID, GRID_SCRIPT

if TYPE_CHECKING:
    import gradio as gr

# Element ids shared by the Codes tab (Python) and the head script (JavaScript).
GRID_ID = "codes-grid"
CLICK_BOX_ID = CLICK_TEXTBOX_ID  # the grid's inline onclick writes its payloads here
ORIGINAL_ID = "codes-original"
RECONSTRUCTION_ID = "codes-reconstruction"
ROW_AUDIO_ID = "codes-row-audio"
PREVIEW_ID = "codes-preview"

SYSTEM_FONTS = ("system-ui", "-apple-system", "Segoe UI", "Roboto", "DejaVu Sans", "sans-serif")
SYSTEM_MONO_FONTS = ("ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace")

APP_CSS = f"""
#{GRID_ID} {{ min-height: 120px; }}
#codes-summary p, #codes-status p {{ margin: 0; }}
#codes-summary {{ align-self: center; }}
#codes-status {{ min-height: 1.6em; }}
.distill-compact-button {{ align-self: end; }}
.distill-link-button {{ align-self: start; }}
.distill-usage {{ font-size: var(--text-sm); display: grid; gap: 6px; }}
.distill-usage-row {{ display: grid; grid-template-columns: 5em 1fr 3.5em; gap: 8px;
  align-items: center; }}
.distill-usage-bar {{ height: 10px; border-radius: 5px; overflow: hidden;
  background: var(--neutral-200); }}
.distill-usage-bar span {{ display: block; height: 100%; background: var(--primary-500); }}
"""

# Players whose playback the playhead follows: they share the grid's time axis (the original
# file, its reconstruction and one level alone all last as long as the encoded file). The
# short cell/column previews do not move the playhead. Gradio re-creates the players' <audio>
# elements when their values change, so a MutationObserver hooks each new one. Only one
# player sounds at a time: starting one pauses the others.
_FOLLOW_SCRIPT = f"""
(function () {{
  "use strict";
  var FOLLOWED = ["{ORIGINAL_ID}", "{RECONSTRUCTION_ID}", "{ROW_AUDIO_ID}"];
  var GRID = "#{GRID_ID} .distill-grid";
  function hookPlayers() {{
    if (!window.distillGrid) return;
    FOLLOWED.forEach(function (id) {{
      document.querySelectorAll("#" + id + " audio").forEach(function (audio) {{
        if (!audio.distillGridDetach) window.distillGrid.followAudio(audio, GRID);
      }});
    }});
  }}
  var pending = false;
  function schedule() {{
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {{ pending = false; hookPlayers(); }});
  }}
  function start() {{
    new MutationObserver(schedule).observe(document.body, {{childList: true, subtree: true}});
    schedule();
  }}
  document.addEventListener("play", function (event) {{
    var playing = event.target;
    if (!(playing instanceof HTMLMediaElement)) return;
    document.querySelectorAll("audio").forEach(function (other) {{
      if (other !== playing && !other.paused) other.pause();
    }});
  }}, true);
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
}})();
"""

HEAD_HTML = f"<script>{GRID_SCRIPT}</script>\n<script>{_FOLLOW_SCRIPT}</script>"


def build_theme() -> gr.themes.Base:
    """Gradio's Soft theme with system fonts only (no font is fetched from anywhere)."""
    import gradio as gr

    return gr.themes.Soft(font=list(SYSTEM_FONTS), font_mono=list(SYSTEM_MONO_FONTS))

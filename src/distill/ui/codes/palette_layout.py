"""The palette column beside grid A (the panel palette.js fills) and its one Gradio event:
opening a training file where a code lives, as an Encode of A does, then its reconstruction.
Everything else the palette does goes through the fast path (codebook.py)."""

from __future__ import annotations

import gradio as gr

from distill.ui.codes import moments
from distill.ui.codes.concurrency import WORK_ID, WORK_LIMIT
from distill.ui.codes.events import then_reconstruct
from distill.ui.codes.views import Target, bind, outputs
from distill.ui.components.palette_panel import palette_panel_html


def build_palette_column() -> tuple[gr.Textbox, gr.Button]:
    """The panel, and the hidden box and button the page uses to open a moment."""
    with gr.Column(scale=1, min_width=280, elem_id="code-palette-column"):
        gr.HTML(palette_panel_html(), apply_default_css=False)
        moment = gr.Textbox(visible="hidden", elem_id="code-occurrence-open")
        go = gr.Button(visible="hidden", elem_id="code-occurrence-go")
    return moment, go


def wire_open_moment(
    moment: gr.Textbox,
    go: gr.Button,
    session: gr.State,
    opened: dict[str, Target],
    decoded: dict[str, Target],
    grid: gr.HTML,
) -> None:
    """Open the moment the box names (`opened`, progress on the grid), then decode its
    reconstruction (`decoded`)."""
    moment_opened = go.click(
        bind(moments.open_moment, opened),
        [moment, session],
        outputs(opened),
        show_progress_on=[grid],
        concurrency_id=WORK_ID,
        concurrency_limit=WORK_LIMIT,
    )
    then_reconstruct(moment_opened, session, decoded)

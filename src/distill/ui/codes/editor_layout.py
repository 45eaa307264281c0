"""The editor's part of the Codes tab: grid B, the toolbar (undo, swap, blend), listening and
export controls, and their wiring to `editor`'s handlers."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from distill.ui import assets
from distill.ui.codes import editor
from distill.ui.codes.render import grid_html

BLEND_TRIGGER = "always_last"  # a slider dragged fast sends its latest value, not every one
BLEND_QUEUE = "edit-blend"


@dataclass(frozen=True)
class EditorControls:
    """The editor's components the Codes tab wires to."""

    grid_b: gr.HTML
    history: gr.Markdown
    undo: gr.Button
    redo: gr.Button
    swap: gr.Button
    swap_at: gr.Textbox
    blend_selection: gr.Slider
    blend_whole: gr.Slider
    first_levels: gr.Slider
    export_kind: gr.Radio
    export_audio: gr.Button
    export_codes: gr.Button
    exported: gr.File


def build_toolbar() -> tuple[gr.Markdown, gr.Button, gr.Button, gr.Button, gr.Textbox]:
    """Undo / Redo with the history counter, and Swap with B's start column."""
    with gr.Row(elem_id="edit-toolbar"):
        undo = gr.Button("↶ Undo", elem_id=assets.UNDO_ID, scale=0, min_width=100, size="sm")
        redo = gr.Button("↷ Redo", elem_id=assets.REDO_ID, scale=0, min_width=100, size="sm")
        history = gr.Markdown("", elem_id="edit-history")
        swap_at = gr.Textbox(
            label="Swap at column of the other file",
            placeholder="empty: the same column",
            elem_id="edit-swap-at",
            scale=2,
        )
        swap = gr.Button(
            "⇄ Swap selection with the other file", elem_id="edit-swap", scale=0, min_width=260
        )
    return history, undo, redo, swap, swap_at


def build_blend() -> tuple[gr.Slider, gr.Slider]:
    with gr.Row():
        selection = gr.Slider(
            0,
            1,
            value=0,
            step=0.05,
            label="Blend the selection of A towards B",
            elem_id="edit-blend-selection",
        )
        whole = gr.Slider(
            0,
            1,
            value=0,
            step=0.05,
            label="Blend all of A towards B",
            elem_id="edit-blend-whole",
        )
    return selection, whole


def build_grid_b() -> gr.HTML:
    gr.Markdown("**B** · a second file to swap or blend with (upload it beside A, then Encode)")
    return gr.HTML(grid_html(None), elem_id="codes-grid-b", apply_default_css=False)


def build_listening_and_export() -> tuple[gr.Slider, gr.Radio, gr.Button, gr.Button, gr.File]:
    with gr.Row(equal_height=True):
        first_levels = gr.Slider(
            1, 8, value=8, step=1, label="Decode plays levels 1 to k", elem_id="edit-first-levels"
        )
        kind = gr.Radio(
            list(editor.EXPORT_FORMATS),
            value="WAV (24-bit)",
            label="Export as",
            elem_id="edit-export-kind",
        )
        audio = gr.Button("Export the edited audio", elem_id="edit-export-audio")
        codes = gr.Button("Export the edited codes (JSON)", elem_id="edit-export-codes")
    exported = gr.File(label="Exported file", elem_id="edit-exported", interactive=False, height=70)
    return first_levels, kind, audio, codes, exported


def wire_editor(
    controls: EditorControls, session: gr.State, grid_a: gr.HTML, status: gr.Markdown
) -> None:
    """Each control calls one editor handler; edits update both grids and the history."""
    grids = [session, grid_a, controls.grid_b, controls.history, status]
    controls.undo.click(editor.undo, [session], grids)
    controls.redo.click(editor.redo, [session], grids)
    controls.swap.click(editor.swap, [session, controls.swap_at], grids)
    for slider, whole in ((controls.blend_selection, False), (controls.blend_whole, True)):
        flag = gr.State(whole)
        slider.input(
            editor.blend_preview,
            [session, slider, flag],
            grids,
            trigger_mode=BLEND_TRIGGER,
            show_progress="hidden",
        )
        slider.release(editor.blend_commit, [session, slider, flag], grids)
    controls.first_levels.release(
        editor.set_first_levels, [session, controls.first_levels], [session, grid_a, status]
    )
    controls.export_audio.click(
        editor.export_audio, [session, controls.export_kind], [session, controls.exported, status]
    )
    controls.export_codes.click(
        editor.export_codes, [session], [session, controls.exported, status]
    )

"""The Codes tab: pick a model, encode a file, see its code grid and hear its codes."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from distill.audio.io import AUDIO_EXTENSIONS
from distill.demo.sounds import DEMO_SOUNDS_DIR, EXAMPLE_SOUND
from distill.ui import assets
from distill.ui.codes import editor_layout
from distill.ui.codes.concurrency import WORK_ID, WORK_LIMIT
from distill.ui.codes.editor_layout import EditorControls
from distill.ui.codes.generate_layout import GenerateTargets, build_generate_panel
from distill.ui.codes.handlers import (
    decode,
    decode_reconstruction,
    encode,
    grid_click,
    show_original,
)
from distill.ui.codes.labels import apply_labels, show_model_labels
from distill.ui.codes.render import grid_html
from distill.ui.codes.session import end_codes_session, new_codes_session
from distill.ui.common import model_choices, pick_choice

# Bundled sounds offered under the upload box: one of each kind (the example is melody).
# True whatever the box holds: the page opens with the example in it, the user may replace it
# (a label that said "an example is loaded" stayed after another file was in). Updating the
# label from the box's own change event raced with the next upload on a busy machine.
UPLOAD_LABEL = "Audio file (the app opens with a demo sound here: press Encode, or drop your own)"
DEMO_EXAMPLES = ("drum_loop", "bell_e4", "vowel_a_110", "pluck_a2", "rain", "sweep_a2")


@dataclass(frozen=True)
class CodesTab:
    """What other tabs wire to: the model selector, the tab's session state, its status."""

    model: gr.Dropdown
    session: gr.State
    status: gr.Markdown
    refresh: gr.Button  # the app wires it: it refreshes every model list (ui/watch.py)


def example_sound() -> str | None:
    """The bundled example a fresh page opens with (None if the package lacks it)."""
    return str(EXAMPLE_SOUND) if EXAMPLE_SOUND.is_file() else None


def _controls() -> tuple[
    gr.Dropdown, gr.Button, gr.File, gr.File, gr.Button, gr.Button, gr.Markdown
]:
    choices = model_choices()
    with gr.Row():
        with gr.Column(scale=2):
            model = gr.Dropdown(
                choices=choices,
                value=pick_choice(choices),
                label="Model",
                info="Which trained model turns the audio into codes.",
                elem_id="codes-model",
            )
            refresh = gr.Button(
                "↻ Refresh the model list",
                size="sm",
                elem_id="codes-refresh",
                elem_classes="distill-link-button",
            )
        upload = gr.File(
            value=example_sound(),
            label=UPLOAD_LABEL,
            file_types=list(AUDIO_EXTENSIONS),
            type="filepath",
            elem_id="codes-upload",
            height=90,
            scale=3,
        )
        other_upload = gr.File(
            label="B: a second file to swap or blend with (optional)",
            file_types=list(AUDIO_EXTENSIONS),
            type="filepath",
            elem_id="codes-upload-b",
            height=90,
            scale=2,
        )
    # The buttons sit on their own row at the left: error toasts appear at the top right.
    with gr.Row(equal_height=True):
        encode_button = gr.Button(
            "Encode", variant="primary", elem_id="codes-encode", scale=0, min_width=150
        )
        decode_button = gr.Button("Decode", elem_id="codes-decode", scale=0, min_width=150)
        summary = gr.Markdown("", elem_id="codes-summary")
    return model, refresh, upload, other_upload, encode_button, decode_button, summary


def _player(label: str, elem_id: str, *, clip: bool = False, value: str | None = None) -> gr.Audio:
    """A read-only player with a real <audio> in the page: a file-length one has a download
    button; a click clip plays itself and has none."""
    return gr.Audio(
        value=value,
        label=label,
        elem_id=elem_id,
        interactive=False,
        autoplay=clip,
        waveform_options=gr.WaveformOptions(show_recording_waveform=False),
        buttons=[] if clip else ["download"],
    )


def _players() -> tuple[gr.Audio, gr.Audio, gr.Audio, gr.Audio, gr.Audio]:
    with gr.Row():
        original = _player("Original", assets.ORIGINAL_ID, value=example_sound())
        reconstruction = _player(
            "Reconstruction (decoded codes; Decode again after an edit)",
            assets.RECONSTRUCTION_ID,
        )
        unedited = _player("Before any edit (for A/B)", assets.UNEDITED_ID)
    with gr.Row():
        preview = _player("Preview (plays on every click)", assets.PREVIEW_ID, clip=True)
        row_audio = _player("One level alone", assets.ROW_AUDIO_ID, clip=True)
    return original, reconstruction, unedited, preview, row_audio


def _grid() -> tuple[gr.HTML, gr.Textbox]:
    grid = gr.HTML(
        grid_html(None), elem_id=assets.GRID_ID, js_on_load=None, apply_default_css=False
    )
    # The grids' gestures write "cell,L,P@nonce" etc. here; hidden but present in the page.
    clicked = gr.Textbox(elem_id=assets.CLICK_BOX_ID, visible="hidden", show_label=False)
    return grid, clicked


def _labels(model: gr.Dropdown) -> tuple[gr.Textbox, gr.Button]:
    with gr.Row():
        labels = gr.Textbox(
            label="Level labels (top row first, separated by commas)",
            elem_id="codes-labels",
            scale=4,
            value=show_model_labels(model.value, new_codes_session()),
        )
        apply = gr.Button(
            "Rename levels",
            elem_id="codes-apply-labels",
            scale=0,
            min_width=170,
            elem_classes="distill-compact-button",
        )
    return labels, apply


def _demo_examples(upload: gr.File) -> None:
    """A row of bundled sounds to try: a click puts one in the upload box."""
    sounds = [DEMO_SOUNDS_DIR / f"{name}.wav" for name in DEMO_EXAMPLES]
    present = [[str(path)] for path in sounds if path.is_file()]
    if present:
        gr.Examples(
            present,
            [upload],
            label="More demo sounds (click one, then Encode)",
            examples_per_page=len(present),
            cache_examples=False,
        )


def _editor() -> EditorControls:
    history, undo, redo, swap, swap_at = editor_layout.build_toolbar()
    blend_selection, blend_whole = editor_layout.build_blend()
    grid_b = editor_layout.build_grid_b()
    return EditorControls(
        grid_b,
        history,
        undo,
        redo,
        swap,
        swap_at,
        blend_selection,
        blend_whole,
        *editor_layout.build_listening_and_export(),
    )


def build_codes_tab() -> CodesTab:
    """Lay out the Codes tab and wire its handlers (call inside a gr.Tab)."""
    session = gr.State(new_codes_session, delete_callback=end_codes_session)
    model, refresh, upload, other_upload, encode_button, decode_button, summary = _controls()
    status = gr.Markdown("", elem_id="codes-status")
    grid, clicked = _grid()
    edit = _editor()
    labels, apply = _labels(model)
    original, reconstruction, unedited, preview, row_audio = _players()
    build_generate_panel(
        GenerateTargets(
            model, session, grid, edit.grid_b, summary, edit.history, edit.first_levels, status
        )
    )

    _demo_examples(upload)
    model.change(show_model_labels, [model, session], [labels])
    upload.change(show_original, [upload], [original])
    encode_button.click(
        encode,
        [model, upload, session, other_upload],
        [
            session,
            grid,
            summary,
            original,
            reconstruction,
            labels,
            edit.grid_b,
            unedited,
            edit.history,
            edit.first_levels,
            status,
        ],
        show_progress_on=[grid],
        concurrency_id=WORK_ID,
        concurrency_limit=WORK_LIMIT,
    ).success(
        # The grid is in use while this runs: its progress shows on the player, not the grid.
        decode_reconstruction,
        [session],
        [grid, reconstruction, unedited, status],
        show_progress_on=[reconstruction],
        concurrency_id=WORK_ID,
        concurrency_limit=WORK_LIMIT,
    )
    decode_button.click(
        decode,
        [session],
        [session, reconstruction, status, grid],
        show_progress_on=[reconstruction],
        concurrency_id=WORK_ID,
        concurrency_limit=WORK_LIMIT,
    )
    clicked.change(
        grid_click,
        [clicked, session],
        [session, preview, row_audio, grid, edit.grid_b, edit.history, status],
        show_progress="minimal",  # a small timer by the status line: a level alone takes a while
        show_progress_on=[status],
        concurrency_id=WORK_ID,
        concurrency_limit=WORK_LIMIT,
    )
    editor_layout.wire_editor(edit, session, grid, status)
    gr.on(
        [apply.click, labels.submit],
        apply_labels,
        [labels, model, session],
        [session, grid, labels, status],
    )
    return CodesTab(model=model, session=session, status=status, refresh=refresh)

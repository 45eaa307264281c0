"""The Codes tab: pick a model, encode a file, see its code grid and hear its codes.

Only layout and wiring live here. Hot gestures (clicks, typed codes, selections, swaps,
blends, undo and redo, mute and solo, the transport) never pass through these events: the
page sends them to the fast path (fast.py). The events wired here answer with view
records (views.py), bound to the components each field updates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from distill.audio.io import AUDIO_EXTENSIONS
from distill.demo.sounds import DEMO_SOUNDS_DIR, EXAMPLE_SOUND
from distill.ui import assets
from distill.ui.codes import handlers, opening
from distill.ui.codes.concurrency import WORK_ID, WORK_LIMIT
from distill.ui.codes.events import then_reconstruct
from distill.ui.codes.generate_layout import build_generate_panel
from distill.ui.codes.keep_layout import build_keep_row, build_restore_offer, wire_keep
from distill.ui.codes.labels import apply_labels, show_model_labels
from distill.ui.codes.palette_layout import build_palette_column, wire_open_moment
from distill.ui.codes.render import grid_html, toolbar
from distill.ui.codes.session import end_codes_session, new_codes_session
from distill.ui.codes.state import CodesState
from distill.ui.codes.views import Player, Target, bind, outputs
from distill.ui.common import model_choices, pick_choice

# True whatever the box holds (the page opens with the example in it, the user may replace
# it), and short: the box's clear button covers the end of a longer label on a narrow window.
UPLOAD_LABEL = "A: a demo sound, or drop your own"
DEMO_EXAMPLES = ("drum_loop", "bell_e4", "vowel_a_110", "pluck_a2", "rain", "sweep_a2")


@dataclass(frozen=True)
class CodesTab:
    """What the app wires to: the model selector, the session state, the status line, the
    refresh button, and the page key's element (the app's load event fills it)."""

    model: gr.Dropdown
    session: gr.State
    status: gr.Markdown
    refresh: gr.Button
    key: gr.HTML


def example_sound() -> str | None:
    """The bundled example a fresh page opens with (None if the package lacks it)."""
    return str(EXAMPLE_SOUND) if EXAMPLE_SOUND.is_file() else None


def _player(label: str, elem_id: str, value: str | None = None) -> gr.Audio:
    """A read-only player of a whole file with a download button."""
    return gr.Audio(
        value=value,
        label=label,
        elem_id=elem_id,
        interactive=False,
        waveform_options=gr.WaveformOptions(show_recording_waveform=False),
        buttons=["download"],
    )


def _original(player: Player) -> gr.Audio:
    return gr.Audio(value=player.path, label=player.label)


def _levels(count: int) -> gr.Slider:
    return gr.Slider(maximum=count, value=count)


@dataclass(frozen=True)
class _Parts:
    """Every component of the tab the events update."""

    model: gr.Dropdown
    upload: gr.File
    upload_b: gr.File
    status: gr.Markdown
    toolbar: gr.HTML
    grid_a: gr.HTML
    grid_b: gr.HTML
    levels: gr.Slider
    labels: gr.Textbox
    exported: gr.File
    original: gr.Audio
    reconstruction: gr.Audio
    unedited: gr.Audio

    def targets(self, *names: str) -> dict[str, Target]:
        """The components of these view fields (with their converters)."""
        converters: dict[str, Callable[[Any], Any]] = {"original": _original, "levels": _levels}
        targets: dict[str, Target] = {}
        for name in names:
            component = getattr(self, name)
            targets[name] = (component, converters[name]) if name in converters else component
        return targets


def _controls() -> tuple[gr.Dropdown, gr.Button, gr.File, gr.File, gr.Button, gr.Button]:
    """The model on a row of its own (its long names are never cut), then A and B side by
    side, then Encode and Decode at the left (messages appear at the top right)."""
    choices = model_choices()
    with gr.Row(equal_height=True, elem_id="codes-model-row"):
        model = gr.Dropdown(
            choices=choices,
            value=pick_choice(choices),
            label="Model",
            info="Which trained model turns the audio into codes.",
            elem_id="codes-model",
            scale=4,
            min_width=300,
        )
        refresh = gr.Button(
            "↻ Refresh the model list",
            size="sm",
            elem_id="codes-refresh",
            elem_classes="distill-link-button",
            scale=0,
            min_width=190,
        )
    with gr.Row(elem_id="codes-files"):
        upload = gr.File(
            value=example_sound(),
            label=UPLOAD_LABEL,
            file_types=list(AUDIO_EXTENSIONS),
            type="filepath",
            elem_id="codes-upload",
            height=110,
            min_width=280,
        )
        upload_b = gr.File(
            label="B: a file to swap or blend with",
            file_types=list(AUDIO_EXTENSIONS),
            type="filepath",
            elem_id="codes-upload-b",
            height=110,
            min_width=280,
        )
    with gr.Row(equal_height=True):
        encode = gr.Button(
            "Encode", variant="primary", elem_id="codes-encode", scale=0, min_width=150
        )
        decode = gr.Button("Decode", elem_id="codes-decode", scale=0, min_width=150)
    return model, refresh, upload, upload_b, encode, decode


def _export_row() -> tuple[gr.Slider, gr.Radio, gr.Button, gr.Button, gr.File]:
    with gr.Row(equal_height=True):
        levels = gr.Slider(
            1,
            8,
            value=8,
            step=1,
            label="Play and Decode hear levels 1 to k",
            elem_id="edit-first-levels",
        )
        kind = gr.Radio(
            list(opening.EXPORT_FORMATS),
            value="WAV (24-bit)",
            label="Export as",
            elem_id="edit-export-kind",
        )
        audio = gr.Button("Export the audio as it is now", elem_id="edit-export-audio")
        codes = gr.Button("Export the codes (JSON)", elem_id="edit-export-codes")
    exported = gr.File(label="Exported file", elem_id="edit-exported", interactive=False, height=70)
    return levels, kind, audio, codes, exported


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


def build_codes_tab() -> CodesTab:
    """Lay out the Codes tab and wire its events (call inside a gr.Tab)."""
    # Each page's copy of this empty session is a new one (CodesSession.__deepcopy__).
    session = gr.State(new_codes_session(), delete_callback=end_codes_session)
    restore = build_restore_offer()
    model, refresh, upload, upload_b, encode, decode = _controls()
    status = gr.Markdown("", elem_id="codes-status")
    bar = gr.HTML(toolbar(CodesState()), elem_id="codes-toolbar", apply_default_css=False)
    empty = CodesState()
    with gr.Row(equal_height=False, elem_id="codes-grid-row"):
        with gr.Column(scale=4, min_width=420):
            grid_a = gr.HTML(grid_html(empty, "a"), elem_id=assets.GRID_ID, apply_default_css=False)
        moment, open_moment = build_palette_column()
    grid_b = gr.HTML(grid_html(empty, "b"), elem_id="codes-grid-b", apply_default_css=False)
    levels, kind, export_audio, export_codes, exported = _export_row()
    keeping = build_keep_row(restore)
    labels, apply = _labels(model)
    with gr.Row():
        original = _player("Original", assets.ORIGINAL_ID, example_sound())
        reconstruction = _player(
            "Reconstruction (decoded codes; Decode again after an edit)", assets.RECONSTRUCTION_ID
        )
        unedited = _player("Before any edit (for A/B)", assets.UNEDITED_ID)
    key = gr.HTML("", elem_id="codes-key", apply_default_css=False)
    parts = _Parts(
        model,
        upload,
        upload_b,
        status,
        bar,
        grid_a,
        grid_b,
        levels,
        labels,
        exported,
        original,
        reconstruction,
        unedited,
    )
    # What an opened file (encoded or generated) changes on the page.
    opened = parts.targets(
        "grid_a",
        "grid_b",
        "toolbar",
        "status",
        "labels",
        "levels",
        "original",
        "reconstruction",
        "unedited",
        "exported",
    )
    build_generate_panel(model, session, opened)
    _demo_examples(upload)

    decoded = parts.targets("grid_a", "reconstruction", "unedited", "status")
    wire_open_moment(moment, open_moment, session, opened, decoded, grid_a)
    encoded = encode.click(
        bind(opening.encode, opened),
        [model, upload, session, upload_b],
        outputs(opened),
        show_progress_on=[grid_a],
        concurrency_id=WORK_ID,
        concurrency_limit=WORK_LIMIT,
    )
    then_reconstruct(encoded, session, decoded)
    decode.click(
        bind(opening.decode, decoded),
        [session],
        outputs(decoded),
        show_progress_on=[reconstruction],
        concurrency_id=WORK_ID,
        concurrency_limit=WORK_LIMIT,
    )
    heard = parts.targets("grid_a", "toolbar", "status")
    levels.release(bind(handlers.hear_first_levels, heard), [session, levels], outputs(heard))
    exports = parts.targets("exported", "status")
    export_audio.click(
        bind(opening.export_audio, exports),
        [session, kind],
        outputs(exports),
        concurrency_id=WORK_ID,
        concurrency_limit=WORK_LIMIT,
    )
    export_codes.click(bind(opening.export_codes, exports), [session], outputs(exports))
    targets = {"opened": opened, "decoded": decoded, "exports": exports}
    wire_keep(keeping, session, kind, model, levels, targets)
    renamed = parts.targets("grid_a", "grid_b", "labels", "status")
    gr.on(
        [apply.click, labels.submit],
        bind(apply_labels, renamed),
        [labels, model, session],
        outputs(renamed),
    )
    model.change(show_model_labels, [model, session], [labels])
    upload.change(handlers.show_original, [upload], [original])
    return CodesTab(model=model, session=session, status=status, refresh=refresh, key=key)

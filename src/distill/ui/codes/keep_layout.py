"""The Codes tab's controls for keeping work: the offer to restore the last session (over the
tab), and a row to export the selection (once, repeated or as a seamless loop), save the
session and open one. `build_*` lay them out where they are called; `wire_keep` connects
their events once the tab's other components exist."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import gradio as gr

from distill.inference.loops import MAX_REPEATS
from distill.ui.codes import keep, sample
from distill.ui.codes.autosave import restore_offered
from distill.ui.codes.concurrency import WORK_ID, WORK_LIMIT
from distill.ui.codes.events import then_reconstruct
from distill.ui.codes.keep import LevelsHeard
from distill.ui.codes.views import Target, bind, outputs
from distill.ui.common import model_selector_update


@dataclass(frozen=True)
class KeepControls:
    restore: gr.Button
    export: gr.Button
    repeats: gr.Number
    seamless: gr.Checkbox
    save: gr.Button
    open: gr.File


def build_restore_offer() -> gr.Button:
    """The offer line with Restore and Not now (hidden until keep.js shows it)."""
    with gr.Row(elem_id="session-offer", equal_height=True):
        gr.HTML('<span id="session-offer-text"></span>', apply_default_css=False)
        restore = gr.Button(
            "Restore", variant="primary", size="sm", elem_id="session-restore", scale=0
        )
        gr.Button("Not now", size="sm", elem_id="session-dismiss", scale=0)
    return restore


def build_keep_row(restore: gr.Button) -> KeepControls:
    """Export the selection (repeats, seamless loop), save the session, open one."""
    with gr.Row(equal_height=True, elem_id="keep-row"):
        export = gr.Button(
            "Export the selection", elem_id="export-selection", scale=0, min_width=190
        )
        repeats = gr.Number(
            1,
            label="Repeats",
            minimum=1,
            maximum=MAX_REPEATS,
            step=1,
            precision=0,
            elem_id="export-repeats",
            scale=0,
            min_width=90,
        )
        seamless = gr.Checkbox(
            False,
            label="Seamless loop (crossfade at the join)",
            elem_id="export-seamless",
            scale=0,
            min_width=160,
        )
        save = gr.Button("Save the session", elem_id="session-save", scale=0, min_width=170)
        opened = gr.File(
            label="Open a session (a .distill-session file)",
            type="filepath",
            elem_id="session-open",
            height=110,
            min_width=260,
        )
    return KeepControls(restore, export, repeats, seamless, save, opened)


def _levels(heard: LevelsHeard) -> gr.Slider:
    return gr.Slider(maximum=heard.maximum, value=heard.value)


def wire_keep(
    controls: KeepControls,
    session: gr.State,
    kind: gr.Radio,
    model: gr.Dropdown,
    levels: gr.Slider,
    targets: Mapping[str, Mapping[str, Target]],
) -> None:
    """Connect the controls: `targets` holds the tab's "opened", "decoded" and "exports"
    targets (as layout.py builds them)."""
    exports, decoded = targets["exports"], targets["decoded"]
    shown: dict[str, Target] = {
        **targets["opened"],
        "levels": (levels, _levels),
        "model": (model, lambda path: model_selector_update(prefer=path)),
    }
    controls.export.click(
        bind(sample.export_selection, exports),
        [session, kind, controls.repeats, controls.seamless],
        outputs(exports),
        concurrency_id=WORK_ID,
        concurrency_limit=WORK_LIMIT,
    )
    controls.save.click(bind(keep.save_session, exports), [session], outputs(exports))
    for event, handler, inputs in (
        (controls.open.upload, keep.open_session, [controls.open, session]),
        (controls.restore.click, restore_offered, [session]),
    ):
        opened = event(
            bind(handler, shown),
            inputs,
            outputs(shown),
            concurrency_id=WORK_ID,
            concurrency_limit=WORK_LIMIT,
        )
        then_reconstruct(opened, session, decoded)

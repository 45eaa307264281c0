"""The Train tab: choose audio, name the model, set a time budget, watch it learn."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from distill.audio.io import AUDIO_EXTENSIONS
from distill.ui.train.chart import BEST, TRAINING, VALIDATION
from distill.ui.train.handlers import (
    AUTO,
    CODEBOOK_CHOICES,
    cancel_training,
    check_name,
    new_train_session,
    run_training,
    training_done_buttons,
    usage_html,
)

CHART_COLOURS = {TRAINING: "#3b82f6", VALIDATION: "#f59e0b", BEST: "#c53030"}
TRAINING_CONCURRENCY = ("training", 1)  # one training at a time on this machine


@dataclass(frozen=True)
class TrainTab:
    """What the app wires after training ends: the run event and the tab's session."""

    run: gr.events.Dependency
    session: gr.State


def _inputs() -> tuple[
    gr.File, gr.Textbox, gr.Textbox, gr.Number, gr.Slider, gr.Dropdown, gr.Checkbox
]:
    with gr.Row():
        files = gr.File(
            label="Audio files to learn from (choose several)",
            file_count="multiple",
            file_types=list(AUDIO_EXTENSIONS),
            type="filepath",
            elem_id="train-files",
            scale=3,
        )
        with gr.Column(scale=2):
            folder = gr.Textbox(
                label="…or a folder on this computer",
                placeholder="/path/to/my/sounds",
                elem_id="train-folder",
            )
            name = gr.Textbox(label="Model name", value="my-sounds", elem_id="train-name")
    with gr.Row():
        minutes = gr.Number(
            label="Time budget (minutes)",
            value=10,
            minimum=0.05,
            maximum=24 * 60,
            elem_id="train-minutes",
        )
        levels = gr.Slider(
            2, 8, value=4, step=1, label="Levels (rows of the code grid)", elem_id="train-levels"
        )
        codebook = gr.Dropdown(
            CODEBOOK_CHOICES,
            value=AUTO,
            label="Codes per level",
            info="auto: 64 for up to 20 files, 128 up to 100, 256 above.",
            elem_id="train-codebook",
        )
        from_base = gr.Checkbox(
            value=True,
            label="Start from the base model",
            info="It already knows sound, so a few minutes make it sound like your files. "
            "Off: learn from nothing (slower to sound right).",
            elem_id="train-from-base",
        )
    return files, folder, name, minutes, levels, codebook, from_base


def build_train_tab() -> TrainTab:
    """Lay out the Train tab and wire its handlers (call inside a gr.Tab)."""
    session = gr.State(new_train_session)
    files, folder, name, minutes, levels, codebook, from_base = _inputs()
    with gr.Row():
        start = gr.Button("Start training", variant="primary", elem_id="train-start")
        cancel = gr.Button(
            "Cancel (keep the best so far)", interactive=False, elem_id="train-cancel"
        )
    status = gr.Markdown("", elem_id="train-status")
    with gr.Row():
        loss = gr.LinePlot(
            None,
            x="seconds",
            y="loss",
            color="curve",
            title="Loss against time (the vertical line: the checkpoint kept)",
            x_title="seconds of training",
            color_map=CHART_COLOURS,
            height=260,
            elem_id="train-loss",
            scale=3,
        )
        with gr.Column(scale=2):
            usage = gr.HTML(usage_html([]), elem_id="train-usage", js_on_load=None)
            listen = gr.Audio(
                None,
                type="filepath",
                label="Held-out clip, decoded by the model as it trains",
                interactive=False,
                elem_id="train-listen",
            )
    summary = gr.HTML("", elem_id="train-summary")
    # Outside the one-at-a-time queue, so a name in use is refused at once, not after a wait.
    run = start.click(check_name, [name], None, show_progress="hidden").success(
        run_training,
        [files, folder, name, minutes, levels, codebook, session, from_base],
        [status, loss, usage, listen, summary, start, cancel],
        concurrency_id=TRAINING_CONCURRENCY[0],
        concurrency_limit=TRAINING_CONCURRENCY[1],
        show_progress="minimal",
    )
    cancel.click(cancel_training, [session], [status])
    run.then(training_done_buttons, None, [start, cancel])
    return TrainTab(run=run, session=session)

"""The Codes tab's Generate panel: length, temperature, top-k, top-p, seed, events (new sounds
per minute) and novelty (close to my files <-> new), three actions, the prior's line ("no
prior" where the model has none) and the Generated player."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from distill.prior.settings import MAX_EVENTS_PER_MINUTE, SamplingSettings
from distill.ui.codes import generate
from distill.ui.codes.concurrency import WORK_ID, WORK_LIMIT

GENERATE_ID = "gen-new"
CONTINUE_ID = "gen-continue"
REGENERATE_ID = "gen-regenerate"
GENERATED_AUDIO_ID = "gen-audio"


@dataclass(frozen=True)
class GenerateTargets:
    """The Codes tab's components a result goes to."""

    model: gr.Dropdown
    session: gr.State
    grid: gr.HTML
    grid_b: gr.HTML
    summary: gr.Markdown
    history: gr.Markdown
    first_levels: gr.Slider
    status: gr.Markdown


def _settings() -> list[gr.components.Component]:
    with gr.Row():
        seconds = gr.Number(
            5.0, label="Length (seconds)", minimum=0.1, maximum=600, elem_id="gen-seconds"
        )
        temperature = gr.Slider(
            0.1, 2.0, value=1.0, step=0.05, label="Temperature", elem_id="gen-temperature"
        )
        top_k = gr.Number(
            0, label="Top-k (0: all codes)", precision=0, minimum=0, elem_id="gen-top-k"
        )
        top_p = gr.Slider(0.05, 1.0, value=1.0, step=0.05, label="Top-p", elem_id="gen-top-p")
        seed = gr.Number(
            0, label="Seed (same seed, same result)", precision=0, minimum=0, elem_id="gen-seed"
        )
    with gr.Row():
        events = gr.Number(
            None,
            label="Events: new sounds per minute (blank: as in your files; 0: one sound)",
            minimum=0,
            maximum=MAX_EVENTS_PER_MINUTE,
            elem_id="gen-events",
        )
        novelty = gr.Slider(
            0.0,
            1.0,
            value=SamplingSettings.novelty,
            step=0.05,
            label="Close to my files (0) <-> new (1)",
            elem_id="gen-novelty",
        )
    return [seconds, temperature, top_k, top_p, seed, events, novelty]


def build_generate_panel(targets: GenerateTargets) -> None:
    """Lay out the panel and wire its three buttons (call inside the Codes tab)."""
    with gr.Accordion("Generate from the model's prior over codes", open=True, elem_id="gen-panel"):
        info = gr.Markdown(generate.prior_line(targets.model.value), elem_id="gen-prior")
        seconds, *sampling = _settings()
        with gr.Row(equal_height=True):
            new = gr.Button("Generate new sound", variant="primary", elem_id=GENERATE_ID)
            more = gr.Button("Continue the encoded file", elem_id=CONTINUE_ID)
            again = gr.Button("Regenerate the selection", elem_id=REGENERATE_ID)
        player = gr.Audio(
            label="Generated (what the grid now holds)",
            elem_id=GENERATED_AUDIO_ID,
            interactive=False,
            waveform_options=gr.WaveformOptions(show_recording_waveform=False),
            buttons=["download"],
        )
    outputs = [
        targets.session,
        targets.grid,
        targets.grid_b,
        targets.summary,
        player,
        targets.history,
        targets.first_levels,
        targets.status,
        info,
    ]
    targets.model.change(generate.prior_line, [targets.model], [info])
    for button, handler, inputs in (
        (new, generate.generate_new, [targets.model, seconds, *sampling, targets.session]),
        (more, generate.continue_file, [seconds, *sampling, targets.session]),
        (again, generate.regenerate_selection, [*sampling, targets.session]),
    ):
        button.click(
            handler,
            inputs,
            outputs,
            show_progress_on=[targets.grid],
            concurrency_id=WORK_ID,  # the Codes tab's heavy work: a few at once in all
            concurrency_limit=WORK_LIMIT,
        )

"""The Codes tab's Generate panel: length, temperature, top-k, top-p, seed, takes, events (new
sounds per minute) and novelty (close to my files <-> new); Generate new sound, Continue,
Regenerate the selection and New take; the prior's line ("no prior" where the model has
none), the result line, which names every setting a result used, and the strip of the takes
Generate drew (takes.js: hear one, open one in A through the hidden box and button).

Its answers are `generate.GenerateView`s: the panel's own outputs (the seed box, the result
line) and the Codes tab's (`targets`, by view field), so takes can be added here alone.
"""

from __future__ import annotations

import gradio as gr

from distill.prior.settings import DEFAULT_TAKES, SamplingSettings
from distill.ui.codes import generate
from distill.ui.codes.concurrency import WORK_ID, WORK_LIMIT
from distill.ui.codes.state import CodesState
from distill.ui.codes.takes import takes_html
from distill.ui.codes.views import Target, bind, outputs

GENERATE_ID = "gen-new"
CONTINUE_ID = "gen-continue"
REGENERATE_ID = "gen-regenerate"
NEW_TAKE_ID = "gen-new-take"
TAKES_ID = "gen-takes"  # the strip of the last Generate's takes (takes.js plays and picks)


def _settings() -> list[gr.components.Component]:
    # No minimum on the number boxes: Gradio would refuse a value below it with a traceback
    # in the server's log; generate_settings.take_settings says what is wrong instead.
    with gr.Row():
        seconds = gr.Number(5.0, label="Length (seconds)", elem_id="gen-seconds")
        temperature = gr.Slider(
            0.1, 2.0, value=1.0, step=0.05, label="Temperature", elem_id="gen-temperature"
        )
        top_k = gr.Number(0, label="Top-k (0: all codes)", precision=0, elem_id="gen-top-k")
        top_p = gr.Slider(0.05, 1.0, value=1.0, step=0.05, label="Top-p", elem_id="gen-top-p")
        seed = gr.Number(0, label="Seed (same seed, same result)", precision=0, elem_id="gen-seed")
        takes = gr.Number(
            DEFAULT_TAKES, label="Takes (side by side)", precision=0, elem_id="gen-takes-count"
        )
    with gr.Row():
        # A text box, not a number box: Gradio sends a blank number box as 0 (one sound),
        # and blank here means "as in your files".
        events = gr.Textbox(
            "",
            label="Events: new sounds per minute (blank: as in your files; 0: one sound)",
            placeholder="as in your files",
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
    return [seconds, temperature, top_k, top_p, seed, events, novelty, takes]


def build_generate_panel(model: gr.Dropdown, session: gr.State, targets: dict[str, Target]) -> None:
    """Lay out the panel and wire its buttons (call inside the Codes tab); `targets` are the
    tab's components a result shows in, by GenerateView field."""
    with gr.Accordion("Generate from the model's prior over codes", open=True, elem_id="gen-panel"):
        info = gr.Markdown(generate.prior_line(model.value), elem_id="gen-prior")
        seconds, temperature, top_k, top_p, seed, events, novelty, count = _settings()
        with gr.Row(equal_height=True):
            new = gr.Button("Generate new sound", variant="primary", elem_id=GENERATE_ID)
            more = gr.Button("Continue A", elem_id=CONTINUE_ID)
            again = gr.Button("Regenerate the selection", elem_id=REGENERATE_ID)
            # No emoji: an offline machine without an emoji font draws an empty box.
            take = gr.Button("New take (a fresh seed)", elem_id=NEW_TAKE_ID)
        result = gr.Markdown("", elem_id="gen-result")
        strip = gr.HTML(takes_html(CodesState()), elem_id=TAKES_ID, apply_default_css=False)
        picked = gr.Textbox(visible="hidden", elem_id="gen-take-open")
        pick = gr.Button(visible="hidden", elem_id="gen-take-go")
    answer = {**targets, "result": result, "seed": seed, "takes": strip}
    sampling = [temperature, top_k, top_p]
    steering = [events, novelty]
    model.change(generate.prior_line, [model], [info])
    for button, handler, inputs in (
        (new, generate.generate_new, [model, seconds, *sampling, seed, *steering, count, session]),
        (more, generate.continue_file, [seconds, *sampling, seed, *steering, session]),
        (again, generate.regenerate_selection, [*sampling, seed, *steering, session]),
        (take, generate.new_take, [model, seconds, *sampling, *steering, count, session]),
        (pick, generate.open_take, [picked, session]),
    ):
        button.click(
            bind(handler, answer),
            inputs,
            outputs(answer),
            show_progress_on=[targets_component(targets, "grid_a")],
            concurrency_id=WORK_ID,  # the Codes tab's heavy work: a few at once in all
            concurrency_limit=WORK_LIMIT,
        )


def targets_component(targets: dict[str, Target], name: str) -> gr.components.Component:
    target = targets[name]
    return target[0] if isinstance(target, tuple) else target

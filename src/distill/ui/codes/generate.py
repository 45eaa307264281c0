"""Generate panel handlers: new sound from the model's prior, the continuation of the encoded
file, a fresh take on the selection. A result opens in grid A like an encoded file (its own
edit history, clickable, playable, editable); a regenerated selection is an edit of A (undo
takes it back). Every result says in plain words how much it copies from the training files.

Each handler returns GENERATE_OUTPUTS: (session, grid A, grid B, summary, generated audio,
history line, levels-heard slider, status, prior line).
"""

from __future__ import annotations

import math
from typing import Any

import gradio as gr

from distill.inference import decode_grid
from distill.models.persistence import LoadedVQModel, read_model_info
from distill.prior.sampling import (
    GenerationResult,
    PriorError,
    SamplingSettings,
    continue_grid,
    regenerate_region,
)
from distill.prior.takes import generate_takes
from distill.ui.codes import editor
from distill.ui.codes.labels import labels_for
from distill.ui.codes.pictures import remove_pictures
from distill.ui.codes.render import summary_text
from distill.ui.codes.session import CodesSession, Listening, OpenFile, session_model
from distill.ui.common import ui_errors, write_scratch_wav

NO_MODEL = "Choose a model first: generation uses the chosen model's prior."
NO_FILE = "Encode a file first (or generate one): continuing needs a grid in A."
NO_SELECTION = "Select a region of A first (drag across its cells), then regenerate it."


def prior_line(model_path: str | None) -> str:
    """What the panel says about the chosen model's prior ('no prior' where it has none)."""
    if not model_path:
        return "Choose a model to generate with."
    try:
        info = read_model_info(model_path)
    except ValueError as error:
        return str(error)
    if info.prior_metadata is None:
        return (
            f"**No prior** in the model '{info.display_name}': it cannot generate. Add one "
            f"with `distill train-prior {info.lookup_name} FOLDER` (training in the Train tab "
            "adds one too)."
        )
    return f"Prior: {info.prior_metadata.summary()}."


def _settings(
    seconds: Any,
    temperature: Any,
    top_k: Any,
    top_p: Any,
    seed: Any,
    events: Any = None,
    novelty: Any = SamplingSettings.novelty,
) -> tuple[float, SamplingSettings]:
    """The panel's fields as (seconds, settings): events blank is "as in your files"; the
    library's defaults for the rest (its own checks say what is wrong)."""

    def whole(value: Any, name: str) -> int:
        number = float(value) if value is not None else math.nan
        if not math.isfinite(number) or number != int(number):
            raise PriorError(f"{name} must be a whole number, got {value!r}.")
        return int(number)

    seconds = float(seconds) if seconds is not None else math.nan
    settings = SamplingSettings(
        float(temperature),
        whole(top_k, "top-k"),
        float(top_p),
        whole(seed, "The seed"),
        events=None if events is None or events == "" else float(events),
        novelty=float(novelty) if novelty is not None else math.nan,
    )
    return seconds, settings


def _show(
    session: CodesSession, loaded: LoadedVQModel, result: GenerationResult, done: str
) -> tuple[Any, ...]:
    """Decode the result into the Generated player; answer with GENERATE_OUTPUTS."""
    open_file = session.open_file
    assert open_file is not None
    path = write_scratch_wav(decode_grid(result.grid, loaded), "generated")
    session.keep_scratch("generated", path)
    a_html, b_html = editor.grids_html(session)
    model_name = read_model_info(open_file.model_path).lookup_name
    status = f"{done} {result.memorisation.describe()}"
    levels = open_file.grid.num_levels
    return (
        session,
        a_html,
        b_html,
        summary_text(open_file, model_name),
        path,
        editor.history_text(session),
        gr.Slider(maximum=levels, value=levels),
        status,
        status,
    )


def _open_result(
    session: CodesSession, model_path: str, name: str, result: GenerationResult
) -> None:
    """The result as file A with a fresh history (B stays if the same model made it). The
    previous file's spectrograms go: a generated grid has no original to draw."""
    info = read_model_info(model_path)
    remove_pictures(session.pictures)
    session.pictures = None
    grid = result.grid.with_labels(labels_for(session, info))
    session.open_file = OpenFile(model_path, name, grid, grid)
    other = session.other_file
    session.other_file = other if other is not None and other.model_path == model_path else None
    session.listening = Listening()
    editor.start_history(session)


@ui_errors
def generate_new(
    model_path: str | None,
    seconds: Any,
    temperature: Any,
    top_k: Any,
    top_p: Any,
    seed: Any,
    events: Any,
    novelty: Any,
    session: CodesSession,
) -> tuple[Any, ...]:
    """New sound from the chosen model's prior, opened in A."""
    if not model_path:
        raise ValueError(NO_MODEL)
    length, settings = _settings(seconds, temperature, top_k, top_p, seed, events, novelty)
    loaded = session_model(session, model_path)
    # One take until the Codes tab shows takes to pick from: silent or stuck ones are
    # still set aside and drawn again.
    take = generate_takes(loaded, length, settings, takes=1).takes[0]
    result = take.result
    _open_result(session, model_path, f"generated (seed {settings.seed})", result)
    sounds = 1 + len(result.sound_starts)
    done = (
        f"Generated {result.grid.duration_s:.2f} s (seed {settings.seed}, take {take.number}, "
        f"{sounds} sound{'s' if sounds != 1 else ''})."
    )
    return _show(session, loaded, result, done)


@ui_errors
def continue_file(
    seconds: Any,
    temperature: Any,
    top_k: Any,
    top_p: Any,
    seed: Any,
    events: Any,
    novelty: Any,
    session: CodesSession,
) -> tuple[Any, ...]:
    """A's grid as it is now (edits included), continued by the model that encoded it (the
    sound goes on: events do not apply)."""
    open_file = session.open_file
    if open_file is None:
        raise ValueError(NO_FILE)
    length, settings = _settings(seconds, temperature, top_k, top_p, seed, events, novelty)
    loaded = session_model(session, open_file.model_path)
    result = continue_grid(loaded, open_file.grid, length, settings)
    name = f"{open_file.audio_name} continued"
    _open_result(session, open_file.model_path, name, result)
    added = (result.columns[1] - result.columns[0]) * result.grid.seconds_per_column
    done = f"Continued {open_file.audio_name} by {added:.2f} s (from column {result.columns[0]})."
    return _show(session, loaded, result, done)


@ui_errors
def regenerate_selection(
    temperature: Any,
    top_k: Any,
    top_p: Any,
    seed: Any,
    events: Any,
    novelty: Any,
    session: CodesSession,
) -> tuple[Any, ...]:
    """The selected region of A drawn again (an edit: Undo takes it back; events do not
    apply inside a region)."""
    open_file, selection = session.open_file, session.selection
    if open_file is None or selection is None or selection[0] != "a":
        raise ValueError(NO_SELECTION)
    _, settings = _settings(1.0, temperature, top_k, top_p, seed, events, novelty)
    region = selection[1]
    loaded = session_model(session, open_file.model_path)
    columns = (region.columns[0], region.columns[1] + 1)
    levels = list(range(region.levels[0], region.levels[1] + 1))
    result = regenerate_region(loaded, open_file.grid, columns, levels, settings)
    grids = (result.grid,) if session.other_file is None else (result.grid, session.other_file.grid)
    editor.apply_grids(session, grids, "")
    done = (
        f"Regenerated levels {levels[0] + 1}-{levels[-1] + 1}, columns {columns[0]}-"
        f"{columns[1] - 1} (Undo takes it back)."
    )
    return _show(session, loaded, result, done)

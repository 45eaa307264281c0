"""Generate panel handlers: new sound from the model's prior, the continuation of A, a fresh
take on the selection, and "New take" (the last of these again with a fresh seed). Events
(new sounds per minute) and novelty (close to my files <-> new) steer every draw.

A new sound opens in A like an encoded file: its grid, its decode in the players and its
spectrogram, B as it was encoded, an export of it. A continuation and a regenerated region
are one step of A's history each (Undo takes them back); a continuation marks its join.
Every answer is a `GenerateView` whose result line names each setting used and says how
much the result copies from the training files.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from typing import Any, Literal

from distill.inference import decode_grid
from distill.models.persistence import read_model_info
from distill.prior.sampling import (
    GenerationResult,
    continue_grid,
    regenerate_region,
)
from distill.prior.takes import generate_takes
from distill.ui.codes import edits
from distill.ui.codes.generate_settings import Take, take_count, take_settings
from distill.ui.codes.opening import open_decoded
from distill.ui.codes.pictures import with_reconstruction
from distill.ui.codes.render import grid_html, toolbar
from distill.ui.codes.session import CodesSession, long_job
from distill.ui.codes.state import CodesState, Grids, TakeStrip
from distill.ui.codes.takes import picked_take, take_name, take_strip, takes_html
from distill.ui.codes.views import KEEP, Maybe, OpenView, Player
from distill.ui.common import write_scratch_wav

NO_MODEL = "Choose a model first: generation uses the chosen model's prior."
NO_FILE = "Encode a file first (or generate one): continuing needs a grid in A."
NO_SELECTION = "Select a region of A first (drag across its cells), then regenerate it."
MAX_SEED = 2**31 - 1
TakeKind = Literal["new", "continue", "regenerate"]


@dataclass(frozen=True)
class GenerateView:
    """What a generation shows: grid A, the bar and the lines always; a new sound also
    shows as a newly opened file (grid B, labels, players, the export box cleared)."""

    grid_a: str
    toolbar: str
    status: str
    result: str
    seed: int
    grid_b: Maybe[str] = KEEP
    labels: Maybe[str] = KEEP
    takes: Maybe[str] = KEEP
    levels: Maybe[int] = KEEP
    original: Maybe[Player] = KEEP
    reconstruction: Maybe[str | None] = KEEP
    unedited: Maybe[str | None] = KEEP
    exported: Maybe[None] = KEEP

    @classmethod
    def opened(cls, view: OpenView, result: str, seed: int) -> GenerateView:
        """A new sound: the page shows it as a newly opened file."""
        return cls(
            view.grid_a,
            view.toolbar,
            view.status,
            result,
            seed,
            grid_b=view.grid_b,
            labels=view.labels,
            levels=view.levels,
            original=view.original,
            reconstruction=view.reconstruction,
            unedited=view.unedited,
            exported=view.exported,
        )


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


def _result_line(done: str, settings: Take, result: GenerationResult) -> str:
    return f"{done} ({settings.describe()}). {result.memorisation.describe()}"


@long_job
def generate_new(
    model_path: str | None,
    seconds: Any,
    temperature: Any,
    top_k: Any,
    top_p: Any,
    seed: Any,
    events: Any,
    novelty: Any,
    takes: Any,
    session: CodesSession,
) -> GenerateView:
    """`takes` takes of new sound from the chosen model's prior (silent or stuck ones set
    aside and drawn again), shown in the takes strip; the first opens in A like an encoded
    file."""
    if not model_path:
        raise ValueError(NO_MODEL)
    settings = take_settings(seconds, temperature, top_k, top_p, seed, events, novelty)
    count = take_count(takes)
    loaded = session.model(model_path)
    drawn = generate_takes(loaded, settings.seconds, settings.sampling, takes=count)
    lines = [
        _result_line(_generated(take.result, take.number), settings, take.result)
        for take in drawn.takes
    ]
    if drawn.rejected:
        lines = [f"{line} {drawn.describe()}" for line in lines]
    strip = take_strip(loaded, model_path, settings.sampling.seed, drawn, lines)
    return _open_take(session, strip, 0)


def _generated(result: GenerationResult, number: int) -> str:
    sounds = 1 + len(result.sound_starts)
    return (
        f"Generated {result.grid.duration_s:.2f} s, take {number}, {sounds} "
        f"sound{'s' if sounds != 1 else ''}"
    )


def _open_take(session: CodesSession, strip: TakeStrip, index: int) -> GenerateView:
    """Take `index` of the strip opened in A like an encoded file (`opening.open_decoded`),
    the strip shown from the same moment."""
    take = strip.takes[index]
    name = take_name(strip.seed, take.number)
    view = open_decoded(session, strip.model_path, take.grid, name, take.line, "new", strip)
    return replace(
        GenerateView.opened(view, take.line, strip.seed), takes=takes_html(session.state)
    )


@long_job
def open_take(payload: Any, session: CodesSession) -> GenerateView:
    """The take the page names (`{"take": i}`, an index of the strip) opened in A, as
    Generate opened the first."""
    strip, index = picked_take(session.state, payload)
    return _open_take(session, strip, index)


@long_job
def continue_file(
    seconds: Any,
    temperature: Any,
    top_k: Any,
    top_p: Any,
    seed: Any,
    events: Any,
    novelty: Any,
    session: CodesSession,
) -> GenerateView:
    """A as it is now (edits included), continued by the model that made it: one step of
    the history, the join marked, the whole decoded into the reconstruction player (the
    sound goes on: events do not apply)."""
    state = session.state
    a, editor = state.a, state.editor
    if a is None or editor is None:
        raise ValueError(NO_FILE)
    settings = take_settings(seconds, temperature, top_k, top_p, seed, events, novelty)
    loaded = session.model(a.model_path)
    now = editor.history.current
    result = continue_grid(loaded, now.a, settings.seconds, settings.sampling)
    grid = result.grid.with_labels(now.a.level_labels)
    added = (result.columns[1] - result.columns[0]) * grid.seconds_per_column
    done = (
        f"Continued {a.name} by {added:.2f} s from column {result.columns[0]}; Undo takes it back"
    )
    line = _result_line(done, settings, result)
    step = edits.apply(editor, Grids(grid, now.b, join=result.columns[0]), line)
    audio = decode_grid(edits.heard_grid(step.editor), loaded)
    session.check()
    path = session.keep_scratch("reconstruction", write_scratch_wav(audio, "reconstruction"))
    pictures = a.pictures and with_reconstruction(a.pictures, audio, grid, loaded.spectrogram)

    def continued(current: CodesState) -> CodesState:
        if current.editor is not editor:  # something else changed A meanwhile: keep that
            raise ValueError("A changed while it was being continued: press Continue again.")
        return replace(
            current, a=replace(a, pictures=pictures), editor=step.editor, take="continue"
        )

    after = session.update(continued)
    return GenerateView(
        grid_html(after, "a"),
        toolbar(after),
        line,
        line,
        settings.sampling.seed,
        reconstruction=path,
    )


@long_job
def regenerate_selection(
    temperature: Any,
    top_k: Any,
    top_p: Any,
    seed: Any,
    events: Any,
    novelty: Any,
    session: CodesSession,
) -> GenerateView:
    """The selected region of A drawn again: one step of the history (Undo takes it back;
    events do not apply inside a region)."""
    state = session.state
    editor = state.editor
    selection = editor.selection if editor is not None else None
    if state.a is None or editor is None or selection is None or selection.side != "a":
        raise ValueError(NO_SELECTION)
    settings = take_settings(1.0, temperature, top_k, top_p, seed, events, novelty)
    region = selection.region
    loaded = session.model(state.a.model_path)
    now = editor.history.current
    columns = (region.columns[0], region.columns[1] + 1)
    levels = list(range(region.levels[0], region.levels[1] + 1))
    result = regenerate_region(loaded, now.a, columns, levels, settings.sampling)
    done = (
        f"Regenerated levels {levels[0] + 1}-{levels[-1] + 1}, columns {columns[0]}-"
        f"{columns[1] - 1}; Undo takes it back"
    )
    line = _result_line(
        done, replace(settings, seconds=region.num_columns * now.a.seconds_per_column), result
    )
    step = edits.apply(editor, now.with_grid("a", result.grid), line)

    def regenerated(current: CodesState) -> CodesState:
        if current.editor is not editor:
            raise ValueError("A changed while it was being regenerated: press it again.")
        return replace(current, editor=step.editor, take="regenerate")

    after = session.update(regenerated)
    changed = (result.grid.codes[0] != now.a.codes[0]).numpy()
    return GenerateView(
        grid_html(after, "a", changed), toolbar(after), line, line, settings.sampling.seed
    )


def new_take(
    model_path: str | None,
    seconds: Any,
    temperature: Any,
    top_k: Any,
    top_p: Any,
    events: Any,
    novelty: Any,
    takes: Any,
    session: CodesSession,
) -> GenerateView:
    """The last generation (new sound, continuation or regenerated selection; a new sound
    when there was none) again with a fresh seed, which the seed box then shows."""
    seed = secrets.randbelow(MAX_SEED)
    kind = session.state.take or "new"
    if kind == "continue":
        return continue_file(seconds, temperature, top_k, top_p, seed, events, novelty, session)
    if kind == "regenerate":
        return regenerate_selection(temperature, top_k, top_p, seed, events, novelty, session)
    return generate_new(
        model_path, seconds, temperature, top_k, top_p, seed, events, novelty, takes, session
    )

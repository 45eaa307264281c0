"""The Generate panel's handlers as plain functions: a new sound opens in A like an encoded
file (players, spectrograms, B, export), Continue is one undoable step with its join marked,
a regenerated region is an undoable edit, New take draws a fresh seed, every result line
names its settings, and bad settings and models without a prior are plain messages."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import soundfile as sf
import torch
from tests.ui.codes.fast_client import Page

from distill.editing import Region
from distill.prior.character import collapse_runs
from distill.prior.habits import collection_habits
from distill.ui.codes import edits, opening
from distill.ui.codes import generate as gen
from distill.ui.codes.session import CodesSession, end_codes_session
from distill.ui.codes.state import Selection
from distill.ui.codes.takes import take_name
from distill.ui.codes.views import KEEP

SAMPLING = (1.0, 0, 0.95, 4, None, 1.0)  # temperature, top-k, top-p, seed, events, novelty
STEERING = (None, 1.0)  # events (blank: as in the files), novelty


@pytest.fixture
def session() -> Iterator[CodesSession]:
    session = CodesSession()
    yield session
    end_codes_session(session)


def test_a_generation_opens_in_a_like_an_encoded_file(
    prior_model_file: Path, tone_file: Path, session: CodesSession
) -> None:
    opening.encode(str(prior_model_file), str(tone_file), session, str(tone_file))
    view = gen.generate_new(str(prior_model_file), 2.0, *SAMPLING, 1, session)
    state = session.state
    assert state.a is not None and state.editor is not None
    assert state.a.name == "generated (seed 4, take 1)" and state.a.source is None
    grid = state.editor.grids.a
    assert view.grid_a.count('class="cg-row"') == 3 and grid.num_columns == 47
    assert "generated (seed 4, take 1)" in view.grid_a and "47 columns × 3 levels" in view.grid_a
    # Its own decode is in the players and drawn over the grid; the old export goes.
    assert view.original is not KEEP and view.original.path == view.reconstruction
    assert isinstance(view.reconstruction, str)
    assert sf.info(view.reconstruction).frames == grid.num_samples
    assert view.grid_a.count('<img class="cg-pic"') == 3 and view.exported is None
    assert "No edits yet." in view.toolbar and view.seed == 4
    # B was made by the same model: it stays, as it was encoded (a new history).
    assert state.b is not None and "B · tone.wav" in str(view.grid_b)
    assert re.match(
        r"Generated 1\.99 s, take 1, \d+ sounds? \(seed 4, temperature 1, top-k off, top-p 0\.95, "
        r"novelty 1, events as in the files, 2 s\)\. Copies",
        view.result,
    )
    again = gen.generate_new(str(prior_model_file), 2.0, *SAMPLING, 1, CodesSession())
    assert again.grid_a.split("<div", 2)[2][:2000] == view.grid_a.split("<div", 2)[2][:2000]


def test_generate_draws_takes_side_by_side_and_any_of_them_opens_in_a(
    prior_model_file: Path, server: str, session: CodesSession
) -> None:
    model = str(prior_model_file)
    view = gen.generate_new(model, 2.0, *SAMPLING, 3, session)
    strip = session.state.takes
    assert strip is not None and strip.seed == 4 and len(strip.takes) == 3
    assert len({t.number for t in strip.takes}) == 3
    assert not torch.equal(strip.takes[0].grid.codes, strip.takes[1].grid.codes)
    cards = str(view.takes).split("<figure")[1:]
    assert len(cards) == 3 and all('src="data:image/png;base64,' in c for c in cards)
    assert ["gen-take-open" in c for c in cards] == [True, False, False]
    first = strip.takes[0]
    assert session.state.a is not None and session.state.a.name == take_name(4, first.number)
    assert f"Take {first.number} · 2.0 s" in cards[0] and view.result == first.line
    # A take is heard whole through the fast path; one that is not there is a sentence.
    page = Page(server, f"takes-{id(session)}", session)  # the fixture ends the session
    status, headers, data = page.post("take", {"take": 1})
    assert status == 200 and len(data) == 2 * strip.takes[1].grid.num_samples
    note = urllib.request.unquote(headers["X-Distill-Status"])
    assert f"take {strip.takes[1].number} of seed 4" in note
    status, _, data = page.post("take", {"take": 3})
    assert status == 422 and "There is no take 4" in json.loads(data)["status"]
    # Open puts the third in A as a newly opened file; the strip marks it.
    opened = gen.open_take('{"take": 2}', session)
    state = session.state
    assert state.a is not None and state.editor is not None
    assert state.a.name == take_name(4, strip.takes[2].number)
    assert opened.result == strip.takes[2].line
    assert torch.equal(state.editor.grids.a.codes, strip.takes[2].grid.codes)
    assert len(state.editor.history.states) == 1 and state.takes is strip
    cards = str(opened.takes).split("<figure")[1:]
    assert ["gen-take-open" in c for c in cards] == [False, False, True]
    for payload, fragment in (("", "Pick a take"), ('{"take": 7}', "There is no take 8")):
        with pytest.raises(ValueError, match=fragment):
            gen.open_take(payload, session)
    with pytest.raises(ValueError, match="Press Generate first"):
        gen.open_take('{"take": 0}', CodesSession())
    for count in (0, 9, 2.5, None, "many"):
        with pytest.raises(ValueError, match="Takes must be a whole number from 1 to 8"):
            gen.generate_new(model, 1.0, *SAMPLING, count, session)


def test_generate_then_export_writes_the_generated_sound(
    prior_model_file: Path, tone_file: Path, session: CodesSession
) -> None:
    opening.encode(str(prior_model_file), str(tone_file), session)
    view = gen.generate_new(str(prior_model_file), 1.0, *SAMPLING, 1, session)
    exported = opening.export_audio(session, "WAV (24-bit)").exported
    assert Path(exported).name == "generated-seed-4-take-1.wav"
    assert sf.info(exported).frames == sf.info(str(view.reconstruction)).frames
    assert sf.info(exported).frames != sf.info(tone_file).frames * 48000 // 44100


def test_continue_is_one_step_with_its_join_and_undo_takes_it_back(
    prior_model_file: Path, tone_file: Path, session: CodesSession
) -> None:
    opening.encode(str(prior_model_file), str(tone_file), session)
    editor = session.state.editor
    assert editor is not None
    session.update(
        lambda s: dataclasses.replace(s, editor=edits.set_cell(editor, "a", 0, 3, 5).editor)
    )
    before = session.state.editor.grids.a  # type: ignore[union-attr]
    view = gen.continue_file(1.0, *SAMPLING, session)
    after = session.state.editor
    assert after is not None and after.history.length == 2  # the edit, then the continuation
    grid = after.grids.a
    assert torch.equal(grid.codes[:, : before.num_columns], before.codes)  # edits kept
    assert grid.num_columns == before.num_columns + 23 and after.grids.join == before.num_columns
    assert (
        'class="cg-join" style' in view.grid_a and f'data-p="{before.num_columns}"' in view.grid_a
    )
    assert view.result.startswith(
        f"Continued tone.wav by 0.98 s from column {before.num_columns}; Undo takes it back ("
        "seed 4, temperature 1, top-k off, top-p 0.95, novelty 1, events as in the files, 1 s)."
    )
    assert isinstance(view.reconstruction, str)
    assert sf.info(view.reconstruction).frames == grid.num_samples
    undone = edits.step(after, forward=False).editor
    assert undone.grids.a is before and undone.grids.join is None


def test_regenerating_is_an_edit_and_a_new_take_draws_a_fresh_seed(
    prior_model_file: Path, session: CodesSession
) -> None:
    gen.generate_new(str(prior_model_file), 2.0, *SAMPLING, 1, session)
    select = Selection("a", Region((1, 2), (10, 19)))
    session.update(
        lambda s: dataclasses.replace(s, editor=dataclasses.replace(s.editor, selection=select))
    )
    before = session.state.editor.grids.a  # type: ignore[union-attr]
    first = gen.regenerate_selection(2.0, 0, 1.0, 9, *STEERING, session)
    after = session.state.editor.grids.a  # type: ignore[union-attr]
    changed = (after.codes != before.codes)[0]
    assert changed.any() and not changed[:10].any() and not changed[20:].any()
    assert not changed[:, 0].any() and "Edit 1 of 1" in first.toolbar
    assert (
        "flash" in first.grid_a
        and "seed 9" in first.result
        and "Undo takes it back" in first.result
    )
    takes = [
        gen.new_take(str(prior_model_file), 2.0, 2.0, 0, 1.0, *STEERING, 1, session)
        for _ in range(2)
    ]
    assert takes[0].seed != takes[1].seed != 9
    grids = session.state.editor.history.states  # type: ignore[union-attr]
    assert len(grids) == 4 and not torch.equal(grids[2].a.codes, grids[3].a.codes)
    assert f"seed {takes[1].seed}" in takes[1].result


def test_bad_settings_and_models_without_a_prior_are_plain_messages(
    model: Path, prior_model_file: Path, session: CodesSession
) -> None:
    assert "No prior" in gen.prior_line(str(model)) and "train-prior tiny" in gen.prior_line(
        str(model)
    )
    assert gen.prior_line(str(prior_model_file)).startswith("Prior: held-out perplexity")
    prior = str(prior_model_file)

    def one_second(*fields: object) -> Callable[[], object]:
        return lambda: gen.generate_new(prior, 1, *fields, 1, session)

    cases = [
        (lambda: gen.generate_new(str(model), 2.0, *SAMPLING, 1, session), "has no prior"),
        (lambda: gen.generate_new(None, 2.0, *SAMPLING, 1, session), "Choose a model first"),
        (lambda: gen.generate_new(prior, -1, *SAMPLING, 1, session), "above 0"),
        (lambda: gen.generate_new(prior, None, *SAMPLING, 1, session), "The length is empty"),
        (one_second(0.0, 0, 1.0, 0, *STEERING), "temperature"),
        (one_second(1.0, 2.5, 1.0, 0, *STEERING), "top-k must be a whole"),
        (one_second(1.0, 0, 1.0, None, *STEERING), "The seed is empty"),
        (one_second(1.0, 0, 1.0, -3, *STEERING), "0 or more, got -3"),
        (one_second(1.0, 0, 1.0, 0, -1, 1.0), "Events must"),
        (one_second(1.0, 0, 1.0, 0, "lots", 1.0), "Events is empty or not a number"),
        (one_second(1.0, 0, 1.0, 0, None, None), "Novelty is empty"),
        (one_second(1.0, 0, 1.0, 0, None, 1.5), "Novelty must"),
        (lambda: gen.continue_file(1.0, *SAMPLING, session), "Encode a file first"),
        (lambda: gen.regenerate_selection(*SAMPLING, session), "Select a region of A first"),
    ]
    for call, fragment in cases:
        with pytest.raises(ValueError, match=fragment):
            call()
    assert session.state.a is None


def test_the_events_and_novelty_fields_steer_the_generation(
    prior_model_file: Path, session: CodesSession
) -> None:
    """Events 0: one sound that goes on; many events: new sounds start inside the take;
    novelty 0: level 1 makes only moves the training files make."""
    model = str(prior_model_file)
    one = gen.generate_new(model, 4.0, 1.0, 0, 1.0, 3, 0, 1.0, 1, session).result
    assert ", 1 sound (" in one and "events 0/min" in one
    many = gen.generate_new(model, 4.0, 1.0, 0, 1.0, 3, 600, 1.0, 1, session).result
    assert ", 1 sound (" not in many and " sounds (" in many and "events 600/min" in many
    gen.generate_new(model, 4.0, 1.0, 0, 1.0, 3, 0, 0.0, 1, session)
    state = session.state
    assert state.editor is not None
    grid = state.editor.grids.a
    loaded = session.model(model)
    habits = collection_habits(loaded.trained_prior, grid.seconds_per_column)
    path = collapse_runs(grid.codes[0, :, 0].numpy())
    assert all(habits.moves[a, b] for a, b in itertools.pairwise(path))

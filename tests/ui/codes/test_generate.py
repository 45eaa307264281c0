"""The Generate panel's handlers as plain functions: a result opens in A like an encoded file
(clickable, playable, editable), continuation keeps A, regeneration is an undoable edit, and
models without a prior say so."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import soundfile as sf
import torch
from tests.helpers import error_text

from distill.editing import Region
from distill.prior.character import collapse_runs
from distill.prior.habits import collection_habits
from distill.ui.codes import editor
from distill.ui.codes import generate as gen
from distill.ui.codes import handlers as codes
from distill.ui.codes.session import CodesSession, end_codes_session, session_model

SAMPLING = (1.0, 0, 0.95, 4, None, 1.0)  # temperature, top-k, top-p, seed, events, novelty


@pytest.fixture
def session():
    session = CodesSession()
    yield session
    end_codes_session(session)


def test_a_generation_opens_in_a_like_an_encoded_file(prior_model_file: Path, session):
    out = gen.generate_new(str(prior_model_file), 2.0, *SAMPLING, session)
    same, grid_html, _b, summary, audio, history, _slider, status, prior_note = out
    open_file = session.open_file
    assert (
        same is session and open_file is not None and open_file.audio_name == "generated (seed 4)"
    )
    assert grid_html.count('class="cg-row"') == 3
    assert grid_html.count('class="cg-col"') == open_file.grid.num_columns == 47
    assert "generated (seed 4)" in summary and "47 columns × 3 levels" in summary
    assert sf.info(audio).frames == open_file.grid.num_samples
    assert history == "No edits yet."
    assert status.startswith("Generated 1.99 s (seed 4, take ") and prior_note == status
    assert "sound" in status and "Copies" in status
    # Clickable and playable like an encoded file: a cell plays its code alone.
    preview = list(codes.grid_click("cell,1,5@1", session))[-1][1]
    assert sf.info(preview).frames > 0
    again = gen.generate_new(str(prior_model_file), 2.0, *SAMPLING, CodesSession())
    assert again[1] == grid_html  # same seed, same grid


def test_the_events_and_novelty_fields_steer_the_generation(prior_model_file: Path, session):
    """Events 0: one sound that goes on; many events: new sounds start inside the take;
    novelty 0: level 1 makes only moves the training files make."""
    one = gen.generate_new(str(prior_model_file), 4.0, 1.0, 0, 1.0, 3, 0, 1.0, session)[7]
    assert "1 sound)" in one
    many = gen.generate_new(str(prior_model_file), 4.0, 1.0, 0, 1.0, 3, 600, 1.0, session)[7]
    assert "1 sound)" not in many and " sounds)" in many
    gen.generate_new(str(prior_model_file), 4.0, 1.0, 0, 1.0, 3, 0, 0.0, session)
    assert session.open_file is not None
    loaded = session_model(session, str(prior_model_file))
    habits = collection_habits(loaded.trained_prior, session.open_file.grid.seconds_per_column)
    path = collapse_runs(session.open_file.grid.codes[0, :, 0].numpy())
    assert all(habits.moves[a, b] for a, b in itertools.pairwise(path))


def test_continue_keeps_the_encoded_columns(prior_model_file: Path, tone_file: Path, session):
    codes.encode(str(prior_model_file), str(tone_file), session)
    assert session.open_file is not None
    encoded = session.open_file.grid
    out = gen.continue_file(1.0, *SAMPLING, session)
    grid = session.open_file.grid
    assert torch.equal(grid.codes[:, : encoded.num_columns], encoded.codes)
    assert grid.num_columns == encoded.num_columns + 23
    assert session.open_file.audio_name == "tone.wav continued"
    assert out[7].startswith(f"Continued tone.wav by 0.98 s (from column {encoded.num_columns})")


def test_a_continuation_past_the_original_s_pictures_opens_without_them(
    prior_model_file: Path, tone_file: Path, session
):
    """The encoded file's spectrograms cover its own columns only: a continuation that grows
    the grid past them (here into a second 100-column block) opens with none, not an error."""
    codes.encode(str(prior_model_file), str(tone_file), session)
    assert session.pictures is not None
    out = gen.continue_file(5.0, *SAMPLING, session)
    assert session.open_file is not None and session.open_file.grid.num_columns > 100
    assert out[1].count('class="cg-col"') == session.open_file.grid.num_columns
    assert session.pictures is None


def test_regenerating_the_selection_is_an_edit_undo_takes_back(prior_model_file: Path, session):
    gen.generate_new(str(prior_model_file), 2.0, *SAMPLING, session)
    assert session.open_file is not None
    before = session.open_file.grid
    session.selection = ("a", Region((1, 2), (10, 19)))
    out = gen.regenerate_selection(2.0, 0, 1.0, 9, None, 1.0, session)
    after = session.open_file.grid
    changed = (after.codes != before.codes)[0]
    assert changed.any() and not changed[:10].any() and not changed[20:].any()
    assert not changed[:, 0].any()
    assert out[5] == "Edit 1 of 1" and "Undo takes it back" in out[7]
    editor.undo(session)
    assert torch.equal(session.open_file.grid.codes, before.codes)


def test_the_panel_says_no_prior_and_refuses_clearly(model: Path, prior_model_file: Path, session):
    assert "No prior" in gen.prior_line(str(model)) and "train-prior tiny" in gen.prior_line(
        str(model)
    )
    assert gen.prior_line(str(prior_model_file)).startswith("Prior: held-out perplexity")
    cases = [
        (lambda: gen.generate_new(str(model), 2.0, *SAMPLING, session), "has no prior"),
        (lambda: gen.generate_new(None, 2.0, *SAMPLING, session), "Choose a model first"),
        (lambda: gen.generate_new(str(prior_model_file), -1, *SAMPLING, session), "above 0"),
        (
            lambda: gen.generate_new(str(prior_model_file), 1, 0.0, 0, 1.0, 0, None, 1.0, session),
            "temperature",
        ),
        (
            lambda: gen.generate_new(
                str(prior_model_file), 1, 1.0, 2.5, 1.0, 0, None, 1.0, session
            ),
            "top-k",
        ),
        (
            lambda: gen.generate_new(str(prior_model_file), 1, 1.0, 0, 1.0, 0, -2, 1.0, session),
            "new sounds per minute",
        ),
        (
            lambda: gen.generate_new(str(prior_model_file), 1, 1.0, 0, 1.0, 0, None, 1.5, session),
            "Novelty must be from 0",
        ),
        (lambda: gen.continue_file(1.0, *SAMPLING, session), "Encode a file first"),
        (lambda: gen.regenerate_selection(*SAMPLING, session), "Select a region of A first"),
    ]
    for call, fragment in cases:
        with pytest.raises(Exception) as excinfo:
            call()
        assert fragment in error_text(excinfo)
    assert session.open_file is None

"""Steering level 1 by the collection's habits: novelty keeps to the moves the training files
make, events set how often a new sound starts, the hold penalty breaks long holds; the
settings refuse what they cannot do in one sentence."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
import torch

from distill.inference.grid import seconds_per_column
from distill.models.persistence import load_model
from distill.models.prior import start_column
from distill.prior import character, draw
from distill.prior.habits import collection_habits
from distill.prior.sampling import PriorError, SamplingSettings, draw_takes, generate


@pytest.fixture
def loaded(prior_model_file: Path):
    return load_model(prior_model_file)


def _habits(loaded):
    return collection_habits(loaded.trained_prior, seconds_per_column(loaded))


def test_the_habits_are_those_of_the_training_files(loaded):
    habits = _habits(loaded)
    files = loaded.trained_prior.file_grids(held_out=False)
    minutes = sum(len(c) for _, c in files) * seconds_per_column(loaded) / 60
    assert habits.sounds_per_minute == pytest.approx(len(files) / minutes)
    first = files[0][1][:, 0]
    path = character.collapse_runs(first.numpy())
    assert habits.moves[16, path[0]] and all(habits.moves[a, b] for a, b in pairwise(path))
    assert habits.moves.sum() < 16 * 16 / 2  # the notes step up by 1, 2 or 5 only
    assert 3 <= habits.typical_run <= 6 and habits.longest_stuck >= 3


def test_novelty_0_makes_only_moves_the_training_files_make(loaded):
    habits = _habits(loaded)
    hot = {"seed": 2, "temperature": 2.0, "events": 0}
    for take in draw_takes(loaded, 6.0, SamplingSettings(novelty=0.0, **hot), 3):
        path = character.collapse_runs(take.grid.codes[0, :, 0].numpy())
        assert habits.moves[16, path[0]]  # a sound starts on a code a file starts on
        assert all(habits.moves[a, b] for a, b in pairwise(path))
    free = draw_takes(loaded, 6.0, SamplingSettings(novelty=1.0, **hot), 3)
    strays = [
        not habits.moves[a, b]
        for take in free
        for a, b in pairwise(character.collapse_runs(take.grid.codes[0, :, 0].numpy()))
    ]
    assert any(strays)  # at temperature 2 the prior alone does stray


def test_events_set_how_often_a_new_sound_starts(loaded):
    def sounds(events):
        settings = SamplingSettings(seed=4, events=events)
        return sum(len(t.sound_starts) for t in draw_takes(loaded, 10.0, settings, 4))

    assert sounds(0) == 0
    few, usual, many = sounds(6), sounds(None), sounds(600)
    assert few < usual < many
    generated = generate(loaded, 10.0, seed=4, events=600)
    starts = generated.sound_starts
    assert starts and all(0 < s < generated.grid.num_columns for s in starts)
    assert all(b - a >= 2 for a, b in pairwise(starts))  # a sound lasts 2 columns or more


def test_a_hold_penalty_breaks_holds_longer_than_the_files_make(loaded):
    habits = _habits(loaded)

    def longest(penalty: float) -> int:
        settings = SamplingSettings(seed=1, temperature=0.3, hold_penalty=penalty, events=0)
        takes = draw_takes(loaded, 10.0, settings, 3)
        return max(int(character.level_runs(t.grid.codes[0, :, 0].numpy()).max()) for t in takes)

    assert longest(100.0) <= 2 * habits.typical_run
    assert longest(100.0) <= longest(0.0)


def test_a_continuation_keeps_mostly_to_the_codes_of_what_it_continues(loaded, monkeypatch):
    default = draw.CONTINUE_STRAY
    before = generate(loaded, 1.0, seed=3, events=0).grid
    own = set(before.codes[0, :, 0].tolist())
    assert len(own) < loaded.prior_config.codebook_size  # some codes are the file's, some not

    def share_of_own_codes(stray: float) -> float:
        monkeypatch.setattr(draw, "CONTINUE_STRAY", stray)
        settings = SamplingSettings(seed=5, temperature=3.0)
        takes = draw_takes(loaded, 4.0, settings, 3, base=before)
        new = [c for t in takes for c in t.grid.codes[0, before.num_columns :, 0].tolist()]
        return sum(c in own for c in new) / len(new)

    free, kept = share_of_own_codes(1.0), share_of_own_codes(default)
    assert free < kept < 1.0  # hot and free it strays; by default less, but it may
    assert share_of_own_codes(1e-12) == 1.0
    fresh = generate(loaded, 4.0, seed=5, temperature=3.0).grid.codes[0, :, 0].tolist()
    assert not set(fresh) <= own  # a new take is not held to any file's codes


def test_a_level_temperature_near_0_makes_that_level_greedy(loaded):
    result = generate(loaded, 2.0, seed=3, events=0, level_temperatures=(1.0, 1.0, 0.01))
    codes = result.grid.codes  # [1, F', L]
    inputs = torch.cat([start_column(loaded.prior_config), codes[:, :-1]], dim=1)
    with torch.no_grad():
        logits, _ = loaded.prior(inputs, codes)
    assert torch.equal(logits[0, :, 2, :16].argmax(dim=-1), codes[0, :, 2])
    assert not torch.equal(logits[0, :, 1, :16].argmax(dim=-1), codes[0, :, 1])
    assert "level temperatures x1/1/0.01" in result.grid.operations[-1]


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"min_p": 1.0}, "min-p must be at least 0 and under 1"),
        ({"novelty": 1.5}, "Novelty must be from 0"),
        ({"events": -1.0}, "new sounds per minute from 0 to 600"),
        ({"hold_penalty": -0.1}, "hold penalty must be 0 or more"),
        ({"level_temperatures": (1.0, 0.0)}, "temperature factor must be above 0"),
        ({"colour": 3}, "Unknown sampling setting"),
    ],
)
def test_bad_steering_gets_one_clear_sentence(loaded, changes, fragment):
    with pytest.raises(PriorError, match=fragment):
        generate(loaded, 1.0, **changes)

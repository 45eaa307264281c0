"""Level 1's draw temperature: the held-out calibration, lowered only where takes drawn that
hot change codes far more often than the training files do; generation draws at it, and a
model file from before draws at the calibration as it did."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from distill.models.persistence import load_model
from distill.models.prior import CodePrior
from distill.prior import pace
from distill.prior.sampling import _steering
from distill.prior.settings import SamplingSettings


def _allowed(prior) -> float:
    files = [codes[:, 0].numpy() for _, codes in prior.file_grids(held_out=False)]
    return pace.CHANGE_TOLERANCE * pace.change_rate(files)


def test_the_change_rate_counts_code_changes_per_column():
    assert pace.change_rate([np.array([1, 1, 2, 2]), np.array([3, 4])]) == pytest.approx(2 / 6)
    assert pace.change_rate([]) == 0.0


def test_a_trained_prior_drawn_hot_is_cooled_until_its_takes_move_like_its_files(
    trained_prior,
):
    """The note files hold each code 3-6 columns; drawn at 2.5, the tiny prior changes
    code far more often than that, so it is cooled, to where its takes move as the files do."""
    allowed = _allowed(trained_prior)
    assert pace.drawn_change_rate(trained_prior, 2.5) > allowed
    cooled = pace.draw_temperature(trained_prior, 2.5)
    assert pace.FLOOR <= cooled < 2.5
    assert pace.drawn_change_rate(trained_prior, cooled) <= allowed
    # The same answer every time (seed 0), and never hotter than the calibration.
    assert pace.draw_temperature(trained_prior, 2.5) == cooled
    assert pace.draw_temperature(trained_prior, cooled) == cooled


def test_an_untrained_prior_is_cooled_to_the_floor_and_no_further(trained_prior):
    untrained = replace(trained_prior, network=CodePrior(trained_prior.config).eval())
    assert pace.drawn_change_rate(untrained, 1.5) > 2 * _allowed(trained_prior)
    assert pace.draw_temperature(untrained, 1.5) == pace.FLOOR
    assert pace.draw_temperature(untrained, 0.5) == 0.5  # under the floor already: kept


def test_training_records_the_draw_temperature_and_generation_uses_it(trained_prior):
    meta = trained_prior.metadata
    assert meta.draw_temperature is not None
    assert meta.draw_temperature <= meta.temperatures[0]
    assert meta.draw_temperature == pace.draw_temperature(trained_prior, meta.temperatures[0])
    assert meta.drawn_temperatures == (meta.draw_temperature, *meta.temperatures[1:])


def test_a_prior_from_before_draws_at_its_calibration(prior_model_file: Path):
    loaded = load_model(prior_model_file)
    prior = loaded.trained_prior
    old = replace(prior.metadata, temperatures=(1.4, 1.2, 1.1), draw_temperature=None)
    assert old.drawn_temperatures == (1.4, 1.2, 1.1)
    assert "level 1 drawn at x1.4 (the temperature its held-out files" in old.summary()
    cooled = replace(old, draw_temperature=0.9)
    assert cooled.drawn_temperatures == (0.9, 1.2, 1.1)
    assert "drawn at x0.9 (its held-out files are likeliest at x1.4" in cooled.summary()
    loaded.prior_metadata = cooled
    steering = _steering(loaded, SamplingSettings(temperature=2.0), allow_end=True)
    assert steering.temperature(SamplingSettings(temperature=2.0), 0) == pytest.approx(1.8)


def test_the_end_offset_makes_takes_end_sounds_as_often_as_the_files(trained_prior):
    """The note files are 120 columns each, one sound a file; the offset brings the takes'
    endings to that rate, where moving END's odds 20x either way moves them far from it."""
    files = trained_prior.file_grids(held_out=False)
    wanted = len(files) / sum(len(codes) for _, codes in files)
    temperature = trained_prior.metadata.drawn_temperatures[0]
    offset = pace.end_offset(trained_prior, temperature)
    assert -pace.END_LIMIT <= offset <= pace.END_LIMIT
    assert trained_prior.metadata.end_bias == offset  # training keeps it
    paced = pace.drawn_end_rate(trained_prior, temperature, offset)
    assert paced == pytest.approx(wanted, rel=0.5)
    assert pace.drawn_end_rate(trained_prior, temperature, offset - 3) < wanted / 3
    assert pace.drawn_end_rate(trained_prior, temperature, offset + 3) > 3 * wanted


def test_events_count_from_the_end_offset(prior_model_file: Path):
    loaded = load_model(prior_model_file)
    loaded.prior_metadata = replace(loaded.prior_metadata, end_bias=-1.25)
    assert _steering(loaded, SamplingSettings(), allow_end=True).end_bias == -1.25
    habits_rate = _steering(loaded, SamplingSettings(), True).habits.sounds_per_minute
    twice = _steering(loaded, SamplingSettings(events=2 * habits_rate), allow_end=True)
    assert twice.end_bias == pytest.approx(-1.25 + np.log(2))
    assert _steering(loaded, SamplingSettings(events=0), allow_end=True).end_bias is None
    loaded.prior_metadata = replace(loaded.prior_metadata, end_bias=None)  # a file from before
    assert _steering(loaded, SamplingSettings(), allow_end=True).end_bias == 0.0

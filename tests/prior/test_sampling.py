"""Sampling from a model's prior: seeded, greedy at top-k 1, continuation and regeneration
keep what they must, the cached context matches a full re-read, and bad arguments get one
clear sentence."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import torch

from distill.inference import check_code_grid, decode_grid, encode_grid
from distill.models.persistence import load_model
from distill.models.prior import start_column
from distill.prior.draw import Steering, draw_columns
from distill.prior.sampling import (
    PriorError,
    SamplingSettings,
    continue_grid,
    generate,
    regenerate_region,
)

PLAIN = {"novelty": 1.0, "hold_penalty": 0.0, "events": 0}  # the prior's own choices only


@pytest.fixture
def loaded(prior_model_file: Path):
    return load_model(prior_model_file)


def test_generation_is_a_decodable_grid_of_the_asked_length(loaded):
    result = generate(loaded, 2.0, seed=3)
    grid = result.grid
    check_code_grid(grid, loaded)
    assert grid.num_columns == round(2.0 / grid.seconds_per_column) == result.columns[1]
    assert result.columns == (0, grid.num_columns) and result.levels == (0, 1, 2)
    assert grid.operations and grid.operations[-1].startswith("generated 47 columns (seed 3")
    assert len(grid.level_labels) == 3
    audio = decode_grid(grid, loaded, num_iterations=2)
    assert audio.shape == (grid.num_samples,) and abs(grid.duration_s - 2.0) < 0.05


def test_the_same_seed_gives_the_same_grid_and_another_seed_another(loaded):
    first = generate(loaded, 1.5, seed=7).grid
    again = generate(loaded, 1.5, seed=7).grid
    other = generate(loaded, 1.5, seed=8).grid
    assert torch.equal(first.codes, again.codes)
    assert not torch.equal(first.codes, other.codes)


def test_top_k_1_is_greedy_every_code_is_the_likeliest_given_what_came_before(loaded):
    grid = generate(loaded, 1.0, top_k=1, seed=1, **PLAIN).grid
    assert torch.equal(grid.codes, generate(loaded, 1.0, top_k=1, seed=99, **PLAIN).grid.codes)
    codes = grid.codes  # [1, F', L]
    inputs = torch.cat([start_column(loaded.prior_config), codes[:, :-1]], dim=1)
    with torch.no_grad():
        logits, _ = loaded.prior(inputs, codes)  # teacher forcing on the result itself
    size = loaded.prior_config.codebook_size  # END (class K) is never drawn at events 0
    assert torch.equal(logits[..., :size].argmax(dim=-1), codes)


def test_a_low_top_p_or_a_high_min_p_is_greedy_too_and_temperature_changes_the_draw(loaded):
    greedy = generate(loaded, 1.0, top_k=1, **PLAIN).grid.codes
    assert torch.equal(generate(loaded, 1.0, top_p=1e-6, seed=5, **PLAIN).grid.codes, greedy)
    assert torch.equal(generate(loaded, 1.0, min_p=0.999, seed=5, **PLAIN).grid.codes, greedy)
    hot = generate(loaded, 1.0, temperature=3.0, seed=5).grid.codes
    cold = generate(loaded, 1.0, temperature=0.05, seed=5).grid.codes
    assert not torch.equal(hot, cold)


def test_level_1_is_drawn_at_the_temperature_the_prior_was_calibrated_at(loaded):
    """The prior's calibrated level-1 temperature multiplies the settings' own (the finer
    levels' are kept in its record, not used); the result line names the user's settings."""
    assert loaded.prior_metadata.temperatures  # the fixture's prior was calibrated

    def calibrated(*temperatures: float):  # the fixture's model with its prior so calibrated
        record = replace(loaded.prior_metadata, temperatures=temperatures, draw_temperature=None)
        return replace(loaded, prior_metadata=record)  # level 1 not lowered (prior.pace)

    cold = generate(calibrated(0.01, 1.0, 1.0), 1.0, seed=5, **PLAIN).grid
    asked = generate(calibrated(1.0, 1.0, 1.0), 1.0, seed=5, level_temperatures=(0.01,), **PLAIN)
    assert torch.equal(cold.codes, asked.grid.codes)
    plain = generate(calibrated(1.0, 1.0, 1.0), 1.0, seed=5, **PLAIN).grid
    assert not torch.equal(cold.codes, plain.codes)
    finer = generate(calibrated(1.0, 0.01, 0.01), 1.0, seed=5, **PLAIN).grid
    assert torch.equal(finer.codes, plain.codes)
    assert (
        "temperature 1," in cold.operations[-1] and "level temperatures" not in cold.operations[-1]
    )


def test_the_cached_context_gives_what_reading_the_whole_prefix_again_gives(loaded):
    """Column by column with the carried state == each column drawn after re-reading all."""
    settings, steering = SamplingSettings(top_k=1), Steering(None, 1.0, 0.0)
    prefix = generate(loaded, 0.5, seed=2).grid.codes[0]
    plan = torch.zeros(6, 3, dtype=torch.long)
    everywhere = torch.ones_like(plan, dtype=torch.bool)

    def draw(before: torch.Tensor, count: int) -> torch.Tensor:
        return draw_columns(
            loaded.prior, before, plan[:count], everywhere[:count], settings, steering
        ).codes[0]

    cached = draw(prefix, 6)
    reread = prefix
    for _ in range(6):  # one new column at a time, the prefix re-read from its start
        reread = torch.cat([reread, draw(reread, 1)])
    assert torch.equal(cached, reread[prefix.shape[0] :])


def test_continuation_keeps_the_given_columns_bit_for_bit(loaded, tone_file: Path):
    encoded = encode_grid(tone_file, loaded)
    result = continue_grid(loaded, encoded, 1.0, seed=4)
    grid = result.grid
    check_code_grid(grid, loaded)
    assert torch.equal(grid.codes[:, : encoded.num_columns], encoded.codes)
    assert grid.num_columns == encoded.num_columns + round(1.0 / grid.seconds_per_column)
    assert result.columns == (encoded.num_columns, grid.num_columns)
    assert grid.loudness_gain == encoded.loudness_gain
    assert grid.operations[-1].startswith("continued by 23 columns")
    assert torch.equal(continue_grid(loaded, encoded, 1.0, seed=4).grid.codes, grid.codes)


def test_regeneration_touches_only_the_region(loaded):
    grid = generate(loaded, 2.0, seed=1).grid
    result = regenerate_region(loaded, grid, (10, 20), [1, 2], temperature=2.0, seed=6)
    after = result.grid
    changed = (after.codes != grid.codes)[0]  # [F', L]
    assert changed.any()
    outside = changed.clone()
    outside[10:20, 1:] = False
    assert not outside.any()
    assert after.num_columns == grid.num_columns and after.mel_shape == grid.mel_shape
    assert after.operations[-1].startswith("regenerated levels 2, 3, columns 10-19")
    assert result.columns == (10, 20) and result.levels == (1, 2)
    assert result.memorisation.num_columns == 10


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"seconds": -1.0}, "above 0 and at most 600"),
        ({"seconds": 0}, "above 0 and at most 600"),
        ({"seconds": float("nan")}, "above 0 and at most 600"),
        ({"temperature": 0.0}, "temperature must be a number above 0"),
        ({"temperature": -1.0}, "temperature must be a number above 0"),
        ({"top_p": 0.0}, "top-p must be above 0 and at most 1"),
        ({"top_p": 1.5}, "top-p must be above 0 and at most 1"),
        ({"top_k": -2}, "top-k must be a whole number"),
        ({"seed": -1}, "seed must be a whole number"),
    ],
)
def test_bad_arguments_get_one_clear_sentence(loaded, kwargs, fragment):
    arguments = {"seconds": 1.0, **kwargs}
    with pytest.raises(PriorError, match=fragment):
        generate(loaded, **arguments)


def test_bad_regions_are_refused(loaded):
    grid = generate(loaded, 1.0).grid
    for columns, levels, fragment in [
        ((5, 5), [0], "start < end"),
        ((0, 999), [0], "start < end"),
        ((0, 4), [], "distinct whole numbers from 0 to 2"),
        ((0, 4), [3], "distinct whole numbers from 0 to 2"),
        ((0, 4), [1, 1], "distinct whole numbers"),
    ]:
        with pytest.raises(PriorError, match=fragment):
            regenerate_region(loaded, grid, columns, levels)


def test_a_model_without_a_prior_says_so(tiny_model_file: Path, tone_file: Path):
    loaded = load_model(tiny_model_file)
    assert loaded.prior is None and loaded.trained_prior is None
    with pytest.raises(PriorError, match="has no prior, so it cannot generate"):
        generate(loaded, 1.0)
    with pytest.raises(PriorError, match="has no prior"):
        continue_grid(loaded, encode_grid(tone_file, loaded), 1.0)

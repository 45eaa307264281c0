"""Training a prior: it learns what a unigram cannot, early stopping keeps the best state,
a step budget with a seed repeats itself, and the data reads whole files in order."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
import torch
from tests.prior.grids import TINY_PRIOR, note_files, note_grid

from distill.models.prior_records import PriorFile
from distill.prior.data import IGNORE, FileGrid, SegmentBatches
from distill.prior.evaluation import grid_nll, perplexity, unigram_nll
from distill.prior.training import PriorTrainConfig, train_prior
from distill.training.data import TrainingError


def test_a_tiny_prior_trains_in_seconds_and_beats_the_unigram_baseline(trained_prior):
    meta = trained_prior.metadata
    assert not meta.heldout_is_training and sum(f.held_out for f in meta.files) == 2
    assert meta.heldout_perplexity < 0.6 * meta.unigram_perplexity, meta
    held = [codes for f, codes in trained_prior.file_grids(held_out=True)]
    train = [codes for f, codes in trained_prior.file_grids(held_out=False)]
    # The recorded numbers are what the saved network and the training grids give.
    assert perplexity(grid_nll(trained_prior.network, held)) == pytest.approx(
        meta.heldout_perplexity, rel=1e-3
    )
    assert perplexity(unigram_nll(train, held, 16)) == pytest.approx(
        meta.unigram_perplexity, rel=1e-3
    )
    assert 0 < meta.best_step <= meta.steps <= TINY_PRIOR.max_steps


@pytest.mark.slow
def test_the_same_seed_and_steps_give_the_same_prior():
    config = replace(TINY_PRIOR, max_steps=30)
    first = train_prior(note_files(4, 60, 1), 16, config)
    second = train_prior(note_files(4, 60, 1), 16, config)
    for (name, a), b in zip(
        first.network.state_dict().items(), second.network.state_dict().values(), strict=True
    ):
        assert torch.equal(a, b), name


@pytest.mark.slow
def test_early_stopping_keeps_the_best_state_and_says_so():
    # A learning rate far too high: held-out loss stops improving, training stops early.
    config = replace(
        TINY_PRIOR, max_steps=2000, learning_rate=0.5, patience=2, validate_every_steps=5
    )
    prior = train_prior(note_files(4, 60, 1), 16, config)
    meta = prior.metadata
    assert meta.stopped_early and meta.steps < 2000
    assert meta.steps - meta.best_step >= 2 * 5
    held = [codes for _, codes in prior.file_grids(held_out=True)]
    assert perplexity(grid_nll(prior.network, held)) == pytest.approx(
        meta.heldout_perplexity, rel=1e-3
    )


@pytest.mark.slow
def test_with_too_few_files_the_training_files_are_measured_and_it_says_so():
    prior = train_prior(note_files(2, 40, 0), 16, replace(TINY_PRIOR, max_steps=5))
    assert prior.metadata.heldout_is_training
    assert "training-set perplexity" in prior.metadata.summary()


def test_only_held_out_files_or_no_budget_are_refused():
    with pytest.raises(TrainingError, match="at least one training file"):
        train_prior(note_files(2, 40, 2), 16, TINY_PRIOR)
    with pytest.raises(TrainingError, match="time budget"):
        PriorTrainConfig(max_minutes=None, max_steps=None)
    with pytest.raises(TrainingError, match="more than 0 minutes"):
        PriorTrainConfig(max_minutes=0)


def test_segments_carry_each_file_from_start_to_end_then_reset():
    grids = [note_grid(10, seed=0), note_grid(5, seed=1)]
    batches = SegmentBatches(grids, batch_size=1, segment_columns=4, rng=random.Random(0))
    files: list[list[torch.Tensor]] = []
    for _ in range(5):  # 10 columns: 3 segments; 5 columns: 2 segments
        inputs, targets, fresh = batches.next()
        keep = targets[0, :, 0] != IGNORE
        if fresh[0]:
            files.append([])
            assert torch.equal(inputs[0, 0], torch.full((3,), -1))  # a file starts afresh
        assert torch.equal(inputs[0, 1:][keep[1:]], targets[0, :-1][keep[1:]])  # shifted by one
        files[-1].append(targets[0][keep])
    read = [torch.cat(pieces) for pieces in files]
    assert len(read) == 2
    assert sorted(len(r) for r in read) == [5, 10]
    assert all(any(torch.equal(r, g) for g in grids) for r in read)


def test_file_grids_split_the_stored_codes_back_into_files(trained_prior):
    pieces = trained_prior.file_grids()
    assert [f for f, _ in pieces] == list(trained_prior.metadata.files)
    for (f, codes), expected in zip(pieces, note_files(), strict=True):
        assert f == expected.file and torch.equal(codes, expected.codes)
    assert isinstance(pieces[0][0], PriorFile) and isinstance(note_files()[0], FileGrid)


@pytest.mark.slow
def test_a_prior_no_better_than_the_unigram_says_so():
    prior = train_prior(note_files(4, 60, 1), 16, replace(TINY_PRIOR, max_steps=1))
    meta = prior.metadata
    assert meta.heldout_perplexity >= meta.unigram_perplexity  # one step learns nothing yet
    assert meta.summary().endswith("no better than code frequencies alone yet: train it longer")

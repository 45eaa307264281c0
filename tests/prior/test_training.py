"""Training a prior: it learns what a unigram cannot, early stopping keeps the best state,
a step budget with a seed repeats itself, and the data reads the files as one stream with an
END after each."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
import torch
from tests.prior.grids import TINY_PRIOR, note_files, note_grid
from torch import nn

from distill.models.prior import CodePrior, PriorConfig
from distill.models.prior_records import PriorFile
from distill.prior.data import IGNORE, FileGrid, StreamBatches
from distill.prior.evaluation import (
    TEMPERATURES,
    calibrated_temperatures,
    grid_nll,
    level_nll,
    perplexity,
    unigram_nll,
)
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


class _Sharper(CodePrior):
    """A prior whose logits are twice its weights' (as one twice as sure of itself)."""

    def forward(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        logits, rest = super().forward(*args, **kwargs)
        return 2 * logits, rest


def test_a_prior_keeps_the_temperatures_its_held_out_files_are_likeliest_at(trained_prior):
    """Temperature scaling after training: one temperature per level, where the held-out
    codes are likeliest; a prior twice as sure of itself is calibrated twice as hot."""
    temperatures = trained_prior.metadata.temperatures
    assert len(temperatures) == trained_prior.config.num_levels
    assert all(t in TEMPERATURES for t in temperatures)
    held = [codes for f, codes in trained_prior.file_grids(held_out=True)]
    assert calibrated_temperatures(trained_prior.network, held) == temperatures
    sharper = _Sharper(trained_prior.config).eval()
    sharper.load_state_dict(trained_prior.network.state_dict())
    doubled = calibrated_temperatures(sharper, held)
    inside = [(t, d) for t, d in zip(temperatures, doubled, strict=True) if t > 0.5 and 2 * t < 3]
    assert inside, (temperatures, doubled)
    for t, d in inside:
        assert d == pytest.approx(2 * t, abs=0.051)


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


def _stream(grids: list[torch.Tensor], corrupt: float = 0.0, steps: int = 4) -> StreamBatches:
    return StreamBatches(
        [[g] for g in grids], 1, steps, random.Random(0), end_code=16, codebook_size=16,
        corrupt=corrupt,
    )  # fmt: skip


def test_the_stream_reads_every_file_whole_with_an_end_after_it_and_no_reset():
    grids = [note_grid(10, seed=0), note_grid(5, seed=1)]
    batches = _stream(grids)
    pieces = [batches.next() for _ in range(9)]  # 36 columns: more than two passes
    inputs = torch.cat([p[0][0] for p in pieces])  # [36, L]
    targets = torch.cat([p[1][0] for p in pieces])
    assert torch.equal(inputs[1:], targets[:-1].where(targets[:-1, :1] != 16, -1))
    starts = (inputs == -1).all(dim=1).nonzero().flatten().tolist()
    ends = (targets[:, 0] == 16).nonzero().flatten().tolist()
    assert starts[0] == 0 and [e + 1 for e in ends] == starts[1 : len(ends) + 1]
    assert (targets[ends, 1:] == IGNORE).all()  # END is level 1's alone
    files = [targets[a:b] for a, b in zip(starts, [*ends], strict=False)]
    lengths = [len(f) for f in files]
    assert lengths[:4] in ([10, 5, 10, 5], [5, 10, 5, 10], [10, 5, 5, 10], [5, 10, 10, 5])
    assert all(any(torch.equal(f, g) for g in grids) for f in files)


def test_corruption_replaces_some_input_codes_never_a_target():
    grids = [note_grid(40, seed=0)]
    clean, noisy = _stream(grids, steps=64), _stream(grids, corrupt=0.5, steps=64)
    for _ in range(5):
        (a_in, a_out), (b_in, b_out) = clean.next(), noisy.next()
        assert torch.equal(a_out, b_out)
        changed = (a_in != b_in).float().mean()
        assert 0.35 < changed < 0.6  # half replaced, 1 in 16 by the same code
        assert torch.equal(a_in == -1, b_in == -1)  # start columns stay start columns


def _sound(seed: int) -> torch.Tensor:
    """A sound of 12 columns: 10 columns of notes (codes 1-15), then 2 of silence (code 0), as
    a recording decays into silence at its end."""
    return torch.cat([note_grid(10, seed=seed) % 15 + 1, torch.zeros(2, 3, dtype=torch.long)])


@pytest.mark.slow
def test_the_prior_learns_where_files_end():
    """Trained on the files as one stream with END after each: after a new sound's silent
    tail, END is the likeliest level-1 outcome; while it plays, END is unlikely."""
    files = [FileGrid(PriorFile(f"n{i}.wav", 12, i == 5), _sound(i)) for i in range(6)]
    config = replace(TINY_PRIOR, max_steps=200, segment_columns=16)
    prior = train_prior(files, 16, config).network
    for seed in (9, 10):  # sounds it never saw
        codes = _sound(seed)[None]  # [1, 12, L]
        inputs = torch.cat([torch.full((1, 1, 3), -1), codes], dim=1)
        with torch.no_grad():
            logits, _ = prior(inputs, torch.cat([codes, codes[:, -1:]], dim=1))
        chance_of_end = torch.softmax(logits[0, :, 0], dim=-1)[:, 16]  # [13]
        assert chance_of_end[12] > 0.5 and chance_of_end[:11].max() < 0.1, chance_of_end


def test_held_out_endings_count_in_validation_only_when_asked(trained_prior):
    """Early stopping watches the held-out files' endings too (level 1 scored on END after
    each file); the recorded perplexity scores codes only, as the unigram does."""
    prior = trained_prior.network
    held = [codes for _, codes in trained_prior.file_grids(held_out=True)]
    codes_only, with_endings = level_nll(prior, held), level_nll(prior, held, endings=True)
    assert with_endings[1:] == pytest.approx(codes_only[1:])
    assert with_endings[0] != pytest.approx(codes_only[0])


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


def _head_dropouts(prior: CodePrior) -> list[list[float]]:
    return [[m.p for m in h.modules() if isinstance(m, nn.Dropout)] for h in prior.levels.heads]


def test_the_finer_levels_heads_have_a_dropout_of_their_own():
    config = PriorConfig(3, 16, 32, dropout=0.2, fine_dropout=0.7)
    assert _head_dropouts(CodePrior(config)) == [[0.2], [0.7], [0.7]]
    # A prior saved before the field reads as one dropout everywhere, as it was trained.
    saved = {k: v for k, v in config.to_dict().items() if k != "fine_dropout"}
    assert _head_dropouts(CodePrior(PriorConfig.from_dict(saved))) == [[0.2], [0.2], [0.2]]
    assert PriorTrainConfig().fine_dropout == 0.7
    with pytest.raises(ValueError, match="dropout"):
        PriorConfig(3, 16, 32, fine_dropout=1.0)


@pytest.mark.slow
def test_training_builds_the_finer_heads_with_the_fine_dropout_asked():
    trained = train_prior(
        note_files(4, 60, 1), 16, replace(TINY_PRIOR, max_steps=5, fine_dropout=0.5)
    )
    assert trained.config.fine_dropout == 0.5
    assert _head_dropouts(trained.network)[1:] == [[0.5], [0.5]]

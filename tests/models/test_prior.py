"""The prior network: shapes, causality, and the start-of-file column."""

from __future__ import annotations

import pytest
import torch

from distill.models.prior import CodePrior, PriorConfig, start_column

CONFIG = PriorConfig(num_levels=3, codebook_size=16, hidden_size=32, num_layers=2, dropout=0.0)


def _model() -> CodePrior:
    torch.manual_seed(0)
    return CodePrior(CONFIG).eval()


def test_logits_have_one_distribution_per_level_and_column():
    targets = torch.randint(0, 16, (2, 10, 3))
    inputs = torch.cat([start_column(CONFIG).expand(2, 1, 3), targets[:, :-1]], dim=1)
    logits, hidden = _model()(inputs, targets)
    assert logits.shape == (2, 10, 3, 16)
    assert hidden.shape == (2, 2, 32)


def test_a_column_is_predicted_from_the_past_and_the_levels_above_it_only():
    model = _model()
    targets = torch.randint(0, 16, (1, 12, 3))
    inputs = torch.cat([start_column(CONFIG), targets[:, :-1]], dim=1)
    logits, _ = model(inputs, targets)
    changed = targets.clone()
    changed[0, 6, 1] = (changed[0, 6, 1] + 1) % 16  # level 2 of column 6
    changed_inputs = torch.cat([start_column(CONFIG), changed[:, :-1]], dim=1)
    again, _ = model(changed_inputs, changed)
    assert torch.equal(logits[0, :6], again[0, :6])  # earlier columns: untouched
    assert torch.equal(logits[0, 6, :2], again[0, 6, :2])  # levels 1-2 of column 6: untouched
    assert not torch.equal(logits[0, 6, 2], again[0, 6, 2])  # level 3 sees level 2
    assert not torch.equal(logits[0, 7], again[0, 7])  # the next column sees all of it


def test_reading_in_pieces_with_the_carried_state_equals_reading_at_once():
    model = _model()
    columns = torch.randint(0, 16, (1, 20, 3))
    whole, _ = model.advance(columns)
    first, hidden = model.advance(columns[:, :7])
    rest, _ = model.advance(columns[:, 7:], hidden)
    assert torch.allclose(torch.cat([first, rest], dim=1), whole, atol=1e-6)


def test_the_start_column_is_its_own_learned_input():
    model = _model()
    start = model.embed(start_column(CONFIG))
    assert torch.equal(start[0, 0], model.embed.start)
    assert model.num_parameters > 0


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="dropout"):
        PriorConfig(3, 16, dropout=1.0)
    with pytest.raises(ValueError, match="levels"):
        PriorConfig(0, 16)

"""Takes: several drawn at once, each the same for the same seed, silent and stuck ones set
aside and drawn again; silence is judged on the decoded sound, being stuck against the
collection's own holds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from distill.inference import encode_grid
from distill.inference.grid import seconds_per_column
from distill.models.persistence import DEMO_MODEL_PATH, load_model
from distill.prior import takes as takes_module
from distill.prior.habits import collection_habits, stuck_columns
from distill.prior.sampling import PriorError, SamplingSettings, draw_takes, generate
from distill.prior.takes import decoded_mel, generate_takes, silent_share, take_flaw


@pytest.fixture
def loaded(prior_model_file: Path):
    return load_model(prior_model_file)


def test_four_takes_by_default_each_its_own_and_the_same_for_the_same_seed(loaded):
    result = generate_takes(loaded, 2.0, seed=5)
    assert len(result.takes) == 4 and [t.number for t in result.takes] == [1, 2, 3, 4]
    codes = [t.result.grid.codes for t in result.takes]
    assert all(not torch.equal(a, b) for i, a in enumerate(codes) for b in codes[i + 1 :])
    again = generate_takes(loaded, 2.0, seed=5)
    assert all(torch.equal(a.result.grid.codes, b.result.grid.codes)
               for a, b in zip(result.takes, again.takes, strict=True))  # fmt: skip
    assert result.takes[1].result.grid.operations[-1].endswith("take 2)")
    other = generate_takes(loaded, 2.0, seed=6, takes=1)
    assert not torch.equal(other.takes[0].result.grid.codes, codes[0])
    assert result.describe() == "4 takes." or "set aside" in result.describe()


def test_a_take_is_the_same_whether_drawn_alone_or_beside_others(loaded):
    single = generate(loaded, 2.0, seed=9).grid.codes
    three = draw_takes(loaded, 2.0, SamplingSettings(seed=9), takes=3)
    assert torch.equal(three[0].grid.codes, single)
    later = draw_takes(loaded, 2.0, SamplingSettings(seed=9), takes=1, first_take=2)
    assert torch.equal(later[0].grid.codes, three[2].grid.codes)


def test_a_take_on_one_code_far_longer_than_the_files_hold_is_stuck(loaded):
    habits = collection_habits(loaded.trained_prior, seconds_per_column(loaded))
    good = generate(loaded, 8.0, seed=1, events=0)
    codes = good.grid.codes.clone()
    codes[0, 10:, 0] = 3  # level 1 held for ~7 s
    held = good.grid.with_codes(codes, "held")
    stuck = type(good)(held, good.columns, good.levels, good.memorisation)
    assert stuck_columns(codes[0, :, 0].numpy()) > 2 * habits.longest_stuck
    assert take_flaw(loaded, stuck, decoded_mel(loaded, held), habits) == "stuck"
    flicker = codes.clone()
    flicker[0, 10:, 0] = torch.tensor([3, 4]).repeat(200)[: codes.shape[1] - 10]
    flickering = type(good)(good.grid.with_codes(flicker, "flicker"), good.columns, good.levels,
                            good.memorisation)  # fmt: skip
    mel = decoded_mel(loaded, flickering.grid)
    assert take_flaw(loaded, flickering, mel, habits) == "stuck"  # two codes in turn: stuck too


def test_silence_is_judged_on_the_decoded_sound(tmp_path: Path):
    demo = load_model(DEMO_MODEL_PATH)
    quiet, tone = tmp_path / "quiet.wav", tmp_path / "tone.wav"
    sf.write(quiet, np.zeros(96000, dtype=np.float32), 48000)
    t = np.arange(96000) / 48000
    sf.write(tone, (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 48000)
    assert silent_share(demo, decoded_mel(demo, encode_grid(quiet, demo, refine_steps=0))) > 0.9
    assert silent_share(demo, decoded_mel(demo, encode_grid(tone, demo, refine_steps=0))) < 0.1


def test_rejected_takes_are_drawn_again_and_the_least_bad_kept_when_none_pass(
    loaded, monkeypatch: pytest.MonkeyPatch
):
    """With 'stuck' made to mean any take at all, every round is set aside: the result still
    has the takes asked for, each marked, and says how many were set aside."""
    monkeypatch.setattr(takes_module, "STUCK_FACTOR", 0.0)
    monkeypatch.setattr(takes_module, "STUCK_MIN_SECONDS", 0.0)
    result = generate_takes(loaded, 1.0, seed=2, takes=2)
    assert len(result.takes) == 2 and all(t.flaw == "stuck" for t in result.takes)
    for take in result.takes:  # each judged on its own sound, kept for its thumbnail
        assert torch.equal(take.mel, decoded_mel(loaded, take.result.grid))
    rounds = 1 + takes_module.REDRAW_ROUNDS
    assert len(result.rejected) == 2 * rounds
    assert sorted(t.number for t in result.rejected) == list(range(1, 2 * rounds + 1))
    assert (
        result.describe() == f"2 takes; set aside {2 * rounds} stuck (drawn again in their place)."
    )


def test_bad_take_counts_are_refused(loaded):
    for bad in (0, 17, 2.5, True):
        with pytest.raises(PriorError, match="Takes must be a whole number from 1 to 16"):
            generate_takes(loaded, 1.0, takes=bad)

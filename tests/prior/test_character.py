"""The statistics the generation benchmark, take rejection and the memorisation line share:
runs and holds of level 1, run-collapsed moves, onsets and dynamics of a log-mel."""

from __future__ import annotations

import numpy as np
import pytest

from distill.prior import character
from distill.prior.habits import stuck_columns


def test_runs_holds_and_changes_of_level_1():
    sequence = np.array([5, 5, 5, 2, 2, 7, 7, 7, 7, 7])
    runs = character.level_runs(sequence)
    assert runs.tolist() == [3, 2, 5] and runs.sum() == len(sequence)
    assert character.hold_share(runs, 5) == 0.5 and character.hold_share(runs, 3) == 0.8
    assert character.changes(sequence) == 2
    assert character.collapse_runs(sequence).tolist() == [5, 2, 7]
    assert character.level_runs(np.array([], dtype=int)).tolist() == []


def test_moves_are_counted_with_the_runs_collapsed_and_never_across_files():
    files = [np.array([1, 1, 2, 3, 3, 4]), np.array([9, 8])]
    seen = character.moves_seen(files, 2)
    assert seen == {(1, 2), (2, 3), (3, 4), (9, 8)}  # no (4, 9): files are apart
    ours = [np.array([1, 2, 2, 2, 3, 5])]  # moves 1-2, 2-3 (seen), 3-5 (not)
    assert character.share_of_moves_seen(ours, seen, 2) == 2 / 3
    assert character.share_of_moves_seen([np.array([4, 4, 4])], seen, 2) is None
    assert character.share_of_moves_seen(ours, character.moves_seen(files, 4), 4) == 0.0


def test_the_longest_stretch_on_at_most_two_codes():
    assert stuck_columns(np.array([1, 2, 1, 2, 1, 3, 3, 3, 3, 3, 3])) == 7  # 1 3 3 3 3 3 3
    assert stuck_columns(np.array([1, 2, 3, 4])) == 2
    assert stuck_columns(np.array([6] * 9)) == 9


def test_onsets_are_rises_above_the_threshold_the_first_attack_counted():
    silence = -1.5
    mel = np.full((8, 60), silence)
    mel[:, 0:10] = 0.5  # a sound from the very start
    mel[:, 30:40] = 0.4  # a second attack after silence
    mel[:, 40:43] = 0.45  # a tiny rise: not an attack
    flux = character.onset_flux(mel, silence)
    assert flux.shape == (60,) and flux[0] == 2.0
    # Half the strongest rise after the first frame (the attack at 30: 1.9); the first
    # frame, measured from the floor, does not set it.
    threshold = character.onset_threshold([flux])
    assert threshold == pytest.approx(0.95)
    quiet = flux.copy()
    quiet[30] = 0.3  # a file whose only later rise is small
    assert character.onset_threshold([flux, quiet]) == pytest.approx(0.5 * (1.9 + 0.3) / 2)
    assert character.onset_frames(flux, threshold, 4).tolist() == [0, 30]
    assert character.onset_frames(flux, threshold, 40).tolist() == [0]  # too close: one onset
    curve = character.loudness_curve(mel)
    assert curve.shape == (60,) and curve[0] == 0.5 and curve[20] == silence

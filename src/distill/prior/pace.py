"""The level-1 temperature takes are drawn at: the one the held-out files are likeliest at,
lowered where takes drawn that hot change level-1 codes much more often than the training
files do.

Temperature scaling (`evaluation.calibrated_temperatures`) asks what makes unseen files
likeliest, not what makes takes move like them. The two agree on a prior whose level 1 is
easy to predict: on the corpus model from the shipped base (likeliest at 1.05-1.1) takes
change level-1 codes 1.09-1.14x as often as its files, and nothing is lowered (nor on the
demo's). On a model whose level 1 is harder to predict (from the base pretrained further,
likeliest at 1.3-1.4) takes drawn there changed codes 1.4-1.5x as often as the files, with
onsets 2.16x theirs and a third of the 4-code phrases unseen files share with them; lowered
here (to 1.1 / 0.9 / 1.0, three priors) onsets 1.43x and those phrases as often as unseen
files have them (bench/README.md, "Generation: level 1's pace").
"""

from __future__ import annotations

import numpy as np
import torch

from distill.models.prior_records import TrainedPrior
from distill.prior.draw import Steering, draw_columns
from distill.prior.habits import collection_habits
from distill.prior.settings import SamplingSettings

# Takes may change level-1 codes at most this many times as often as the training files.
# Files a prior never saw change them 1.04-1.26x as often as the ones it trained on (the
# corpus's, two autoencoders); at 1.25 one prior of three kept level 1 at 1.1 and its takes
# drew 2x the files' onsets, at 1.15 the shipped models' priors are all left as calibrated.
CHANGE_TOLERANCE = 1.15
STEP = 0.1  # the temperature is lowered in these steps ...
FLOOR = 0.8  # ... to this at the least (lower: takes replay the files' phrases)
LANES = 32  # takes drawn at each temperature tried (one batch), ...
COLUMNS = 200  # ... this many columns each (~8 s at the defaults): 6400 columns in all


def change_rate(sequences: list[np.ndarray]) -> float:
    """Level-1 code changes per column over `sequences` [N] (one per file or sound)."""
    changes = sum(int((s[1:] != s[:-1]).sum()) for s in sequences)
    return changes / max(sum(len(s) for s in sequences), 1)


def drawn_change_rate(trained: TrainedPrior, temperature: float) -> float:
    """Level-1 changes per column of LANES takes drawn at the defaults with level 1 at
    `temperature` (seed 0: the same answer every time); a change across a new sound's start
    is not counted, as a file's last column and the next file's first are not."""
    levels = trained.config.num_levels
    settings = SamplingSettings(seed=0)
    steering = Steering.of(
        settings,
        collection_habits(trained, seconds_per_column=1.0),  # only events use the timescale
        allow_end=True,
        temperatures=(temperature,),
    )
    plan = torch.zeros(COLUMNS, levels, dtype=torch.long)
    empty = torch.zeros(0, levels, dtype=torch.long)
    drawn = draw_columns(
        trained.network, empty, plan, torch.ones_like(plan, dtype=torch.bool), settings,
        steering, LANES,
    )  # fmt: skip
    sounds = []
    for codes, starts in zip(drawn.codes, drawn.sound_starts, strict=True):
        sounds.extend(np.split(codes[:, 0].numpy(), list(starts)))
    return change_rate(sounds)


def draw_temperature(trained: TrainedPrior, likeliest: float) -> float:
    """Level 1's draw temperature: `likeliest` (the held-out files' calibration), lowered
    by STEP down to FLOOR while takes drawn at it change codes more than CHANGE_TOLERANCE
    times as often as the training files; never raised."""
    files = [codes[:, 0].numpy() for _, codes in trained.file_grids(held_out=False)]
    allowed = CHANGE_TOLERANCE * change_rate(files)
    temperature = likeliest
    while temperature > FLOOR + 1e-9 and drawn_change_rate(trained, temperature) > allowed:
        temperature = max(FLOOR, round(temperature - STEP, 2))
    return temperature

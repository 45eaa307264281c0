"""Level 1's pace, set after a prior's training by drawing takes: how hot it is drawn (the
temperature the held-out files are likeliest at, lowered where takes drawn that hot change
level-1 codes much more often than the training files do) and how often its sounds end (as
often as the training files end, so "events as in your files" is what the takes do).

Temperature scaling (`evaluation.calibrated_temperatures`) asks what makes unseen files
likeliest, not what makes takes move like them. The two agree on a prior whose level 1 is
easy to predict: on a corpus model from the base's first schedule (likeliest at 1.05-1.1)
takes change level-1 codes 1.09-1.14x as often as its files, and nothing is lowered (nor on
the demo's). On a model whose level 1 is harder to predict (from the base pretrained to
20000 steps, the one shipped now; likeliest at 1.3-1.4) takes drawn there changed codes
1.4-1.5x as often as the files, with
onsets 2.16x theirs and a third of the 4-code phrases unseen files share with them; lowered
here (to 1.1 / 0.9 / 0.9, three priors) onsets 1.43x and those phrases as often as unseen
files have them (bench/README.md, "Generation: level 1's pace").
"""

from __future__ import annotations

import numpy as np
import torch

from distill.models.prior_records import TrainedPrior
from distill.prior import character
from distill.prior.draw import Drawn, Steering, draw_columns
from distill.prior.habits import collection_habits
from distill.prior.settings import SamplingSettings

# Takes may change level-1 codes at most this many times as often as the training files.
# Files a prior never saw change them 1.04-1.26x as often as the ones it trained on (the
# corpus's, two autoencoders); at 1.25 one prior of three kept level 1 at 1.1 and its takes
# drew 2x the files' onsets; at 1.15 the first-schedule base's corpus priors and the demo's
# are all left as calibrated.
CHANGE_TOLERANCE = 1.15
STEP = 0.1  # the temperature is lowered in these steps ...
FLOOR = 0.8  # ... to this at the least (lower: takes replay the files' phrases)
LANES = 32  # takes drawn at each temperature tried (one batch), ...
COLUMNS = 400  # ... this many columns each (~17 s at the defaults, a take's length)
END_CORRECTIONS = 2  # END's offset measured and corrected this many times
END_LIMIT = 3.0  # its log-odds moved at most this far either way (20x)


def change_rate(sequences: list[np.ndarray]) -> float:
    """Level-1 code changes per column over `sequences` [N] (one per file or sound)."""
    changes = sum(character.changes(s) for s in sequences)
    return changes / max(sum(len(s) for s in sequences), 1)


def _drawn(trained: TrainedPrior, temperature: float, end_offset: float = 0.0) -> Drawn:
    """LANES takes of COLUMNS columns drawn at the defaults (seed 0: the same every time),
    level 1 at `temperature`, END's log-odds moved by `end_offset`."""
    levels = trained.config.num_levels
    settings = SamplingSettings(seed=0)
    steering = Steering.of(
        settings,
        collection_habits(trained, seconds_per_column=1.0),  # only events use the timescale
        allow_end=True,
        temperatures=(temperature,),
        end_offset=end_offset,
    )
    plan = torch.zeros(COLUMNS, levels, dtype=torch.long)
    empty = torch.zeros(0, levels, dtype=torch.long)
    return draw_columns(
        trained.network, empty, plan, torch.ones_like(plan, dtype=torch.bool), settings,
        steering, LANES,
    )  # fmt: skip


def drawn_change_rate(trained: TrainedPrior, temperature: float) -> float:
    """Level-1 changes per column of takes drawn with level 1 at `temperature`; a change
    across a new sound's start is not counted, as a file's last column and the next file's
    first are not."""
    drawn = _drawn(trained, temperature)
    sounds = []
    for codes, starts in zip(drawn.codes, drawn.sound_starts, strict=True):
        sounds.extend(np.split(codes[:, 0].numpy(), list(starts)))
    return change_rate(sounds)


def drawn_end_rate(trained: TrainedPrior, temperature: float, end_offset: float) -> float:
    """Sounds ended per column of takes drawn so (an END is a new sound's start)."""
    drawn = _drawn(trained, temperature, end_offset)
    return sum(len(starts) for starts in drawn.sound_starts) / (LANES * COLUMNS)


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


def end_offset(trained: TrainedPrior, temperature: float) -> float:
    """What END's log-odds need for takes drawn at `temperature` to end sounds as often as
    the training files do (each file is one sound): the log of the files' rate over the
    takes', measured, corrected once more at that offset, kept within END_LIMIT. END is
    rare, so its probability moves with its odds: one correction lands within sampling
    noise."""
    files = trained.file_grids(held_out=False)
    wanted = len(files) / max(sum(len(codes) for _, codes in files), 1)
    least = 0.5 / (LANES * COLUMNS)  # no END drawn: as if half of one had been
    offset = 0.0
    for _ in range(END_CORRECTIONS):
        rate = max(drawn_end_rate(trained, temperature, offset), least)
        offset = float(np.clip(offset + np.log(wanted / rate), -END_LIMIT, END_LIMIT))
    return round(offset, 3)

"""Does Continue keep a file's character and level across the join, and a regenerated
selection the level of what it replaces? Each held-out file is cut
in the middle and its first half continued by the prior; the continuation's first second is
compared with what the file really does next (loudness in dB, and the share of its level-1
codes that the file itself uses), and with the second before the join. The continuation is
decoded after the file's first half, as the app decodes it (a decoder's first frames depend on
the columns before them), and the file's own change across the join (its next second against
the second before) says how far a continuation that keeps the file's level may still be from
what the file really does."""

from __future__ import annotations

import numpy as np
import torch

from distill.inference.grid import grid_for_model, seconds_per_column
from distill.models.persistence import LoadedVQModel
from distill.prior.sampling import SamplingSettings, draw_takes, regenerate_region
from generation_stats import Piece, decode_mel

DB_PER_UNIT = 40.0  # normalised log-mel: (log10 power + 4) / 4, so 1 unit is 40 dB
COMPARE_SECONDS = 1.0
# Continuations per file (seeds 0..N-1): one file's continuations differ by 10 dB and more
# from seed to seed, so a median over one seed each moved by 3 dB between priors.
SEEDS = 6


def _loudness_db(mel: np.ndarray) -> float:
    """Mean over frames of the mean log-mel, in dB."""
    return float(mel.mean()) * DB_PER_UNIT


def continuation_statistics(loaded: LoadedVQModel, held: list[Piece], sampling: dict) -> dict:
    """Medians over the held-out files of at least 3 s, each continued at SEEDS seeds:
    |continuation - real next second| and |continuation - last second before the join| in
    dB; the share of the continuation's level-1 codes (first second) found in the whole
    file's level-1 codes; and |real next second - second before the join|, the file's own
    change (what a continuation that keeps the level is still off by, on the first measure)."""
    columns = round(COMPARE_SECONDS / seconds_per_column(loaded))
    step = loaded.model.config.time_downsample
    to_real, to_before, shared, itself = [], [], [], []
    for piece in held:
        if len(piece.codes) < 3 * columns:
            continue
        cut = len(piece.codes) // 2
        prefix = torch.from_numpy(piece.codes[:cut])
        mel_shape = (loaded.spectrogram.config.n_mels, cut * step)
        base = grid_for_model(prefix[None], mel_shape, loaded)
        real = piece.mel[:, cut * step : (cut + columns) * step]
        before = piece.mel[:, (cut - columns) * step : cut * step]
        itself.append(abs(_loudness_db(real) - _loudness_db(before)))
        own = set(piece.codes[:, 0].tolist())
        for seed in range(SEEDS):
            settings = SamplingSettings(**{"seed": seed, **sampling})
            result = draw_takes(loaded, COMPARE_SECONDS, settings, base=base)[0]
            new = result.grid.codes[0, cut : cut + columns]
            after = decode_mel(loaded, result.grid.codes[0, : cut + columns])[:, cut * step :]
            to_real.append(abs(_loudness_db(after) - _loudness_db(real)))
            to_before.append(abs(_loudness_db(after) - _loudness_db(before)))
            shared.append(float(np.mean([int(c) in own for c in new[:, 0].tolist()])))
    if not to_real:
        return {"files": 0}
    return {
        "files": len(itself),
        "seeds": SEEDS,
        "level_vs_real_next_db": round(float(np.median(to_real)), 2),
        "level_vs_before_join_db": round(float(np.median(to_before)), 2),
        "codes_of_the_file": round(float(np.median(shared)), 3),
        "file_itself_across_join_db": round(float(np.median(itself)), 2),
    }


def regeneration_statistics(loaded: LoadedVQModel, held: list[Piece], sampling: dict) -> dict:
    """Medians over the held-out files of at least 3 s, the second in each one's middle drawn
    again at every level at SEEDS seeds: |regenerated second - the file's own| in dB, and the
    share of its level-1 codes found in the rest of the file's level-1 codes."""
    columns = round(COMPARE_SECONDS / seconds_per_column(loaded))
    step = loaded.model.config.time_downsample
    levels = list(range(loaded.model.num_quantizers))
    to_own, shared = [], []
    for piece in held:
        if len(piece.codes) < 3 * columns:
            continue
        start = len(piece.codes) // 2 - columns // 2
        end = start + columns
        codes = torch.from_numpy(piece.codes)
        mel_shape = (loaded.spectrogram.config.n_mels, len(piece.codes) * step)
        grid = grid_for_model(codes[None], mel_shape, loaded)
        own = set(piece.codes[:start, 0].tolist()) | set(piece.codes[end:, 0].tolist())
        real = piece.mel[:, start * step : end * step]
        for seed in range(SEEDS):
            settings = SamplingSettings(**{"seed": seed, **sampling})
            result = regenerate_region(loaded, grid, (start, end), levels, settings)
            redrawn = decode_mel(loaded, result.grid.codes[0])[:, start * step : end * step]
            to_own.append(abs(_loudness_db(redrawn) - _loudness_db(real)))
            new = result.grid.codes[0, start:end, 0].tolist()
            shared.append(float(np.mean([int(c) in own for c in new])))
    if not to_own:
        return {"files": 0}
    return {
        "files": len(to_own) // SEEDS,
        "seeds": SEEDS,
        "level_vs_the_files_own_db": round(float(np.median(to_own)), 2),
        "codes_of_the_rest_of_the_file": round(float(np.median(shared)), 3),
    }

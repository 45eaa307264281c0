"""A level's codebook as a palette, and where each code lives in the user's own files.

The palette of a level: every code with how often the training files use it (from the grids
the model file keeps with its prior; a model without them falls back to the diagnostics'
counts) and a tiny log-mel thumbnail of its sound (every code of the level decoded alone in
one batch, no Griffin-Lim: the decoder's own spectrum). Where a code lives: the files that
use it most and its longest runs in them, from the same kept grids. Both are plain array
work on data the model already holds, so they answer at once for a 500-file model too.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from distill.audio.io import read_span
from distill.inference.codes import (
    PREVIEW_ITERATIONS,
    decode_grid,
    eval_mode,
    finish_preview,
)
from distill.inference.grid import NO_CODE, CodeGrid, grid_for_model, seconds_per_column
from distill.inference.validation import check_code, check_level
from distill.models.persistence import LoadedVQModel

THUMB_BANDS = 16  # mel bands of a thumbnail (the model's bands averaged in groups)
THUMB_FRAMES = 8  # frames of a thumbnail (the held code's middle, averaged in groups)
THUMB_COLUMNS = 6  # columns a code is held for to draw it (the middle ones are drawn)
THUMB_RANGE = 3.0  # at most this many normalised log-mel units below a level's loudest show
THUMB_FLOOR = 0.05  # and nothing quieter than this share of the level's thumbnail values
MOST_FILES = 8  # files listed for a code
MOST_MOMENTS = 12  # moments listed for a code
MOMENTS_PER_FILE = 3  # at most this many moments of one file (so several files show)
MOMENT_SECONDS = 1.0  # a moment is heard with this much around it at least
MOMENT_MAX_SECONDS = 3.0  # and at most this long (a long run is heard from its start)
NO_GRIDS = (
    "This model keeps no grids of its training files (it has no prior), so where a code "
    "lives is unknown: `distill train-prior MODEL FOLDER` adds them."
)


@dataclass(frozen=True)
class LevelPalette:
    """Every code of one level: its uses in the training files [K] (None: unknown), and its
    thumbnail [K, THUMB_BANDS, THUMB_FRAMES] as uint8 (0: a level's quietest, 255: its
    loudest; band 0 is the lowest)."""

    level: int
    uses: np.ndarray | None
    thumbnails: np.ndarray

    @property
    def order(self) -> list[int]:
        """Codes by use, most used first (ties and unknown use: by code number)."""
        size = self.thumbnails.shape[0]
        if self.uses is None:
            return list(range(size))
        return [int(c) for c in np.lexsort((np.arange(size), -self.uses))]


@dataclass(frozen=True)
class Moment:
    """A run of one code in a training file: `columns` columns from column `column`."""

    file: str
    column: int
    columns: int
    start_s: float
    held_out: bool


@dataclass(frozen=True)
class CodePlaces:
    """Where a code of a level lives: how often in all, the files that use it most (name,
    count), and its longest runs."""

    level: int
    code: int
    total: int
    num_files: int
    files: tuple[tuple[str, int], ...]
    moments: tuple[Moment, ...]


def code_uses(loaded: LoadedVQModel, level: int) -> np.ndarray | None:
    """How often each code of `level` occurs in the training files [K] (None: unknown)."""
    level = check_level(level, loaded.model.num_quantizers)
    size = loaded.model.codebook_size
    grids = loaded.prior_grids
    if grids is not None and grids.numel():
        return _KEPT.get(grids, size, lambda: _kept_uses(grids, size))[:, level]
    health = loaded.codebook_health
    counts = health.levels[level].code_counts if health is not None else None
    if counts is not None and len(counts) == size:
        return np.asarray(counts, dtype=np.int64)
    return None


class _ByIdentity:
    """The newest `size` results computed for an object (a model, a tensor) and a key, kept
    while that object lives on here (by identity: models and tensors are not hashable by
    value)."""

    def __init__(self, size: int) -> None:
        self._kept: dict[tuple[int, object], tuple[object, np.ndarray]] = {}
        self._size = size
        self._lock = threading.Lock()

    def get(self, owner: object, key: object, make: Callable[[], np.ndarray]) -> np.ndarray:
        index = (id(owner), key)
        with self._lock:
            kept = self._kept.get(index)
        if kept is not None and kept[0] is owner:
            return kept[1]
        made = make()
        with self._lock:
            if len(self._kept) >= self._size:
                self._kept.pop(next(iter(self._kept)))
            self._kept[index] = (owner, made)
        return made


_KEPT = _ByIdentity(1)  # one model's kept-grid counts at a time is enough
THUMBS_KEPT = 32  # levels' thumbnails kept (a few models' worth; ~33 kB each at K = 256)
_THUMBS = _ByIdentity(THUMBS_KEPT)


def _kept_uses(grids: torch.Tensor, size: int) -> np.ndarray:
    """Uses of every code of every level in the kept grids [K, L]."""
    codes = grids.numpy().astype(np.int64)  # [N, L]
    levels = codes.shape[1]
    flat = codes + np.arange(levels) * size  # level l's codes in [l K, (l + 1) K)
    return np.bincount(flat.ravel(), minlength=levels * size).reshape(levels, size).T


def code_thumbnails(loaded: LoadedVQModel, level: int) -> np.ndarray:
    """Each code of `level` alone, held, as the decoder draws it: uint8 [K, bands, frames],
    0 at the level's quiet floor (its 5th percentile) and 255 at its loudest."""
    level = check_level(level, loaded.model.num_quantizers)
    return _THUMBS.get(loaded, level, lambda: _draw_thumbnails(loaded, level))


def _draw_thumbnails(loaded: LoadedVQModel, level: int) -> np.ndarray:
    model, spectrogram = loaded.model, loaded.spectrogram
    size, levels = model.codebook_size, model.num_quantizers
    codes = torch.full((size, THUMB_COLUMNS, levels), NO_CODE, dtype=torch.long)
    codes[:, :, level] = torch.arange(size).unsqueeze(1)  # [K, C, L]: code k held in row k
    step = model.config.time_downsample
    with eval_mode(model):
        quantized = model.codes_to_embeddings(codes.to(loaded.device), (1, THUMB_COLUMNS))
        spectrum = model.decode(quantized, (spectrogram.config.n_mels, THUMB_COLUMNS * step))
        mel = spectrogram.to_mel(spectrum)[:, 0].float().cpu()  # [K, M, F]
    middle = mel[:, :, step : (THUMB_COLUMNS - 1) * step]  # the held part, not its edges
    bands = _pool(middle, 1, THUMB_BANDS)
    small = _pool(bands, 2, THUMB_FRAMES)  # [K, bands, frames]
    top = float(small.max())
    floor = max(float(torch.quantile(small.flatten(), THUMB_FLOOR)), top - THUMB_RANGE)
    scaled = ((small - floor) / max(top - floor, 1e-6)).clamp(0.0, 1.0)
    return (scaled * 255).round().to(torch.uint8).numpy()


def _pool(values: torch.Tensor, dim: int, parts: int) -> torch.Tensor:
    """`values` averaged into `parts` nearly equal groups along `dim`."""
    groups = torch.tensor_split(values, parts, dim=dim)
    return torch.stack([g.mean(dim=dim) for g in groups], dim=dim)


def level_palette(loaded: LoadedVQModel, level: int) -> LevelPalette:
    """The palette of one level: uses and thumbnails of every code."""
    return LevelPalette(level, code_uses(loaded, level), code_thumbnails(loaded, level))


def code_places(loaded: LoadedVQModel, level: int, code: int) -> CodePlaces:
    """Where `code` of `level` occurs in the files the model keeps grids of (ValueError:
    NO_GRIDS when it keeps none). Array work over all the kept columns at once."""
    level = check_level(level, loaded.model.num_quantizers)
    code = check_code(code, loaded.model.codebook_size)
    grids, files = loaded.prior_grids, loaded.prior_metadata
    if grids is None or files is None or not grids.numel():
        raise ValueError(NO_GRIDS)
    infos = files.files
    lengths = np.array([f.columns for f in infos], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))  # each file's first column
    hits = grids[:, level].numpy() == code  # [N]
    owner = np.repeat(np.arange(len(infos)), lengths)  # the file of each column
    per_file = np.bincount(owner[hits], minlength=len(infos))
    # A run starts where the code begins or a file begins, and ends where either ends.
    first = np.zeros(hits.size, dtype=bool)
    first[starts] = True
    last = np.roll(first, -1)
    previous, following = np.roll(hits, 1), np.roll(hits, -1)
    run_starts = np.flatnonzero(hits & (~previous | first))
    run_ends = np.flatnonzero(hits & (~following | last)) + 1
    cut = owner[run_starts]  # the file of each run
    moments: list[Moment] = []
    column_s = seconds_per_column(loaded)
    order = np.lexsort((run_starts, -(run_ends - run_starts)))  # longest first
    taken = np.zeros(len(infos), dtype=np.int64)
    for index in order:
        owner_file = int(cut[index])
        if taken[owner_file] >= MOMENTS_PER_FILE:
            continue
        taken[owner_file] += 1
        info, column = infos[owner_file], int(run_starts[index] - starts[owner_file])
        length = int(run_ends[index] - run_starts[index])
        moments.append(Moment(info.name, column, length, column * column_s, info.held_out))
        if len(moments) >= MOST_MOMENTS:
            break
    counts = sorted(
        ((infos[f].name, int(n)) for f, n in enumerate(per_file) if n), key=lambda c: (-c[1], c[0])
    )
    moments.sort(key=lambda m: (-m.columns, m.file, m.column))
    return CodePlaces(
        level, code, int(per_file.sum()), len(counts), tuple(counts[:MOST_FILES]), tuple(moments)
    )


@dataclass(frozen=True)
class MomentSound:
    """A moment heard: mono float32 samples at `rate`, and whether they are the original
    file's (True) or the model's decode of the grid it keeps (False: the file is not here)."""

    audio: np.ndarray
    rate: int
    original: bool
    start_s: float


def source_folders(loaded: LoadedVQModel) -> list[Path]:
    """The folders the model file says its training files were read from (newer models)."""
    dataset = loaded.metadata.dataset
    return [Path(f) for f in (dataset.source_folders if dataset is not None else ())]


def training_file(name: str, folders: Sequence[Path]) -> Path | None:
    """Where a training file named `name` is on this machine now (None: not found)."""
    for folder in folders:
        candidate = folder / Path(name).name
        if candidate.is_file():
            return candidate
    return None


def _kept_codes(loaded: LoadedVQModel, file: str) -> torch.Tensor:
    """The codes [F', L] the model keeps of training file `file` (ValueError when none)."""
    prior = loaded.trained_prior
    grids = {info.name: grid for info, grid in prior.file_grids()} if prior is not None else {}
    if file not in grids:
        raise ValueError(f"This model keeps no grid of a training file named '{file}'.")
    return grids[file]


def kept_grid(loaded: LoadedVQModel, file: str) -> CodeGrid:
    """The whole grid the model keeps of training file `file`, as the model decodes it (at
    the training loudness): what can still be opened when the file itself is gone."""
    codes = _kept_codes(loaded, file).unsqueeze(0).long()  # [1, F', L]
    step = loaded.model.config.time_downsample
    return grid_for_model(codes, (loaded.spectrogram.config.n_mels, codes.shape[1] * step), loaded)


def moment_sound(
    loaded: LoadedVQModel, file: str, column: int, columns: int, folders: Sequence[Path]
) -> MomentSound:
    """A run of `columns` columns from `column` of training file `file`, with at least
    MOMENT_SECONDS around it: the original's samples where the file is in one of `folders`,
    else the model's decode of the grid it keeps (said by `original`)."""
    grid = _kept_codes(loaded, file)  # [F', L]
    column = int(np.clip(column, 0, grid.shape[0] - 1))
    column_s = seconds_per_column(loaded)
    run_s = max(1, columns) * column_s
    length = min(MOMENT_MAX_SECONDS, max(MOMENT_SECONDS, run_s + 0.5))
    start_s = max(0.0, column * column_s + run_s / 2 - length / 2)
    if run_s + 0.5 > MOMENT_MAX_SECONDS:
        start_s = max(0.0, column * column_s - 0.25)
    path = training_file(file, folders)
    if path is not None:
        try:
            audio, rate = read_span(path, start_s, length)
            return MomentSound(finish_preview(audio, rate), rate, True, start_s)
        except ValueError:
            pass  # changed or damaged since training: the model's own decode below
    first = int(start_s / column_s)
    last = min(grid.shape[0], first + math.ceil(length / column_s) + 1)
    codes = grid[first:last].unsqueeze(0).long()  # [1, C, L]
    step = loaded.model.config.time_downsample
    mel_shape = (loaded.spectrogram.config.n_mels, codes.shape[1] * step)
    held = grid_for_model(codes, mel_shape, loaded)
    audio = decode_grid(held, loaded, num_iterations=PREVIEW_ITERATIONS)
    rate = loaded.spectrogram.config.sample_rate
    return MomentSound(finish_preview(audio, rate), rate, False, first * column_s)

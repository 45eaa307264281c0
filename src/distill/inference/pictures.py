"""Pictures of a file's sound on the grid's time axis: log-mel images, the reconstruction's
difference from the original, and a thin overview of the whole file.

Invariant: an image has one pixel column per mel frame and `frames_per_column` pixel columns
per code column, so code column p owns pixels [p * fpc, (p + 1) * fpc). Mel frame f is
centred at f x hop samples (a centred STFT), inside column f // fpc's time span, so when the
page stretches an image to the grid's column width, each column sits under its own moment.
Rows are mel bins, lowest frequency at the bottom. All images are uint8 RGB [H, W, 3].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import torch

from distill.audio.spectrogram import AudioSpectrogram
from distill.inference.chunked import waveform_to_mel_chunked
from distill.inference.grid import CodeGrid

PICTURE_ROWS = 64  # mel bins averaged to this many rows whatever the model's bands
RANGE_DB = 80.0  # the darkest colour is this far below the original's loudest bin
DIFFERENCE_DB = 20.0  # full colour at this much louder (red) or quieter (blue)
OVERVIEW_ROWS = 32
OVERVIEW_MAX_WIDTH = 1600  # pixels: the overview of a long file is pooled down to this


@dataclass(frozen=True)
class MelPicture:
    """A log-mel spectrogram in dB on the grid's time axis: db [H, F' * fpc], rows low to
    high frequency, padded with silence to whole columns."""

    db: np.ndarray
    frames_per_column: int

    @property
    def num_columns(self) -> int:
        return self.db.shape[1] // self.frames_per_column

    @property
    def loudest_db(self) -> float:
        return float(self.db.max())

    def first_columns(self, count: int) -> MelPicture:
        """The picture of its first `count` columns (all of it when it has fewer)."""
        return MelPicture(self.db[:, : count * self.frames_per_column], self.frames_per_column)


def mel_picture(mel: torch.Tensor, grid: CodeGrid, spectrogram: AudioSpectrogram) -> MelPicture:
    """log-mel [1, 1, M, F] (the model's normalised log scale) -> a MelPicture of the grid's
    F' columns: mel bins averaged to PICTURE_ROWS rows, frames padded or cropped to F' x fpc."""
    config = spectrogram.config
    # The model's own rate (grid.seconds_per_column = hop x frames per column / sample rate).
    frames_per_column = round(grid.seconds_per_column * config.sample_rate / config.hop_length)
    floor_db = 10.0 * math.log10(config.power_floor)
    # Back from the normalised log scale to dB of mel power: log = (log10 P + offset) / scale.
    db = 10.0 * (mel[0, 0].to("cpu", torch.float32) * config.log_scale - config.log_offset)
    db = torch.nan_to_num(db, nan=floor_db, posinf=floor_db, neginf=floor_db)  # [M, F]
    width = grid.num_columns * frames_per_column
    db = db[:, :width]
    if db.shape[1] < width:
        db = torch.nn.functional.pad(db, (0, width - db.shape[1]), value=floor_db)
    # Each row the mean of its share of the bins (160 bands: 2.5 per row; fewer bins repeat).
    pooled = torch.nn.functional.adaptive_avg_pool1d(db.T.unsqueeze(0), PICTURE_ROWS)[0].T
    return MelPicture(pooled.flip(0).numpy().astype(np.float32), frames_per_column)


def reconstruction_picture(
    audio: np.ndarray, grid: CodeGrid, spectrogram: AudioSpectrogram
) -> MelPicture:
    """The MelPicture of a decode [S] (at the file's level, as `decode_grid` returns it),
    measured at the loudness the original's picture was (the encode's gain applied again)."""
    waveform = torch.from_numpy(np.asarray(audio, dtype=np.float32)) * grid.loudness_gain
    missing = spectrogram.config.n_fft - waveform.shape[-1]
    if missing > 0:  # as encoding pads very short files
        waveform = torch.nn.functional.pad(waveform, (0, missing))
    mel = waveform_to_mel_chunked(spectrogram, waveform.reshape(1, 1, -1).to(spectrogram.device))
    return mel_picture(mel, grid, spectrogram)


def mel_image(picture: MelPicture, loudest_db: float | None = None) -> np.ndarray:
    """A MelPicture -> RGB [H, W, 3] in the magma colour map, from loudest_db - RANGE_DB
    (black) to loudest_db (pale yellow); loudest_db defaults to the picture's own loudest."""
    top = picture.loudest_db if loudest_db is None else loudest_db
    scaled = (picture.db - (top - RANGE_DB)) / RANGE_DB
    return _colour(scaled, "magma")


def difference_image(original: MelPicture, reconstruction: MelPicture) -> np.ndarray:
    """Where the reconstruction adds energy (red) or loses it (blue), in dB, full colour at
    +-DIFFERENCE_DB; white where they agree. Both below the original's range are equal."""
    if original.db.shape != reconstruction.db.shape:
        raise ValueError(
            f"The pictures differ in shape: {original.db.shape} and {reconstruction.db.shape}."
        )
    floor = original.loudest_db - RANGE_DB  # quieter than this is silence in both images
    difference = np.maximum(reconstruction.db, floor) - np.maximum(original.db, floor)
    return _colour(0.5 + difference / (2 * DIFFERENCE_DB), "RdBu_r")


def overview_image(
    picture: MelPicture, max_width: int = OVERVIEW_MAX_WIDTH, loudest_db: float | None = None
) -> np.ndarray:
    """The whole file in at most max_width pixels x OVERVIEW_ROWS: frames max-pooled (so a
    short loud event stays visible), bins averaged; RGB [OVERVIEW_ROWS, W, 3], coloured as
    `mel_image` does (from the picture's own loudest unless `loudest_db` is given)."""
    db = picture.db
    pool = max(1, math.ceil(db.shape[1] / max_width))
    width = math.ceil(db.shape[1] / pool)
    padded = np.pad(db, ((0, 0), (0, width * pool - db.shape[1])), mode="edge")
    pooled = padded.reshape(db.shape[0], width, pool).max(axis=2)  # [H, W]
    group = max(1, db.shape[0] // OVERVIEW_ROWS)
    rows = pooled[: (db.shape[0] // group) * group].reshape(-1, group, width).mean(axis=1)
    top = picture.loudest_db if loudest_db is None else loudest_db
    return mel_image(MelPicture(rows.astype(np.float32), 1), top)


def column_blocks(image: np.ndarray, frames_per_column: int, columns: int) -> list[np.ndarray]:
    """An image [H, F' * fpc, 3] cut into blocks of `columns` code columns (the last shorter)."""
    step = columns * frames_per_column
    return [image[:, start : start + step] for start in range(0, image.shape[1], step)]


@cache
def _lookup_table(name: str) -> np.ndarray:
    """256 RGB colours of a matplotlib colour map: uint8 [256, 3]."""
    import matplotlib  # lazy: only needed when a picture is drawn

    colours = matplotlib.colormaps[name](np.linspace(0.0, 1.0, 256))[:, :3]
    return np.round(colours * 255).astype(np.uint8)


def _colour(values: np.ndarray, name: str) -> np.ndarray:
    """values in [0, 1] (clipped) [H, W] -> RGB uint8 [H, W, 3] through a colour map."""
    index = np.clip(np.nan_to_num(values, nan=0.0) * 255 + 0.5, 0, 255).astype(np.uint8)
    return _lookup_table(name)[index]

"""The spectrograms over grid A: drawn from the library's pictures, kept as PNG blocks in a
folder of the session's own (served by Gradio from PICTURES_FOLDER), replaced on each decode.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, replace
from itertools import count
from pathlib import Path

import numpy as np

from distill.audio.spectrogram import AudioSpectrogram
from distill.inference.codes import EncodedSound
from distill.inference.grid import CodeGrid
from distill.inference.pictures import (
    MelPicture,
    column_blocks,
    difference_image,
    mel_image,
    mel_picture,
    overview_image,
    reconstruction_picture,
)
from distill.ui.common import scratch_folder
from distill.ui.components.code_grid import BLOCK_COLUMNS
from distill.ui.components.pictures import GridPictures, data_url, write_blocks

PICTURES_FOLDER = "pictures"  # inside the scratch folder; launch_app lets Gradio serve it
# A session removes its folder when it ends; one a stopped server left is removed at the next
# launch once this old (other servers on this machine may share the folder, so not younger).
STALE_AFTER_S = 24 * 3600
_decodes = count(1)  # a new file name per decode: the browser must not show a cached block


@dataclass(frozen=True)
class PictureState:
    """Grid A's pictures: where their blocks are, the original's picture (what a decode is
    compared with) and what the page shows."""

    folder: Path
    original: MelPicture
    shown: GridPictures
    reconstruction_stem: str | None = None


def pictures_folder() -> Path:
    """The folder every session's picture folder lives in (created if missing)."""
    folder = scratch_folder() / PICTURES_FOLDER
    folder.mkdir(exist_ok=True)
    return folder


def remove_stale_pictures() -> int:
    """Delete session picture folders untouched for STALE_AFTER_S; how many went."""
    cutoff = time.time() - STALE_AFTER_S
    stale = [p for p in pictures_folder().glob("grid-*") if p.stat().st_mtime < cutoff]
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return len(stale)


def _blocks(image: np.ndarray, picture: MelPicture) -> list[np.ndarray]:
    return column_blocks(image, picture.frames_per_column, BLOCK_COLUMNS)


def original_pictures(
    encoded: EncodedSound, spectrogram: AudioSpectrogram, decoded_rows: bool = True
) -> PictureState:
    """The original's spectrogram blocks and the overview, in a new folder; the
    reconstruction's row says it is being decoded (without decoded_rows: no such row)."""
    picture = mel_picture(encoded.mel, encoded.grid, spectrogram)
    folder = Path(tempfile.mkdtemp(prefix="grid-", dir=pictures_folder()))
    urls = write_blocks(_blocks(mel_image(picture), picture), folder, "original")
    shown = GridPictures(
        original=urls,
        overview=data_url(overview_image(picture)),
        original_columns=encoded.grid.num_columns,
        decoded_rows=decoded_rows,
    )
    return PictureState(folder, picture, shown)


def decoded_pictures(
    audio: np.ndarray, grid: CodeGrid, spectrogram: AudioSpectrogram
) -> PictureState:
    """A generated file's pictures: with no recording behind it, its decode [S] is both its
    original and its reconstruction (so the difference row is blank)."""
    picture = reconstruction_picture(audio, grid, spectrogram)
    folder = Path(tempfile.mkdtemp(prefix="grid-", dir=pictures_folder()))
    urls = write_blocks(_blocks(mel_image(picture), picture), folder, "original")
    shown = GridPictures(
        original=urls,
        overview=data_url(overview_image(picture)),
        original_columns=grid.num_columns,
    )
    return with_reconstruction(PictureState(folder, picture, shown), audio, grid, spectrogram)


def with_reconstruction(
    state: PictureState, audio: np.ndarray, grid: CodeGrid, spectrogram: AudioSpectrogram
) -> PictureState:
    """The pictures with a decode [S] of `grid` as the reconstruction (and its difference
    from the original); the previous decode's blocks are deleted."""
    picture = reconstruction_picture(audio, grid, spectrogram)
    stem = f"decode{next(_decodes)}"
    image = mel_image(picture, state.original.loudest_db)  # the original's range: comparable
    reconstruction = write_blocks(_blocks(image, picture), state.folder, f"{stem}-reconstruction")
    # A continued grid is longer than its original: the difference covers what both have.
    shared = min(state.original.num_columns, picture.num_columns)
    original, decoded = state.original.first_columns(shared), picture.first_columns(shared)
    difference = write_blocks(
        _blocks(difference_image(original, decoded), decoded), state.folder, f"{stem}-difference"
    )
    _remove_decode(state)
    shown = replace(
        state.shown,
        reconstruction=reconstruction,
        difference=difference,
        reconstruction_columns=grid.num_columns,
    )
    return replace(state, shown=shown, reconstruction_stem=stem)


def _remove_decode(state: PictureState) -> None:
    if state.reconstruction_stem is not None:
        for path in state.folder.glob(f"{state.reconstruction_stem}-*.png"):
            path.unlink(missing_ok=True)


def remove_pictures(state: PictureState | None) -> None:
    """Delete a session's picture folder (a new encode, or the session ended)."""
    if state is not None:
        shutil.rmtree(state.folder, ignore_errors=True)

"""Decoding in pieces to play as they come (inference/streaming.py): the pieces join to the
grid's own length and sound, the first one is short, and a span of columns is that span."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from tests.helpers import write_tone

from distill.inference import decode_grid, encode_sound
from distill.inference.grid import CodeGrid
from distill.inference.streaming import span_samples, stream_grid, stream_level
from distill.models.persistence import LoadedVQModel, load_model


@pytest.fixture
def loaded(tiny_model_file: Path) -> LoadedVQModel:
    return load_model(tiny_model_file)


@pytest.fixture
def grid(tmp_path: Path, loaded: LoadedVQModel) -> CodeGrid:
    return encode_sound(write_tone(tmp_path / "tone.wav", 4.0, 220.0), loaded, refine_steps=0).grid


def log_mel(audio: np.ndarray, loaded: LoadedVQModel) -> torch.Tensor:
    return loaded.spectrogram.waveform_to_mel(torch.from_numpy(audio).reshape(1, 1, -1))


def test_the_pieces_join_to_the_grids_sound(grid: CodeGrid, loaded: LoadedVQModel) -> None:
    pieces = list(stream_grid(grid, loaded))
    hop = loaded.spectrogram.config.hop_length
    assert len(pieces) >= 2 and pieces[0].shape[0] <= 80 * hop  # ~0.7 s first: it starts soon
    joined = np.concatenate(pieces)
    assert joined.shape == (grid.num_samples,) and np.isfinite(joined).all()
    assert np.abs(joined).max() <= 1.0
    whole = decode_grid(grid, loaded)
    # The same codes' sound: the pieces differ from a whole-file decode only in Griffin-Lim's
    # phase near their joins (0.02 here, in normalised log-mel units; a piece out of place
    # would put the tone's noisy attack elsewhere).
    same = (log_mel(joined, loaded) - log_mel(whole, loaded)).abs().mean()
    assert same < 0.05


def test_a_span_of_columns_is_that_span(grid: CodeGrid, loaded: LoadedVQModel) -> None:
    step, hop = loaded.model.config.time_downsample, loaded.spectrogram.config.hop_length
    span = np.concatenate(list(stream_grid(grid, loaded, (10, 30))))
    assert span.shape == (span_samples(grid, 10, 30, step, hop),) == (20 * step * hop,)
    end = grid.num_columns
    last = np.concatenate(list(stream_grid(grid, loaded, (end - 3, end))))  # the file's end
    assert last.shape[0] == span_samples(grid, end - 3, end, step, hop) <= 3 * step * hop
    with pytest.raises(ValueError, match="not in this grid"):
        next(stream_grid(grid, loaded, (5, grid.num_columns + 1)))


def test_a_level_alone_is_the_grid_with_the_other_levels_silent(
    grid: CodeGrid, loaded: LoadedVQModel
) -> None:
    alone = np.concatenate(list(stream_level(grid, 1, loaded)))
    codes = torch.full_like(grid.codes, -1)
    codes[..., 1] = grid.codes[..., 1]
    masked = np.concatenate(list(stream_grid(grid.with_codes(codes), loaded)))
    assert np.array_equal(alone, masked)
    with pytest.raises(ValueError):
        next(stream_level(grid, grid.num_levels, loaded))

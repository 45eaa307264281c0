"""Argument checks for the codes pipeline: each failure is a ValueError with one clear sentence."""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch

from distill.models.persistence import LoadedVQModel

MAX_ITERATIONS = 1000


def _is_int(value: Any) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def check_index(name: str, value: Any, size: int) -> int:
    """An int in [0, size), else ValueError naming the valid range."""
    if not _is_int(value) or not 0 <= int(value) < size:
        raise ValueError(f"{name} must be a whole number from 0 to {size - 1}, got {value!r}.")
    return int(value)


def _int_pair(name: str, value: Any) -> tuple[int, int]:
    if (
        not isinstance(value, (tuple, list))
        or len(value) != 2
        or not all(_is_int(v) and int(v) >= 1 for v in value)
    ):
        raise ValueError(f"{name} must be two positive whole numbers, got {value!r}.")
    return int(value[0]), int(value[1])


def check_shapes(
    spatial_shape: Any, mel_shape: Any, loaded: LoadedVQModel
) -> tuple[tuple[int, int], tuple[int, int]]:
    """spatial_shape (1, F') and mel_shape (M, F) that fit each other and the model."""
    height, columns = _int_pair("spatial_shape", spatial_shape)
    mel_bins, frames = _int_pair("mel_shape", mel_shape)
    if height != 1:
        raise ValueError(f"spatial_shape must be (1, columns) for this model, got {spatial_shape}.")
    expected_bins = loaded.spectrogram.config.n_mels
    if mel_bins != expected_bins:
        raise ValueError(f"mel_shape has {mel_bins} mel bins but the model uses {expected_bins}.")
    step = loaded.model.config.time_downsample
    if math.ceil(frames / step) != columns:
        raise ValueError(
            f"mel_shape {mel_shape} gives {math.ceil(frames / step)} columns at {step} frames "
            f"per column, but spatial_shape {spatial_shape} says {columns}."
        )
    return (height, columns), (mel_bins, frames)


def check_code_grid(
    indices: Any, spatial_shape: Any, mel_shape: Any, loaded: LoadedVQModel
) -> torch.Tensor:
    """codes [1, F', L] as an int64 tensor, checked against the shapes and the model.

    Codes must be in [0, K) or -1 ("this level contributes nothing").
    """
    (_, columns), _ = check_shapes(spatial_shape, mel_shape, loaded)
    if isinstance(indices, np.ndarray):
        indices = torch.from_numpy(indices)
    if not isinstance(indices, torch.Tensor):
        raise ValueError(f"codes must be a tensor or array, got {type(indices).__name__}.")
    if indices.is_floating_point() or indices.is_complex() or indices.dtype == torch.bool:
        raise ValueError(f"codes must be whole numbers, got dtype {indices.dtype}.")
    levels = loaded.model.num_quantizers
    if tuple(indices.shape) != (1, columns, levels):
        raise ValueError(
            f"codes must have shape [1, {columns}, {levels}] (1, columns, levels), "
            f"got {list(indices.shape)}."
        )
    size = loaded.model.codebook_size
    if int(indices.min()) < -1 or int(indices.max()) >= size:
        raise ValueError(
            f"codes must be from 0 to {size - 1} (or -1 for a silent level), found "
            f"values from {int(indices.min())} to {int(indices.max())}."
        )
    return indices.to(torch.long)


def check_decode_options(
    num_iterations: Any,
    num_samples: Any,
    loudness_gain: Any,
    mel_shape: tuple[int, int],
    loaded: LoadedVQModel,
) -> None:
    """Griffin-Lim iterations, output length (within one hop of the mel) and loudness gain."""
    if num_iterations is not None and (
        not _is_int(num_iterations) or not 0 <= num_iterations <= MAX_ITERATIONS
    ):
        raise ValueError(f"iterations must be from 0 to {MAX_ITERATIONS}, got {num_iterations!r}.")
    hop = loaded.spectrogram.config.hop_length
    frames = mel_shape[1]
    if num_samples is not None and (
        not _is_int(num_samples) or not 1 <= num_samples < frames * hop
    ):
        raise ValueError(
            f"num_samples must be from 1 to {frames * hop - 1} for {frames} mel frames, "
            f"got {num_samples!r}."
        )
    if (
        not isinstance(loudness_gain, Real)
        or isinstance(loudness_gain, bool)
        or not math.isfinite(loudness_gain)
        or loudness_gain <= 0
    ):
        raise ValueError(f"loudness_gain must be a positive finite number, got {loudness_gain!r}.")

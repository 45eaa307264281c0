"""Blend a region of grid A towards grid B by mixing code vectors, then snapping to codes.

Per level, a cell's mix is (1 - amount) x A's code vector + amount x B's, taken from that
level's codebook; the new code is the level's code nearest the mix (Euclidean, in the
latent space), and the distance from the mix to it says how far the snap landed
(DESIGN.md 12). Amount 0 gives A's codes and amount 1 gives B's, each at distance 0: on an
exact tie the side the amount leans to wins, so duplicate codebook entries cannot swap in
another number.

A silent cell (NO_CODE) is the zero vector, which is what it adds to a decode. Where either
side is silent, silence is one more candidate of the snap: a level fades in from silence as
the amount grows (a silent A cell stays silent while the scaled-down B vector is nearer
zero than any code) and fades out towards a silent B. Where both sides have codes, the snap
never lands on silence, so a blend does not punch holes that neither grid had.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import TYPE_CHECKING, Any

import torch

from distill.editing.region import (
    EditError,
    Region,
    check_fits_model,
    check_region,
    check_same_model,
    target_region,
)
from distill.inference.grid import NO_CODE, CodeGrid

if TYPE_CHECKING:
    from distill.models.persistence import LoadedVQModel

_BLOCK_ELEMENTS = 32_768  # torch's intra-op grain size: smaller tensors stay on one thread
_SMALL_PRODUCT = 132_000  # multiply-adds MKL still does on the calling thread (measured)


@dataclass(frozen=True)
class Blend:
    """A blend's result: the new grid, how far each cell's snap landed, and where."""

    grid: CodeGrid
    distances: torch.Tensor  # [F', L] float32: mix-to-code distance, NaN outside the region
    region: Region  # the blended region of A (the whole grid when none was given)


@dataclass(frozen=True)
class Snap:
    """Snapped codes and their distances for a block of cells."""

    codes: torch.Tensor  # [C, l] (or [C] for one level) int64, NO_CODE for silence
    distances: torch.Tensor  # the same shape, float32: mix-to-code distance


def codebook_vectors(loaded: LoadedVQModel) -> torch.Tensor:
    """The model's codebooks as a CPU float32 copy: [L, K, D], entry [l, k] is code k of
    level l (the vectors `codes_to_embeddings` sums). Fetching takes tens of microseconds,
    so it is not cached."""
    return loaded.model.quantizer.codebooks.detach().to("cpu", torch.float32).clone()


def blend_region(
    a: CodeGrid,
    b: CodeGrid,
    amount: float,
    loaded: LoadedVQModel,
    region: Region | None = None,
    at: int | None = None,
    *,
    a_name: str = "A",
    b_name: str = "B",
) -> Blend:
    """`region` of a (default: all of it) blended towards the same-shaped region of b that
    starts at column `at` of b (default: the region's own start column) by `amount` in [0, 1].

    Both grids must be `loaded`'s own. With no region, b needs a's columns from `at` on.
    The names go into the messages and the operation text.
    """
    amount = check_amount(amount)
    check_same_model(a, b, (a_name, b_name))
    check_fits_model(a, loaded, a_name)
    check_fits_model(b, loaded, b_name)
    if region is None:
        _check_long_enough(a, b, at, (a_name, b_name))
    region = check_region(Region.whole(a) if region is None else region, a)
    other = target_region(region, b, at, b_name)
    snap = snap_mix(
        a.codes[0, region.column_slice, region.level_slice],
        b.codes[0, other.column_slice, other.level_slice],
        amount,
        codebook_vectors(loaded)[region.level_slice],
    )
    codes = a.codes.clone()  # [1, F', L]
    codes[0, region.column_slice, region.level_slice] = snap.codes
    distances = torch.full((a.num_columns, a.num_levels), math.nan)  # [F', L]
    distances[region.column_slice, region.level_slice] = snap.distances
    moved = "" if other.columns[0] == region.columns[0] else f" at column {other.columns[0]}"
    text = f"blend {amount:.3g} towards {b_name}{moved}, {region.describe()}"
    return Blend(a.with_codes(codes, text), distances, region)


def _check_long_enough(a: CodeGrid, b: CodeGrid, at: int | None, names: tuple[str, str]) -> None:
    """A whole-grid blend needs all of a's columns in b from `at` (the message says so)."""
    if (at or 0) + a.num_columns > b.num_columns:
        raise EditError(
            f"{names[1]} is shorter than {names[0]}: blending the whole grid needs "
            f"{a.num_columns} columns of {names[1]} from column {at or 0}, and it has "
            f"{b.num_columns}; select a region."
        )


def check_amount(amount: Any) -> float:
    """A blend amount: a number from 0 (all A) to 1 (all B)."""
    if not isinstance(amount, Real) or isinstance(amount, bool) or not 0 <= float(amount) <= 1:
        raise EditError(f"The blend amount must be a number from 0 to 1, got {amount!r}.")
    return float(amount)


def snap_mix(
    codes_a: torch.Tensor, codes_b: torch.Tensor, amount: float, codebooks: torch.Tensor
) -> Snap:
    """codes_a, codes_b [C, l] (NO_CODE allowed), codebooks [l, K, D] -> the mix's nearest
    codes and distances [C, l].

    Level by level, in blocks of columns small enough that torch runs each operation on the
    calling thread: on a 2-core machine busy with training, each operation torch split
    across threads waited ~12 ms for the other core (measured), and a 10 s blend took 200
    ms or more; in blocks it takes a few milliseconds there.
    """
    num_columns, size = codes_a.shape[0], codebooks.shape[1]
    step = max(1, _BLOCK_ELEMENTS // (size + 1))  # columns per block: [step, K + 1] scores
    level_codes, level_distances = [], []
    for level, codebook in enumerate(codebooks):
        candidates = torch.cat([codebook, codebook.new_zeros(1, codebook.shape[1])])  # [K+1, D]
        squared = (candidates**2).sum(-1)  # [K + 1]; entry K is silence, the zero vector
        blocks = [
            _snap_block(
                codes_a[start : start + step, level],
                codes_b[start : start + step, level],
                amount,
                candidates,
                squared,
            )
            for start in range(0, num_columns, step)
        ]
        level_codes.append(torch.cat([block.codes for block in blocks]))
        level_distances.append(torch.cat([block.distances for block in blocks]))
    return Snap(torch.stack(level_codes, dim=1), torch.stack(level_distances, dim=1))


def _snap_block(
    codes_a: torch.Tensor,
    codes_b: torch.Tensor,
    amount: float,
    candidates: torch.Tensor,
    squared: torch.Tensor,
) -> Snap:
    """One level's codes_a, codes_b [c], candidates [K + 1, D] (the last is silence) and
    their squared norms [K + 1] -> the snapped codes and distances [c]."""
    silent = candidates.shape[0] - 1
    index_a = torch.where(codes_a >= 0, codes_a, silent)  # [c] rows of candidates
    index_b = torch.where(codes_b >= 0, codes_b, silent)
    vectors_a, vectors_b = _rows(candidates, index_a), _rows(candidates, index_b)  # [c, D]
    mix = (1.0 - amount) * vectors_a + amount * vectors_b  # [c, D]
    # |mix - c|^2 up to the |mix|^2 every candidate shares: enough to pick the nearest.
    scores = squared - 2 * _products(mix, candidates)  # [c, K + 1]
    one_side_silent = (index_a == silent) | (index_b == silent)
    scores[:, silent] = torch.where(one_side_silent, scores[:, silent], math.inf)
    nearest = scores.argmin(-1)  # [c]
    # Exact distances for the nearest and both sides; ties go to the side the amount favours.
    chosen, distance = nearest, _distance(mix, _rows(candidates, nearest))
    sides = [(index_a, vectors_a), (index_b, vectors_b)]
    for index, vectors in sides if amount >= 0.5 else reversed(sides):
        side_distance = _distance(mix, vectors)
        better = side_distance <= distance
        chosen = torch.where(better, index, chosen)
        distance = torch.where(better, side_distance, distance)
    return Snap(torch.where(chosen == silent, NO_CODE, chosen), distance)


def _products(mix: torch.Tensor, candidates: torch.Tensor) -> torch.Tensor:
    """mix [c, D], candidates [N, D] -> mix @ candidates.T [c, N], a few rows at a time.

    MKL runs a product above ~132k multiply-adds on several threads (measured), and on a busy
    machine each threaded product waited ~12 ms for the other core; below it, on this one.
    """
    rows = max(1, _SMALL_PRODUCT // (candidates.shape[0] * candidates.shape[1]))
    product = mix.new_empty(mix.shape[0], candidates.shape[0])
    for start in range(0, mix.shape[0], rows):
        torch.mm(mix[start : start + rows], candidates.T, out=product[start : start + rows])
    return product


def _rows(candidates: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """candidates [N, D], index [c] -> [c, D]. index_select, not candidates[index]: advanced
    indexing opened a thread pool and waited ~10 ms for it on a busy machine (measured)."""
    return torch.index_select(candidates, 0, index)


def _distance(mix: torch.Tensor, vectors: torch.Tensor) -> torch.Tensor:
    return (mix - vectors).norm(dim=-1)  # [c, D] -> [c]

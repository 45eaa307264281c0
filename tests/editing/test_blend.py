"""blend_region: mix code vectors level by level, snap to the nearest code, keep the distance."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from tests.editing.grids import make_grid
from tests.helpers import make_tiny_model_file

from distill.editing import (
    EditError,
    Region,
    blend_region,
    codebook_vectors,
    mute_levels,
    snap_mix,
)
from distill.inference import NO_CODE, check_code_grid
from distill.models.persistence import LoadedVQModel, load_model


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> LoadedVQModel:
    path = make_tiny_model_file(Path(tmp_path_factory.mktemp("models")) / "tiny.distill")
    return load_model(path)


def nearest_distances(mix: torch.Tensor, codebook: torch.Tensor) -> torch.Tensor:
    """Brute force: mix [N, D], codebook [K, D] -> the distance to the nearest code [N]."""
    return torch.cdist(mix, codebook, compute_mode="donot_use_mm_for_euclid_dist").min(-1).values


def test_codebook_vectors_are_the_vectors_a_decode_sums(loaded):
    vectors = codebook_vectors(loaded)
    assert vectors.shape == (3, 16, 16) and vectors.dtype == torch.float32
    codes = torch.tensor([[[4, NO_CODE, 9]]])  # [1, 1, L]
    summed = loaded.model.codes_to_embeddings(codes, (1, 1))[0, :, 0, 0]  # [D]
    assert torch.allclose(summed, vectors[0, 4] + vectors[2, 9])


def test_blend_zero_is_a_and_blend_one_is_b_exactly(loaded):
    a, b = make_grid(columns=10, seed=1), make_grid(columns=10, seed=2)
    check_code_grid(a, loaded)  # the helper's grids are the tiny model's own
    zero, one = blend_region(a, b, 0.0, loaded), blend_region(a, b, 1, loaded)
    assert torch.equal(zero.grid.codes, a.codes)
    assert torch.equal(one.grid.codes, b.codes)
    for blend in (zero, one):
        assert blend.distances.shape == (10, 3) and blend.distances.dtype == torch.float32
        assert (blend.distances == 0).all()
        assert blend.region == Region.whole(a)
    assert one.grid.operations == ("blend 1 towards B, levels 1-3 columns 0-9",)
    assert one.grid.level_labels == a.level_labels


def test_each_cell_snaps_to_its_levels_nearest_code_and_keeps_the_distance(loaded):
    a, b = make_grid(columns=12, seed=3), make_grid(columns=12, seed=4)
    vectors = codebook_vectors(loaded)
    blend = blend_region(a, b, 0.37, loaded)
    for level in range(3):
        book = vectors[level]  # [K, D]
        mix = 0.63 * book[a.codes[0, :, level]] + 0.37 * book[b.codes[0, :, level]]  # [F', D]
        snapped = book[blend.grid.codes[0, :, level]]
        assert torch.allclose(blend.distances[:, level], (mix - snapped).norm(dim=-1))
        assert torch.allclose(blend.distances[:, level], nearest_distances(mix, book), atol=1e-5)
    assert blend.grid.operations == ("blend 0.37 towards B, levels 1-3 columns 0-11",)


def test_a_region_blend_changes_only_the_region_and_leaves_the_inputs_alone(loaded):
    a, b = make_grid(columns=12, seed=5), make_grid(columns=6, seed=6)
    before_a, before_b = a.codes.clone(), b.codes.clone()
    region = Region((1, 2), (7, 10))
    blend = blend_region(a, b, 1.0, loaded, region, at=1, b_name="b.wav")
    assert torch.equal(blend.grid.codes[0, 7:11, 1:3], b.codes[0, 1:5, 1:3])
    outside = torch.ones(12, 3, dtype=torch.bool)
    outside[7:11, 1:3] = False
    assert torch.equal(blend.grid.codes[0][outside], a.codes[0][outside])
    assert blend.distances[outside].isnan().all() and (blend.distances[~outside] == 0).all()
    assert blend.region == region
    assert blend.grid.operations == ("blend 1 towards b.wav at column 1, levels 2-3 columns 7-10",)
    assert torch.equal(a.codes, before_a) and torch.equal(b.codes, before_b)


def test_whole_grid_blend_needs_b_to_be_long_enough(loaded):
    a, b = make_grid(columns=12), make_grid(columns=8)
    with pytest.raises(EditError) as error:
        blend_region(a, b, 0.5, loaded)
    assert str(error.value) == (
        "B is shorter than A: blending the whole grid needs 12 columns of B from column 0, "
        "and it has 8; select a region."
    )
    longer = make_grid(columns=15, seed=7)
    blend = blend_region(a, longer, 1.0, loaded, at=3)
    assert torch.equal(blend.grid.codes, longer.codes[:, 3:15])
    with pytest.raises(EditError, match="needs 12 columns of B from column 4, and it has 15"):
        blend_region(a, longer, 1.0, loaded, at=4)
    with pytest.raises(EditError, match="do not fit in B from column 5"):
        blend_region(a, b, 0.5, loaded, Region((0, 0), (0, 3)), at=5)


def test_a_silent_cell_fades_in_from_silence(loaded):
    a, b = mute_levels(make_grid(seed=8), [1]), make_grid(seed=9)
    vectors = codebook_vectors(loaded)[1]  # [K, D]
    assert (blend_region(a, b, 0.0, loaded).grid.codes[0, :, 1] == NO_CODE).all()
    # 5% of B's vector is near silence: each cell is silent or a code at most twice as far
    # from the origin as the mix (silence is a candidate; a tiny model may have a code there).
    quiet = blend_region(a, b, 0.05, loaded).grid.codes[0, :, 1]
    sounding = quiet != NO_CODE
    limit = 2 * 0.05 * vectors[b.codes[0, sounding, 1]].norm(dim=-1)
    assert (vectors[quiet[sounding]].norm(dim=-1) <= limit + 1e-6).all()
    assert torch.equal(blend_region(a, b, 1.0, loaded).grid.codes[0, :, 1], b.codes[0, :, 1])
    for amount in (0.05, 0.3, 0.5, 0.7):
        blend = blend_region(a, b, amount, loaded)
        mix = amount * vectors[b.codes[0, :, 1]]  # the silent side is the zero vector
        with_silence = torch.cat([vectors, torch.zeros(1, vectors.shape[1])])
        assert torch.allclose(
            blend.distances[:, 1], nearest_distances(mix, with_silence), atol=1e-5
        )
    towards_silence = blend_region(b, a, 1.0, loaded)  # B silent: A fades out
    assert (towards_silence.grid.codes[0, :, 1] == NO_CODE).all()
    assert (towards_silence.distances == 0).all()


def test_silence_comes_only_from_a_silent_side(loaded):
    a, b = make_grid(seed=10), make_grid(seed=11)
    for amount in torch.linspace(0, 1, 21).tolist():
        assert not (blend_region(a, b, amount, loaded).grid.codes == NO_CODE).any()
    both = blend_region(mute_levels(a, [2]), mute_levels(b, [2]), 0.5, loaded)
    assert (both.grid.codes[0, :, 2] == NO_CODE).all() and (both.distances[:, 2] == 0).all()


def test_ties_between_equal_codebook_entries_keep_the_sides_own_numbers():
    codebooks = torch.randn(1, 6, 4)
    codebooks[0, 5] = codebooks[0, 3]  # a duplicated entry, as a dead code can be
    codes_a, codes_b = torch.tensor([[3], [5]]), torch.tensor([[5], [3]])  # [C, l]
    assert torch.equal(snap_mix(codes_a, codes_b, 0.0, codebooks).codes, codes_a)
    assert torch.equal(snap_mix(codes_a, codes_b, 1.0, codebooks).codes, codes_b)
    assert torch.equal(snap_mix(codes_a, codes_b, 0.5, codebooks).codes, codes_b)


@pytest.mark.parametrize("amount", [-0.1, 1.5, math.nan, True, "0.5", None])
def test_the_amount_must_be_a_number_from_zero_to_one(loaded, amount):
    with pytest.raises(EditError) as error:
        blend_region(make_grid(), make_grid(), amount, loaded)
    assert str(error.value) == f"The blend amount must be a number from 0 to 1, got {amount!r}."


def test_grids_must_be_the_models_own(loaded):
    with pytest.raises(EditError) as error:
        blend_region(make_grid(levels=4), make_grid(levels=4), 0.5, loaded)
    assert str(error.value) == (
        "A: These codes do not fit this model: levels 4 in the codes, 3 for the model."
    )
    with pytest.raises(EditError, match="A and B come from different models"):
        blend_region(make_grid(), make_grid(codebook_size=32), 0.5, loaded)

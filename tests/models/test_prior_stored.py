"""The prior inside the model file: an exact round trip, older files still load, metadata
rewrites keep it, the codes' weights hash ignores it, and damage is one clear sentence."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file
from tests.prior.grids import add_prior

from distill.inference import model_sha256
from distill.models.library import update_metadata
from distill.models.persistence import ModelFileError, load_model, read_model_info
from distill.models.prior_records import PriorMetadata


def test_a_model_file_with_a_prior_round_trips_exactly(prior_model_file: Path, trained_prior):
    loaded = load_model(prior_model_file)
    assert loaded.prior is not None and loaded.prior_config == trained_prior.config
    assert loaded.prior_metadata == trained_prior.metadata
    assert isinstance(loaded.prior_metadata, PriorMetadata)
    assert torch.equal(loaded.prior_grids, trained_prior.grids)
    saved = trained_prior.network.state_dict()
    for name, tensor in loaded.prior.state_dict().items():
        assert torch.equal(tensor, saved[name]), name
    assert not loaded.prior.training
    info = read_model_info(prior_model_file)
    assert (
        info.prior_metadata == trained_prior.metadata and info.prior_config == trained_prior.config
    )


def test_older_files_without_a_prior_still_load(tiny_model_file: Path):
    loaded = load_model(tiny_model_file)
    assert loaded.prior is None and loaded.prior_config is None and loaded.prior_metadata is None
    assert read_model_info(tiny_model_file).prior_metadata is None


def test_a_prior_leaves_the_codes_weights_hash_alone(tiny_model_file: Path, trained_prior):
    before = model_sha256(tiny_model_file)
    add_prior(tiny_model_file, trained_prior)
    assert model_sha256(tiny_model_file) == before
    assert load_model(tiny_model_file).prior is not None


def test_renaming_levels_keeps_the_prior(prior_model_file: Path, trained_prior):
    update_metadata(prior_model_file, level_labels=["a", "b", "c"])
    loaded = load_model(prior_model_file)
    assert loaded.metadata.level_labels == ["a", "b", "c"]
    assert loaded.prior_metadata == trained_prior.metadata
    assert torch.equal(loaded.prior_grids, trained_prior.grids)


def _rewrite(path: Path, drop: str | None = None, header_change=None) -> None:
    tensors = load_file(str(path))
    with path.open("rb") as handle:
        size = struct.unpack("<Q", handle.read(8))[0]
        metadata = json.loads(handle.read(size))["__metadata__"]
    if drop:
        tensors = {k: v for k, v in tensors.items() if not k.startswith(drop)}
    if header_change:
        document = json.loads(metadata["distill"])
        header_change(document)
        metadata["distill"] = json.dumps(document)
    save_file(tensors, str(path), metadata=metadata)


def test_damaged_priors_are_one_clear_sentence(prior_model_file: Path, tmp_path: Path):
    cases = [
        (lambda p: _rewrite(p, drop="prior.grids"), "no training grids"),
        (lambda p: _rewrite(p, drop="prior.network.levels"), "weights do not match"),
        (lambda p: _rewrite(p, header_change=lambda d: d.pop("prior")), "no prior settings"),
        (
            lambda p: _rewrite(
                p, header_change=lambda d: d["prior"]["config"].update(hidden_size=64)
            ),
            "weights do not match",
        ),
        (
            lambda p: _rewrite(p, header_change=lambda d: d["prior"]["metadata"].update(files=[])),
            "grids are",
        ),
        (
            lambda p: _rewrite(p, header_change=lambda d: d["prior"].update(metadata=3)),
            "damaged metadata header",
        ),
    ]
    for damage, fragment in cases:
        path = tmp_path / "damaged.distill"
        path.write_bytes(prior_model_file.read_bytes())
        damage(path)
        with pytest.raises(ModelFileError, match=fragment):
            load_model(path)

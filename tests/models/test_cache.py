"""ModelCache: a model is loaded again only when its file changed, and what changed is said."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.helpers import make_tiny_model_file

from distill.models.cache import ModelCache, ModelChange, file_stamp
from distill.models.library import update_metadata
from distill.models.persistence import ModelFileError


def test_loaded_once_and_again_only_when_the_file_changed(tiny_model_file: Path) -> None:
    cache = ModelCache("cpu")
    assert cache.change() is None and cache.entry is None
    first = cache.model(str(tiny_model_file))
    assert cache.model(str(tiny_model_file)) is first and cache.change() is ModelChange.SAME
    update_metadata(tiny_model_file, level_labels=["A", "B", "C"])  # another writer
    assert cache.change() is ModelChange.HEADER  # the same weights: nothing to tell
    second = cache.model(str(tiny_model_file))
    assert second is not first and second.metadata.level_labels == ["A", "B", "C"]
    assert cache.change() is ModelChange.SAME


def test_our_own_label_rewrite_keeps_the_loaded_model(tiny_model_file: Path) -> None:
    cache = ModelCache("cpu")
    first = cache.model(str(tiny_model_file))
    update_metadata(tiny_model_file, level_labels=["X", "Y", "Z"])
    cache.rewritten(str(tiny_model_file), ["X", "Y", "Z"])
    assert cache.change() is ModelChange.SAME and cache.model(str(tiny_model_file)) is first
    assert first.metadata.level_labels == ["X", "Y", "Z"]


def test_a_replaced_file_is_refused_unless_encoding_anew(
    tiny_model_file: Path, tmp_path: Path
) -> None:
    cache = ModelCache("cpu")
    first = cache.model(str(tiny_model_file))
    other = make_tiny_model_file(tmp_path / "elsewhere" / "tiny.distill", seed=7)
    os.replace(other, tiny_model_file)
    assert cache.change() is ModelChange.REPLACED
    with pytest.raises(ModelFileError, match="was replaced on disk since this grid"):
        cache.model(str(tiny_model_file))
    fresh = cache.model(str(tiny_model_file), encoding=True)
    assert fresh is not first and cache.change() is ModelChange.SAME


def test_a_deleted_file_keeps_serving_its_grid_but_cannot_encode(tiny_model_file: Path) -> None:
    cache = ModelCache("cpu")
    first = cache.model(str(tiny_model_file))
    tiny_model_file.unlink()
    assert cache.change() is ModelChange.GONE and file_stamp(tiny_model_file) is None
    assert cache.model(str(tiny_model_file)) is first  # the weights that made the grid
    with pytest.raises(ModelFileError, match="is no longer there"):
        cache.model(str(tiny_model_file), encoding=True)
    with pytest.raises(ModelFileError, match="is no longer there"):
        ModelCache("cpu").model(str(tiny_model_file))

"""Model files: safetensors with a JSON header, atomic writes, strict and clear loading."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from conftest import make_tiny_model_file
from distill.models import persistence
from distill.models.persistence import (
    ModelFileError,
    delete_model,
    find_model,
    list_models,
    load_model,
    models_dir,
    read_model_info,
    rename_model,
    update_metadata,
    validate_model_name,
)


def test_round_trip_keeps_weights_and_metadata(tiny_model_file: Path):
    loaded = load_model(tiny_model_file)
    assert loaded.metadata.name == "tiny"
    assert loaded.vqvae_config["num_levels"] == 3
    assert not loaded.model.training
    assert loaded.prior is None and loaded.prior_config is None and loaded.prior_metadata is None
    again = load_model(tiny_model_file)
    for (name, a), (_, b) in zip(
        loaded.model.state_dict().items(), again.model.state_dict().items(), strict=True
    ):
        assert torch.equal(a, b), name
    mel = torch.randn(1, 1, 128, 32)
    with torch.no_grad():
        assert torch.equal(loaded.model(mel)[0], again.model(mel)[0])


def test_file_is_plain_safetensors_without_pickle(tiny_model_file: Path):
    raw = tiny_model_file.read_bytes()
    header_size = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + header_size])
    document = json.loads(header["__metadata__"]["distill"])
    assert document["format"] == "distill-model" and document["format_version"] == 1
    assert b"pickle" not in raw and b"\x80\x04" not in raw[:16]


def test_truncated_file_gives_a_clear_error(tiny_model_file: Path):
    data = tiny_model_file.read_bytes()
    tiny_model_file.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match=r"tiny\.distill could not be loaded|not a readable"):
        load_model(tiny_model_file)


def test_garbage_and_foreign_files_are_refused(tmp_path: Path):
    junk = tmp_path / "junk.distill"
    junk.write_bytes(b"this is not a model at all")
    with pytest.raises(ModelFileError, match="not a readable Distill model"):
        load_model(junk)
    foreign = tmp_path / "foreign.distill"
    save_file({"w": torch.zeros(2)}, str(foreign), metadata={"other": "x"})
    with pytest.raises(ModelFileError, match="not a Distill model"):
        load_model(foreign)
    with pytest.raises(ModelFileError, match="No model file"):
        load_model(tmp_path / "missing.distill")


def _rewrite_header(path: Path, loaded, **changes) -> None:
    header = persistence._header(
        loaded.metadata, loaded.model.config, loaded.spectrogram.config, None
    )
    document = json.loads(header["distill"])
    document.update(changes)
    tensors = {k: v.contiguous() for k, v in loaded.model.state_dict().items()}
    save_file(tensors, str(path), metadata={"distill": json.dumps(document)})


def test_old_version_and_other_type_are_named(tiny_model_file: Path):
    loaded = load_model(tiny_model_file)
    _rewrite_header(tiny_model_file, loaded, format_version=99)
    with pytest.raises(ModelFileError, match="version 99"):
        load_model(tiny_model_file)
    _rewrite_header(tiny_model_file, loaded, model_type="diffusion")
    with pytest.raises(ModelFileError, match="'diffusion'"):
        load_model(tiny_model_file)


def test_weights_that_do_not_match_the_config_are_refused(tiny_model_file: Path):
    loaded = load_model(tiny_model_file)
    header = persistence._header(
        loaded.metadata, loaded.model.config, loaded.spectrogram.config, None
    )
    tensors = {k: v.contiguous() for k, v in loaded.model.state_dict().items()}
    tensors.pop(next(iter(tensors)))
    save_file(tensors, str(tiny_model_file), metadata=header)
    with pytest.raises(ModelFileError, match="do not match its configuration"):
        load_model(tiny_model_file)


def test_failed_write_leaves_the_old_file_intact(tiny_model_file: Path, monkeypatch):
    before = tiny_model_file.read_bytes()
    loaded = load_model(tiny_model_file)

    def broken_save(*args, **kwargs):
        Path(args[1]).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(persistence, "save_file", broken_save)
    with pytest.raises(OSError, match="disk full"):
        persistence.save_model(
            tiny_model_file, loaded.model, loaded.spectrogram.config, loaded.metadata
        )
    assert tiny_model_file.read_bytes() == before
    assert [p.name for p in tiny_model_file.parent.iterdir()] == ["tiny.distill"]


def test_models_dir_list_find_rename_delete(distill_home: Path):
    assert models_dir() == distill_home / "models"
    path = make_tiny_model_file(models_dir() / "first.distill")
    (models_dir() / "broken.distill").write_bytes(b"junk")
    names = [info.name for info in list_models(include_demo=False)]
    assert names == ["first"]
    assert find_model("first") == path
    with pytest.raises(ModelFileError, match="Known models: demo, first"):
        find_model("nope")
    renamed = rename_model(path, "second")
    assert renamed.name == "second.distill" and not path.exists()
    assert read_model_info(renamed).name == "second"
    make_tiny_model_file(models_dir() / "third.distill")
    with pytest.raises(ModelFileError, match="already exists"):
        rename_model(renamed, "third")
    info = update_metadata(renamed, level_labels=["Low", "Mid", "High"])
    assert info.metadata.level_labels == ["Low", "Mid", "High"]
    delete_model(renamed)
    assert not renamed.exists()


@pytest.mark.parametrize("bad", ["", "   ", "../evil", "a/b", "demo", "x" * 65, ".hidden"])
def test_bad_model_names_are_refused(bad: str):
    with pytest.raises(ModelFileError, match="not a usable model name"):
        validate_model_name(bad)


def test_demo_model_is_read_only(tmp_path: Path, monkeypatch):
    demo = make_tiny_model_file(tmp_path / "demo.distill")
    monkeypatch.setattr(persistence, "DEMO_MODEL_PATH", demo.resolve())
    for action in (lambda: delete_model(demo), lambda: rename_model(demo, "x")):
        with pytest.raises(ModelFileError, match="read-only"):
            action()
    assert demo.exists()

"""Model files: safetensors with a JSON header, atomic writes, strict and clear loading."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file
from tests.helpers import N_MELS, make_tiny_model_file

from distill import files
from distill.audio.spectrogram import SpectrogramConfig
from distill.files import WriteError
from distill.models import persistence
from distill.models.library import (
    delete_model,
    find_model,
    list_models,
    rename_model,
    update_metadata,
)
from distill.models.persistence import (
    ModelFileError,
    ModelMetadata,
    load_model,
    models_dir,
    read_model_info,
    save_model,
    validate_model_name,
)
from distill.models.records import CodebookHealth, DatasetSummary, LevelHealth, TrainingSummary


def test_round_trip_keeps_weights_and_metadata(tiny_model_file: Path):
    loaded = load_model(tiny_model_file)
    assert loaded.metadata.name == "tiny"
    assert loaded.vqvae_config == loaded.model.config and loaded.vqvae_config.num_levels == 3
    assert not loaded.model.training
    assert loaded.prior is None and loaded.prior_config is None and loaded.prior_metadata is None
    again = load_model(tiny_model_file)
    for (name, a), (_, b) in zip(
        loaded.model.state_dict().items(), again.model.state_dict().items(), strict=True
    ):
        assert torch.equal(a, b), name
    mel = torch.randn(1, 1, N_MELS, 32)
    with torch.no_grad():
        assert torch.equal(loaded.model(mel)[0], again.model(mel)[0])


def test_a_half_precision_file_stays_half_when_rewritten(tiny_model_file: Path):
    """The shipped base stores float16: a rewrite of a half-precision file's header (labels
    here; a prior or the diagnostics alike) keeps it half its size and its weights' hash, so
    codes files made with it stay valid; the weights load into float32 as always."""
    from distill.models.cache import model_sha256

    float32_bytes = tiny_model_file.stat().st_size
    loaded = load_model(tiny_model_file)
    assert loaded.weights_dtype == torch.float32
    spectrogram, metadata = loaded.spectrogram.config, loaded.metadata
    save_model(tiny_model_file, loaded.model, spectrogram, metadata, weights_dtype=torch.float16)
    half = load_model(tiny_model_file)
    assert half.weights_dtype == torch.float16
    assert all(
        t.dtype == torch.float32 for t in half.model.state_dict().values() if t.is_floating_point()
    )
    assert tiny_model_file.stat().st_size < 0.6 * float32_bytes
    digest = model_sha256(tiny_model_file)
    update_metadata(tiny_model_file, level_labels=["a", "b", "c"])
    again = load_model(tiny_model_file)
    assert again.weights_dtype == torch.float16 and again.metadata.level_labels == ["a", "b", "c"]
    assert model_sha256(tiny_model_file) == digest
    for (name, a), (_, b) in zip(
        half.model.state_dict().items(), again.model.state_dict().items(), strict=True
    ):
        assert torch.equal(a, b), name


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

    def half_then_full(handle, data):  # the disk fills up halfway through the file
        handle.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "_write_all", half_then_full)
    with pytest.raises(WriteError) as excinfo:
        persistence.save_model(
            tiny_model_file, loaded.model, loaded.spectrogram.config, loaded.metadata
        )
    assert str(excinfo.value) == (
        f"Could not write {tiny_model_file}: the disk is full (no space left on device). "
        "Free some space or choose another folder."
    )
    assert excinfo.value.errno == errno.ENOSPC
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
    before = demo.read_bytes()
    for action in (
        lambda: delete_model(demo),
        lambda: rename_model(demo, "x"),
        lambda: update_metadata(demo, level_labels=["a", "b", "c"]),
    ):
        with pytest.raises(ModelFileError, match="The bundled demo model is read-only"):
            action()
    assert demo.read_bytes() == before
    info = read_model_info(demo)
    assert info.read_only and info.display_name == "demo (bundled example)"


def test_a_model_marked_read_only_is_refused_by_the_library(distill_home: Path):
    """The rule lives here, so the CLI and the Library tab refuse alike."""
    path = make_tiny_model_file(models_dir() / "locked.distill")
    update_metadata(path, read_only=True)
    before = path.read_bytes()
    for action, verb in (
        (lambda: delete_model(path), "deleted"),
        (lambda: rename_model(path, "other"), "renamed"),
        (lambda: update_metadata(path, level_labels=["a", "b", "c"]), "changed"),
    ):
        with pytest.raises(ModelFileError, match=f"'locked' is read-only: it cannot be {verb}"):
            action()
    assert path.read_bytes() == before and not (models_dir() / "other.distill").exists()
    info = read_model_info(path)
    assert info.read_only and info.display_name == "locked"


def test_unknown_metadata_fields_are_refused(tiny_model_file: Path):
    with pytest.raises(ValueError, match="no field 'colour'"):
        update_metadata(tiny_model_file, colour="red")


# --- the header read as records ---------------------------------------------------------------


def _document(path: Path) -> dict:
    raw = path.read_bytes()
    header = json.loads(raw[8 : 8 + int.from_bytes(raw[:8], "little")])
    return json.loads(header["__metadata__"]["distill"])


def _write_document(path: Path, document: dict) -> None:
    loaded = load_model(path)
    tensors = {k: v.contiguous() for k, v in loaded.model.state_dict().items()}
    save_file(tensors, str(path), metadata={"distill": json.dumps(document)})


def test_the_header_reads_back_as_records(tiny_model_file: Path):
    health = CodebookHealth(
        (LevelHealth(0, 16, 4, 0.25, 3.5, 12), LevelHealth(1, 16, 16, 1.0, 15.2, 0)),
        ("Level 1 uses only 4 of its 16 codes (25%).",),
    )
    summary = DatasetSummary(3, 2, 1, 4.5, ("a.wav", "b.wav", "c.wav"), ("c.wav",), ())
    training = TrainingSummary(10, 2.0, 1.5, 0.25, "cpu", {"seed": 0, "max_steps": 10})
    loaded = load_model(tiny_model_file)
    metadata = ModelMetadata(name="tiny", dataset=summary, training=training)
    persistence.save_model(
        tiny_model_file, loaded.model, loaded.spectrogram.config, metadata, health
    )
    info = read_model_info(tiny_model_file)
    assert info.codebook_health == health and load_model(tiny_model_file).codebook_health == health
    assert info.metadata.dataset == summary and info.metadata.training == training
    assert info.vqvae_config == loaded.model.config
    assert info.spectrogram_config == SpectrogramConfig()
    # The stored JSON keeps the shape it always had.
    document = _document(tiny_model_file)
    assert document["codebook_health"]["levels"][0]["used_codes"] == 4
    assert document["metadata"]["dataset"]["file_names"] == ["a.wav", "b.wav", "c.wav"]
    assert document["metadata"]["training"]["train_config"] == {"seed": 0, "max_steps": 10}


def test_no_summaries_are_written_as_empty_objects(tiny_model_file: Path):
    loaded = load_model(tiny_model_file)
    metadata = ModelMetadata(name="tiny")
    persistence.save_model(tiny_model_file, loaded.model, loaded.spectrogram.config, metadata)
    document = _document(tiny_model_file)
    assert document["metadata"]["dataset"] == {} and document["metadata"]["training"] == {}
    assert document["codebook_health"] is None
    info = read_model_info(tiny_model_file)
    assert info.metadata.dataset is None and info.metadata.training is None
    assert info.codebook_health is None


def test_older_headers_with_missing_and_unknown_keys_still_load(tiny_model_file: Path):
    document = _document(tiny_model_file)
    document["metadata"] = {"name": "old", "dataset": {"num_files": 5, "colour": "red"}}
    document["metadata"]["training"] = {"steps": 7, "epochs": 1}  # an int where a float goes
    document["vqvae_config"]["someday"] = True
    del document["vqvae_config"]["quantizer_dropout"]
    document["codebook_health"] = {"levels": [], "later": 1}
    _write_document(tiny_model_file, document)
    info = read_model_info(tiny_model_file)
    assert info.metadata.dataset == DatasetSummary(num_files=5)
    assert info.metadata.training == TrainingSummary(steps=7, epochs=1.0)
    assert info.metadata.level_labels is None and not info.metadata.read_only
    assert info.codebook_health == CodebookHealth(levels=())
    assert load_model(tiny_model_file).metadata.name == "old"


@pytest.mark.parametrize(
    ("where", "change", "message"),
    [
        ("vqvae_config", {"num_levels": "3"}, "vqvae_config.num_levels should be a whole number"),
        ("vqvae_config", {"num_levels": 99}, "vqvae_config is not usable: levels must be 2-8"),
        ("spectrogram_config", {"f_max": "high"}, "f_max should be a number or null"),
        ("metadata", {"dataset": {"num_files": "many"}}, "dataset.num_files should be a whole"),
        ("metadata", {"training": [1, 2]}, "metadata.training should be"),
        ("metadata", {"level_labels": "abc"}, "metadata.level_labels should be a list or null"),
        ("metadata", {"name": None}, "metadata.name should be text"),
        ("codebook_health", {"levels": [{"level": 0}]}, "levels[0] has no 'codebook_size'"),
        ("codebook_health", {"warnings": [3]}, "codebook_health.warnings[0] should be text"),
    ],
)
def test_a_header_with_values_of_the_wrong_type_is_one_clear_error(
    tiny_model_file: Path, where: str, change: dict, message: str
):
    document = _document(tiny_model_file)
    document[where] = {**(document[where] or {"levels": []}), **change}
    _write_document(tiny_model_file, document)
    for read in (read_model_info, load_model):
        with pytest.raises(ModelFileError) as excinfo:
            read(tiny_model_file)
        text = str(excinfo.value)
        assert text.startswith("tiny.distill has a damaged metadata header: ") and message in text
        assert text.count(". ") == 0 and "\n" not in text, text
    assert list_models(tiny_model_file.parent, include_demo=False) == []  # lists skip it

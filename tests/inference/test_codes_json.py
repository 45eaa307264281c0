"""Tests for the codes JSON document: round trip, model hash, and every malformed case."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from tests.helpers import N_MELS, make_tiny_model_file

from distill.inference import (
    NO_CODE,
    CodeGridError,
    decode_grid,
    encode_grid,
    model_sha256,
    read_codes_json,
    write_codes_json,
)
from distill.inference.codes_json import FORMAT_NAME, FORMAT_VERSION
from distill.models.library import update_metadata
from distill.models.persistence import LoadedVQModel, load_model

LABELS = ["Structure", "Timbre", "Detail"]


@pytest.fixture
def loaded(tiny_model_file: Path) -> LoadedVQModel:
    return load_model(tiny_model_file)


@pytest.fixture
def codes_file(tmp_path: Path, tone_file: Path, loaded: LoadedVQModel, tiny_model_file) -> Path:
    grid = encode_grid(tone_file, loaded)
    return write_codes_json(tmp_path / "out" / "tone.codes.json", grid, tiny_model_file, LABELS)


def test_round_trip_keeps_the_whole_grid_and_decodes(
    codes_file, tone_file, loaded, tiny_model_file
):
    grid = encode_grid(tone_file, loaded)
    document = read_codes_json(codes_file, loaded, tiny_model_file)
    assert document.grid == grid  # every field: codes, shapes, samples, gain, time axis
    assert document.grid.codes.dtype == torch.long
    assert document.grid.num_samples == 72000
    assert document.grid.seconds_per_column == pytest.approx(4 * 512 / 48000)
    assert document.grid.level_labels == tuple(LABELS)
    assert document.model_name == "tiny"
    assert document.model_sha256 == model_sha256(tiny_model_file)
    audio = decode_grid(document.grid, loaded, num_iterations=2)
    assert audio.shape == (72000,)


def test_file_is_readable_json_with_one_list_per_level(codes_file):
    text = codes_file.read_text()
    raw = json.loads(text)
    assert raw["format"] == FORMAT_NAME and raw["version"] == FORMAT_VERSION
    assert raw["seconds_per_column"] == pytest.approx(4 * 512 / 48000)
    assert len(raw["codes"]) == 3 and all(len(row) == 36 for row in raw["codes"])
    assert text.count("\n") < 30  # one line per field and per level, not per code
    assert [p.name for p in codes_file.parent.iterdir()] == [codes_file.name]  # no temp files


def test_silent_levels_are_kept_and_bad_labels_never_written(
    tmp_path, tone_file, loaded, tiny_model_file
):
    grid = encode_grid(tone_file, loaded)
    codes = grid.codes.clone()
    codes[0, 3, 1] = NO_CODE  # a muted cell (an edit) survives the file
    muted = write_codes_json(
        tmp_path / "muted.json", grid.with_codes(codes), tiny_model_file, LABELS
    )
    assert int(read_codes_json(muted, loaded).grid.codes[0, 3, 1]) == NO_CODE
    target = tmp_path / "bad.json"
    with pytest.raises(CodeGridError, match="level_labels must be 3 texts"):
        write_codes_json(target, grid, tiny_model_file, ["a"])
    assert not target.exists()


def test_the_edit_record_travels_with_the_file(tmp_path, tone_file, loaded, tiny_model_file):
    grid = encode_grid(tone_file, loaded)
    edited = grid.with_codes(grid.codes.flip(1), "reverse columns").with_codes(grid.codes, "undo")
    path = write_codes_json(tmp_path / "edited.json", edited, tiny_model_file, LABELS)
    assert read_codes_json(path, loaded).grid.operations == ("reverse columns", "undo")
    edit(path, _set("operations", [1]))
    with pytest.raises(CodeGridError, match="'operations' must be a list of texts"):
        read_codes_json(path)


def test_version_1_files_read_with_their_model(codes_file, loaded):
    edit(codes_file, lambda raw: (raw.pop("seconds_per_column"), raw.update(version=1)))
    assert read_codes_json(codes_file, loaded).grid.seconds_per_column == pytest.approx(
        4 * 512 / 48000
    )
    with pytest.raises(CodeGridError, match=r"version 1.*read it with its model"):
        read_codes_json(codes_file)


def test_model_hash_covers_the_weights_not_the_header(tmp_path):
    path = make_tiny_model_file(tmp_path / "m.distill")
    before = model_sha256(path)
    update_metadata(path, level_labels=["A", "B", "C"])  # rewrites the JSON header only
    assert model_sha256(path) == before
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF  # one byte of one weight
    path.write_bytes(bytes(data))
    assert model_sha256(path) != before


def test_model_hash_streams_a_foreign_file_whole(tmp_path):
    path = tmp_path / "blob.bin"
    data = np.random.default_rng(0).bytes(3 * (1 << 20) + 17)
    path.write_bytes(data)
    assert model_sha256(path) == hashlib.sha256(data).hexdigest()


def edit(codes_file: Path, change) -> Path:
    raw = json.loads(codes_file.read_text())
    change(raw)
    codes_file.write_text(json.dumps(raw))
    return codes_file


def _set(key, value):
    return lambda raw: raw.__setitem__(key, value)


def _delete(key):
    return lambda raw: raw.pop(key)


def _set_code(level, position, value):
    return lambda raw: raw["codes"][level].__setitem__(position, value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set("format", "something-else"), "not a Distill codes file"),
        (_set("version", 3), "version 3"),
        (_delete("seconds_per_column"), "'seconds_per_column' must be a positive"),
        (_set("seconds_per_column", 0), "'seconds_per_column' must be a positive"),
        (_delete("version"), "version None"),
        (_delete("mel_shape"), "missing mel_shape"),
        (_delete("codes"), "missing codes"),
        (_set("num_levels", "3"), "'num_levels' has the wrong type"),
        (_set("num_samples", True), "'num_samples' has the wrong type"),
        (_set("codes", {"0": []}), "'codes' has the wrong type"),
        (_set("num_samples", 0), "duration_s disagrees with num_samples"),
        (_set("loudness_gain", -1.0), "loudness_gain must be a positive number"),
        (_set("codebook_size", 0), "codebook_size must be a whole number >= 1"),
        (_set("duration_s", 9.0), "duration_s disagrees"),
        (_set("spatial_shape", [1]), "'spatial_shape' must be two"),
        (_set("spatial_shape", [2, 18]), r"spatial_shape must be \[1, columns\]"),
        (_set("mel_shape", [N_MELS, 0]), "'mel_shape' must be two"),
        (_set("level_labels", ["a", "b"]), "level_labels must be 3 texts"),
        (_set("level_labels", ["a", "b", 3]), "level_labels must be 3 texts"),
        (lambda raw: raw["codes"].pop(), "'codes' has 2 levels, not 3"),
        (lambda raw: raw["codes"][1].pop(), "level 2 has 35 codes, but spatial_shape says 36"),
        (_set("spatial_shape", [1, 40]), "level 1 has 36 codes, but spatial_shape says 40"),
        (_set_code(2, 0, 16), "Code 16 at level 3, column 0 is outside 0 to 15"),
        (_set_code(0, 3, -2), "Code -2 at level 1, column 3 is outside 0 to 15 .or -1"),
        (_set_code(1, 3, 2.5), "level 2 holds a code that is not a whole number"),
        (_set_code(1, 3, "4"), "level 2 holds a code that is not a whole number"),
        (lambda raw: raw["codes"].__setitem__(0, 7), "level 1 has no list of codes"),
    ],
)
def test_malformed_documents_give_clear_errors(codes_file, change, message):
    edit(codes_file, change)
    with pytest.raises(CodeGridError, match=message) as error:
        read_codes_json(codes_file)
    assert "tone.codes.json" in str(error.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not valid JSON"),
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00binary", "not valid JSON"),
        (b"[1, 2, 3]", "not a Distill codes file"),
        (b'"distill-codes"', "not a Distill codes file"),
    ],
)
def test_non_documents_are_refused(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(CodeGridError, match=message):
        read_codes_json(path)


def test_missing_file(tmp_path):
    with pytest.raises(CodeGridError, match="No codes file at"):
        read_codes_json(tmp_path / "nope.json")


def test_codes_from_another_model_are_refused(codes_file, tmp_path):
    other_levels = make_tiny_model_file(tmp_path / "models" / "two.distill", num_levels=2)
    with pytest.raises(CodeGridError, match=r"levels 3 in the codes, 2 for the model.*'tiny'"):
        read_codes_json(codes_file, load_model(other_levels))
    other_size = make_tiny_model_file(tmp_path / "models" / "k32.distill", codebook_size=32)
    with pytest.raises(CodeGridError, match="codebook size 16 in the codes, 32"):
        read_codes_json(codes_file, load_model(other_size))
    same_shape = make_tiny_model_file(tmp_path / "models" / "twin.distill", seed=1)
    with pytest.raises(CodeGridError, match=r"made by model 'tiny'.*not by twin\.distill"):
        read_codes_json(codes_file, load_model(same_shape))
    with pytest.raises(CodeGridError, match="made by model 'tiny'"):
        read_codes_json(codes_file, model_path=same_shape)


def test_renaming_levels_keeps_codes_files_valid(codes_file, tiny_model_file):
    update_metadata(tiny_model_file, level_labels=["Big", "Middle", "Small"])
    restored = read_codes_json(codes_file, load_model(tiny_model_file))
    assert restored.grid.level_labels == tuple(
        LABELS
    )  # the file keeps the labels it was written with


def test_mel_frames_must_fit_the_sample_count(codes_file, loaded):
    edit(codes_file, _set("mel_shape", [N_MELS, 142]))  # still 36 columns, but one frame too many
    with pytest.raises(CodeGridError, match="mel frames 142 in the codes, 141 for 72000 samples"):
        read_codes_json(codes_file, loaded)

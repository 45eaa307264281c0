"""The code grid record: one time axis, one validator, one error type, the plan's dict view."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from tests.helpers import N_MELS, make_tiny_model_file

from distill.inference import (
    NO_CODE,
    CodeGrid,
    CodeGridError,
    check_code_grid,
    encode_audio_file,
    encode_grid,
    grid_for_model,
    seconds_per_column,
)
from distill.inference.validation import check_code, check_column, check_level
from distill.models.persistence import LoadedVQModel, load_model

SECONDS_PER_COLUMN = 4 * 512 / 48000  # frames per column x hop / sample rate


@pytest.fixture
def loaded(tiny_model_file: Path) -> LoadedVQModel:
    return load_model(tiny_model_file)


def grid_of(columns: int = 6, levels: int = 3, **changes: object) -> CodeGrid:
    fields: dict = {
        "codes": torch.arange(columns * levels).reshape(1, columns, levels) % 16,
        "codebook_size": 16,
        "mel_shape": (N_MELS, columns * 4),
        "num_samples": (columns * 4 - 1) * 512,
        "sample_rate": 48000,
        "seconds_per_column": SECONDS_PER_COLUMN,
        "loudness_gain": 2.0,
    }
    return CodeGrid(**{**fields, **changes})


def test_time_axis_is_the_models_whatever_the_length(tmp_path: Path, loaded) -> None:
    import soundfile as sf

    assert seconds_per_column(loaded) == pytest.approx(SECONDS_PER_COLUMN)
    for samples in (1, 48000, 72000):
        path = tmp_path / f"{samples}.wav"
        sf.write(path, np.full(samples, 0.1, dtype=np.float32), 48000, subtype="FLOAT")
        grid = encode_grid(path, loaded)
        assert grid.seconds_per_column == pytest.approx(SECONDS_PER_COLUMN)
        assert grid.columns_per_second == pytest.approx(23.4375)
        assert grid.column_time(10) == pytest.approx(10 * SECONDS_PER_COLUMN)
        assert grid.duration_s == pytest.approx(samples / 48000)
        # The columns cover the sound; the last one sounds only in part.
        assert (grid.num_columns - 1) * SECONDS_PER_COLUMN <= max(grid.duration_s, 2048 / 48000)


def test_the_plan_dict_view_has_the_plans_keys(tone_file: Path, loaded) -> None:
    plan = encode_audio_file(tone_file, loaded)
    grid = encode_grid(tone_file, loaded)
    assert set(plan) == {
        "indices",
        "spatial_shape",
        "mel_shape",
        "num_quantizers",
        "codebook_size",
        "duration_s",
        "loudness_gain",
        "num_samples",
    }
    assert torch.equal(plan["indices"], grid.codes)
    assert plan["spatial_shape"] == (1, grid.num_columns) == grid.spatial_shape
    assert (plan["num_quantizers"], plan["codebook_size"]) == (3, 16)
    rebuilt = grid_for_model(
        plan["indices"],
        plan["mel_shape"],
        loaded,
        spatial_shape=plan["spatial_shape"],
        num_samples=plan["num_samples"],
        loudness_gain=plan["loudness_gain"],
    )
    assert rebuilt == grid


def test_grids_are_frozen_copies_and_edits_make_new_ones() -> None:
    source = torch.zeros(1, 6, 3, dtype=torch.long)
    grid = grid_of(codes=source)
    source[0, 0, 0] = 5
    assert int(grid.codes[0, 0, 0]) == 0  # the record holds its own copy
    with pytest.raises(AttributeError):
        grid.num_samples = 3  # type: ignore[misc]
    changed = grid.with_codes(torch.full((1, 6, 3), NO_CODE))
    assert changed != grid and int(grid.codes.max()) == 0
    assert changed.num_samples == grid.num_samples and changed.loudness_gain == 2.0
    assert grid.with_labels(["a", "b", "c"]) == grid  # labels are how it is shown
    with pytest.raises(CodeGridError, match=r"shape \[1, 6, 3\]"):
        grid.with_codes(torch.zeros(1, 5, 3, dtype=torch.long))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"codes": torch.zeros(6, 3, dtype=torch.long)}, "shape"),
        ({"codes": torch.zeros(1, 6, 3)}, "whole numbers"),
        ({"codes": [[1]]}, "tensor or array"),
        ({"codes": torch.full((1, 6, 3), 16)}, r"Code 16 at level 1, column 0 is outside 0 to 15"),
        ({"codes": torch.full((1, 6, 3), -2)}, "or -1 for a silent level"),
        ({"codebook_size": 0}, "codebook_size"),
        ({"num_samples": 0}, "num_samples"),
        ({"sample_rate": 1.5}, "sample_rate"),
        ({"seconds_per_column": 0.0}, "seconds_per_column"),
        ({"loudness_gain": float("nan")}, "loudness_gain"),
        ({"mel_shape": (N_MELS, 5)}, "6 columns but only 5 mel frames"),
        ({"level_labels": ("a",)}, "3 levels but 1 level labels"),
    ],
)
def test_one_validator_one_error_type(changes: dict, message: str) -> None:
    with pytest.raises(CodeGridError, match=message):
        grid_of(**changes)
    assert issubclass(CodeGridError, ValueError)


def test_a_grid_must_fit_the_model_it_is_used_with(tmp_path: Path, loaded, tone_file) -> None:
    grid = encode_grid(tone_file, loaded)
    assert check_code_grid(grid, loaded) is grid
    two_levels = load_model(make_tiny_model_file(tmp_path / "two.distill", num_levels=2))
    with pytest.raises(CodeGridError, match="levels 3 in the codes, 2 for the model"):
        check_code_grid(grid, two_levels)
    slower = CodeGrid(**{**grid.__dict__, "seconds_per_column": 0.05})
    with pytest.raises(CodeGridError, match=r"50\.00 ms per column in the codes, 42\.67 ms"):
        check_code_grid(slower, loaded)
    longer = CodeGrid(**{**grid.__dict__, "num_samples": grid.num_samples + 2048})
    with pytest.raises(CodeGridError, match="mel frames 141 in the codes, 145 for 74048"):
        check_code_grid(longer, loaded)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: check_level(3, 3), "Level 4 is not in this grid, which has levels 1-3."),
        (lambda: check_level(-1, 3), "Level 0 is not in this grid, which has levels 1-3."),
        (lambda: check_level(True, 3), "level must be a whole number, got True."),
        (lambda: check_column(6, 6), "Column 6 is not in this grid, which has columns 0-5."),
        (lambda: check_column(1.0, 6), "column must be a whole number, got 1.0."),
        (
            lambda: check_code(16, 16),
            "Code 16 is not one of this model's codes, which run from 0 to 15.",
        ),
        (lambda: check_code(NO_CODE, 16), "Code -1 is not one of this model's codes"),
    ],
)
def test_one_index_check_one_error_type(call, message: str) -> None:
    with pytest.raises(CodeGridError) as error:
        call()
    assert str(error.value).startswith(message)
    assert check_level(np.int64(2), 3) == 2 and check_column(0, 1) == 0 and check_code(15, 16) == 15


def test_an_edit_a_preview_a_click_and_the_renderer_say_the_same_of_one_bad_level(
    tone_file: Path, loaded
) -> None:
    from distill.editing import EditError, solo_level
    from distill.inference import encode_grid, play_level
    from distill.ui.components.code_grid import render_grid
    from distill.ui.components.grid_events import parse_grid_event

    grid = encode_grid(tone_file, loaded)
    sentence = "Level 4 is not in this grid, which has levels 1-3."
    assert EditError is CodeGridError
    calls = [
        lambda: solo_level(grid, 3),
        lambda: play_level(grid, 3, loaded),
        lambda: parse_grid_event("row,3", num_levels=3, num_columns=grid.num_columns),
        lambda: render_grid(grid, selected_cell=(3, 0)),
    ]
    for call in calls:
        with pytest.raises(CodeGridError) as error:
            call()
        assert str(error.value) == sentence

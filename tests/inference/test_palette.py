"""A level's palette and where a code lives: uses counted from the grids the model keeps,
one thumbnail per code drawn from the decoder, the files and longest runs of a code, and a
moment heard from the original when it is here, else from the model's decode."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from distill.inference.grid import seconds_per_column
from distill.inference.palette import (
    NO_GRIDS,
    THUMB_BANDS,
    THUMB_FRAMES,
    code_places,
    level_palette,
    moment_sound,
    training_file,
)
from distill.models.persistence import LoadedVQModel, load_model


@pytest.fixture
def loaded(prior_model_file: Path) -> LoadedVQModel:
    return load_model(prior_model_file)


def test_uses_count_each_levels_codes_in_the_kept_grids(loaded: LoadedVQModel) -> None:
    prior = loaded.trained_prior
    assert prior is not None
    for level in range(loaded.model.num_quantizers):
        shown = level_palette(loaded, level)
        assert shown.uses is not None
        expected = np.bincount(prior.grids[:, level].numpy(), minlength=16)
        assert shown.uses.tolist() == expected.tolist()
        order = shown.order
        assert sorted(order) == list(range(16))  # every code, once
        uses = [int(shown.uses[c]) for c in order]
        assert uses == sorted(uses, reverse=True)  # most used first


def test_each_code_gets_its_own_thumbnail(loaded: LoadedVQModel) -> None:
    thumbs = level_palette(loaded, 0).thumbnails
    assert thumbs.shape == (16, THUMB_BANDS, THUMB_FRAMES) and thumbs.dtype == np.uint8
    assert thumbs.max() == 255  # the level's loudest code sets the top
    distinct = {bytes(t) for t in thumbs}
    assert len(distinct) > 8  # codes sound different, so they look different
    assert level_palette(loaded, 0).thumbnails is thumbs  # drawn once per model and level


def test_a_model_without_kept_grids_has_no_uses_and_no_places(tiny_model_file: Path) -> None:
    loaded = load_model(tiny_model_file)
    assert level_palette(loaded, 0).uses is None
    assert level_palette(loaded, 0).order == list(range(16))
    with pytest.raises(ValueError, match="keeps no grids"):
        code_places(loaded, 0, 3)
    assert "train-prior" in NO_GRIDS


def test_places_name_the_files_and_the_longest_runs(loaded: LoadedVQModel) -> None:
    prior = loaded.trained_prior
    assert prior is not None
    level = 0
    code = int(np.bincount(prior.grids[:, level].numpy()).argmax())
    found = code_places(loaded, level, code)
    per_file = {info.name: int((grid[:, level] == code).sum()) for info, grid in prior.file_grids()}
    assert found.total == sum(per_file.values())
    assert found.num_files == sum(1 for n in per_file.values() if n)
    assert found.files[0][1] == max(per_file.values())
    grids = {info.name: grid for info, grid in prior.file_grids()}
    lengths = [m.columns for m in found.moments]
    assert lengths == sorted(lengths, reverse=True) and lengths[0] >= 1
    for moment in found.moments:
        grid = grids[moment.file]
        assert moment.column + moment.columns <= grid.shape[0]  # inside its file
        run = grid[moment.column : moment.column + moment.columns, level]
        assert torch.all(run == code)  # a whole run of the code...
        after = moment.column + moment.columns
        assert after == grid.shape[0] or grid[after, level] != code  # ...to its end
        before = moment.column - 1
        assert before < 0 or grids[moment.file][before, level] != code  # ...from its start
        assert moment.start_s == pytest.approx(moment.column * seconds_per_column(loaded))
    with pytest.raises(ValueError, match="Code 99"):
        code_places(loaded, 0, 99)


def test_a_moment_is_the_original_when_it_is_here(loaded: LoadedVQModel, tmp_path: Path) -> None:
    rate = 44100
    t = np.arange(3 * rate) / rate
    ramp = (t / t[-1]).astype(np.float32)  # louder as it goes: where a span starts shows
    sf.write(tmp_path / "notes0.wav", np.stack([ramp, ramp], axis=1) * 0.5, rate)
    assert (
        training_file("notes0.wav", [tmp_path / "elsewhere", tmp_path]) == tmp_path / "notes0.wav"
    )
    assert training_file("notes0.wav", [tmp_path / "elsewhere"]) is None
    column = 20
    heard = moment_sound(loaded, "notes0.wav", column, 2, [tmp_path])
    assert heard.original and heard.rate == rate
    assert heard.audio.shape[0] == pytest.approx(rate * 1.0, abs=2)  # at least a second
    middle = heard.audio[heard.audio.shape[0] // 2]
    at = heard.start_s + 0.5
    assert middle == pytest.approx(0.5 * at / 3.0, abs=0.01)  # the original's own samples
    decoded = moment_sound(loaded, "notes0.wav", column, 2, [])
    assert not decoded.original and decoded.rate == loaded.spectrogram.config.sample_rate
    assert np.abs(decoded.audio).max() > 0
    with pytest.raises(ValueError, match="no grid of a training file named 'other\\.wav'"):
        moment_sound(loaded, "other.wav", 0, 1, [tmp_path])

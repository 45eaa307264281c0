"""The bundled demo model as it ships: small, loadable, read-only, made by `make demo-model`."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import torch

from distill.audio.io import load_audio, to_mono
from distill.audio.loudness import measure_loudness_db
from distill.audio.metrics import best_gain_distance
from distill.demo.sounds import DEMO_SOUNDS_DIR, EXAMPLE_SOUND
from distill.inference import decode_grid, encode_grid
from distill.models.library import update_metadata
from distill.models.persistence import DEMO_MODEL_PATH, ModelFileError, load_model

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_model_ships_small_and_loads():
    assert DEMO_MODEL_PATH.is_file()
    # 5.8 MB with a version-1 prior; its version-2 prior (each level also reads the column
    # before) adds 0.2 MB. The bound keeps the wheel small, not one byte count.
    assert DEMO_MODEL_PATH.stat().st_size < 6_500_000
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]
    assert any(pattern.endswith(".distill") for pattern in package_data["distill"])
    loaded = load_model(DEMO_MODEL_PATH)
    assert loaded.model.num_quantizers == 4
    training, dataset = loaded.metadata.training, loaded.metadata.dataset
    assert training is not None and dataset is not None
    # Rebuilt by `make demo-model`: a step budget and a fixed seed, on the demo sounds.
    assert training.train_config["max_steps"] == training.steps
    assert training.train_config["seed"] == 0
    held_out = dataset.validation_file_names
    assert held_out and all((DEMO_SOUNDS_DIR / name).is_file() for name in held_out)
    assert dataset.num_files == len(list(DEMO_SOUNDS_DIR.glob("*.wav")))
    assert "--steps $(DEMO_STEPS)" in (ROOT / "Makefile").read_text()


def test_the_demo_model_is_read_only():
    before = DEMO_MODEL_PATH.read_bytes()
    with pytest.raises(ModelFileError, match="read-only"):
        update_metadata(DEMO_MODEL_PATH, level_labels=["a", "b", "c", "d"])
    assert DEMO_MODEL_PATH.read_bytes() == before


def test_the_example_round_trips_near_its_own_loudness():
    """The decoder's own level, the encode's gain undone: within 2 dB of the level the quality
    ruler finds best (-0.8 dB measured; forgetting to undo the gain would move it 2.3 dB), and
    within 4 dB of the example's gated RMS (-3.6 dB measured: the blurred partials of a decode
    carry less gated RMS than the original's, bench/README.md)."""
    loaded = load_model(DEMO_MODEL_PATH)
    audio = decode_grid(encode_grid(EXAMPLE_SOUND, loaded), loaded, num_iterations=8)
    original = to_mono(load_audio(EXAMPLE_SOUND).waveform)
    assert audio.shape[0] == original.shape[-1]
    decoded_db = measure_loudness_db(torch.from_numpy(audio))
    assert decoded_db == pytest.approx(measure_loudness_db(original), abs=4.0)
    _, best_gain_db = best_gain_distance(original[0], torch.from_numpy(audio))
    assert abs(best_gain_db) <= 2.0


def test_the_demo_model_holds_its_codebook_diagnostics():
    """Added by `make demo-diagnostics` (weights untouched); the coarse level matters most."""
    from distill.models.persistence import read_model_info

    health = read_model_info(DEMO_MODEL_PATH).codebook_health
    assert health is not None and health.has_diagnostics
    contributions = [level.contribution_db or 0.0 for level in health.levels]
    assert contributions[0] == max(contributions) > 0
    assert all(len(level.code_counts or ()) == level.codebook_size for level in health.levels)

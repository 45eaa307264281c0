"""The bundled demo model ships with a prior: trained on the demo sounds' grids, better than
the unigram baseline on its held-out files, and able to generate."""

from __future__ import annotations

from pathlib import Path

from distill.demo.sounds import DEMO_SOUNDS_DIR
from distill.models.persistence import DEMO_MODEL_PATH, load_model
from distill.prior.sampling import generate

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_model_has_a_prior_trained_on_the_demo_sounds():
    loaded = load_model(DEMO_MODEL_PATH)
    meta, dataset = loaded.prior_metadata, loaded.metadata.dataset
    assert loaded.prior is not None and meta is not None and dataset is not None
    assert {f.name for f in meta.files} == {p.name for p in DEMO_SOUNDS_DIR.glob("*.wav")}
    held = {f.name for f in meta.files if f.held_out}
    assert held == set(dataset.validation_file_names)  # the autoencoder's held-out files
    assert not meta.heldout_is_training
    assert meta.heldout_perplexity < meta.unigram_perplexity
    assert meta.train_config["seed"] == 0 and meta.train_config["max_steps"] == 1000
    # Today's prior: it learned endings and what follows them (a generation holds sounds
    # that start and stop), and each level sees the codes of the column before.
    config = loaded.trained_prior.config  # type: ignore[union-attr]
    assert config.version == 2 and config.end_of_file and config.previous_codes
    # Calibrated on its held-out files: generation draws level 1 at its temperature.
    assert len(meta.temperatures) == 4 and all(1.0 <= t <= 2.0 for t in meta.temperatures)
    # `make demo-model` trains it: `distill train` adds the prior after the autoencoder.
    makefile = (ROOT / "Makefile").read_text()
    assert "--no-prior" not in makefile.split("demo-model:")[1].split("\n\n")[0]


def test_the_demo_prior_generates_the_same_sound_for_the_same_seed():
    loaded = load_model(DEMO_MODEL_PATH)
    first = generate(loaded, 1.0, seed=11)
    assert first.grid.num_levels == 4 and first.grid.num_columns == 23
    assert first.grid == generate(loaded, 1.0, seed=11).grid
    assert first.memorisation.source is None or first.memorisation.source.endswith(".wav")

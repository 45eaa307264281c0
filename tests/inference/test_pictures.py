"""The pictures over the grid: log-mel images on the grid's time axis, their difference and
the overview, from real files encoded by a tiny real model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from tests.helpers import make_tiny_model_file, write_tone

from distill.audio.io import load_audio, to_mono
from distill.inference import encode_sound
from distill.inference.pictures import (
    OVERVIEW_MAX_WIDTH,
    PICTURE_ROWS,
    MelPicture,
    column_blocks,
    difference_image,
    mel_image,
    mel_picture,
    overview_image,
    reconstruction_picture,
)
from distill.models.persistence import LoadedVQModel, load_model

RATE = 48000


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> LoadedVQModel:
    path = tmp_path_factory.mktemp("model") / "tiny.distill"
    return load_model(make_tiny_model_file(path))


def clicks_at(path: Path, seconds: float, times: list[float]) -> Path:
    """Quiet noise with a loud short burst (2 ms) at each of `times` seconds."""
    audio = 1e-4 * np.random.default_rng(0).standard_normal(int(seconds * RATE))
    for t in times:
        start = int(t * RATE) - 48
        audio[start : start + 96] += 0.8 * np.hanning(96)
    sf.write(path, audio.astype(np.float32), RATE)
    return path


def test_a_burst_lights_the_pixels_of_its_own_column(loaded: LoadedVQModel, tmp_path: Path) -> None:
    step = 2048 / RATE  # the model's seconds per column (4 frames of hop 512)
    columns = [7, 40, 93]
    # The middle of each column: its frames 1 and 2 are centred 0.5 frames either side.
    times = [(p + 0.5) * step for p in columns]
    encoded = encode_sound(clicks_at(tmp_path / "clicks.wav", 5.0, times), loaded)
    picture = mel_picture(encoded.mel, encoded.grid, loaded.spectrogram)
    assert picture.frames_per_column == 4
    assert picture.db.shape == (PICTURE_ROWS, encoded.grid.num_columns * 4)
    energy = picture.db.max(axis=0)  # [W]: the loudest row of each pixel column
    brightest = set((np.argsort(energy)[-2 * len(columns) :] // 4).tolist())
    assert brightest == set(columns)
    image = mel_image(picture)
    assert image.shape == (*picture.db.shape, 3) and image.dtype == np.uint8
    # Brighter where the bursts are (magma runs from black to pale yellow).
    lit = image[:, 4 * columns[0] + 1].astype(int).sum()
    quiet = image[:, 4 * (columns[0] + 10)].astype(int).sum()
    assert lit > 3 * quiet


def test_pictures_pad_to_whole_columns_with_low_frequencies_at_the_bottom(
    loaded: LoadedVQModel, tmp_path: Path
) -> None:
    low = write_tone(tmp_path / "low.wav", 0.7, 80.0)  # F is not a multiple of 4 here
    encoded = encode_sound(low, loaded)
    assert encoded.grid.mel_shape[1] % 4 != 0
    picture = mel_picture(encoded.mel, encoded.grid, loaded.spectrogram)
    assert picture.num_columns == encoded.grid.num_columns
    rows = picture.db[:, : encoded.grid.mel_shape[1]].mean(axis=1)
    assert rows[-8:].mean() > rows[:8].mean() + 20  # an 80 Hz tone: loud at the bottom rows
    padded = picture.db[:, encoded.grid.mel_shape[1] :]
    assert padded.size and np.all(padded == padded.min())  # silence beyond the last frame


def test_the_original_measured_again_shows_no_difference(
    loaded: LoadedVQModel, tmp_path: Path
) -> None:
    """A "reconstruction" that is the file itself, at the file's level (as decode_grid gives
    it): its picture matches the original's (the encode's loudness gain is put back)."""
    path = write_tone(tmp_path / "quiet.wav", 1.2, 330.0)
    quieter, _ = sf.read(path, dtype="float32")
    sf.write(path, 0.05 * quieter, RATE)  # far from the training loudness: the gain matters
    encoded = encode_sound(path, loaded)
    audio = to_mono(load_audio(path, target_sample_rate=RATE).waveform)[0].numpy()
    original = mel_picture(encoded.mel, encoded.grid, loaded.spectrogram)
    again = reconstruction_picture(audio, encoded.grid, loaded.spectrogram)
    assert np.abs(again.db - original.db).max() < 0.1
    white = difference_image(original, again).astype(int)
    assert white.min() > 230  # RdBu's middle is (almost) white

    louder = MelPicture(original.db + 12.0, 4)
    quieter_picture = MelPicture(original.db - 12.0, 4)
    loud = np.argmax(original.db.max(axis=0))  # a pixel column well above the floor
    red = difference_image(original, louder)[:, loud].astype(int)
    blue = difference_image(original, quieter_picture)[:, loud].astype(int)
    assert (red[:, 0] - red[:, 2]).max() > 100  # adds energy: red
    assert (blue[:, 2] - blue[:, 0]).max() > 100  # loses energy: blue
    with pytest.raises(ValueError, match="differ in shape"):
        difference_image(original, MelPicture(original.db[:, :-4], 4))


def test_the_overview_pools_a_long_file_and_keeps_a_short_burst(
    loaded: LoadedVQModel, tmp_path: Path
) -> None:
    encoded = encode_sound(clicks_at(tmp_path / "long.wav", 90.0, [61.3]), loaded)
    picture = mel_picture(encoded.mel, encoded.grid, loaded.spectrogram)
    overview = overview_image(picture)
    assert overview.shape[1] <= OVERVIEW_MAX_WIDTH < picture.db.shape[1]
    brightness = overview.astype(int).sum(axis=(0, 2))
    where = np.argmax(brightness) / overview.shape[1]
    assert where == pytest.approx(61.3 / 90.0, abs=0.01)  # max-pooled: the burst survives


def test_blocks_cut_whole_columns() -> None:
    image = np.zeros((4, 4 * 250, 3), np.uint8)
    blocks = column_blocks(image, 4, 100)
    assert [b.shape[1] for b in blocks] == [400, 400, 200]

"""The bundled demo sounds: deterministic, well-formed, varied, and the shipped files match code."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf

from distill.demo.sounds import (
    DEMO_SOUNDS_DIR,
    EXAMPLE_SOUND,
    PEAK_DBFS,
    list_demo_sounds,
    synthesize_demo_sounds,
    to_pcm16,
    write_demo_sounds,
)
from distill.demo.synth import SAMPLE_RATE, note_frequency

Sounds = dict[str, npt.NDArray[np.float32]]


@pytest.fixture(scope="module")
def sounds() -> Sounds:
    return synthesize_demo_sounds()


def spectral_centroid(sound: npt.NDArray[np.float32]) -> float:
    """Power-weighted mean frequency of a waveform [S], in Hz."""
    power = np.abs(np.fft.rfft(sound.astype(np.float64))) ** 2
    frequencies = np.fft.rfftfreq(len(sound), 1 / SAMPLE_RATE)
    return float((power * frequencies).sum() / power.sum())


def test_synthesis_is_deterministic(sounds: Sounds) -> None:
    again = synthesize_demo_sounds()
    assert list(again) == list(sounds)
    for name, sound in sounds.items():
        np.testing.assert_array_equal(again[name], sound, err_msg=name)


def test_set_is_a_few_dozen_named_clips(sounds: Sounds) -> None:
    assert 30 <= len(sounds) <= 40
    for expected in ("pluck_a3", "bell_c5", "drum_loop", "vowel_a_110", "wind", "melody"):
        assert expected in sounds


def test_each_clip_is_well_formed(sounds: Sounds) -> None:
    target_peak = 10 ** (PEAK_DBFS / 20)
    for name, sound in sounds.items():
        assert sound.dtype == np.float32 and sound.ndim == 1, name
        assert np.all(np.isfinite(sound)), name
        assert 1.5 <= len(sound) / SAMPLE_RATE <= 5.0, name
        assert np.max(np.abs(sound)) == pytest.approx(target_peak, rel=1e-4), name
        rms_db = 10 * np.log10(np.mean(sound.astype(np.float64) ** 2))
        assert rms_db > -45.0, f"{name} is nearly silent ({rms_db:.1f} dBFS)"
        # Faded ends: no click at the first or last sample.
        assert abs(sound[0]) < 1e-3 and abs(sound[-1]) < 1e-3, name


def test_set_is_spectrally_varied(sounds: Sounds) -> None:
    centroids = {name: spectral_centroid(sound) for name, sound in sounds.items()}
    assert min(centroids.values()) < 200.0  # kick, bass
    assert max(centroids.values()) > 5000.0  # hi-hats
    assert centroids["hihat_closed"] > 20 * centroids["kick"]
    assert centroids["vowel_a_110"] > centroids["vowel_u_110"]  # F1 and F2 of /a/ are higher


@pytest.mark.parametrize(("name", "note"), [("pluck_a3", "a3"), ("bell_c5", "c5")])
def test_pitched_clips_are_in_tune(sounds: Sounds, name: str, note: str) -> None:
    sound = sounds[name].astype(np.float64)
    padded = 8 * len(sound)  # zero-padding for a fine frequency grid
    spectrum = np.abs(np.fft.rfft(sound * np.hanning(len(sound)), padded))
    frequencies = np.fft.rfftfreq(padded, 1 / SAMPLE_RATE)
    target = note_frequency(note)
    near = (frequencies > target / 1.06) & (frequencies < target * 1.06)  # +- a semitone
    peak = frequencies[near][np.argmax(spectrum[near])]
    cents = 1200 * np.log2(peak / target)
    assert abs(cents) < 5, f"{name} is {cents:.1f} cents off {note}"


def test_shipped_files_match_the_code(sounds: Sounds) -> None:
    shipped = list_demo_sounds()
    assert [path.stem for path in shipped] == sorted(sounds), "run `make demo-sounds`"
    for path in shipped:
        stored, rate = sf.read(path, dtype="int16")
        assert rate == SAMPLE_RATE and stored.ndim == 1, path.name
        expected = to_pcm16(sounds[path.stem])
        assert stored.shape == expected.shape, path.name
        # One step of slack absorbs float rounding that differs between CPUs; an edit won't fit.
        difference = np.abs(stored.astype(np.int32) - expected.astype(np.int32))
        assert difference.max() <= 1, f"{path.name} differs from the code: `make demo-sounds`"


def test_shipped_folder_is_small_and_has_the_example() -> None:
    total = sum(path.stat().st_size for path in list_demo_sounds())
    assert total < 8_000_000
    assert EXAMPLE_SOUND.parent == DEMO_SOUNDS_DIR
    assert EXAMPLE_SOUND in list_demo_sounds()
    assert 3.0 <= sf.info(EXAMPLE_SOUND).duration <= 5.0


def test_write_demo_sounds_writes_16_bit_wavs(tmp_path: Path, sounds: Sounds) -> None:
    paths = write_demo_sounds(tmp_path / "out", sounds)
    assert paths == sorted(paths) and len(paths) == len(sounds)
    info = sf.info(paths[0])
    assert (info.samplerate, info.channels, info.subtype) == (SAMPLE_RATE, 1, "PCM_16")
    stored, _ = sf.read(paths[0], dtype="int16")
    np.testing.assert_array_equal(stored, to_pcm16(sounds[paths[0].stem]))


def test_to_pcm16_rounds_and_clips() -> None:
    pcm = to_pcm16(np.array([0.0, 1.0, -1.0, 2.0, 0.6 / 32767, -0.4 / 32767]))
    assert pcm.tolist() == [0, 32767, -32767, 32767, 1, 0]

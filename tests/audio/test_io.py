"""Tests for distill.audio.io: formats, round trips, resampling, file discovery, bad files."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pytest
import soundfile as sf
import torch

from distill import files
from distill.audio import (
    AudioError,
    AudioFile,
    AudioNotFoundError,
    AudioTooLongError,
    EmptyAudioError,
    InvalidSamplesError,
    TruncatedAudioError,
    UnreadableAudioError,
    find_audio_files,
    load_audio,
    resample,
    save_audio,
    to_mono,
)
from distill.files import WriteError

PCM_24_STEP = 2.0**-23


def sine(frequency: float, seconds: float, rate: int, amplitude: float = 0.5) -> np.ndarray:
    """A [S] float32 sine."""
    t = np.arange(round(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def peak_frequency(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[np.argmax(spectrum)])


def rms_db(samples: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.square(samples, dtype=np.float64))))


def write_valid_wav(path: Path, seconds: float = 1.0) -> Path:
    sf.write(path, sine(440, seconds, 48000), 48000, subtype="PCM_16")
    return path


# --- round trips and formats -------------------------------------------------------------


def test_save_load_round_trip_mono_is_24_bit_exact(tmp_path: Path) -> None:
    samples = sine(440, 0.5, 48000) + 0.1 * np.random.default_rng(0).standard_normal(24000)
    samples = samples.astype(np.float32)
    written = save_audio(tmp_path / "tone.wav", torch.from_numpy(samples))
    assert sf.info(written).subtype == "PCM_24"

    audio = load_audio(written)
    assert isinstance(audio, AudioFile)
    assert audio.waveform.dtype == torch.float32
    assert audio.waveform.shape == (1, 24000)
    assert (audio.sample_rate, audio.source_sample_rate) == (48000, 48000)
    assert audio.path == written
    assert audio.num_channels == 1 and audio.num_samples == 24000
    assert audio.duration_s == pytest.approx(0.5)
    np.testing.assert_allclose(audio.waveform[0].numpy(), samples, rtol=0, atol=PCM_24_STEP)


def test_save_load_round_trip_stereo_flac(tmp_path: Path) -> None:
    stereo = np.stack([sine(440, 0.25, 48000), sine(660, 0.25, 48000, 0.3)])  # [2, S]
    written = save_audio(tmp_path / "deep" / "er" / "stereo.flac", stereo)
    assert sf.info(written).subtype == "PCM_24"
    audio = load_audio(written)
    assert audio.waveform.shape == (2, 12000)
    np.testing.assert_allclose(audio.waveform.numpy(), stereo, rtol=0, atol=PCM_24_STEP)


def test_loads_int16_stereo_44k_resampled_to_48k(tmp_path: Path) -> None:
    left, right = sine(1000, 1.0, 44100), sine(3000, 1.0, 44100)
    pcm = (np.stack([left, right], axis=1) * 32767).astype(np.int16)  # [S, C]
    sf.write(tmp_path / "int16.wav", pcm, 44100, subtype="PCM_16")

    audio = load_audio(tmp_path / "int16.wav")
    assert audio.waveform.shape == (2, 48000)
    assert (audio.sample_rate, audio.source_sample_rate) == (48000, 44100)
    assert audio.duration_s == pytest.approx(1.0)
    assert peak_frequency(audio.waveform[0].numpy(), 48000) == pytest.approx(1000, abs=2)
    assert peak_frequency(audio.waveform[1].numpy(), 48000) == pytest.approx(3000, abs=2)


def test_loads_float_wav_exactly(tmp_path: Path) -> None:
    samples = np.array([0.0, 0.25, -0.75, 1.0, -1.0, 1e-6], dtype=np.float32)
    sf.write(tmp_path / "float.wav", samples, 48000, subtype="FLOAT")
    assert torch.equal(load_audio(tmp_path / "float.wav").waveform[0], torch.from_numpy(samples))


@pytest.mark.parametrize(
    ("name", "audio_format", "subtype"),
    [
        ("v.ogg", "OGG", "VORBIS"),
        ("o.opus", "OGG", "OPUS"),
        ("m.mp3", "MP3", "MPEG_LAYER_III"),
        ("a.aiff", "AIFF", "PCM_16"),
        ("b.aif", "AIFF", "PCM_24"),
    ],
)
def test_loads_other_formats(tmp_path: Path, name: str, audio_format: str, subtype: str) -> None:
    samples = sine(1000, 1.0, 48000)
    sf.write(tmp_path / name, samples, 48000, format=audio_format, subtype=subtype)
    audio = load_audio(tmp_path / name)
    assert audio.waveform.shape[0] == 1
    assert audio.duration_s == pytest.approx(1.0, rel=0.05)
    assert peak_frequency(audio.waveform[0].numpy(), 48000) == pytest.approx(1000, abs=2)
    assert rms_db(audio.waveform[0].numpy()) == pytest.approx(rms_db(samples), abs=1.0)


def test_one_sample_clip_loads(tmp_path: Path) -> None:
    sf.write(tmp_path / "one.wav", np.array([0.5], np.float32), 48000, subtype="FLOAT")
    assert load_audio(tmp_path / "one.wav").waveform.tolist() == [[0.5]]
    sf.write(tmp_path / "one22.wav", np.array([0.5], np.float32), 22050, subtype="FLOAT")
    assert load_audio(tmp_path / "one22.wav").waveform.shape[0] == 1


def test_minutes_of_audio_load(tmp_path: Path) -> None:
    samples = sine(220, 90.0, 22050, 0.25)
    sf.write(tmp_path / "long.flac", samples, 22050, subtype="PCM_16")
    audio = load_audio(tmp_path / "long.flac")
    assert audio.waveform.shape == (1, 90 * 48000)
    assert audio.waveform.dtype == torch.float32
    assert peak_frequency(audio.waveform[0, :48000].numpy(), 48000) == pytest.approx(220, abs=2)


# --- bad files ---------------------------------------------------------------------------


def expect_error(
    path: Path, error_type: type[AudioError], *words: str, max_duration_s: float = 1800.0
) -> AudioError:
    """load_audio(path) raises exactly `error_type`, naming the file and the problem."""
    with pytest.raises(error_type) as caught:
        load_audio(path, max_duration_s=max_duration_s)
    message = str(caught.value)
    assert path.name in message
    for word in words:
        assert word in message.lower()
    assert "\n" not in message
    return caught.value


def test_missing_file(tmp_path: Path) -> None:
    expect_error(tmp_path / "nowhere.wav", AudioNotFoundError, "does not exist")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    (tmp_path / "sounds.wav").mkdir()
    expect_error(tmp_path / "sounds.wav", AudioNotFoundError, "folder", "not an audio file")


def test_zero_byte_file(tmp_path: Path) -> None:
    (tmp_path / "zero.wav").touch()
    expect_error(tmp_path / "zero.wav", EmptyAudioError, "empty", "0 bytes")


def test_text_file_renamed_wav(tmp_path: Path) -> None:
    (tmp_path / "notes.wav").write_text("these are my notes, not a recording\n" * 20)
    expect_error(tmp_path / "notes.wav", UnreadableAudioError, "not an audio file")


def test_corrupt_wav_header(tmp_path: Path) -> None:
    good = write_valid_wav(tmp_path / "good.wav").read_bytes()
    broken = good[:12] + b"fmt \xff\xff\xff\x7f" + b"\x00" * 400  # absurd format chunk
    (tmp_path / "header.wav").write_bytes(broken)
    expect_error(tmp_path / "header.wav", UnreadableAudioError, "not an audio file")


@pytest.mark.parametrize(
    ("name", "audio_format", "subtype", "words"),
    [
        ("cut.wav", "WAV", "PCM_16", ("cut short", "header promises")),
        ("cut_float.wav", "WAV", "FLOAT", ("cut short",)),
        ("cut.aiff", "AIFF", "PCM_16", ("cut short",)),
        ("cut.flac", "FLAC", "PCM_16", ("damaged or cut short",)),
        ("cut.mp3", "MP3", "MPEG_LAYER_III", ("cut short",)),
    ],
)
def test_truncated_file(
    tmp_path: Path, name: str, audio_format: str, subtype: str, words: tuple[str, ...]
) -> None:
    full = tmp_path / f"full_{name}"
    sf.write(full, sine(440, 1.0, 48000), 48000, format=audio_format, subtype=subtype)
    data = full.read_bytes()
    (tmp_path / name).write_bytes(data[: int(len(data) * 0.6)])
    expect_error(tmp_path / name, TruncatedAudioError, *words)


def test_wav_missing_only_its_last_bytes_still_loads(tmp_path: Path) -> None:
    data = write_valid_wav(tmp_path / "full.wav").read_bytes()
    (tmp_path / "nearly.wav").write_bytes(data[:-4])  # a sloppy writer's last two samples
    assert load_audio(tmp_path / "nearly.wav").num_samples == 47998


def test_nan_and_inf_samples(tmp_path: Path) -> None:
    samples = np.array([0.0, np.nan, 0.5, np.inf, -np.inf], np.float32)
    sf.write(tmp_path / "nan.wav", samples, 48000, subtype="FLOAT")
    error = expect_error(tmp_path / "nan.wav", InvalidSamplesError, "nan or infinite")
    assert "3 nan" in str(error).lower()


def test_valid_header_with_zero_frames(tmp_path: Path) -> None:
    sf.write(tmp_path / "silent_header.wav", np.zeros(0, np.float32), 48000)
    assert (tmp_path / "silent_header.wav").stat().st_size > 0
    expect_error(tmp_path / "silent_header.wav", EmptyAudioError, "no samples", "zero length")


def test_too_long_is_refused_from_the_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_valid_wav(tmp_path / "long.wav", seconds=2.0)

    def no_decoding(*args: object, **kwargs: object) -> None:
        raise AssertionError("samples were decoded before the duration check")

    monkeypatch.setattr(sf.SoundFile, "read", no_decoding)
    error = expect_error(
        tmp_path / "long.wav", AudioTooLongError, "2.0 s", "1.0 s limit", max_duration_s=1.0
    )
    assert isinstance(error, ValueError)


def test_duration_limit_is_inclusive_and_reported_in_minutes(tmp_path: Path) -> None:
    write_valid_wav(tmp_path / "two_seconds.wav", seconds=2.0)
    assert load_audio(tmp_path / "two_seconds.wav", max_duration_s=2.0).duration_s == 2.0
    sf.write(tmp_path / "lecture.wav", np.zeros(150 * 8000, np.int16), 8000, subtype="PCM_U8")
    expect_error(
        tmp_path / "lecture.wav",
        AudioTooLongError,
        "2.5 minutes",
        "2.0 minutes limit",
        max_duration_s=120.0,
    )


# --- save_audio --------------------------------------------------------------------------


def test_save_refuses_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"song\.mp3.*\.wav or \.flac"):
        save_audio(tmp_path / "song.mp3", np.zeros(10, np.float32))
    assert not (tmp_path / "song.mp3").exists()


def test_save_refuses_non_finite(tmp_path: Path) -> None:
    with pytest.raises(InvalidSamplesError, match=r"bad\.wav"):
        save_audio(tmp_path / "bad.wav", torch.tensor([0.0, float("nan")]))
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_bad_shapes(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match=r"\[C, S\]"):
        save_audio(tmp_path / "cube.wav", np.zeros((1, 1, 4), np.float32))
    with pytest.raises(EmptyAudioError):
        save_audio(tmp_path / "nothing.wav", np.zeros(0, np.float32))


def test_save_clips_to_unit_range(tmp_path: Path) -> None:
    samples = torch.tensor([[1.5, -2.0, 0.5, 0.999]])
    loaded = load_audio(save_audio(tmp_path / "hot.wav", samples, subtype="FLOAT")).waveform
    assert loaded.tolist() == [[1.0, -1.0, 0.5, pytest.approx(0.999)]]


def test_save_is_atomic_and_leaves_no_temp_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = save_audio(tmp_path / "keep.wav", sine(440, 0.1, 48000))
    original = target.read_bytes()

    def half_then_full(handle: BinaryIO, data: bytes) -> None:
        handle.write(data[:100])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "_write_all", half_then_full)
    with pytest.raises(WriteError, match=r"Could not write .*keep\.wav: the disk is full"):
        save_audio(target, sine(880, 0.1, 48000))
    assert target.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["keep.wav"]


def test_save_into_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    blocker = write_valid_wav(tmp_path / "blocker.wav")
    with pytest.raises(WriteError, match=r"inside\.wav: part of the path is a file, not a folder"):
        save_audio(blocker / "inside.wav", np.zeros(10, np.float32))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker.wav"]


def test_save_at_other_rate_and_subtype(tmp_path: Path) -> None:
    target = save_audio(tmp_path / "lofi.wav", sine(440, 0.5, 16000), 16000, subtype="PCM_16")
    info = sf.info(target)
    assert (info.samplerate, info.subtype, info.frames) == (16000, "PCM_16", 8000)


# --- resample, to_mono -------------------------------------------------------------------


def test_resample_keeps_frequency_and_duration() -> None:
    waveform = torch.from_numpy(np.stack([sine(1000, 1.0, 44100)] * 2))  # [2, S]
    resampled = resample(waveform, 44100, 48000)
    assert resampled.shape == (2, 48000)
    assert resampled.dtype == torch.float32
    assert peak_frequency(resampled[0].numpy(), 48000) == pytest.approx(1000, abs=1)
    middle = resampled[0, 4800:-4800].numpy()
    assert rms_db(middle) == pytest.approx(rms_db(sine(1000, 1.0, 48000)), abs=0.1)


def test_resample_identity_and_antialiasing() -> None:
    waveform = torch.from_numpy(sine(440, 0.1, 48000))[None]
    assert torch.equal(resample(waveform, 48000, 48000), waveform)
    # A 10 kHz tone is above the 8 kHz Nyquist of 16 kHz: a good resampler removes it.
    high = torch.from_numpy(sine(10000, 1.0, 48000))[None]
    down = resample(high, 48000, 16000)
    assert down.shape == (1, 16000)
    assert rms_db(down[0, 1600:-1600].numpy()) < rms_db(high[0].numpy()) - 50
    with pytest.raises(ValueError, match="positive"):
        resample(waveform, 0, 48000)


def test_to_mono() -> None:
    stereo = torch.tensor([[1.0, 0.0, -1.0], [0.0, 0.5, 1.0]])
    assert torch.equal(to_mono(stereo), torch.tensor([[0.5, 0.25, 0.0]]))
    assert torch.equal(to_mono(stereo[:1]), stereo[:1])
    with pytest.raises(ValueError, match=r"\[C, S\]"):
        to_mono(torch.zeros(5))


# --- find_audio_files --------------------------------------------------------------------


def test_find_audio_files(tmp_path: Path) -> None:
    names = ["b.wav", "A.WAV", "sub/c.Flac", "sub/deeper/d.mp3", "e.aif", "f.opus", "g.oga"]
    ignored = ["notes.txt", ".hidden.wav", ".cache/h.wav", "sub/.git/i.flac", "sub/j.wav.bak"]
    for name in names + ignored:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "folder.wav").mkdir()

    found = find_audio_files(tmp_path)
    assert found == sorted(tmp_path / name for name in names)
    assert find_audio_files(str(tmp_path / "sub")) == [
        tmp_path / "sub/c.Flac",
        tmp_path / "sub/deeper/d.mp3",
    ]


def test_find_audio_files_bad_directory(tmp_path: Path) -> None:
    with pytest.raises(AudioNotFoundError, match=r"missing.*does not exist"):
        find_audio_files(tmp_path / "missing")
    write_valid_wav(tmp_path / "x.wav")
    with pytest.raises(AudioError, match=r"x\.wav.*not a folder"):
        find_audio_files(tmp_path / "x.wav")

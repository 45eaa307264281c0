"""Tests for distill.inference.codes: encode, decode, previews and row playback on a tiny model."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from tests.helpers import N_MELS

from distill.audio.io import load_audio, to_mono
from distill.audio.loudness import measure_loudness_db, normalize_loudness
from distill.inference import (
    decode_code_grid,
    encode_audio_file,
    play_row_audio,
    preview_single_code,
    preview_time_slice,
    seconds_per_column,
)
from distill.inference.codes import (
    PREVIEW_ITERATIONS,
    PREVIEW_PEAK,
    ROW_PEAK,
    finish_preview,
    limit_peak,
    preview_columns,
)
from distill.inference.refine import refine_codes, refine_steps_for
from distill.models.persistence import LoadedVQModel, load_model

HOP = 512


def uninitialised_levels(loaded: LoadedVQModel) -> list[str]:
    return [name for name, flag in loaded.model.named_buffers() if "initted" in name and not flag]


@pytest.fixture
def loaded(tiny_model_file: Path) -> LoadedVQModel:
    model = load_model(tiny_model_file)
    assert uninitialised_levels(model) == []
    return model


@pytest.fixture
def encoded(tone_file: Path, loaded: LoadedVQModel) -> dict:
    return dict(encode_audio_file(tone_file, loaded))


def write_wav(path: Path, samples: np.ndarray, rate: int = 48000) -> Path:
    sf.write(path, samples.astype(np.float32), rate, subtype="FLOAT")
    return path


def shapes(encoded: dict) -> tuple:
    return encoded["spatial_shape"], encoded["mel_shape"]


def test_encode_returns_every_key_with_the_right_shapes(encoded, loaded):
    indices = encoded["indices"]
    num_frames = 72000 // HOP + 1  # 1.5 s at 48 kHz (resampled from 44.1 kHz)
    columns = math.ceil(num_frames / loaded.model.config.time_downsample)
    assert indices.dtype == torch.long and indices.device.type == "cpu"
    assert tuple(indices.shape) == (1, columns, 3)
    assert encoded["spatial_shape"] == (1, columns)
    assert encoded["mel_shape"] == (N_MELS, num_frames)
    assert (encoded["num_quantizers"], encoded["codebook_size"]) == (3, 16)
    assert encoded["num_samples"] == 72000
    assert encoded["duration_s"] == pytest.approx(1.5)
    assert abs(columns - encoded["duration_s"] / seconds_per_column(loaded)) <= 1
    assert int(indices.min()) >= 0 and int(indices.max()) < 16


def test_encode_uses_mono_training_loudness_and_eval_mode(tone_file, loaded, encoded):
    mono = to_mono(load_audio(tone_file).waveform)
    normalised, gain = normalize_loudness(mono)
    assert encoded["loudness_gain"] == pytest.approx(gain)
    with torch.no_grad():
        mel = loaded.spectrogram.waveform_to_mel(normalised.unsqueeze(0))
        latent = loaded.model.encode(mel)
        expected = refine_codes(
            loaded.model, mel, latent, refine_steps_for(mel.shape[-1]), loaded.spectrogram.config
        )
    assert torch.equal(encoded["indices"], expected)  # the code search of eval mode


def test_encode_restores_training_mode_and_does_not_touch_codebooks(tone_file, loaded, encoded):
    loaded.model.train()
    before = loaded.model.quantizer.codebooks.clone()
    again = encode_audio_file(tone_file, loaded)
    assert loaded.model.training
    assert torch.equal(loaded.model.quantizer.codebooks, before)
    assert torch.equal(again["indices"], encoded["indices"])


def test_decode_length_determinism_and_loudness(encoded, loaded):
    args = (encoded["indices"], *shapes(encoded), loaded)
    first = decode_code_grid(*args, num_samples=encoded["num_samples"], num_iterations=4)
    second = decode_code_grid(*args, num_samples=encoded["num_samples"], num_iterations=4)
    assert first.dtype == np.float32 and first.ndim == 1
    assert first.shape == (encoded["num_samples"],)
    assert np.array_equal(first, second) and np.isfinite(first).all()
    assert np.abs(first).max() > 0
    natural = decode_code_grid(*args, num_iterations=4)
    assert natural.shape == ((encoded["mel_shape"][1] - 1) * HOP,)
    assert abs(natural.shape[0] - encoded["num_samples"]) < HOP
    quieter = decode_code_grid(
        *args, num_samples=encoded["num_samples"], num_iterations=4, loudness_gain=4.0
    )
    np.testing.assert_allclose(quieter, first / 4.0, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("scale", [0.05, 2.5])
def test_decode_undoes_the_encode_gain_and_can_match_the_input_loudness(tmp_path, loaded, scale):
    """The decoder hears every file at the training loudness; decoding undoes the encode's
    gain exactly (a file at scale s decodes to s x what the same file at scale 1 decodes
    to), and match_loudness=True brings even this untrained decoder to the file's level."""
    t = np.arange(72000) / 48000
    paths = [
        write_wav(tmp_path / f"tone{k}.wav", factor * 0.3 * np.sin(2 * np.pi * 220 * t))
        for k, factor in enumerate((1.0, scale))
    ]
    decodes = []
    for path in paths:
        encoded = encode_audio_file(path, loaded)
        args = (encoded["indices"], *shapes(encoded), loaded)
        options = {
            "num_samples": encoded["num_samples"],
            "loudness_gain": encoded["loudness_gain"],
            "num_iterations": 4,
        }
        decodes.append(
            (
                decode_code_grid(*args, **options),
                decode_code_grid(*args, **options, match_loudness=True),
            )
        )
    (own_1, _), (own_s, matched_s) = decodes
    np.testing.assert_allclose(own_s, own_1 * scale, rtol=1e-4, atol=1e-6)
    original = measure_loudness_db(
        torch.from_numpy(0.3 * scale * np.sin(2 * np.pi * 220 * t)).float()
    )
    assert measure_loudness_db(torch.from_numpy(matched_s)) == pytest.approx(original, abs=0.3)


def test_decode_accepts_numpy_codes_and_silent_levels(encoded, loaded):
    codes = encoded["indices"].numpy().copy()
    codes[..., 1:] = -1
    audio = decode_code_grid(codes, *shapes(encoded), loaded, num_iterations=2)
    assert np.isfinite(audio).all()


def expected_preview(grid: torch.Tensor, loaded: LoadedVQModel) -> np.ndarray:
    """What a preview of the held grid [1, P, L] must be: a plain decode at the decoder's own
    level (previews are not level-matched), finished as previews are."""
    columns = grid.shape[1]
    audio = decode_code_grid(
        grid,
        (1, columns),
        (N_MELS, columns * loaded.model.config.time_downsample),
        loaded,
        num_iterations=PREVIEW_ITERATIONS,
        match_loudness=False,
    )
    return finish_preview(audio, 48000)


def test_single_code_preview_is_that_code_alone(encoded, loaded):
    preview = preview_single_code(1, 5, loaded, *shapes(encoded))
    columns = preview_columns(loaded)
    step = loaded.model.config.time_downsample
    assert preview.dtype == np.float32 and preview.shape == ((columns * step - 1) * HOP,)
    assert 0.9 <= preview.shape[0] / 48000 <= 1.1

    def held(others: int) -> np.ndarray:
        grid = torch.full((1, columns, 3), others)
        grid[..., 1] = 5
        return expected_preview(grid, loaded)

    assert np.array_equal(preview, held(-1))
    assert not np.allclose(preview, held(0))  # "nothing" is not code 0
    assert np.array_equal(preview, preview_single_code(1, 5, loaded, *shapes(encoded)))
    assert not np.array_equal(preview, preview_single_code(1, 6, loaded, *shapes(encoded)))


def test_previews_fade_and_stay_below_the_peak_limit(encoded, loaded):
    loud = finish_preview(np.full(48000, 3.0, dtype=np.float32), 48000)
    assert np.abs(loud).max() == pytest.approx(PREVIEW_PEAK)
    assert loud[0] == 0.0 and abs(loud[-1]) < 1e-3
    preview = preview_single_code(0, 0, loaded, *shapes(encoded))
    assert np.abs(preview).max() <= PREVIEW_PEAK + 1e-6
    assert preview[0] == 0.0
    quiet = np.full(100, 0.01, dtype=np.float32)
    assert np.array_equal(limit_peak(quiet, 0.5), quiet)  # never boosted
    nan = np.array([np.nan, np.inf, -np.inf, 0.25], dtype=np.float32)
    assert np.array_equal(limit_peak(nan, 1.0), np.array([0, 0, 0, 0.25], dtype=np.float32))


def test_time_slice_preview_uses_exactly_that_column(encoded, loaded):
    position = 7
    indices = encoded["indices"]
    preview = preview_time_slice(position, indices, loaded, *shapes(encoded))
    columns = preview_columns(loaded)
    held = indices[:, position : position + 1].expand(1, columns, 3).clone()
    assert np.array_equal(preview, expected_preview(held, loaded))
    elsewhere = indices.clone()
    elsewhere[:, position + 1 :] = (elsewhere[:, position + 1 :] + 1) % 16
    assert np.array_equal(
        preview, preview_time_slice(position, elsewhere, loaded, *shapes(encoded))
    )
    changed = indices.clone()
    changed[0, position] = (changed[0, position] + 3) % 16
    assert not np.array_equal(
        preview, preview_time_slice(position, changed, loaded, *shapes(encoded))
    )


def test_row_playback_is_one_batched_decode_of_the_masked_grid(encoded, loaded, monkeypatch):
    indices = encoded["indices"]
    options = {"num_samples": encoded["num_samples"], "loudness_gain": 0.5, "num_iterations": 4}
    masked = torch.full_like(indices, -1)
    masked[..., 2] = indices[..., 2]
    expected = limit_peak(decode_code_grid(masked, *shapes(encoded), loaded, **options), ROW_PEAK)
    calls = {"decode": 0, "invert": 0}
    decoder, invert = loaded.model.decode, loaded.spectrogram.mel_to_waveform

    def counting_decode(*args, **kwargs):
        calls["decode"] += 1
        return decoder(*args, **kwargs)

    def counting_invert(*args, **kwargs):
        calls["invert"] += 1
        return invert(*args, **kwargs)

    monkeypatch.setattr(loaded.model, "decode", counting_decode)
    monkeypatch.setattr(loaded.spectrogram, "mel_to_waveform", counting_invert)
    row = play_row_audio(2, indices, loaded, *shapes(encoded), **options)
    assert calls == {"decode": 1, "invert": 1}
    assert row.shape == (encoded["num_samples"],)  # as long as the file: aligned with it
    assert np.array_equal(row, expected)
    assert not np.array_equal(row, play_row_audio(0, indices, loaded, *shapes(encoded), **options))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda e, m: preview_single_code(3, 0, m, *shapes(e)), "Level 4 is not in this grid"),
        (lambda e, m: preview_single_code(-1, 0, m, *shapes(e)), "which has levels 1-3"),
        (lambda e, m: preview_single_code(0, 16, m, *shapes(e)), "Code 16 .* from 0 to 15"),
        (lambda e, m: preview_single_code(0, 1.5, m, *shapes(e)), "code must be"),
        (lambda e, m: preview_time_slice(36, e["indices"], m, *shapes(e)), "columns 0-35"),
        (lambda e, m: play_row_audio(True, e["indices"], m, *shapes(e)), "level must be"),
        (lambda e, m: decode_code_grid(e["indices"][:, :5], *shapes(e), m), r"shape \[1, 36, 3\]"),
        (lambda e, m: decode_code_grid(e["indices"].float(), *shapes(e), m), "whole numbers"),
        (lambda e, m: decode_code_grid([[1]], *shapes(e), m), "tensor or array"),
        (lambda e, m: decode_code_grid(e["indices"] + 16, *shapes(e), m), "0 to 15"),
        (
            lambda e, m: decode_code_grid(e["indices"] - e["indices"].min() - 2, *shapes(e), m),
            "or -1",
        ),
        (lambda e, m: decode_code_grid(e["indices"], (1, 35), e["mel_shape"], m), "says 35"),
        (lambda e, m: decode_code_grid(e["indices"], (2, 18), e["mel_shape"], m), r"\(1, col"),
        (lambda e, m: decode_code_grid(e["indices"], (1, 36), (64, 141), m), "mel bins 64"),
        (lambda e, m: decode_code_grid(e["indices"], (1, 36), (N_MELS, 200), m), "50 columns"),
        (lambda e, m: decode_code_grid(e["indices"], (1, 36), "128x141", m), "mel_shape must"),
        (lambda e, m: decode_code_grid(e["indices"], *shapes(e), m, num_iterations=-1), "iter"),
        (lambda e, m: decode_code_grid(e["indices"], *shapes(e), m, num_samples=0), "num_samp"),
        (
            lambda e, m: decode_code_grid(e["indices"], *shapes(e), m, num_samples=10**6),
            "mel frames 141 in the codes",
        ),
        (lambda e, m: decode_code_grid(e["indices"], *shapes(e), m, loudness_gain=0.0), "gain"),
        (lambda e, m: decode_code_grid(e["indices"], *shapes(e), m, loudness_gain=np.nan), "gain"),
    ],
)
def test_bad_arguments_raise_clear_value_errors(encoded, loaded, call, message):
    with pytest.raises(ValueError, match=message):
        call(encoded, loaded)


@pytest.mark.parametrize("num_samples", [1, 480])
def test_one_sample_and_ten_millisecond_inputs(tmp_path, loaded, num_samples):
    rng = np.random.default_rng(num_samples)
    path = write_wav(tmp_path / "short.wav", 0.3 * rng.standard_normal(num_samples))
    encoded = encode_audio_file(path, loaded)
    assert encoded["num_samples"] == num_samples
    assert encoded["duration_s"] == pytest.approx(num_samples / 48000)
    assert encoded["mel_shape"] == (N_MELS, 2048 // HOP + 1)  # padded to one full window
    assert encoded["spatial_shape"] == (1, 2)
    audio = decode_code_grid(
        encoded["indices"], *shapes(encoded), loaded, num_samples=num_samples, num_iterations=2
    )
    assert audio.shape == (num_samples,) and np.isfinite(audio).all()
    row = play_row_audio(0, encoded["indices"], loaded, *shapes(encoded), num_samples=num_samples)
    assert row.shape == (num_samples,)
    assert preview_time_slice(1, encoded["indices"], loaded, *shapes(encoded)).shape[0] > 40000


def test_silence_encodes_and_decodes_finite(tmp_path, loaded):
    path = write_wav(tmp_path / "silence.wav", np.zeros(24000))
    encoded = encode_audio_file(path, loaded)
    assert encoded["loudness_gain"] == 1.0
    audio = decode_code_grid(encoded["indices"], *shapes(encoded), loaded, num_iterations=2)
    assert np.isfinite(audio).all()


@pytest.mark.parametrize("bias", [float("nan"), 1e6])
def test_a_broken_decoder_still_gives_finite_audio(encoded, loaded, bias):
    with torch.no_grad():
        loaded.model.decoder.net[-1].bias.fill_(bias)
    audio = decode_code_grid(encoded["indices"], *shapes(encoded), loaded, num_iterations=2)
    preview = preview_single_code(0, 1, loaded, *shapes(encoded))
    assert np.isfinite(audio).all() and np.isfinite(preview).all()
    assert np.abs(preview).max() <= PREVIEW_PEAK + 1e-6


def test_chunked_stages_match_a_whole_file_pass(loaded):
    from tests.helpers import synth_tone

    from distill.inference import chunked

    tones = [synth_tone(1.0, freq) for freq in (220.0, 330.0, 440.0)]
    waveform = torch.from_numpy(np.concatenate(tones)).reshape(1, 1, -1)  # [1, 1, S]
    spectrogram, model = loaded.spectrogram, loaded.model
    whole_mel = spectrogram.waveform_to_mel(waveform)
    chunked_mel = chunked.waveform_to_mel_chunked(spectrogram, waveform, chunk_frames=40)
    torch.testing.assert_close(chunked_mel, whole_mel)
    with torch.no_grad():
        whole = chunked.encode_mel_chunked(model, whole_mel, chunk_columns=10**6)
        pieces = chunked.encode_mel_chunked(model, whole_mel, chunk_columns=7, context_columns=12)
        assert torch.equal(pieces, whole)
        mel_shape = (N_MELS, whole_mel.shape[-1])
        decoded = chunked.decode_codes_chunked(model, whole, mel_shape, chunk_columns=10**6)
        decoded_pieces = chunked.decode_codes_chunked(
            model, whole, mel_shape, chunk_columns=7, context_columns=12
        )
    torch.testing.assert_close(decoded_pieces, decoded)
    assert decoded.shape == whole_mel.shape


def test_chunked_griffin_lim_is_deterministic_and_keeps_the_level(loaded):
    from tests.helpers import synth_tone

    from distill.inference import chunked

    samples = np.concatenate([synth_tone(1.0, freq) for freq in (220.0, 330.0)])
    waveform = torch.from_numpy(samples).reshape(1, 1, -1)
    mel = loaded.spectrogram.waveform_to_mel(waveform)
    length = samples.shape[0]
    whole = chunked.mel_to_waveform_chunked(loaded.spectrogram, mel, 8, length)
    pieces = chunked.mel_to_waveform_chunked(loaded.spectrogram, mel, 8, length, chunk_frames=40)
    again = chunked.mel_to_waveform_chunked(loaded.spectrogram, mel, 8, length, chunk_frames=40)
    assert pieces.shape == whole.shape == (length,)
    assert torch.equal(pieces, again) and bool(torch.isfinite(pieces).all())
    rms = lambda x: float(x.square().mean().sqrt())  # noqa: E731
    assert rms(pieces) == pytest.approx(rms(whole), rel=0.15)
    rising = chunked._fade(1000, 500, 200, True, torch.device("cpu"))
    falling = chunked._fade(1000, 500, 200, False, torch.device("cpu"))
    torch.testing.assert_close(rising.square() + falling.square(), torch.ones(1000))
    assert rising[0] == 0 and rising[-1] == 1 and falling[0] == 1

"""The held-out excerpt heard while training: decoded as an encode of it would be."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from tests.helpers import make_tiny_model_file

from distill.audio.spectrogram import AudioSpectrogram
from distill.inference.chunked import decode_codes_chunked, encode_mel_chunked
from distill.inference.refine import REFINE_STEPS
from distill.models.persistence import load_model
from distill.training.listening import LISTEN_ITERATIONS, HeldOutExcerpt, decode_excerpt


def test_the_excerpt_is_decoded_from_searched_codes_and_the_model_keeps_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    model = load_model(make_tiny_model_file(tmp_path / "tiny.distill")).model
    spectrogram = AudioSpectrogram()
    t = torch.arange(48000) / 48000
    tone = (0.3 * torch.sin(2 * torch.pi * 330 * t) * torch.exp(-3 * t)).reshape(1, 1, -1)
    mel = spectrogram.waveform_to_mel(tone)  # [1, 1, M, F]
    model.train()
    sample = decode_excerpt(model, HeldOutExcerpt("tone.wav", 0.0, mel), spectrogram, 7, 1.5)
    assert model.training and all(p.grad is None for p in model.parameters())
    model.eval()
    with torch.no_grad():
        searched = encode_mel_chunked(
            model, mel, refine_steps=REFINE_STEPS, config=spectrogram.config
        )
        plain = encode_mel_chunked(model, mel)
        shape = (mel.shape[2], mel.shape[3])
        heard = [
            spectrogram.mel_to_waveform(
                decode_codes_chunked(model, codes, shape), LISTEN_ITERATIONS
            )
            for codes in (searched, plain)
        ]
    expected, unsearched = (w[0, 0].numpy() for w in heard)
    assert (sample.step, sample.file_name) == (7, "tone.wav")
    assert np.allclose(sample.audio, expected, atol=1e-5)
    assert not np.allclose(sample.audio, unsearched, atol=1e-3)

"""The code search: codes chosen by how the decoder renders them (inference.refine)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from tests.helpers import make_tiny_model_file, write_tone

from distill.audio.spectrogram import frame_level_db
from distill.inference import encode_sound
from distill.inference.chunked import decode_codes_chunked, encode_mel_chunked
from distill.inference.refine import (
    MIN_REFINE_STEPS,
    REFINE_FULL_FRAMES,
    REFINE_LEVEL_WEIGHT,
    REFINE_STEPS,
    refine_codes,
    refine_steps_for,
)
from distill.models.persistence import LoadedVQModel, load_model


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedVQModel:
    return load_model(make_tiny_model_file(tmp_path / "tiny.distill"))


def mel_of(loaded: LoadedVQModel, tmp_path: Path, seconds: float = 1.5) -> torch.Tensor:
    return encode_sound(
        write_tone(tmp_path / "tone.wav", seconds, 330.0), loaded, refine_steps=0
    ).mel


@torch.no_grad()
def render_error(loaded: LoadedVQModel, codes: torch.Tensor, mel: torch.Tensor) -> float:
    decoded = decode_codes_chunked(loaded.model, codes, (mel.shape[2], mel.shape[3]))
    return float((decoded - mel).abs().mean())


@torch.no_grad()
def test_the_search_renders_closer_than_the_encoders_codes(loaded, tmp_path):
    model = loaded.model.eval()
    mel = mel_of(loaded, tmp_path)
    weights = {name: value.clone() for name, value in model.state_dict().items()}
    plain = encode_mel_chunked(model, mel)
    searched = refine_codes(model, mel, model.encode(mel), 12, loaded.spectrogram.config)
    assert searched.shape == plain.shape and searched.dtype == plain.dtype
    assert int(searched.min()) >= 0 and int(searched.max()) < model.codebook_size
    assert not torch.equal(searched, plain)
    assert render_error(loaded, searched, mel) < render_error(loaded, plain, mel)
    # the weights and codebooks are as they were, and no gradient was left on them
    assert all(torch.equal(weights[n], v) for n, v in model.state_dict().items())
    assert all(p.grad is None for p in model.parameters())
    assert torch.equal(
        refine_codes(model, mel, model.encode(mel), 12, loaded.spectrogram.config), searched
    )
    assert torch.equal(
        refine_codes(model, mel, model.encode(mel), 0, loaded.spectrogram.config), plain
    )


@torch.no_grad()
def test_the_search_never_keeps_a_worse_grid_than_the_encoders(loaded, tmp_path):
    model = loaded.model.eval()
    mel = mel_of(loaded, tmp_path)
    plain = encode_mel_chunked(model, mel)
    # a step far too large lands anywhere: the encoder's own grid is kept if nothing beats it
    wild = refine_codes(
        model, mel, model.encode(mel), 3, loaded.spectrogram.config, learning_rate=1e3
    )
    assert render_error(loaded, wild, mel) <= render_error(loaded, plain, mel)


@torch.no_grad()
def test_long_files_are_searched_chunk_by_chunk(loaded, tmp_path):
    model = loaded.model.eval()
    mel = mel_of(loaded, tmp_path, seconds=3.0)  # 282 frames, 71 columns
    whole = encode_mel_chunked(model, mel)
    chunked = encode_mel_chunked(
        model,
        mel,
        chunk_columns=16,
        context_columns=8,
        refine_steps=6,
        config=loaded.spectrogram.config,
    )
    assert chunked.shape == whole.shape
    assert render_error(loaded, chunked, mel) < render_error(loaded, whole, mel)


def test_encoding_searches_by_default_and_says_how_long_files_are_spared(loaded, tmp_path):
    path = write_tone(tmp_path / "tone.wav", 1.5, 330.0)
    plain = encode_sound(path, loaded, refine_steps=0)
    searched = encode_sound(path, loaded)
    assert torch.equal(searched.mel, plain.mel)
    assert not torch.equal(searched.grid.codes, plain.grid.codes)
    mel = plain.mel
    assert render_error(loaded, searched.grid.codes, mel) < render_error(
        loaded, plain.grid.codes, mel
    )
    assert encode_sound(path, loaded).grid.codes.equal(searched.grid.codes)  # deterministic
    assert refine_steps_for(100) == refine_steps_for(REFINE_FULL_FRAMES) == REFINE_STEPS
    assert refine_steps_for(2 * REFINE_FULL_FRAMES) == REFINE_STEPS // 2
    assert (
        refine_steps_for(REFINE_FULL_FRAMES * REFINE_STEPS // MIN_REFINE_STEPS) >= MIN_REFINE_STEPS
    )
    assert refine_steps_for(REFINE_FULL_FRAMES * REFINE_STEPS) == 0  # hours of audio: none
    assert refine_steps_for(REFINE_FULL_FRAMES * REFINE_STEPS, 5) == 5  # asked: as asked


@torch.no_grad()
def test_the_search_holds_each_frames_level(loaded, tmp_path):
    """Log-mel L1 alone renders blurred loud partials too quiet; the search also weighs each
    frame's level error, and keeps the grid best by both."""
    model = loaded.model.eval()
    config = loaded.spectrogram.config
    mel = mel_of(loaded, tmp_path)
    shape = (mel.shape[2], mel.shape[3])

    def level_error(codes: torch.Tensor) -> float:
        decoded = decode_codes_chunked(model, codes, shape)
        return float((frame_level_db(decoded, config) - frame_level_db(mel, config)).abs().mean())

    def objective(codes: torch.Tensor, weight: float) -> float:
        return render_error(loaded, codes, mel) + weight * level_error(codes) / 10

    plain = encode_mel_chunked(model, mel)
    l1_only = refine_codes(model, mel, model.encode(mel), 12, config, level_weight=0.0)
    held = refine_codes(model, mel, model.encode(mel), 12, config, level_weight=1.0)
    assert not torch.equal(held, l1_only)
    assert objective(held, 1.0) <= objective(plain, 1.0)
    assert level_error(held) < level_error(l1_only)
    assert REFINE_LEVEL_WEIGHT > 0  # the default search weighs it too

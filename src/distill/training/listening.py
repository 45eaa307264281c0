"""Training you can listen to: a short held-out excerpt, decoded every so often by the model
as it is at that moment, so a person hears it improve (or not) while it trains."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from distill.audio.spectrogram import AudioSpectrogram
from distill.inference.chunked import decode_codes_chunked, encode_mel_chunked
from distill.inference.refine import refine_steps_for
from distill.models.vqvae import ConvVQVAE
from distill.training.data import MelDataset

EXCERPT_S = 3.0  # long enough to hear a phrase, short enough to decode in a fraction of a second
LISTEN_EVERY_S = 30.0  # a new decode at most this often (at validations, which are periodic)
LISTEN_ITERATIONS = 16  # Griffin-Lim iterations: a click preview's quality, not a render's


@dataclass(frozen=True)
class HeldOutExcerpt:
    """The same few held-out seconds for the whole run: normalised log-mel [1, 1, M, F]."""

    file_name: str
    start_s: float
    mel: torch.Tensor


@dataclass(frozen=True)
class ListeningSample:
    """The excerpt as the model decoded it at `step`: float32 audio [S] at `sample_rate`."""

    step: int
    elapsed_s: float
    file_name: str
    audio: np.ndarray
    sample_rate: int


def held_out_excerpt(
    dataset: MelDataset, spectrogram: AudioSpectrogram, seconds: float = EXCERPT_S
) -> HeldOutExcerpt | None:
    """The loudest `seconds` of the first held-out file (of the first training file when
    nothing is held out), or None without any clip."""
    clips = dataset.validation or dataset.train
    if not clips:
        return None
    clip = clips[0]
    config = spectrogram.config
    frames = min(clip.num_frames, max(1, round(seconds * config.sample_rate / config.hop_length)))
    energy = clip.mel.mean(dim=1)[0]  # [F]: mean log-mel per frame
    window_sums = torch.nn.functional.avg_pool1d(energy[None, None], frames, stride=1)[0, 0]
    start = int(window_sums.argmax())
    mel = clip.mel[..., start : start + frames].unsqueeze(0)  # [1, 1, M, frames]
    return HeldOutExcerpt(clip.path.name, start * config.hop_length / config.sample_rate, mel)


@torch.no_grad()
def decode_excerpt(
    model: ConvVQVAE,
    excerpt: HeldOutExcerpt,
    spectrogram: AudioSpectrogram,
    step: int,
    elapsed_s: float,
) -> ListeningSample:
    """The excerpt through the model (all levels, eval mode) and Griffin-Lim -> a sample. Its
    codes are searched as encoding searches them (`inference.refine`), so the excerpt sounds
    as an encode of it would with the weights of that moment."""
    was_training = model.training
    model.eval()
    mel = excerpt.mel.to(spectrogram.device)
    steps = refine_steps_for(mel.shape[-1])
    codes = encode_mel_chunked(model, mel, refine_steps=steps, config=spectrogram.config)
    recon = decode_codes_chunked(model, codes, (mel.shape[2], mel.shape[3]))  # [1, 1, X, F]
    model.train(was_training)
    waveform = spectrogram.to_waveform(recon, num_iterations=LISTEN_ITERATIONS)  # [1, 1, S]
    audio = waveform[0, 0].detach().cpu().float().numpy()
    peak = float(np.abs(audio).max()) if audio.size else 0.0
    if peak > 0.99:  # a listening copy: never clip the speakers
        audio = audio * (0.99 / peak)
    return ListeningSample(
        step, elapsed_s, excerpt.file_name, audio.astype(np.float32), spectrogram.config.sample_rate
    )

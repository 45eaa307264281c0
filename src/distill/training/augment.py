"""Augmentation of training batches in the mel domain: random gain and mixing clips.

Both act on linear mel power, so silence stays at the floor and a mix is what the sum of two
recordings would give (up to the cross terms of overlapping partials, which average out).
"""

from __future__ import annotations

import torch

from distill.audio.spectrogram import AudioSpectrogram


def augment_batch(
    batch: torch.Tensor,
    spectrogram: AudioSpectrogram,
    generator: torch.Generator,
    gain_db: float,
    mix_probability: float,
) -> torch.Tensor:
    """normalised log-mel [B, 1, M, F] -> the same shape: each window scaled by a gain drawn
    uniformly in +-gain_db, and with probability mix_probability another window of the batch
    added at -6 to 0 dB. Deterministic for a given generator state."""
    if gain_db <= 0 and mix_probability <= 0:
        return batch
    size = batch.shape[0]
    power = spectrogram.log_to_power(batch)  # [B, 1, M, F]
    draws = torch.rand(4, size, generator=generator).to(batch.device)  # [4, B]
    if mix_probability > 0:
        partner = torch.randperm(size, generator=generator).to(batch.device)
        mixed = draws[0] < mix_probability
        weight = 10 ** (-0.6 * draws[1]) * mixed  # -6..0 dB where mixed, else 0
        power = power + weight.view(-1, 1, 1, 1) * power[partner]
    if gain_db > 0:
        gain = 10 ** (gain_db * (2 * draws[2] - 1) / 10)  # power gain, +-gain_db
        power = power * gain.view(-1, 1, 1, 1)
    return spectrogram.power_to_log(power)

"""Analysis by synthesis: each file's codes are chosen by how the decoder renders them.

A model trained on a few minutes of audio decodes sounds unlike its training files better than
its encoder describes them: the encoder's latent, quantized level by level, is not the grid
the decoder would render closest to the input. So encoding searches for a better grid. The
latent is moved by Adam to lower the log-mel L1 between the decoder's output for its quantized
codes and the input, plus a little of each frame's level error (as the training loss holds
it), the gradient passed straight through the quantizer (a code changes when
the latent crosses into another code's cell). The best grid seen is kept, so a refined grid
never renders further from the input than the encoder's own. The weights do not change, and
the codes are codes of the same codebooks: previews, edits and the prior read them as before.

Measured on 18 held-out real recordings (bench/README.md): 20 / 40 / 80 steps took the
level-restored multi-scale mel distance from 0.501 to 0.440 / 0.436 / 0.438. A step is a
decoder pass forward and back: about 40 ms per 10 s of audio on a 2-core CPU. Log-mel L1
alone renders blurred loud partials too quiet (a message chime 2.5 dB under its best gain);
with the frame-level term at 0.05 per 10 dB the worst file was 2.1 dB off at two seeds (2.5
and 3.3 without), for a 1% higher distance.
"""

from __future__ import annotations

import math
from functools import lru_cache

import torch

from distill.audio.spectrogram import AudioSpectrogram, SpectrogramConfig, frame_level_db
from distill.models.vqvae import ConvVQVAE

REFINE_STEPS = 20  # Adam steps on the latent for files up to REFINE_FULL_FRAMES
REFINE_LEARNING_RATE = 0.05  # 0.1 scored the same (0.438 at 40 steps)
# The frame-level error's weight per 10 dB beside the log-mel L1 (bench/README.md, 18 held-out
# files, seeds 0 / 1): 0 left the worst file 2.5 / 3.3 dB off its best gain, 0.05 2.1 / 2.1
# for a mel distance 1.0 / 1.2% higher; 0.125 and 0.25 cost 3-4% and were worse at seed 1.
REFINE_LEVEL_WEIGHT = 0.05
# Longer files get proportionally fewer steps, so the search never costs more than it does for
# ~26 s of audio (about 2 s on a 2-core CPU), and none once that would be under
# MIN_REFINE_STEPS (beyond ~64 s): long files open without waiting for it.
REFINE_FULL_FRAMES = 2400  # ~26 s at hop 512
MIN_REFINE_STEPS = 8


@lru_cache(maxsize=8)
def _front_end(config: SpectrogramConfig, device: torch.device) -> AudioSpectrogram:
    return AudioSpectrogram(config, device)


def _as_mel(decoded: torch.Tensor, config: SpectrogramConfig) -> torch.Tensor:
    """A decoded spectrum [1, 1, X, F] as log-mel [1, 1, M, F] (a linear output projected)."""
    return _front_end(config, decoded.device).to_mel(decoded)


def refine_steps_for(num_frames: int, asked: int | None = None) -> int:
    """The search steps of a file of num_frames mel frames: `asked` when given, else the
    default by length (0: none)."""
    if asked is not None:
        return asked
    if num_frames <= REFINE_FULL_FRAMES:
        return REFINE_STEPS
    scaled = math.floor(REFINE_STEPS * REFINE_FULL_FRAMES / num_frames)
    return scaled if scaled >= MIN_REFINE_STEPS else 0


def refine_codes(
    model: ConvVQVAE,
    mel: torch.Tensor,
    latent: torch.Tensor,
    steps: int,
    config: SpectrogramConfig | None,
    learning_rate: float = REFINE_LEARNING_RATE,
    level_weight: float = REFINE_LEVEL_WEIGHT,
) -> torch.Tensor:
    """log-mel [1, 1, M, F] and its latent [1, D, 1, F'] -> codes [1, F', L] whose decode is
    closest to mel (log-mel L1 plus level_weight per 10 dB of frame-level error; `config`,
    the model's front end, says what a log-mel value is in dB, and only a search needs it)
    among the encoder's own and those of `steps` search steps.

    Call it in eval mode; it computes gradients for the latent only (the weights keep theirs,
    none are stored). Deterministic for a given model, input and number of threads.
    """
    if steps <= 0:
        with torch.no_grad():
            return model.quantize(latent.detach())[1]
    if config is None:
        raise ValueError("the code search needs the model's SpectrogramConfig (config=...)")
    target_shape = (mel.shape[2], mel.shape[3])
    target_level = frame_level_db(mel, config)  # [1, 1, F]
    searched = latent.detach().clone().requires_grad_(True)
    optimizer = torch.optim.Adam([searched], lr=learning_rate)
    best_error, best_codes = math.inf, torch.empty(0)
    with torch.enable_grad():
        for step in range(steps + 1):  # step 0 scores the encoder's own grid
            quantized, codes, _ = model.quantize(searched)
            passed = searched + (quantized - searched).detach()  # straight through the codes
            decoded = _as_mel(model.decode(passed, target_shape), config)  # [1, 1, M, F]
            level_error = (frame_level_db(decoded, config) - target_level).abs().mean()
            error = (decoded - mel).abs().mean() + level_weight * level_error / 10
            if error.item() < best_error:
                best_error, best_codes = error.item(), codes.detach().clone()
            if step == steps:  # the last grid is scored, not stepped from
                break
            (gradient,) = torch.autograd.grad(error, [searched])
            searched.grad = gradient
            optimizer.step()
    return best_codes

"""Codebook health per level: how many codes are used, how evenly, and plain-language warnings."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import torch

from distill.models.records import CodebookHealth, LevelHealth
from distill.models.vqvae import ConvVQVAE

__all__ = [
    "LOW_USE_WARNING",
    "CodebookHealth",
    "LevelHealth",
    "code_counts",
    "health_warnings",
    "level_health",
    "measure_code_counts",
    "measure_codebook_health",
]

LOW_USE_WARNING = 0.30


def level_health(counts: torch.Tensor, level: int) -> LevelHealth:
    """From the code counts [K] of one level over a full pass."""
    size = counts.numel()
    used = int((counts > 0).sum())
    total = float(counts.sum())
    if total > 0:
        p = counts[counts > 0].double() / total
        perplexity = math.exp(float(-(p * p.log()).sum()))
    else:
        perplexity = 0.0
    return LevelHealth(level, size, used, used / size, round(perplexity, 2), size - used)


def code_counts(codes: torch.Tensor, codebook_size: int) -> torch.Tensor:
    """codes [B, F', L] -> counts [L, K] (codes of -1 are not counted)."""
    flat = codes.reshape(-1, codes.shape[-1]).cpu()
    return torch.stack(
        [
            torch.bincount(flat[:, level][flat[:, level] >= 0], minlength=codebook_size)
            for level in range(flat.shape[1])
        ]
    )


@torch.no_grad()
def measure_code_counts(model: ConvVQVAE, batches: Iterable[torch.Tensor]) -> torch.Tensor:
    """How often each code is chosen over mel batches [B, 1, M, F], eval mode -> [L, K]."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    counts = torch.zeros(model.num_quantizers, model.codebook_size, dtype=torch.long)
    for batch in batches:
        _, codes, _ = model.quantize(model.encode(batch.to(device)))
        counts += code_counts(codes, model.codebook_size)
    model.train(was_training)
    return counts


def measure_codebook_health(
    model: ConvVQVAE, batches: Iterable[torch.Tensor], level_labels: list[str] | None = None
) -> CodebookHealth:
    """A full pass over mel batches [B, 1, M, F] in eval mode -> each level's code use."""
    counts = measure_code_counts(model, batches)
    levels = tuple(level_health(counts[level], level) for level in range(model.num_quantizers))
    return CodebookHealth(levels, tuple(health_warnings(levels, level_labels)))


def health_warnings(
    levels: Sequence[LevelHealth], level_labels: list[str] | None = None
) -> list[str]:
    """One sentence per level that uses under LOW_USE_WARNING of its codebook."""
    warnings = []
    for health in levels:
        if health.utilisation < LOW_USE_WARNING:
            name = f"Level {health.level + 1}"
            if level_labels and health.level < len(level_labels):
                name += f" ({level_labels[health.level]})"
            warnings.append(
                f"{name} uses only {health.used_codes} of its {health.codebook_size} codes "
                f"({health.utilisation:.0%}). More varied audio, longer training or a smaller "
                "codebook (--codebook-size) would use it better."
            )
    return warnings

"""How well a prior predicts held-out grids: negative log-likelihood per code, beside a
unigram baseline that knows each level's code frequencies and nothing else."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F

from distill.models.prior import CodePrior, start_column


@torch.no_grad()
def grid_nll(prior: CodePrior, grids: Sequence[torch.Tensor]) -> float:
    """Mean negative log-likelihood (nats) per code over grids [F', L], each read whole from
    its start (the context runs through the file, as in generation). Eval mode inside."""
    was_training = prior.training
    prior.eval()
    total, count = 0.0, 0
    device = next(prior.parameters()).device
    for codes in grids:
        targets = codes.unsqueeze(0).to(device)  # [1, F', L]
        inputs = torch.cat([start_column(prior.config).to(device), targets[:, :-1]], dim=1)
        logits, _ = prior(inputs, targets)  # [1, F', L, K]
        total += float(F.cross_entropy(logits.flatten(0, 2), targets.flatten(), reduction="sum"))
        count += targets.numel()
    prior.train(was_training)
    return total / max(count, 1)


def unigram_nll(
    train: Sequence[torch.Tensor], held_out: Sequence[torch.Tensor], codebook_size: int
) -> float:
    """Mean negative log-likelihood per code of `held_out` under each level's code
    frequencies in `train` (add-one smoothing, so an unseen code costs log(N + K))."""
    train_codes = torch.cat(list(train))  # [N, L]
    levels = train_codes.shape[1]
    counts = torch.stack(
        [torch.bincount(train_codes[:, lv], minlength=codebook_size) for lv in range(levels)]
    ).double()  # [L, K]
    log_p = torch.log((counts + 1) / (counts.sum(dim=1, keepdim=True) + codebook_size))
    held = torch.cat(list(held_out))  # [M, L]
    picked = log_p[torch.arange(levels), held]  # [M, L]
    return float(-picked.mean())


def perplexity(nll: float) -> float:
    return math.exp(nll)

"""How well a prior predicts held-out grids: negative log-likelihood per code, overall and per
level, beside a unigram baseline that knows each level's code frequencies and nothing else."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F

from distill.models.prior import CodePrior, start_column

IGNORE_TARGET = -100  # no loss: the finer levels of an END column


@torch.no_grad()
def level_nll(
    prior: CodePrior, grids: Sequence[torch.Tensor], endings: bool = False
) -> list[float]:
    """Mean negative log-likelihood (nats) per code of each level [L] over grids [F', L],
    each read whole from its start (the context runs through the file, as in generation).
    endings: for a prior that learned endings, level 1 is also scored on END after each
    grid's last column (what early stopping watches: a prior that never ends is worse);
    without it, codes only, comparable with a unigram. Eval mode inside."""
    was_training = prior.training
    prior.eval()
    levels = prior.config.num_levels
    end = prior.config.end_code if endings else None
    total, count = torch.zeros(levels, dtype=torch.float64), torch.zeros(levels)
    device = next(prior.parameters()).device
    for codes in grids:
        targets = codes.unsqueeze(0).to(device)  # [1, F', L]
        if end is not None:
            ending = torch.full_like(targets[:, :1], IGNORE_TARGET)
            ending[..., 0] = end
            targets = torch.cat([targets, ending], dim=1)  # [1, F' + 1, L]
        inputs = torch.cat([start_column(prior.config).to(device), targets[:, :-1]], dim=1)
        logits, _ = prior(inputs, targets.clamp(min=0))  # [1, T, L, K(+1)]
        losses = F.cross_entropy(
            logits[0].transpose(1, 2), targets[0], reduction="none", ignore_index=IGNORE_TARGET
        )
        total += losses.sum(dim=0).double().cpu()  # [L]
        count += (targets[0] != IGNORE_TARGET).sum(dim=0).cpu()
    prior.train(was_training)
    return (total / count.clamp(min=1)).tolist()


def grid_nll(prior: CodePrior, grids: Sequence[torch.Tensor], endings: bool = False) -> float:
    """Mean negative log-likelihood (nats) per code over grids [F', L], every level alike
    (`endings`: see level_nll)."""
    per_level = level_nll(prior, grids, endings)
    return sum(per_level) / len(per_level)


def unigram_level_nll(
    train: Sequence[torch.Tensor], held_out: Sequence[torch.Tensor], codebook_size: int
) -> list[float]:
    """Mean negative log-likelihood per code of each level of `held_out` under that level's
    code frequencies in `train` (add-one smoothing, so an unseen code costs log(N + K))."""
    train_codes = torch.cat(list(train))  # [N, L]
    levels = train_codes.shape[1]
    counts = torch.stack(
        [torch.bincount(train_codes[:, lv], minlength=codebook_size) for lv in range(levels)]
    ).double()  # [L, K]
    log_p = torch.log((counts + 1) / (counts.sum(dim=1, keepdim=True) + codebook_size))
    held = torch.cat(list(held_out))  # [M, L]
    picked = log_p[torch.arange(levels), held]  # [M, L]
    return (-picked.mean(dim=0)).tolist()


def unigram_nll(
    train: Sequence[torch.Tensor], held_out: Sequence[torch.Tensor], codebook_size: int
) -> float:
    """`unigram_level_nll` over every level alike."""
    per_level = unigram_level_nll(train, held_out, codebook_size)
    return sum(per_level) / len(per_level)


def perplexity(nll: float) -> float:
    return math.exp(nll)

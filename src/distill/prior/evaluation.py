"""How well a prior predicts held-out grids: negative log-likelihood per code, overall and per
level, beside a unigram baseline that knows each level's code frequencies and nothing else."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F

from distill.models.prior import CodePrior, start_column

IGNORE_TARGET = -100  # no loss: the finer levels of an END column


TEMPERATURES = tuple(round(0.5 + 0.05 * i, 2) for i in range(51))  # 0.5 .. 3.0, tried in turn


def _forced(
    prior: CodePrior, codes: torch.Tensor, endings: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """A grid [F', L] read whole from its start: (logits [T, L, C], targets [T, L]), T = F'
    (+ 1 with `endings` for a prior that learned them: level 1's END after the last column,
    finer levels ignored)."""
    device = next(prior.parameters()).device
    targets = codes.unsqueeze(0).to(device)  # [1, F', L]
    end = prior.config.end_code
    if endings and end is not None:
        ending = torch.full_like(targets[:, :1], IGNORE_TARGET)
        ending[..., 0] = end
        targets = torch.cat([targets, ending], dim=1)  # [1, F' + 1, L]
    inputs = torch.cat([start_column(prior.config).to(device), targets[:, :-1]], dim=1)
    logits, _ = prior(inputs, targets.clamp(min=0))  # [1, T, L, K(+1)]
    return logits[0], targets[0]


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
    total, count = torch.zeros(levels, dtype=torch.float64), torch.zeros(levels)
    for codes in grids:
        logits, targets = _forced(prior, codes, endings)
        losses = F.cross_entropy(
            logits.transpose(1, 2), targets, reduction="none", ignore_index=IGNORE_TARGET
        )
        total += losses.sum(dim=0).double().cpu()  # [L]
        count += (targets != IGNORE_TARGET).sum(dim=0).cpu()
    prior.train(was_training)
    return (total / count.clamp(min=1)).tolist()


@torch.no_grad()
def calibrated_temperatures(prior: CodePrior, grids: Sequence[torch.Tensor]) -> tuple[float, ...]:
    """Per level, the temperature (of TEMPERATURES) at which the prior's codes are likeliest
    on held-out `grids` [F', L], as generation draws them (codes only, END apart): temperature
    scaling. A prior trained on minutes of audio is surer of itself than it should be on
    files it never saw (1.1-1.7 on the benchmark's collections); drawing at these
    temperatures draws from what it knows, not from what it memorised. Eval mode inside."""
    was_training = prior.training
    prior.eval()
    size, levels = prior.config.codebook_size, prior.config.num_levels
    total = torch.zeros(len(TEMPERATURES), levels, dtype=torch.float64)
    for codes in grids:
        logits, targets = _forced(prior, codes, endings=False)
        codes_only = logits[..., :size].double()  # [T, L, K]
        # One temperature at a time: all of them at once would hold 51 copies of a long
        # file's logits (gigabytes for a 10-minute held-out file).
        for index, temperature in enumerate(TEMPERATURES):
            log_p = torch.log_softmax(codes_only / temperature, dim=-1)
            picked = log_p.gather(-1, targets[..., None])[..., 0]  # [T, L]
            total[index] -= picked.sum(dim=0).cpu()
    prior.train(was_training)
    if not grids:
        return ()
    return tuple(TEMPERATURES[int(i)] for i in total.argmin(dim=0))


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

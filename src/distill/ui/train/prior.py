"""The Train tab's prior step: after the autoencoder, the prior over its codes (PRIOR_SHARE of
the minutes), reporting through the same queue as the autoencoder's training."""

from __future__ import annotations

import html
import math
import queue
import threading
from dataclasses import replace
from pathlib import Path

from distill.prior.fit import PriorFitResult, fit_prior, share_of_minutes
from distill.prior.training import PriorProgress, PriorTrainConfig
from distill.training import TrainConfig, TrainProgress, TrainResult


def autoencoder_share(config: TrainConfig) -> tuple[TrainConfig, float | None]:
    """The autoencoder's config with its share of the minutes, and the prior's minutes."""
    if config.max_minutes is None:
        return config, None
    autoencoder, prior = share_of_minutes(config.max_minutes)
    return replace(config, max_minutes=autoencoder), prior


def _as_progress(update: PriorProgress) -> TrainProgress:
    held = update.heldout_perplexity
    message = f"held-out perplexity {held:.2f}" if held is not None else ""
    total = update.elapsed_s / update.fraction_done if update.fraction_done > 0.01 else None
    return TrainProgress(
        update.step,
        0.0,
        update.elapsed_s,
        total,
        update.train_loss,
        None,
        None,
        [],
        "prior",
        message,
    )


def train_prior_after(
    result: TrainResult,
    files: list[Path],
    minutes: float | None,
    config: TrainConfig,
    updates: queue.Queue,
    stop: threading.Event,
) -> None:
    """Train and save the prior of the model just trained, unless training was cancelled;
    its result (a PriorFitResult) goes into `updates`."""
    if result.cancelled or stop.is_set():
        return
    message = "Encoding the files for the prior over codes…"
    updates.put(
        TrainProgress(result.steps, 0.0, 0.0, None, math.nan, None, None, [], "prior", message)
    )
    steps = None if minutes else 1000
    prior_config = PriorTrainConfig(
        max_minutes=minutes, max_steps=steps, seed=config.seed, device=config.device
    )
    fit = fit_prior(
        result.model_path,
        files,
        prior_config,
        progress=lambda p: updates.put(_as_progress(p)),
        should_stop=stop.is_set,
    )
    updates.put(fit)


def prior_text(fit: PriorFitResult) -> str:
    return f" Its prior (for the Generate panel): {html.escape(fit.prior.metadata.summary())}."

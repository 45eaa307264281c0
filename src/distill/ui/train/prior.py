"""The Train tab's prior step: after the autoencoder, the prior over its codes (as
`prior.fit.prior_after` says), reporting through the same queue as the autoencoder's training."""

from __future__ import annotations

import html
import queue
import threading
from pathlib import Path

from distill.prior.fit import PriorFitResult, fit_prior, prior_after
from distill.prior.training import PriorProgress
from distill.training import TrainConfig, TrainProgress, TrainResult


def _as_progress(update: PriorProgress) -> TrainProgress:
    held = update.heldout_perplexity
    message = f"held-out perplexity {held:.2f}" if held is not None else ""
    total = update.elapsed_s / update.fraction_done if update.fraction_done > 0.01 else None
    return TrainProgress(
        step=update.step,
        epoch=0.0,
        elapsed_s=update.elapsed_s,
        total_s=total,
        train_loss=update.train_loss,
        val_loss=None,
        best_val_loss=None,
        level_usage=[],
        phase="prior",
        message=message,
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
    prior_config = prior_after(result, config, minutes)
    if prior_config is None or stop.is_set():
        return
    message = "Encoding the files for the prior over codes…"
    updates.put(TrainProgress.note("prior", message, result.steps))
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

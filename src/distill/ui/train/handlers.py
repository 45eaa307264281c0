"""Train tab handlers: train in a worker thread, stream its progress, cancel keeping the best."""

from __future__ import annotations

import html
import math
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from distill.audio.io import find_audio_files
from distill.models.persistence import validate_model_name
from distill.prior.fit import PriorFitResult
from distill.training import TrainConfig, TrainingError, TrainProgress, TrainResult, train_vqvae
from distill.ui.common import audio_path_of, model_selector_update, ui_errors_stream
from distill.ui.train.prior import autoencoder_share, prior_text, train_prior_after

POLL_S = 0.4  # how often the page is updated while training
MAX_CHART_POINTS = 400  # older loss points are thinned out beyond this
AUTO = "auto"
CODEBOOK_CHOICES = [AUTO, "16", "32", "64", "128", "256", "512"]
LOSS_COLUMNS = ["step", "loss", "curve"]


@dataclass
class TrainSession:
    """Per browser session: how to stop the running training, and what it produced."""

    stop: threading.Event | None = None
    last_model_path: str | None = None


@dataclass
class LossHistory:
    """Loss points for the chart: (step, loss, 'training' | 'validation')."""

    points: list[tuple[int, float, str]] = field(default_factory=list)
    last_val_loss: float | None = None

    def add(self, update: TrainProgress) -> None:
        if update.phase == "training" and math.isfinite(update.train_loss):
            self.points.append((update.step, update.train_loss, "training"))
        # Every report repeats the latest validation loss; a new value is a new validation.
        val_loss = update.val_loss
        if val_loss is not None and math.isfinite(val_loss) and val_loss != self.last_val_loss:
            self.points.append((update.step, val_loss, "validation"))
            self.last_val_loss = val_loss
        if len(self.points) > MAX_CHART_POINTS:  # thin the older half, keep validations
            old, recent = (
                self.points[: -MAX_CHART_POINTS // 2],
                self.points[-MAX_CHART_POINTS // 2 :],
            )
            old = [p for i, p in enumerate(old) if p[2] == "validation" or i % 2 == 0]
            self.points = old + recent

    def frame(self) -> pd.DataFrame | None:
        """The chart's data, or None (an empty chart) before the first point."""
        return pd.DataFrame(self.points, columns=LOSS_COLUMNS) if self.points else None


def new_train_session() -> TrainSession:
    return TrainSession()


def training_files(uploads: Any, folder: str | None) -> list[Path]:
    """Uploaded files plus the audio files found in `folder` (a path on this computer)."""
    files = [Path(p) for p in (audio_path_of(u) for u in uploads or []) if p]
    folder = (folder or "").strip()
    if folder:
        root = Path(folder).expanduser()
        if not root.is_dir():
            raise TrainingError(f"The folder '{folder}' does not exist on this computer.")
        files.extend(find_audio_files(root))
    if not files:
        raise TrainingError(
            "Choose the audio to learn from: upload some files or give a folder of audio."
        )
    return files


def training_config(
    minutes: float | None, levels: float | None, codebook: str | None
) -> TrainConfig:
    """The Train tab's choices as a TrainConfig (TrainingError for impossible values)."""
    if minutes is None or not math.isfinite(float(minutes)) or float(minutes) <= 0:
        raise TrainingError("The time budget must be more than 0 minutes.")
    size = None if codebook in (None, "", AUTO) else int(str(codebook))
    # How often to validate is TrainConfig's to decide (as for the CLI): not set here.
    return TrainConfig(max_minutes=float(minutes), num_levels=int(levels or 4), codebook_size=size)


def usage_html(level_usage: list[float]) -> str:
    """One bar per level: the share of its codebook in use."""
    if not level_usage:
        return '<div class="distill-usage">Codebook use appears once training starts.</div>'
    rows = "".join(
        f'<div class="distill-usage-row"><span>Level {level + 1}</span>'
        f'<span class="distill-usage-bar"><span style="width:{100 * use:.0f}%"></span></span>'
        f"<span>{use:.0%}</span></div>"
        for level, use in enumerate(level_usage)
    )
    return f'<div class="distill-usage"><b>Codebook use per level</b>{rows}</div>'


def progress_text(update: TrainProgress) -> str:
    """A one-line Markdown status for a progress report."""
    if update.phase == "loading":
        return html.escape(update.message or "Loading the audio…")
    if update.phase == "prior":  # the prior over codes, after the autoencoder
        return (
            f"**Prior over codes**: step {update.step}, {update.elapsed_s:.0f} s. {update.message}"
        )
    total = f" of ~{update.total_s:.0f}" if update.total_s else ""
    val = f", validation {update.val_loss:.4f}" if update.val_loss is not None else ""
    return (
        f"**{update.phase.capitalize()}**: step {update.step}, epoch {update.epoch:.1f}, "
        f"{update.elapsed_s:.0f}{total} s, loss {update.train_loss:.4f}{val}"
    )


def result_text(result: TrainResult) -> str:
    how = "Stopped early; kept the best model so far" if result.cancelled else "Finished"
    return (
        f"**{how}**: {html.escape(result.model_path.stem)} saved ({result.steps} steps, "
        f"{result.elapsed_s:.0f} s, best validation loss {result.best_val_loss:.4f}). "
        "It is now in the Codes tab's model list."
    )


def _worker(
    files: list[Path], name: str, config: TrainConfig, updates: queue.Queue, stop: threading.Event
) -> None:
    """The training thread: progress and the final result (or error) go into `updates`."""
    try:
        autoencoder, prior_minutes = autoencoder_share(config)  # the prior gets its share
        result = train_vqvae(
            files, name, autoencoder, progress=updates.put, should_stop=stop.is_set
        )
        train_prior_after(result, files, prior_minutes, config, updates, stop)
        updates.put(result)
    except BaseException as error:  # reported to the page by the streaming handler
        updates.put(error)


def _drain(updates: queue.Queue) -> list[Any]:
    """Everything the worker reported since the last poll (waits up to POLL_S for one)."""
    try:
        items = [updates.get(timeout=POLL_S)]
    except queue.Empty:
        return []
    while not updates.empty():
        items.append(updates.get_nowait())
    return items


@ui_errors_stream
def run_training(
    uploads: Any,
    folder: str | None,
    name: str | None,
    minutes: float | None,
    levels: float | None,
    codebook: str | None,
    session: TrainSession,
) -> Iterator[tuple[Any, ...]]:
    """Stream (status, loss chart, codebook use, Start button, Cancel button) while training."""
    files = training_files(uploads, folder)
    model_name = validate_model_name(name or "")
    config = training_config(minutes, levels, codebook)
    stop, updates = threading.Event(), queue.Queue()  # type: ignore[var-annotated]
    session.stop = stop
    worker = threading.Thread(
        target=_worker, args=(files, model_name, config, updates, stop), daemon=True
    )
    worker.start()
    history, busy = LossHistory(), (gr.Button(interactive=False), gr.Button(interactive=True))
    prior_line = ""
    yield f"Starting: {len(files)} files…", None, usage_html([]), *busy
    try:
        while True:
            items = _drain(updates)
            for item in items:
                if isinstance(item, BaseException):
                    raise item
                if isinstance(item, PriorFitResult):
                    prior_line = prior_text(item)
                    continue
                if isinstance(item, TrainResult):
                    session.last_model_path = str(item.model_path)
                    yield result_text(item) + prior_line, history.frame(), gr.skip(), *busy
                    return
                history.add(item)
            if items:
                latest = items[-1]
                # The prior's steps leave the autoencoder's codebook bars as they ended.
                usage = gr.skip() if latest.phase == "prior" else usage_html(latest.level_usage)
                yield progress_text(latest), history.frame(), usage, *busy
            elif not worker.is_alive() and updates.empty():
                raise TrainingError("Training stopped without a result; see the terminal log.")
    finally:
        stop.set()  # the page went away or something failed: let the worker wind down
        session.stop = None


def cancel_training(session: TrainSession) -> Any:
    """Ask the running training to stop; it keeps the best model so far."""
    if session.stop is None:
        gr.Warning("No training is running in this window.")
        return gr.skip()
    session.stop.set()
    return "Stopping… the best model so far is kept."


def select_trained_model(session: TrainSession, selected: str | None) -> gr.Dropdown:
    """The Codes tab's selector lists (and selects) the model that was just trained."""
    return model_selector_update(selected, prefer=session.last_model_path)


def training_done_buttons() -> tuple[gr.Button, gr.Button]:
    """Start enabled, Cancel disabled (after training ends, however it ends)."""
    return gr.Button(interactive=True), gr.Button(interactive=False)

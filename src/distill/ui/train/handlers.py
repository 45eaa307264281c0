"""Train tab handlers: train in a worker thread, stream its progress, cancel keeping the best."""

from __future__ import annotations

import html
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from distill.audio.io import find_audio_files
from distill.models.labels import get_level_labels
from distill.models.persistence import validate_model_name
from distill.prior.fit import PriorFitResult, autoencoder_share
from distill.training import (
    TrainConfig,
    TrainingError,
    TrainJob,
    TrainProgress,
    TrainResult,
    train_model,
)
from distill.training.listening import ListeningSample
from distill.training.presets import configure_for_device
from distill.training.saving import check_can_start
from distill.ui.common import (
    audio_path_of,
    model_selector_update,
    ui_errors,
    ui_errors_stream,
    write_scratch_wav,
)
from distill.ui.components.diagnostics import diagnostics_html
from distill.ui.train.chart import LossHistory, best_text, eta_text
from distill.ui.train.prior import prior_text, train_prior_after

POLL_S = 0.4  # how often the page is updated while training
AUTO = "auto"
CODEBOOK_CHOICES = [AUTO, "16", "32", "64", "128", "256", "512"]


@dataclass
class TrainSession:
    """Per browser session: how to stop the running training, and what it produced."""

    stop: threading.Event | None = None
    last_model_path: str | None = None


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
    """The Train tab's choices as a TrainConfig (TrainingError for impossible values: an
    empty minutes field is no time at all)."""
    size = None if codebook in (None, "", AUTO) else int(str(codebook))
    # How often to validate is TrainConfig's to decide (as for the CLI): not set here; the
    # sizes are the device's preset, as `distill train` picks them.
    config = TrainConfig(
        max_minutes=float(minutes or 0), num_levels=int(levels or 4), codebook_size=size
    )
    return configure_for_device(config)


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
    if update.phase == "warning":
        return f"**Warning**: {html.escape(update.message)}"
    if update.phase == "prior":  # the prior over codes, after the autoencoder
        return (
            f"**Prior over codes**: step {update.step}, {update.elapsed_s:.0f} s. {update.message}"
        )
    total = f" of ~{update.total_s:.0f}" if update.total_s else ""
    val = f", validation {update.val_loss:.4f}" if update.val_loss is not None else ""
    extra = "".join(f"; {text}" for text in (best_text(update), eta_text(update)) if text)
    return (
        f"**{update.phase.capitalize()}**: step {update.step}, epoch {update.epoch:.1f}, "
        f"{update.elapsed_s:.0f}{total} s, loss {update.train_loss:.4f}{val}{extra}"
    )


def listening_update(sample: ListeningSample | None, last_step: int | None) -> Any:
    """The held-out excerpt's player: a new decode (its file and step in the label), or skip."""
    if sample is None or sample.step == last_step:
        return gr.skip()
    label = f"Held-out {sample.file_name}, decoded at step {sample.step}"
    return gr.Audio(write_scratch_wav(sample.audio, "listen", sample.sample_rate), label=label)


def summary_html(result: TrainResult) -> str:
    """The codebook diagnostics of the model just trained (default level names)."""
    health = result.codebook_health
    return diagnostics_html(health, get_level_labels(len(health.levels)))


def result_text(result: TrainResult) -> str:
    how = "Stopped early; kept the best model so far" if result.cancelled else "Finished"
    return (
        f"**{how}**: {html.escape(result.model_path.stem)} saved ({result.steps} steps, "
        f"{result.elapsed_s:.0f} s, best validation loss {result.best_val_loss:.4f}). "
        "It is now in the Codes tab's model list." + _limit_text(result)
    ) + "".join(
        f"\n\nSkipped {html.escape(why, quote=False)}" for why in result.dataset.skipped_files
    )


def _limit_text(result: TrainResult) -> str:
    """Why a training ended before its minutes: the Train tab's budgets keep the epoch limit."""
    limit = TrainConfig.epoch_limit
    if result.cancelled or limit is None or result.epochs < limit - 0.5:
        return ""
    return (
        f" It stopped before its minutes, after {limit} passes over the files: training on "
        "would memorise them."
    )


def _worker(
    files: list[Path], name: str, config: TrainConfig, updates: queue.Queue, stop: threading.Event
) -> None:
    """The training thread: progress and the final result (or error) go into `updates`."""
    try:
        autoencoder, prior_minutes = autoencoder_share(config)  # the prior gets its share
        job = TrainJob(files, name, autoencoder, progress=updates.put, should_stop=stop.is_set)
        result = train_model(job)
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


@ui_errors
def check_name(name: str | None) -> None:
    """Before a training waits its turn: a name that another training (in this app, another
    window or a terminal) is using, or that a saved model has, is refused at once."""
    check_can_start(validate_model_name(name or ""))


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
    """Stream (status, loss chart, codebook use, held-out excerpt, summary, Start, Cancel)
    while training."""
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
    yield f"Starting: {len(files)} files…", None, usage_html([]), None, "", *busy
    heard: int | None = None  # the step of the excerpt decode the player has
    prior_line = ""
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
                    summary = summary_html(item)
                    yield (
                        result_text(item) + prior_line,
                        history.frame(),
                        gr.skip(),
                        gr.skip(),
                        summary,
                        *busy,
                    )
                    return
                if item.phase == "warning":  # a checkpoint could not be saved; training goes on
                    gr.Warning(html.escape(item.message))
                history.add(item)
            if items:
                latest = items[-1]
                listen = listening_update(latest.sample, heard)
                heard = latest.sample.step if latest.sample else heard
                # The prior's steps leave the autoencoder's codebook bars as they ended.
                usage = gr.skip() if latest.phase == "prior" else usage_html(latest.level_usage)
                yield progress_text(latest), history.frame(), usage, listen, gr.skip(), *busy
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

"""Train the RVQ-VAE on a folder of audio: time budget or epochs, best-on-validation saves."""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import torch

from distill.audio.spectrogram import AudioSpectrogram
from distill.files import WriteError
from distill.models.locks import hold_model_name
from distill.models.persistence import (
    ModelMetadata,
    load_model,
    save_model,
)
from distill.models.records import CodebookHealth, TrainingSetup, TrainingSummary
from distill.models.vqvae import ConvVQVAE, adaptive_codebook_size
from distill.training.config import TrainConfig, TrainJob, TrainProgress, TrainResult
from distill.training.data import MelDataset, TrainingError, load_dataset
from distill.training.diagnostics import diagnose_codebooks
from distill.training.distributed import (
    Processes,
    require_file_everywhere,
    training_processes,
    wait_for_rank_zero,
)
from distill.training.loop import TrainingLoop
from distill.training.saving import check_room_for_model, save_or_rescue

__all__ = [
    "TrainConfig",
    "TrainJob",
    "TrainProgress",
    "TrainResult",
    "train_model",
    "train_vqvae",
    "training_setup",
]


def _build_model(
    config: TrainConfig, dataset: MelDataset, target: Path, resume: bool
) -> tuple[ConvVQVAE, int]:
    """A fresh model, or the saved one to continue from (with its steps so far)."""
    if resume and target.is_file():
        loaded = load_model(target)
        training = loaded.metadata.training
        return loaded.model, training.steps if training else 0
    size = config.codebook_size or adaptive_codebook_size(len(dataset.all_clips))
    model_config = replace(
        config.model,
        num_levels=config.num_levels,
        codebook_size=size,
        n_mels=config.spectrogram.n_mels,
    )
    return ConvVQVAE(model_config), 0


def training_setup(config: TrainConfig, processes: Processes | None = None) -> TrainingSetup:
    """What a model file records about the preset and the processes that trained it."""
    processes = processes or Processes()
    return TrainingSetup(
        preset=config.preset or "custom",
        num_processes=processes.world_size,
        batch_size=config.batch_size,
        crop_frames=config.crop_frames,
        mixed_precision=config.mixed_precision,
        set_by_hand=config.preset_overrides,
        backend=processes.backend,
    )


class ModelWriter:
    """Writes the model being trained to its file: at each new best on validation (a
    checkpoint that a failing disk does not stop) and once at the end, with its health."""

    def __init__(
        self, job: TrainJob, model: ConvVQVAE, spectrogram: AudioSpectrogram, dataset: MelDataset
    ) -> None:
        self.job, self.model, self.dataset = job, model, dataset
        self.front_end = spectrogram.config  # saved as the file's spectrogram_config

    def metadata(self, loop: TrainingLoop) -> ModelMetadata:
        training = TrainingSummary(
            steps=loop.step,
            epochs=round(loop.epoch, 2),
            elapsed_s=round(loop.elapsed, 1),
            best_val_loss=round(loop.best_val, 5),
            device=str(loop.spectrogram.device),
            train_config=loop.config.to_stored(),
            setup=training_setup(loop.config, loop.processes),
        )
        return ModelMetadata(name=self.job.name, dataset=self.dataset.summary(), training=training)

    def save(self, loop: TrainingLoop, path: Path, health: CodebookHealth | None = None) -> None:
        save_model(path, self.model, self.front_end, self.metadata(loop), health)

    def checkpoint(self, loop: TrainingLoop) -> None:
        """Save the new best; a save that fails is reported and training goes on (the final
        save tries again, then rescues the weights)."""
        try:
            self.save(loop, self.job.target)
        except WriteError as error:
            message = f"{error} Training goes on; the weights are kept."
            loop.report(loop.progress("warning", message))


def train_vqvae(
    audio_files: Path | Sequence[Path],
    name: str,
    config: TrainConfig,
    models_directory: Path | None = None,
    progress: Callable[[TrainProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    resume: bool = False,
    overwrite: bool = False,
) -> TrainResult:
    """`train_model` with the job's fields as arguments (for scripts and benchmarks)."""
    job = TrainJob(
        audio=audio_files,
        name=name,
        config=config,
        models_directory=models_directory,
        progress=progress,
        should_stop=should_stop,
        resume=resume,
        overwrite=overwrite,
    )
    return train_model(job)


def train_model(job: TrainJob) -> TrainResult:
    """Train, saving the best model on validation to NAME.distill as it goes.

    Cancelling (job.should_stop or Ctrl-C) keeps the best model so far. The name is reserved
    while training runs (models/locks.py): a second training of it is refused at once with
    ModelLockedError, `overwrite` or not. The disk's free space is checked before training;
    a final save that still fails keeps the weights in a fallback file (ModelRescuedError).
    Under torchrun every process calls this; they train one model together and rank 0 alone
    locks, saves and reports (training/distributed.py).
    """
    target = job.target
    writer = os.environ.get("RANK", "0") == "0"  # under torchrun only rank 0 writes and locks
    with hold_model_name(target, job.name) if writer else contextlib.nullcontext():
        if target.exists() and not (job.resume or job.overwrite):
            raise TrainingError(f"A model named '{job.name}' already exists ({target}).")
        with training_processes(job.config.device) as (processes, device):
            return _train(job, processes, device)


def _train(job: TrainJob, processes: Processes, device: torch.device) -> TrainResult:
    """train_model's run on this process (one of torchrun's, or the only one)."""
    config, target = job.config, job.target
    torch.manual_seed(config.seed)
    random.seed(config.seed)  # whatever else draws from `random` stays reproducible
    spectrogram = AudioSpectrogram(config.spectrogram, device)
    progress = job.progress
    report = progress if progress is not None and processes.is_main else (lambda _: None)

    def on_file(number: int, total: int, path: Path) -> None:
        report(TrainProgress.note("loading", f"Reading {number}/{total}: {path.name}"))

    dataset = load_dataset(
        job.audio, AudioSpectrogram(config.spectrogram), config.val_fraction, config.seed, on_file
    )
    if job.resume:
        require_file_everywhere(processes, target)
    model, start_step = _build_model(config, dataset, target, job.resume)
    model.dropout_draws.seed(config.seed)  # the same draws on every rank
    model = model.to(device).train()
    if processes.is_main:
        check_room_for_model(target, model, job.name)
    loop = TrainingLoop(
        model, config, dataset, spectrogram, report, job.should_stop, start_step, processes
    )
    writer = ModelWriter(job, model, spectrogram, dataset)
    loop.run(on_best=writer.checkpoint)
    health = CodebookHealth(levels=())  # measured by rank 0, which writes it to the file
    if processes.is_main:
        report(loop.progress("saving", "Measuring each level's code use and contribution"))
        health = diagnose_codebooks(
            model, dataset, config.batch_size, config.crop_frames, spectrogram.config
        )
        save_or_rescue(target, lambda path: writer.save(loop, path, health))
        report(loop.progress("done", f"Saved {target}"))
    if not loop.interrupted:
        wait_for_rank_zero(processes)
    return TrainResult(
        model_path=target,
        steps=loop.step,
        epochs=loop.epoch,
        elapsed_s=loop.elapsed,
        best_val_loss=loop.best_val,
        final_train_loss=loop.train_loss,
        codebook_health=health,
        cancelled=loop.cancelled,
        steps_per_second=(loop.step - start_step) / max(loop.elapsed, 1e-9),
        dataset=dataset.summary(),
        num_processes=processes.world_size,
    )

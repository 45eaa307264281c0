"""Train the RVQ-VAE on a folder of audio: time budget or epochs, best-on-validation saves."""

from __future__ import annotations

import contextlib
import math
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

import torch

from distill.audio.spectrogram import AudioSpectrogram
from distill.files import WriteError
from distill.models.locks import hold_model_name
from distill.models.persistence import (
    ModelMetadata,
    load_model,
    model_path,
    save_model,
)
from distill.models.records import BaseIdentity, CodebookHealth, TrainingSetup, TrainingSummary
from distill.models.vqvae import ConvVQVAE
from distill.training.config import TrainConfig, TrainProgress, TrainResult
from distill.training.data import MelDataset, TrainingError, load_dataset
from distill.training.diagnostics import diagnose_codebooks
from distill.training.distributed import (
    Processes,
    require_file_everywhere,
    training_processes,
    wait_for_rank_zero,
)
from distill.training.from_base import model_from_base, output_of, plan_model
from distill.training.loop import TrainingLoop
from distill.training.saving import check_room_for_model, save_or_rescue

__all__ = ["TrainConfig", "TrainProgress", "TrainResult", "train_vqvae", "training_setup"]


def _build_model(
    config: TrainConfig, dataset: MelDataset, target: Path, resume: bool
) -> tuple[ConvVQVAE, int, BaseIdentity | None]:
    """A fresh model (from the base, or from nothing), or the saved one to continue from
    (with its steps so far); and the base it came from."""
    if resume and target.is_file():
        loaded = load_model(target)
        training = loaded.metadata.training
        return loaded.model, training.steps if training else 0, loaded.metadata.base
    plan = plan_model(config, len(dataset.all_clips))
    if plan.base_path is None:
        return ConvVQVAE(plan.config), 0, None
    return model_from_base(plan, dataset.train, config.seed), 0, plan.base


def training_setup(config: TrainConfig, processes: Processes | None = None) -> TrainingSetup:
    """What a model file records about the preset and the processes that trained it."""
    processes = processes or Processes()
    return TrainingSetup(
        preset=config.preset or "custom",
        num_processes=processes.world_size,
        batch_size=config.batch_size,
        chunk_frames=config.chunk_frames,
        mixed_precision=config.mixed_precision,
        set_by_hand=config.preset_overrides,
        backend=processes.backend,
    )


def _metadata(
    name: str, loop: TrainingLoop, dataset: MelDataset, base: BaseIdentity | None
) -> ModelMetadata:
    config = asdict(loop.config)
    config.pop("model")
    config.pop("spectrogram")  # saved as the model file's front end
    training = TrainingSummary(
        steps=loop.step,
        epochs=round(loop.epoch, 2),
        elapsed_s=round(loop.elapsed, 1),
        best_val_loss=round(loop.best_val, 5),
        device=str(loop.spec.device),
        train_config=config,
        setup=training_setup(loop.config, loop.processes),
    )
    return ModelMetadata(name=name, dataset=dataset.summary(), training=training, base=base)


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
    """Train, saving the best model on validation to NAME.distill as it goes.

    Cancelling (should_stop or Ctrl-C) keeps the best model so far. The name is reserved
    while training runs (models/locks.py): a second training of it is refused at once with
    ModelLockedError, `overwrite` or not. The disk's free space is checked before training;
    a final save that still fails keeps the weights in a fallback file (ModelRescuedError).
    Under torchrun every
    process calls this; they train one model together and rank 0 alone locks, saves and
    reports (training/distributed.py).
    """
    target = model_path(name, models_directory)
    writer = os.environ.get("RANK", "0") == "0"  # under torchrun only rank 0 writes and locks
    with hold_model_name(target, name) if writer else contextlib.nullcontext():
        return _train_vqvae(
            audio_files, name, config, target, progress, should_stop, resume, overwrite
        )


def _train_vqvae(
    audio_files: Path | Sequence[Path],
    name: str,
    config: TrainConfig,
    target: Path,
    progress: Callable[[TrainProgress], None] | None,
    should_stop: Callable[[], bool] | None,
    resume: bool,
    overwrite: bool,
) -> TrainResult:
    """train_vqvae, once the name is reserved."""
    if target.exists() and not (resume or overwrite):
        raise TrainingError(f"A model named '{name}' already exists ({target}).")
    with training_processes(config.device) as (processes, device):
        return _train(
            audio_files, name, target, config, processes, device, progress, should_stop, resume
        )


def _train(
    audio_files: Path | Sequence[Path],
    name: str,
    target: Path,
    config: TrainConfig,
    processes: Processes,
    device: torch.device,
    progress: Callable[[TrainProgress], None] | None,
    should_stop: Callable[[], bool] | None,
    resume: bool,
) -> TrainResult:
    """train_vqvae's run on this process (one of torchrun's, or the only one)."""
    torch.manual_seed(config.seed)
    random.seed(config.seed)  # whatever else draws from `random` stays reproducible
    spec = AudioSpectrogram(config.spectrogram, device)
    report = progress if progress is not None and processes.is_main else (lambda _: None)

    def on_file(number: int, total: int, path: Path) -> None:
        message = f"Reading {number}/{total}: {path.name}"
        report(TrainProgress(0, 0.0, 0.0, None, math.nan, None, None, [], "loading", message))

    dataset = load_dataset(
        audio_files,
        AudioSpectrogram(config.spectrogram),
        config.val_fraction,
        config.seed,
        on_file,
        linear=output_of(config) == "linear",
    )
    if resume:
        require_file_everywhere(processes, target)
    if processes.is_main and config.from_base and not resume:
        message = "Fitting the codebooks to these files (starting from the base model)"
        report(TrainProgress(0, 0.0, 0.0, None, math.nan, None, None, [], "loading", message))
    model, start_step, base = _build_model(config, dataset, target, resume)
    model.dropout_draws.seed(config.seed)  # the same draws on every rank
    model = model.to(device).train()
    if processes.is_main:
        check_room_for_model(target, model, name)
    loop = TrainingLoop(model, config, dataset, spec, report, should_stop, start_step, processes)

    def save(path: Path = target, health: CodebookHealth | None = None) -> None:
        save_model(path, model, spec.config, _metadata(name, loop, dataset, base), health)

    def checkpoint() -> None:
        try:
            save()
        except WriteError as error:  # train on: the final save tries again, then rescues
            report(loop.progress("warning", f"{error} Training goes on; the weights are kept."))

    loop.run(on_best=checkpoint)
    health = CodebookHealth(levels=())  # measured by rank 0, which writes it to the file
    if processes.is_main:
        report(loop.progress("saving", "Measuring each level's code use and contribution"))
        health = diagnose_codebooks(
            model, dataset, config.batch_size, config.chunk_frames, spec.config
        )
        save_or_rescue(target, lambda path: save(path, health))
        report(loop.progress("done", f"Saved {target}"))
    if not loop.interrupted:
        wait_for_rank_zero(processes)
    return TrainResult(
        target,
        loop.step,
        loop.epoch,
        loop.elapsed,
        loop.best_val,
        loop.train_loss,
        health,
        loop.cancelled,
        (loop.step - start_step) / max(loop.elapsed, 1e-9),
        dataset.summary(),
        processes.world_size,
        distance_db=loop.best_distance_db,
        base=base.name if base else "",
    )

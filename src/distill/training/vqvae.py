"""Train the RVQ-VAE on a folder of audio: time budget or epochs, best-on-validation saves."""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import torch

from distill.audio.spectrogram import AudioSpectrogram, SpectrogramConfig
from distill.files import WriteError
from distill.models.locks import hold_model_name
from distill.models.persistence import (
    ModelMetadata,
    load_model,
    model_path,
    save_model,
)
from distill.models.records import CodebookHealth, DatasetSummary, TrainingSetup, TrainingSummary
from distill.models.vqvae import ConvVQVAE, VQVAEConfig, adaptive_codebook_size
from distill.training.augment import augment_batch
from distill.training.data import (
    MelDataset,
    TrainingError,
    load_dataset,
    random_batch,
    tiled_batches,
)
from distill.training.diagnostics import diagnose_codebooks
from distill.training.distributed import (
    Processes,
    data_parallel,
    dump_rank_state,
    rank_zero_decides,
    require_file_everywhere,
    training_processes,
    wait_for_rank_zero,
)
from distill.training.health import code_counts
from distill.training.listening import (
    LISTEN_EVERY_S,
    ListeningSample,
    decode_excerpt,
    held_out_excerpt,
)
from distill.training.loss import ENERGY_WEIGHT, FRAME_LEVEL_WEIGHT, reconstruction_loss
from distill.training.saving import check_room_for_model, save_or_rescue


@dataclass(frozen=True)
class TrainConfig:
    """How to train. Either a wall-clock budget (max_minutes) or a number of epochs."""

    max_minutes: float | None = 10.0
    epochs: int | None = None
    max_steps: int | None = None  # a step budget (benchmarks compare configs at equal steps)
    num_levels: int = 4
    codebook_size: int | None = None  # None: from the number of files (DESIGN.md 3)
    batch_size: int = 16
    chunk_frames: int = 128  # ~1.4 s windows; 192 with 160 mel bands and no energy term lost
    learning_rate: float = 1e-3
    max_shift_bins: int = 0  # pitch augmentation (+-bins per window); 3 measured no better
    gain_db: float = 0.0  # gain augmentation, +-dB per window
    mix_probability: float = 0.0  # share of windows mixed with another window of the batch
    weight_decay: float = 0.01  # AdamW's
    energy_weight: float = ENERGY_WEIGHT  # loss terms (training/loss.py)
    level_weight: float = FRAME_LEVEL_WEIGHT
    warmup_steps: int = 50
    val_fraction: float = 0.1
    validate_every_s: float | None = None  # with a time budget; None: validation_interval_s
    validate_every_steps: int = 100  # without one: same steps, same checkpoints, same model
    listen_every_s: float | None = LISTEN_EVERY_S  # decode a held-out excerpt (None: never)
    seed: int = 0
    device: str = "auto"
    mixed_precision: bool = False  # bf16 autocast of the convolutions (the GPU preset's)
    preset: str = ""  # the device preset the sizes came from (training/presets.py); "": none
    preset_overrides: tuple[str, ...] = ()  # preset fields set by hand
    model: VQVAEConfig = field(default_factory=VQVAEConfig)  # levels and K are set from above
    # The front end (its mel bands are the model's too); saved with the model.
    spectrogram: SpectrogramConfig = field(default_factory=SpectrogramConfig)

    def __post_init__(self) -> None:
        if self.max_minutes is None and self.epochs is None and self.max_steps is None:
            raise TrainingError("Give a time budget (minutes) or a number of epochs.")
        if self.max_minutes is not None and self.max_minutes <= 0:
            raise TrainingError("The time budget must be more than 0 minutes.")
        if self.epochs is not None and self.epochs < 1:
            raise TrainingError("Train for at least 1 epoch.")
        if self.max_steps is not None and self.max_steps < 1:
            raise TrainingError("Train for at least 1 step.")
        if self.validate_every_steps < 1:
            raise TrainingError("Validate at least every step (validate_every_steps >= 1).")
        if self.validate_every_s is not None and not self.validate_every_s > 0:
            raise TrainingError("Validate at intervals of more than 0 seconds.")

    @property
    def validation_interval_s(self) -> float:
        """Seconds between validations under a time budget: validate_every_s if given, else a
        quarter of the budget, kept within 5-30 s (a short run still sees a few validations,
        a long one does not spend its time validating). The Train tab and the CLI both use it."""
        if self.validate_every_s is not None:
            return self.validate_every_s
        budget_s = (self.max_minutes or 0.0) * 60
        return min(30.0, max(5.0, budget_s / 4))


@dataclass(frozen=True)
class TrainProgress:
    step: int
    epoch: float
    elapsed_s: float
    total_s: float | None
    train_loss: float
    val_loss: float | None
    best_val_loss: float | None
    level_usage: list[float]
    phase: str  # loading | training | validating | saving | warning (message says) | done
    message: str = ""
    best_step: int | None = None  # where the kept checkpoint (the best on validation) is
    best_elapsed_s: float | None = None
    sample: ListeningSample | None = None  # the latest held-out excerpt decoded, if any

    @property
    def eta_s(self) -> float | None:
        """Seconds left by the budget's estimate (None until it can tell)."""
        return None if self.total_s is None else max(0.0, self.total_s - self.elapsed_s)


@dataclass(frozen=True)
class TrainResult:
    model_path: Path
    steps: int
    epochs: float
    elapsed_s: float
    best_val_loss: float
    final_train_loss: float
    codebook_health: CodebookHealth
    cancelled: bool
    steps_per_second: float
    dataset: DatasetSummary
    num_processes: int = 1  # torchrun's world size; only rank 0's result has the health


def lr_at(step: int, fraction_done: float, config: TrainConfig) -> float:
    """Linear warm-up, then cosine decay to a tenth over the budget (time or epochs)."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    cosine = 0.5 * (1 + math.cos(math.pi * min(fraction_done, 1.0)))
    return config.learning_rate * (0.1 + 0.9 * cosine)


@torch.no_grad()
def evaluate(model: ConvVQVAE, batches: list[torch.Tensor], spec: AudioSpectrogram) -> float:
    """Mean reconstruction loss over the held-out batches, all levels, eval mode."""
    model.eval()
    losses = [
        reconstruction_loss(model(b.to(spec.device))[0], b.to(spec.device), spec).item()
        for b in batches
    ]
    model.train()
    return sum(losses) / len(losses)


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


class _Loop:
    """The optimisation loop and its bookkeeping (best weights, usage, timing)."""

    def __init__(
        self,
        model: ConvVQVAE,
        config: TrainConfig,
        dataset: MelDataset,
        spec: AudioSpectrogram,
        report: Callable[[TrainProgress], None],
        should_stop: Callable[[], bool] | None,
        start_step: int,
        processes: Processes,
    ) -> None:
        self.model = model
        self.processes = processes
        self.forward = data_parallel(model, processes, spec.device)  # DDP under torchrun
        self.config = config
        self.dataset = dataset
        self.spec = spec
        self.report = report
        self.should_stop = should_stop or (lambda: False)
        # Each rank draws its own windows; rank 0 (and a lone process) as it always did.
        self.rng = random.Random(config.seed + processes.rank)
        self.generator = torch.Generator().manual_seed(config.seed + processes.rank)
        self.optimizer = torch.optim.AdamW(
            model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
        )
        frames = sum(max(c.num_frames, config.chunk_frames) for c in dataset.train)
        per_step = config.batch_size * config.chunk_frames * processes.world_size
        self.steps_per_epoch = max(1, math.ceil(frames / per_step))
        self.val_batches = tiled_batches(
            dataset.validation, config.batch_size, config.chunk_frames, -1.0
        )[:64]
        self.start_step = self.step = start_step
        self.started = time.monotonic()
        self.train_loss = math.nan
        self.val_loss: float | None = None
        self.best_val = math.inf
        self.best_state: dict[str, torch.Tensor] | None = None
        self.usage = torch.zeros(model.num_quantizers, model.codebook_size)
        self.cancelled = False
        self.best_at: tuple[int, float] | None = None  # (step, elapsed s) of the best
        listens = config.listen_every_s and processes.is_main  # rank 0 validates and listens
        self.excerpt = held_out_excerpt(dataset, spec) if listens else None
        self.sample: ListeningSample | None = None
        self.interrupted = False  # Ctrl-C: the other ranks may be gone
        self.dropout_steps = 0
        self.dropout_digest = hashlib.sha256()  # which steps dropped levels (rank-state check)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def epoch(self) -> float:
        return self.step / self.steps_per_epoch

    def fraction_done(self) -> float:
        """How far through the budget: time, epochs, or whichever ends first."""
        fractions = []
        if self.config.max_minutes is not None:
            fractions.append(self.elapsed / (self.config.max_minutes * 60))
        if self.config.epochs is not None:
            epoch_steps = self.config.epochs * self.steps_per_epoch
            fractions.append((self.step - self.start_step) / epoch_steps)
        if self.config.max_steps is not None:
            fractions.append((self.step - self.start_step) / self.config.max_steps)
        return max(fractions)

    def progress(self, phase: str, message: str = "") -> TrainProgress:
        done = self.fraction_done()
        total = self.elapsed / done if done > 0.01 else None
        usage = ((self.usage > 0.5).float().mean(dim=1)).tolist()
        best = None if math.isinf(self.best_val) else self.best_val
        return TrainProgress(
            self.step,
            self.epoch,
            self.elapsed,
            total,
            self.train_loss,
            self.val_loss,
            best,
            usage,
            phase,
            message,
            best_step=self.best_at[0] if self.best_at else None,
            best_elapsed_s=self.best_at[1] if self.best_at else None,
            sample=self.sample,
        )

    def train_step(self, fraction_done: float) -> None:
        config = self.config
        batch = random_batch(
            self.dataset.train,
            config.batch_size,
            config.chunk_frames,
            -1.0,
            self.rng,
            config.max_shift_bins,
        ).to(self.spec.device)
        batch = augment_batch(
            batch, self.spec, self.generator, config.gain_db, config.mix_probability
        )
        for group in self.optimizer.param_groups:
            group["lr"] = lr_at(self.step - self.start_step, fraction_done, self.config)
        with torch.autocast(batch.device.type, torch.bfloat16, enabled=config.mixed_precision):
            recon, codes, commitment = self.forward(batch)
        dropped = bool(self.model.quantizer.quantize_dropout)
        self.dropout_steps += dropped
        self.dropout_digest.update(b"1" if dropped else b"0")
        loss = reconstruction_loss(
            recon.float(), batch, self.spec, config.energy_weight, config.level_weight
        )
        loss = loss + commitment
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()
        self.step += 1
        self.train_loss = loss.item()
        # Usage over roughly the last 50 steps: decays old counts so the bar shows the present.
        self.usage = self.usage * 0.98 + code_counts(codes.detach(), self.model.codebook_size)

    def validate(self, on_best: Callable[[], None]) -> None:
        self.report(self.progress("validating"))
        self.val_loss = evaluate(self.model, self.val_batches, self.spec)
        if self.val_loss < self.best_val:
            self.best_val = self.val_loss
            self.best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
            self.best_at = (self.step, self.elapsed)
            self.report(self.progress("saving", "New best on validation: saving"))
            on_best()
        self.listen()

    def listen(self) -> None:
        """Decode the held-out excerpt with the model as it is now, every listen_every_s."""
        every = self.config.listen_every_s
        if self.excerpt is None or every is None:
            return
        if self.sample is None or self.elapsed - self.sample.elapsed_s >= every:
            self.sample = decode_excerpt(
                self.model, self.excerpt, self.spec, self.step, self.elapsed
            )

    def validation_due(self, last_validation: float) -> bool:
        """Every few seconds under a time budget; otherwise every few steps, so that a step
        or epoch budget with the same seed always keeps the same checkpoint."""
        if self.config.max_minutes is not None:
            return time.monotonic() - last_validation > self.config.validation_interval_s
        return (self.step - self.start_step) % self.config.validate_every_steps == 0

    def run(self, on_best: Callable[[], None]) -> None:
        """Train to the budget; rank 0 alone validates, saves the best and reports."""
        last_validation = time.monotonic()
        main = self.processes.is_main
        try:
            while True:
                fraction, stop = rank_zero_decides(
                    self.processes, self.fraction_done(), self.should_stop()
                )
                if fraction >= 1.0 or stop:
                    self.cancelled = stop and fraction < 1.0
                    break
                self.train_step(fraction)
                if main and self.validation_due(last_validation):
                    self.validate(on_best)
                    last_validation = time.monotonic()
                self.report(self.progress("training"))
        except KeyboardInterrupt:
            self.cancelled = self.interrupted = True
        dropout = {"steps": str(self.step), "dropout_steps": str(self.dropout_steps)}
        dump_rank_state(self.model, self.processes, {**dropout, "dropout_draws": self.digest})
        if main:
            self.validate(on_best)
        if self.best_state is not None:
            self.model.load_state_dict(self.best_state)

    @property
    def digest(self) -> str:
        return self.dropout_digest.hexdigest()


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


def _metadata(name: str, loop: _Loop, dataset: MelDataset) -> ModelMetadata:
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
    return ModelMetadata(name=name, dataset=dataset.summary(), training=training)


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
    )
    if resume:
        require_file_everywhere(processes, target)
    model, start_step = _build_model(config, dataset, target, resume)
    model.dropout_draws.seed(config.seed)  # the same draws on every rank
    model = model.to(device).train()
    if processes.is_main:
        check_room_for_model(target, model, name)
    loop = _Loop(model, config, dataset, spec, report, should_stop, start_step, processes)

    def save(path: Path = target, health: CodebookHealth | None = None) -> None:
        save_model(path, model, spec.config, _metadata(name, loop, dataset), health)

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
    )

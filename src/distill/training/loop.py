"""The optimisation loop: steps, validation on rank 0, the best weights, what it reports."""

from __future__ import annotations

import hashlib
import math
import random
import time
from collections.abc import Callable

import torch

from distill.audio.spectrogram import AudioSpectrogram
from distill.models.vqvae import ConvVQVAE
from distill.training.augment import augment_batch
from distill.training.config import TrainConfig, TrainProgress
from distill.training.data import MelDataset, random_batch, tiled_batches
from distill.training.distributed import (
    Processes,
    data_parallel,
    dump_rank_state,
    rank_zero_decides,
)
from distill.training.health import code_counts
from distill.training.listening import ListeningSample, decode_excerpt, held_out_excerpt
from distill.training.loss import reconstruction_loss


def lr_at(step: int, fraction_done: float, config: TrainConfig) -> float:
    """Linear warm-up, then cosine decay to a tenth over the budget (time or epochs)."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    cosine = 0.5 * (1 + math.cos(math.pi * min(fraction_done, 1.0)))
    return config.learning_rate * (0.1 + 0.9 * cosine)


@torch.no_grad()
def evaluate(model: ConvVQVAE, batches: list[torch.Tensor], spectrogram: AudioSpectrogram) -> float:
    """Mean reconstruction loss over the held-out batches, all levels, eval mode."""
    model.eval()
    losses = [
        reconstruction_loss(
            model(b.to(spectrogram.device))[0], b.to(spectrogram.device), spectrogram
        ).item()
        for b in batches
    ]
    model.train()
    return sum(losses) / len(losses)


class TrainingLoop:
    """The optimisation loop and its bookkeeping (best weights, usage, timing)."""

    def __init__(
        self,
        model: ConvVQVAE,
        config: TrainConfig,
        dataset: MelDataset,
        spectrogram: AudioSpectrogram,
        report: Callable[[TrainProgress], None],
        should_stop: Callable[[], bool] | None,
        start_step: int,
        processes: Processes,
    ) -> None:
        self.model = model
        self.processes = processes
        self.forward = data_parallel(model, processes, spectrogram.device)  # DDP under torchrun
        self.config = config
        self.dataset = dataset
        self.spectrogram = spectrogram
        self.report = report
        self.should_stop = should_stop or (lambda: False)
        # Each rank draws its own windows; rank 0 (and a lone process) as it always did.
        self.rng = random.Random(config.seed + processes.rank)
        self.generator = torch.Generator().manual_seed(config.seed + processes.rank)
        self.optimizer = torch.optim.AdamW(
            model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
        )
        frames = sum(max(c.num_frames, config.crop_frames) for c in dataset.train)
        per_step = config.batch_size * config.crop_frames * processes.world_size
        self.steps_per_epoch = max(1, math.ceil(frames / per_step))
        self.val_batches = tiled_batches(
            dataset.validation, config.batch_size, config.crop_frames, spectrogram.config.silence
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
        self.excerpt = held_out_excerpt(dataset, spectrogram) if listens else None
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
        """How far through the budget: time, epochs (or the epoch limit), steps, whichever ends
        first."""
        fractions = []
        if self.config.max_minutes is not None:
            fractions.append(self.elapsed / (self.config.max_minutes * 60))
        config = self.config
        # A time budget alone also stops at the epoch limit; epochs or steps asked for are kept.
        limit = config.epoch_limit if config.max_steps is None else None
        epochs = config.epochs or limit
        if epochs is not None:
            epoch_steps = epochs * self.steps_per_epoch
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
            step=self.step,
            epoch=self.epoch,
            elapsed_s=self.elapsed,
            total_s=total,
            train_loss=self.train_loss,
            val_loss=self.val_loss,
            best_val_loss=best,
            level_usage=usage,
            phase=phase,
            message=message,
            best_step=self.best_at[0] if self.best_at else None,
            best_elapsed_s=self.best_at[1] if self.best_at else None,
            sample=self.sample,
        )

    def train_step(self, fraction_done: float) -> None:
        config = self.config
        batch = random_batch(
            self.dataset.train,
            config.batch_size,
            config.crop_frames,
            self.spectrogram.config.silence,
            self.rng,
            config.max_shift_bins,
        ).to(self.spectrogram.device)
        batch = augment_batch(
            batch, self.spectrogram, self.generator, config.gain_db, config.mix_probability
        )
        for group in self.optimizer.param_groups:
            group["lr"] = lr_at(self.step - self.start_step, fraction_done, self.config)
        with torch.autocast(batch.device.type, torch.bfloat16, enabled=config.mixed_precision):
            recon, codes, commitment = self.forward(batch)
        dropped = bool(self.model.quantizer.quantize_dropout)
        self.dropout_steps += dropped
        self.dropout_digest.update(b"1" if dropped else b"0")
        loss = reconstruction_loss(
            recon.float(), batch, self.spectrogram, config.energy_weight, config.level_weight
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

    def validate(self, on_best: Callable[[TrainingLoop], None]) -> None:
        self.report(self.progress("validating"))
        self.val_loss = evaluate(self.model, self.val_batches, self.spectrogram)
        if self.val_loss < self.best_val:
            self.best_val = self.val_loss
            self.best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
            self.best_at = (self.step, self.elapsed)
            self.report(self.progress("saving", "New best on validation: saving"))
            on_best(self)
        self.listen()

    def listen(self) -> None:
        """Decode the held-out excerpt with the model as it is now, every listen_every_s."""
        every = self.config.listen_every_s
        if self.excerpt is None or every is None:
            return
        if self.sample is None or self.elapsed - self.sample.elapsed_s >= every:
            self.sample = decode_excerpt(
                self.model, self.excerpt, self.spectrogram, self.step, self.elapsed
            )

    def validation_due(self, last_validation: float) -> bool:
        """Every few seconds under a time budget; otherwise every few steps, so that a step
        or epoch budget with the same seed always keeps the same checkpoint."""
        if self.config.max_minutes is not None:
            return time.monotonic() - last_validation > self.config.validation_interval_s
        return (self.step - self.start_step) % self.config.validate_every_steps == 0

    def run(self, on_best: Callable[[TrainingLoop], None]) -> None:
        """Train to the budget; rank 0 alone validates, hands each new best to `on_best` (which
        saves it) and reports."""
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

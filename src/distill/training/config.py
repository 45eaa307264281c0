"""How a training is set up (TrainConfig) and asked for (TrainJob), what it reports as it goes
(TrainProgress) and what it returns (TrainResult)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from distill.audio.spectrogram import SpectrogramConfig
from distill.models.persistence import model_path
from distill.models.records import (
    CodebookHealth,
    DatasetSummary,
    TrainingSummary,
    read_record,
)
from distill.models.vqvae import VQVAEConfig
from distill.training.data import TrainingError
from distill.training.listening import LISTEN_EVERY_S, ListeningSample
from distill.training.loss import ENERGY_WEIGHT, FRAME_LEVEL_WEIGHT


@dataclass(frozen=True)
class TrainConfig:
    """How to train. Either a wall-clock budget (max_minutes) or a number of epochs."""

    RENAMED_KEYS: ClassVar[dict[str, str]] = {"chunk_frames": "crop_frames"}  # stored, before

    max_minutes: float | None = 10.0
    epochs: int | None = None
    max_steps: int | None = None  # a step budget (benchmarks compare configs at equal steps)
    # A time budget stops after this many passes over the training windows too (None: no
    # limit; --epochs and --steps are kept as asked). Past it a small collection is
    # memorised: on 18 held-out real recordings, a model of 41 files (8 steps an epoch)
    # scored 0.566 / 0.514 / 0.526 / 0.583 level-restored mel after 125 / 212 / 375 / 839
    # epochs (839: 15 CPU minutes). Large collections never reach it within their minutes.
    epoch_limit: int | None = 250
    num_levels: int = 4
    codebook_size: int | None = None  # None: from the number of files (DESIGN.md 3)
    batch_size: int = 16
    crop_frames: int = 128  # ~1.4 s windows; 64 and 192 (at 250 epochs each) scored worse
    learning_rate: float = 1e-3  # 2e-3 lost; 5e-4 tied at one seed and lost at another
    max_shift_bins: int = 0  # pitch augmentation (+-bins per window); 2 and 3 measured worse
    gain_db: float = 0.0  # gain augmentation, +-dB per window
    # Share of windows mixed with another window of the batch. 0.5 tied or won on the numbers
    # but added a steady partial to every decode, speech included (bench/README.md).
    mix_probability: float = 0.0
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
        if self.max_minutes is not None and not 0 < self.max_minutes < math.inf:
            raise TrainingError("The time budget must be more than 0 minutes.")
        if self.epochs is not None and self.epochs < 1:
            raise TrainingError("Train for at least 1 epoch.")
        if self.epoch_limit is not None and self.epoch_limit < 1:
            raise TrainingError("The epoch limit must be at least 1 epoch (or none).")
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

    def to_stored(self) -> dict[str, Any]:
        """What a model file records as its training settings (TrainingSummary.train_config):
        every field but the model's and the front end's, which the file keeps on their own."""
        return {k: v for k, v in asdict(self).items() if k not in _STORED_ELSEWHERE}

    @classmethod
    def from_stored(
        cls, training: TrainingSummary, model: VQVAEConfig, spectrogram: SpectrogramConfig
    ) -> TrainConfig:
        """The settings a model file was trained with, as a TrainConfig (the one reader of
        TrainingSummary.train_config): a setting an older file lacks takes its default here,
        a value of the wrong type is a RecordError naming it."""
        stored = {k: v for k, v in training.train_config.items() if k not in _STORED_ELSEWHERE}
        config = read_record(cls, stored, "training.train_config")
        return replace(config, model=model, spectrogram=spectrogram)


_STORED_ELSEWHERE = ("model", "spectrogram")  # the file's vqvae_config and spectrogram_config


@dataclass(frozen=True)
class TrainJob:
    """One training, as the CLI and the Train tab ask for it: the audio to learn from, the
    model it makes (NAME.distill in models_directory, default models_dir()), how, and whom
    it tells (progress) and asks whether to stop (should_stop)."""

    audio: Path | Sequence[Path]  # a folder (searched recursively) or the files themselves
    name: str
    config: TrainConfig
    models_directory: Path | None = None
    progress: Callable[[TrainProgress], None] | None = None
    should_stop: Callable[[], bool] | None = None
    resume: bool = False  # continue training the saved model NAME
    overwrite: bool = False  # replace a saved model NAME

    @property
    def target(self) -> Path:
        """The model file it writes (ModelFileError for a name that cannot be a file name)."""
        return model_path(self.name, self.models_directory)


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

    @classmethod
    def note(cls, phase: str, message: str, step: int = 0) -> TrainProgress:
        """A report that only says something (loading a file, encoding for the prior)."""
        return cls(step, 0.0, 0.0, None, math.nan, None, None, [], phase, message)

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

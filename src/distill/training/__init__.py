"""Training: an audio folder in, a `NAME.distill` model file out."""

from distill.training.data import TrainingError
from distill.training.vqvae import (
    TrainConfig,
    TrainJob,
    TrainProgress,
    TrainResult,
    train_model,
    train_vqvae,
)

__all__ = [
    "TrainConfig",
    "TrainJob",
    "TrainProgress",
    "TrainResult",
    "TrainingError",
    "train_model",
    "train_vqvae",
]

"""Training: an audio folder in, a `NAME.distill` model file out."""

from distill.training.data import TrainingError
from distill.training.vqvae import TrainConfig, TrainProgress, TrainResult, train_vqvae

__all__ = ["TrainConfig", "TrainProgress", "TrainResult", "TrainingError", "train_vqvae"]

"""Saving a trained model so that no fault loses it: room is checked before training starts,
and a final save that still fails (a full disk, a folder turned read-only) writes the weights
to a fallback folder instead and says exactly where, and how to move them back."""

from __future__ import annotations

import shlex
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from distill.files import WriteError, check_free_space
from distill.models.locks import ModelLockedError, locked_message, running_training
from distill.models.persistence import model_file_bytes, model_path
from distill.models.vqvae import ConvVQVAE
from distill.training.data import TrainingError

RESCUE_FOLDER = "distill-rescued"  # inside the system temp folder, else the home folder


class ModelRescuedError(TrainingError):
    """The model could not be saved where asked; its weights are in `rescued_path`."""

    def __init__(self, message: str, rescued_path: Path) -> None:
        super().__init__(message)
        self.rescued_path = rescued_path


def check_name_free(target: Path, name: str, replace: bool = False) -> None:
    """Refuse a name that a running training holds (ModelLockedError), or that a finished
    model has unless `replace` (--force or --resume): what train_vqvae refuses, up front."""
    owner = running_training(target)
    if owner is not None:
        raise ModelLockedError(locked_message(name, owner))
    if target.exists() and not replace:
        raise TrainingError(f"A model named '{name}' already exists ({target}).")


def check_can_start(name: str, models_directory: Path | None = None) -> None:
    """For a front end before it queues a training: the name is usable and free."""
    check_name_free(model_path(name, models_directory), name)


def check_room_for_model(target: Path, model: ConvVQVAE, name: str) -> None:
    """WriteError before training when `target`'s disk cannot hold the model's file."""
    check_free_space(target.parent, model_file_bytes(model), f"the model '{name}'")


def rescue_folders() -> list[Path]:
    """Where weights go when the models folder refuses them, in order of preference."""
    return [Path(tempfile.gettempdir()) / RESCUE_FOLDER, Path.home() / f".{RESCUE_FOLDER}"]


def _unused_path(folder: Path, file_name: str) -> Path:
    """FOLDER/FILE_NAME, or FOLDER/STEM-<UTC time>.distill when a rescue is already there."""
    path = folder / file_name
    if not path.exists():
        return path
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    return folder / f"{Path(file_name).stem}-{stamp}{Path(file_name).suffix}"


def save_or_rescue(target: Path, save: Callable[[Path], object]) -> Path:
    """`save(target)`; if that fails, `save` to a fallback and raise ModelRescuedError saying
    where the weights are and how to move them. TrainingError if no fallback took them."""
    try:
        save(target)
        return target
    except WriteError as error:
        failure = error
    tried = []
    for folder in rescue_folders():
        rescued = _unused_path(folder, target.name)
        try:
            save(rescued)
        except WriteError as error:
            tried.append(f"{folder} ({error.reason})")
            continue
        raise ModelRescuedError(
            f"Could not save the model to {target}: {failure.reason}. The trained weights are "
            f"safe in {rescued}; once the models folder has room (or can be written), move "
            f"the file there: mv {shlex.quote(str(rescued))} {shlex.quote(str(target))}",
            rescued,
        )
    raise TrainingError(
        f"Could not save the model to {target}: {failure.reason}; nor to "
        f"{' or '.join(tried)}. The trained weights could not be kept."
    )

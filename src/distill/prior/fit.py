"""Give a saved model a prior (or a new one): encode its collection once, train, and write
the prior into the same `.distill` file, the autoencoder's weights and header untouched."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from distill.models.library import check_writable
from distill.models.persistence import load_model, rewrite_model
from distill.models.prior_records import TrainedPrior
from distill.prior.data import FileGrid, grids_of_collection
from distill.prior.training import (
    DEFAULT_PRIOR_STEPS,
    PriorProgress,
    PriorTrainConfig,
    train_prior,
)
from distill.training.config import TrainConfig, TrainResult
from distill.training.data import TrainingError

PRIOR_SHARE = 0.2  # of `distill train --minutes M`: the autoencoder gets 80%, the prior 20%


@dataclass(frozen=True)
class PriorFitResult:
    model_path: Path
    prior: TrainedPrior
    steps_per_second: float
    from_stored_grids: bool  # retrained on the grids the model file already held


def stored_grids(prior: TrainedPrior) -> list[FileGrid]:
    """The grids a model's earlier prior was trained and measured on, as training input."""
    return [FileGrid(f, codes) for f, codes in prior.file_grids()]


def fit_prior(
    model_path: str | Path,
    source: Path | Sequence[Path] | None,
    config: PriorTrainConfig,
    progress: Callable[[PriorProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_file: Callable[[int, int, Path], None] | None = None,
) -> PriorFitResult:
    """Train a prior for the model at `model_path` and save it in that file.

    source: the audio folder (or files) to encode; None reuses the grids the file's current
    prior was trained on. Held-out files: the autoencoder's validation files where they are
    in `source`. Read-only models (the bundled demo) are refused before any work.
    """
    path = Path(model_path)
    check_writable(path, "changed")
    loaded = load_model(path, config.device)
    if source is not None:
        dataset = loaded.metadata.dataset
        held_out = dataset.validation_file_names if dataset else ()
        grids = grids_of_collection(
            loaded, source, held_out, config.seed, on_file, offsets=config.offsets
        )
    elif loaded.trained_prior is not None:
        grids = stored_grids(loaded.trained_prior)
    else:
        raise TrainingError(
            f"The model '{loaded.metadata.name}' has no prior yet: give the folder of audio "
            "it was trained on, so its files can be encoded for the prior."
        )
    prior = train_prior(grids, loaded.model.codebook_size, config, progress, should_stop)
    rewrite_model(path, loaded, prior=prior)
    meta = prior.metadata
    rate = meta.steps / max(meta.elapsed_s, 1e-9)
    return PriorFitResult(path, prior, rate, source is None)


def share_of_minutes(minutes: float) -> tuple[float, float]:
    """A `--minutes M` budget split between the autoencoder and the prior."""
    return minutes * (1 - PRIOR_SHARE), minutes * PRIOR_SHARE


def autoencoder_share(config: TrainConfig) -> tuple[TrainConfig, float | None]:
    """A training that adds a prior: the autoencoder's config with its share of the minutes,
    and the prior's minutes (None under a step or epoch budget). The CLI and the Train tab
    both split a budget here."""
    if config.max_minutes is None:
        return config, None
    autoencoder, prior = share_of_minutes(config.max_minutes)
    return replace(config, max_minutes=autoencoder), prior


def prior_after(
    result: TrainResult, config: TrainConfig, minutes: float | None
) -> PriorTrainConfig | None:
    """How to train the prior after the autoencoder that `config` trained: for its share of
    the minutes, else for as many steps as the autoencoder took, at most DEFAULT_PRIOR_STEPS;
    None when that training was stopped (no prior then). The CLI and the Train tab both ask
    this."""
    if result.cancelled:
        return None
    steps = None if minutes else max(1, min(result.steps, DEFAULT_PRIOR_STEPS))
    return PriorTrainConfig(
        max_minutes=minutes, max_steps=steps, seed=config.seed, device=config.device
    )

"""Train a prior on code grids: truncated backpropagation through the training files read as
one stream, AdamW, early stopping on the held-out grids (the best state is kept), a time or
step budget."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

import torch
import torch.nn.functional as F

from distill.models.persistence import resolve_device
from distill.models.prior import PRIOR_VERSION, CodePrior, PriorConfig
from distill.models.prior_records import PriorMetadata, TrainedPrior
from distill.prior.data import IGNORE, FileGrid, StreamBatches
from distill.prior.evaluation import calibrated_temperatures, grid_nll, perplexity, unigram_nll
from distill.prior.pace import draw_temperature, end_offset
from distill.training.data import TrainingError

DEFAULT_PRIOR_STEPS = 1000  # without a time budget; early stopping often ends sooner


@dataclass(frozen=True)
class PriorTrainConfig:
    """How to train a prior: a time budget (max_minutes), a step budget, or both."""

    max_minutes: float | None = None
    max_steps: int | None = DEFAULT_PRIOR_STEPS
    batch_size: int = 16  # lanes, each reading its own file
    segment_columns: int = 64  # T: ~2.7 s per backward pass; the state runs on across them
    learning_rate: float = 1e-3
    weight_decay: float = 0.05
    validate_every_steps: int = 50
    patience: int = 6  # validations without a better held-out loss before stopping
    hidden_size: int | None = None  # None: from the amount of training data (adaptive_hidden_size)
    num_layers: int = 2
    dropout: float = 0.4  # on 36 demo files (1838 columns): 117 vs 118-123 with less
    offsets: bool = True  # also train on each file encoded at the other frame offsets
    corrupt_inputs: float = 0.0  # share of input codes replaced by random ones
    previous_codes: bool = True  # each level's head sees its own level's previous code
    # In the heads of levels 2+ (None: `dropout`). Measured (bench/README.md, "Generation:
    # level 1's pace"), 3 priors on each of three models: the finer levels' held-out
    # perplexity 2-5% lower at 0.7 than at 0.4, level 1's takes as before; 0.6 everywhere
    # predicted them better too, but cost one model's takes their attacks.
    fine_dropout: float | None = 0.7
    seed: int = 0
    device: str = "cpu"

    def __post_init__(self) -> None:
        if self.max_minutes is None and self.max_steps is None:
            raise TrainingError("Give the prior a time budget (minutes) or a number of steps.")
        if self.max_minutes is not None and not self.max_minutes > 0:
            raise TrainingError("The prior's time budget must be more than 0 minutes.")
        if self.max_steps is not None and self.max_steps < 1:
            raise TrainingError("Train the prior for at least 1 step.")
        if self.batch_size < 1 or self.segment_columns < 1 or self.validate_every_steps < 1:
            raise TrainingError("The prior's batch, segment and validation sizes must be >= 1.")
        if not 0.0 <= self.corrupt_inputs < 1.0:
            raise TrainingError("The share of corrupted input codes must be at least 0, under 1.")


def adaptive_hidden_size(num_columns: int) -> int:
    """H from the training grids' size, as the codebook size adapts to the files: on the 36
    demo files (1838 columns) H 64 and 128 reached the same held-out perplexity (118, 117);
    the smaller one keeps a small collection's model file small."""
    if num_columns < 10_000:  # about 7 minutes of audio
        return 96
    if num_columns < 100_000:
        return 128
    return 256


@dataclass(frozen=True)
class PriorProgress:
    step: int
    elapsed_s: float
    fraction_done: float
    train_loss: float  # nats per code
    heldout_perplexity: float | None
    best_perplexity: float | None


def _fraction_done(config: PriorTrainConfig, step: int, elapsed_s: float) -> float:
    fractions = []
    if config.max_minutes is not None:
        fractions.append(elapsed_s / (config.max_minutes * 60))
    if config.max_steps is not None:
        fractions.append(step / config.max_steps)
    return max(fractions)


def _train_step(
    prior: CodePrior,
    optimizer: torch.optim.Optimizer,
    batches: StreamBatches,
    hidden: torch.Tensor | None,
    device: torch.device,
) -> tuple[float, torch.Tensor]:
    """One segment per lane; returns (loss per code, the state carried to the next segment)."""
    inputs, targets = batches.next()
    logits, hidden = prior(inputs.to(device), targets.clamp(min=0).to(device), hidden)
    loss = F.cross_entropy(logits.flatten(0, 2), targets.to(device).flatten(), ignore_index=IGNORE)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(prior.parameters(), 1.0)
    optimizer.step()
    return loss.item(), hidden.detach()


def _split(grids: list[FileGrid]) -> tuple[list[list[torch.Tensor]], list[torch.Tensor], bool]:
    """(training files' grids with their variants, held-out codes, held-out is the training
    set) from the files."""
    train = [[g.codes, *g.variants] for g in grids if not g.file.held_out]
    held = [g.codes for g in grids if g.file.held_out]
    if not train:
        raise TrainingError("The prior needs at least one training file, not only held-out ones.")
    return train, held or [files[0] for files in train], not held


@dataclass
class _EarlyStopping:
    """The best held-out loss so far, its step and weights; patience left."""

    nll: float
    step: int
    state: dict[str, torch.Tensor]
    waited: int = 0

    def update(self, prior: CodePrior, nll: float, step: int) -> None:
        if nll < self.nll:
            self.nll, self.step, self.waited = nll, step, 0
            self.state = {k: v.clone() for k, v in prior.state_dict().items()}
        else:
            self.waited += 1


def _new_prior(
    train: list[torch.Tensor], codebook_size: int, config: PriorTrainConfig
) -> CodePrior:
    width = config.hidden_size or adaptive_hidden_size(sum(int(g.shape[0]) for g in train))
    levels = int(train[0].shape[1])
    return CodePrior(
        PriorConfig(
            levels,
            codebook_size,
            width,
            config.num_layers,
            config.dropout,
            version=PRIOR_VERSION,
            end_of_file=True,
            previous_codes=config.previous_codes,
            fine_dropout=config.fine_dropout,
        )
    )


def train_prior(
    grids: list[FileGrid],
    codebook_size: int,
    config: PriorTrainConfig,
    progress: Callable[[PriorProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TrainedPrior:
    """A prior trained on the training files' grids, the best state on the held-out ones kept.

    grids: every file's codes [F', L]; the held-out ones are measured on, never trained on.
    The same grids, config and seed on the same machine give the same prior under a step
    budget (a time budget stops wherever the clock says)."""
    train, held, held_is_train = _split(grids)
    originals = [files[0] for files in train]
    torch.manual_seed(config.seed)
    device = resolve_device(config.device)
    prior = _new_prior(originals, codebook_size, config).to(device).train()
    optimizer = torch.optim.AdamW(
        prior.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    batches = StreamBatches(
        train,
        config.batch_size,
        config.segment_columns,
        random.Random(config.seed),
        end_code=codebook_size,
        codebook_size=codebook_size,
        corrupt=config.corrupt_inputs,
    )
    started, step, hidden = time.monotonic(), 0, None
    best = _EarlyStopping(
        grid_nll(prior, held, endings=True),
        0,
        {k: v.clone() for k, v in prior.state_dict().items()},
    )
    while _fraction_done(config, step, time.monotonic() - started) < 1.0:
        if best.waited >= config.patience or (should_stop is not None and should_stop()):
            break
        loss, hidden = _train_step(prior, optimizer, batches, hidden, device)
        step += 1
        if step % config.validate_every_steps == 0:
            nll = grid_nll(prior, held, endings=True)  # the held-out files' endings too
            best.update(prior, nll, step)
            if progress is not None:
                progress(_progress(config, step, started, loss, nll, best.nll))
    prior.load_state_dict(best.state)
    metadata = PriorMetadata(
        files=tuple(g.file for g in grids),
        heldout_perplexity=round(perplexity(grid_nll(prior, held)), 4),  # codes, as the unigram
        unigram_perplexity=round(perplexity(unigram_nll(originals, held, codebook_size)), 4),
        heldout_is_training=held_is_train,
        steps=step,
        best_step=best.step,
        elapsed_s=round(time.monotonic() - started, 1),
        stopped_early=best.waited >= config.patience,
        device=str(device),
        train_config=asdict(config),
        # Measured on the training grids (under 4 files) they would only say "be surer".
        temperatures=() if held_is_train else calibrated_temperatures(prior, held),
    )
    trained = TrainedPrior(prior.to("cpu").eval(), metadata, torch.cat([g.codes for g in grids]))
    if not metadata.temperatures:
        return trained
    drawn = draw_temperature(trained, metadata.temperatures[0])
    paced = replace(metadata, draw_temperature=drawn, end_bias=end_offset(trained, drawn))
    return replace(trained, metadata=paced)


def _progress(
    config: PriorTrainConfig, step: int, started: float, loss: float, nll: float, best: float
) -> PriorProgress:
    elapsed = time.monotonic() - started
    done = min(_fraction_done(config, step, elapsed), 1.0)
    return PriorProgress(step, elapsed, done, loss, perplexity(nll), perplexity(best))

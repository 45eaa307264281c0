"""`distill train DIR --name NAME`: train a model with a live progress bar."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from distill.cli.common import fail, user_errors

if TYPE_CHECKING:
    from rich.console import Console

    from distill.training import TrainConfig, TrainProgress, TrainResult


def _usage_text(level_usage: list[float]) -> str:
    return " ".join(f"L{i + 1}:{u:.0%}" for i, u in enumerate(level_usage))


@user_errors
def train(
    directory: Annotated[
        Path, typer.Argument(help="Folder of audio files (searched recursively).")
    ],
    name: Annotated[str, typer.Option("--name", "-n", help="Name of the model to create.")],
    minutes: Annotated[
        float | None, typer.Option(help="Wall-clock training budget in minutes.")
    ] = None,
    epochs: Annotated[int | None, typer.Option(help="Train for this many epochs instead.")] = None,
    steps: Annotated[
        int | None,
        typer.Option(help="Train for this many steps instead (same seed, same model)."),
    ] = None,
    epoch_limit: Annotated[
        int | None,
        typer.Option(
            help="With --minutes: stop after this many passes over the files even if time is "
            "left (default 250: more memorises a small collection); 0 trains to the budget."
        ),
    ] = None,
    levels: Annotated[int, typer.Option(help="Quantizer levels (rows of the code grid), 2-8.")] = 4,
    codebook_size: Annotated[
        int | None, typer.Option(help="Codes per level; default adapts to the number of files.")
    ] = None,
    preset: Annotated[
        str,
        typer.Option(help="Sizes for the device: auto (the device's own), cpu, mps or cuda."),
    ] = "auto",
    width: Annotated[
        int | None,
        typer.Option(help="Hidden channels (preset: 128 on a CPU, 256 on a CUDA GPU)."),
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(help="Windows per step, per process (preset: 16 CPU, 64 GPU).")
    ] = None,
    crop_frames: Annotated[
        int | None,
        typer.Option(
            help="Window length in mel frames, ~94 per second (preset: 128 CPU, 256 GPU)."
        ),
    ] = None,
    mixed_precision: Annotated[
        bool | None,
        typer.Option(
            "--mixed-precision/--no-mixed-precision",
            help="bf16 autocast of the convolutions (preset: on for CUDA GPUs with bf16).",
        ),
    ] = None,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda or mps.")] = "auto",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    resume: Annotated[bool, typer.Option(help="Continue training the saved model NAME.")] = False,
    force: Annotated[bool, typer.Option(help="Replace an existing model named NAME.")] = False,
    no_prior: Annotated[
        bool,
        typer.Option(
            "--no-prior",
            help="Skip the prior (it takes 20% of --minutes; after --steps or --epochs, as "
            "many steps as the autoencoder, at most 1000). Without it the model cannot generate.",
        ),
    ] = False,
) -> None:
    """Train a model on a folder of your audio (Ctrl-C stops and keeps the best model so far),
    then the prior over its codes that lets it generate.

    Under `torchrun --nproc_per_node N -m distill train ...` the N processes train one model.
    """
    from distill.prior.fit import autoencoder_share
    from distill.training import TrainConfig, TrainJob, train_model
    from distill.training.distributed import is_main_process
    from distill.training.presets import PresetOverrides, check_setting, configure_for_device

    if not directory.is_dir():
        raise fail(f"{directory} is not a folder of audio files.")
    check_setting("hidden_channels", width, "--width")
    check_setting("batch_size", batch_size, "--batch-size")
    check_setting("crop_frames", crop_frames, "--crop-frames")
    check_setting("epoch_limit", epoch_limit, "--epoch-limit")
    if minutes is None and epochs is None and steps is None:
        minutes = 10.0
    config = TrainConfig(
        max_minutes=minutes,
        epochs=epochs,
        max_steps=steps,
        num_levels=levels,
        codebook_size=codebook_size,
        device=device,
        seed=seed,
        listen_every_s=None,  # the held-out excerpt is for the Train tab's player
    )
    if epoch_limit is not None:
        config = replace(config, epoch_limit=epoch_limit or None)
    overrides = PresetOverrides(width, batch_size, crop_frames, mixed_precision)
    config = configure_for_device(config, preset, overrides)
    prior_minutes = None
    if not no_prior:  # the prior gets its share of the minutes
        config, prior_minutes = autoencoder_share(config)
    console = _console(quiet=not is_main_process())  # under torchrun, rank 0 alone prints
    console.print(f"Training on {config.device}: {_setup_text(config, resume)}")
    with _progress_bar(console) as on_progress:
        job = TrainJob(
            directory, name, config, progress=on_progress, resume=resume, overwrite=force
        )
        result = train_model(job)
    if is_main_process():  # under torchrun the prior is trained once, by rank 0
        _print_summary(console, result)
        _say_if_limited(console, config, result)
        if not no_prior:
            _train_prior(console, result, directory, config, prior_minutes)


def _say_if_limited(console: Console, config: TrainConfig, result: TrainResult) -> None:
    """A time budget that the epoch limit ended early says so, and how to train on."""
    limit = config.epoch_limit
    if config.max_minutes is None or limit is None or config.epochs or config.max_steps:
        return
    if not result.cancelled and result.epochs >= limit - 0.5:
        console.print(
            f"Stopped at the epoch limit ({limit} passes over the files, "
            f"{result.elapsed_s / 60:.1f} of {config.max_minutes:g} min): more would memorise "
            "them. --epoch-limit 0 trains for the whole budget."
        )


def _setup_text(config: TrainConfig, resume: bool) -> str:
    from distill.training.distributed import launched_processes
    from distill.training.vqvae import training_setup

    setup = training_setup(config, launched_processes())
    text = setup.describe(config.model.hidden_channels)
    if setup.num_processes > 1:  # the backend is chosen once the processes join
        text += " (torchrun)"
    return text + (" (--resume keeps the saved model's width)" if resume else "")


def _console(quiet: bool) -> Console:
    from rich.console import Console

    return Console(stderr=True, quiet=quiet)


@contextmanager
def _progress_bar(console: Console) -> Iterator[Callable[[TrainProgress], None]]:
    """A Rich bar (loss, validation, codebook use per level, ETA) fed by progress reports."""
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("loading", total=1000, status="")

        def on_progress(p: TrainProgress) -> None:
            if p.phase == "loading":
                bar.update(task, description="loading", status=p.message)
                return
            if p.phase == "warning":  # a checkpoint could not be saved: say so, train on
                console.print(f"[yellow]warning:[/] {p.message}")
                return
            done = p.elapsed_s / p.total_s if p.total_s else 0.0
            val = f"val {p.val_loss:.4f}" if p.val_loss is not None else "val -"
            status = f"step {p.step} loss {p.train_loss:.4f} {val} {_usage_text(p.level_usage)}"
            bar.update(task, completed=min(done, 1.0) * 1000, description=p.phase, status=status)

        yield on_progress


def _train_prior(
    console: Console,
    result: TrainResult,
    directory: Path,
    config: TrainConfig,
    minutes: float | None,
) -> None:
    """The prior after the autoencoder, as `prior.fit.prior_after` says (none if stopped)."""
    from distill.cli.prior import run_prior_training
    from distill.prior.fit import prior_after

    prior_config = prior_after(result, config, minutes)
    if prior_config is None:
        console.print(
            "No prior trained (training was stopped): add one with `distill train-prior`."
        )
        return
    run_prior_training(console, result.model_path, directory, prior_config)


def _print_summary(console: Console, result: TrainResult) -> None:
    from distill.cli.diagnostics import print_health
    from distill.models.labels import get_level_labels

    state = "stopped early, kept the best model" if result.cancelled else "finished"
    dataset = result.dataset
    console.print(f"\n[bold green]Training {state}[/]: {result.model_path}")
    console.print(
        f"{result.steps} steps ({result.epochs:.1f} epochs) in {result.elapsed_s / 60:.1f} min, "
        f"{result.steps_per_second:.2f} steps/s; best validation loss {result.best_val_loss:.4f}; "
        f"{dataset.num_files} files ({dataset.total_duration_s / 60:.1f} min)"
    )
    health = result.codebook_health
    print_health(console, health, get_level_labels(len(health.levels)))
    console.print(f"Setup: {_saved_setup_text(result)}")
    for skipped in dataset.skipped_files:
        console.print(f"[yellow]skipped:[/] {skipped}")


def _saved_setup_text(result: TrainResult) -> str:
    """The preset and processes as the model file records them (true on --resume too)."""
    from distill.models.persistence import read_model_info

    info = read_model_info(result.model_path)
    training = info.metadata.training
    if training is None:
        return "not recorded"
    return training.setup.describe(info.vqvae_config.hidden_channels)

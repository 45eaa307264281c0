"""`distill train DIR --name NAME`: train a model with a live progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from distill.cli.common import fail, user_errors

if TYPE_CHECKING:
    from rich.console import Console

    from distill.training import TrainResult


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
    levels: Annotated[int, typer.Option(help="Quantizer levels (rows of the code grid), 2-8.")] = 4,
    codebook_size: Annotated[
        int | None, typer.Option(help="Codes per level; default adapts to the number of files.")
    ] = None,
    width: Annotated[
        int | None,
        typer.Option(
            help="Hidden channels (default 128): 64 is small and fast, 256 big and slow on a CPU."
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
    then the prior over its codes that lets it generate."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from distill.models.vqvae import VQVAEConfig
    from distill.prior.fit import share_of_minutes
    from distill.training import TrainConfig, TrainProgress, train_vqvae

    if not directory.is_dir():
        raise fail(f"{directory} is not a folder of audio files.")
    if width is not None and not 8 <= width <= 1024:
        raise fail(f"--width must be between 8 and 1024 channels, not {width}.")
    if minutes is None and epochs is None and steps is None:
        minutes = 10.0
    prior_minutes = None
    if minutes is not None and not no_prior and minutes > 0:
        minutes, prior_minutes = share_of_minutes(minutes)
    config = TrainConfig(
        max_minutes=minutes,
        epochs=epochs,
        max_steps=steps,
        model=VQVAEConfig() if width is None else VQVAEConfig(hidden_channels=width),
        num_levels=levels,
        codebook_size=codebook_size,
        device=device,
        seed=seed,
    )
    console = Console(stderr=True)
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
            done = p.elapsed_s / p.total_s if p.total_s else 0.0
            val = f"val {p.val_loss:.4f}" if p.val_loss is not None else "val -"
            status = f"step {p.step} loss {p.train_loss:.4f} {val} {_usage_text(p.level_usage)}"
            bar.update(task, completed=min(done, 1.0) * 1000, description=p.phase, status=status)

        result = train_vqvae(
            directory, name, config, progress=on_progress, resume=resume, overwrite=force
        )
    _print_summary(console, result)
    if not no_prior:
        _train_prior(console, result, directory, prior_minutes, seed, device)


def _train_prior(
    console: Console,
    result: TrainResult,
    directory: Path,
    minutes: float | None,
    seed: int,
    device: str,
) -> None:
    """The prior after the autoencoder: `minutes` (its share of --minutes), else as many
    steps as the autoencoder took, at most DEFAULT_PRIOR_STEPS."""
    from distill.cli.prior import run_prior_training
    from distill.prior.training import DEFAULT_PRIOR_STEPS, PriorTrainConfig

    if result.cancelled:
        console.print(
            "No prior trained (training was stopped): add one with `distill train-prior`."
        )
        return
    steps = None if minutes else max(1, min(result.steps, DEFAULT_PRIOR_STEPS))
    config = PriorTrainConfig(max_minutes=minutes, max_steps=steps, seed=seed, device=device)
    run_prior_training(console, result.model_path, directory, config)


def _print_summary(console: Console, result: TrainResult) -> None:
    from rich.table import Table

    state = "stopped early, kept the best model" if result.cancelled else "finished"
    dataset = result.dataset
    console.print(f"\n[bold green]Training {state}[/]: {result.model_path}")
    console.print(
        f"{result.steps} steps ({result.epochs:.1f} epochs) in {result.elapsed_s / 60:.1f} min, "
        f"{result.steps_per_second:.2f} steps/s; best validation loss {result.best_val_loss:.4f}; "
        f"{dataset.num_files} files ({dataset.total_duration_s / 60:.1f} min)"
    )
    table = Table("level", "codes used", "use", "perplexity", "dead")
    for level in result.codebook_health.levels:
        table.add_row(
            str(level.level + 1),
            f"{level.used_codes}/{level.codebook_size}",
            f"{level.utilisation:.0%}",
            f"{level.perplexity:.1f}",
            str(level.dead_codes),
        )
    console.print(table)
    for warning in result.codebook_health.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    for skipped in dataset.skipped_files:
        console.print(f"[yellow]skipped:[/] {skipped}")

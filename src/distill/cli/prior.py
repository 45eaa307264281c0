"""`distill train-prior` and `distill generate`: give a model a prior, then sample from it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from distill.cli.codes import DeviceOption, ForceOption, ModelArgument
from distill.cli.common import check_audio_output, fail, refuse_overwrite, user_errors

if TYPE_CHECKING:
    from rich.console import Console

    from distill.prior.fit import PriorFitResult
    from distill.prior.training import PriorTrainConfig


def run_prior_training(
    console: Console, model_path: Path, source: Path | None, config: PriorTrainConfig
) -> PriorFitResult:
    """Train and save a model's prior with a progress bar; prints its summary line."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from distill.prior.fit import fit_prior
    from distill.prior.training import PriorProgress

    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("prior", total=1000, status="encoding the collection")

        def on_file(number: int, total: int, path: Path) -> None:
            bar.update(task, status=f"encoding {number}/{total}: {path.name}")

        def on_progress(p: PriorProgress) -> None:
            held = f"held-out perplexity {p.heldout_perplexity:.2f}" if p.heldout_perplexity else ""
            status = f"step {p.step} loss {p.train_loss:.3f} {held}"
            bar.update(task, completed=p.fraction_done * 1000, status=status)

        result = fit_prior(model_path, source, config, on_progress, on_file=on_file)
    meta = result.prior.metadata
    why = "stopped early: held-out perplexity no longer improved" if meta.stopped_early else "done"
    console.print(
        f"[bold green]Prior trained[/] ({why}): {meta.steps} steps in {meta.elapsed_s:.0f} s "
        f"({result.steps_per_second:.1f} steps/s), best at step {meta.best_step}; "
        f"{meta.summary()}; {result.prior.network.num_parameters / 1e6:.2f} M parameters."
    )
    return result


@user_errors
def train_prior(
    model: ModelArgument,
    directory: Annotated[
        Path | None,
        typer.Argument(
            help="The folder of audio the model was trained on (not needed to retrain a prior: "
            "the model file keeps the grids it was trained on)."
        ),
    ] = None,
    minutes: Annotated[float | None, typer.Option(help="Wall-clock budget in minutes.")] = None,
    steps: Annotated[int | None, typer.Option(help="Step budget (default 1000).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    device: DeviceOption = "cpu",
) -> None:
    """Add or replace the prior of an existing model (it lets the model generate)."""
    from rich.console import Console

    from distill.models.library import find_model
    from distill.prior.training import DEFAULT_PRIOR_STEPS, PriorTrainConfig

    if directory is not None and not directory.is_dir():
        raise fail(f"{directory} is not a folder of audio files.")
    if minutes is None and steps is None:
        steps = DEFAULT_PRIOR_STEPS
    config = PriorTrainConfig(max_minutes=minutes, max_steps=steps, seed=seed, device=device)
    run_prior_training(Console(stderr=True), find_model(model), directory, config)


@user_errors
def generate(
    model: ModelArgument,
    output: Annotated[Path, typer.Option("--output", "-o", help="Audio file to write (.wav).")],
    seconds: Annotated[float, typer.Option(help="Length of the new sound in seconds.")] = 5.0,
    temperature: Annotated[float, typer.Option(help="Above 0; lower is tamer.")] = 1.0,
    top_k: Annotated[int, typer.Option(help="Draw from the k likeliest codes (0: all).")] = 0,
    top_p: Annotated[float, typer.Option(help="Draw from the likeliest codes up to p.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Same seed, same result.")] = 0,
    continue_audio: Annotated[
        Path | None,
        typer.Option("--continue", help="Encode this file and continue it by --seconds."),
    ] = None,
    codes_out: Annotated[
        Path | None, typer.Option("--codes-out", help="Also write the grid as codes JSON.")
    ] = None,
    force: ForceOption = False,
    device: DeviceOption = "auto",
) -> None:
    """Generate new sound from a model's prior (or continue a file), and say what it copies."""
    from distill.audio.io import save_audio
    from distill.inference import decode_grid, encode_grid, write_codes_json
    from distill.models.library import find_model
    from distill.models.persistence import load_model
    from distill.prior.sampling import continue_grid, require_prior
    from distill.prior.sampling import generate as generate_grid

    check_audio_output(output, force)
    if codes_out is not None:
        refuse_overwrite(codes_out, force)
    path = find_model(model)
    loaded = load_model(path, device)
    require_prior(loaded)  # before encoding anything
    settings = (temperature, top_k, top_p, seed)
    if continue_audio is None:
        result = generate_grid(loaded, seconds, *settings)
    else:
        # The grid encoding gives (its codes searched), as the app continues grid A.
        result = continue_grid(loaded, encode_grid(continue_audio, loaded), seconds, *settings)
    grid = result.grid
    save_audio(output, decode_grid(grid, loaded), grid.sample_rate)
    if codes_out is not None:
        write_codes_json(codes_out, grid, path)
        typer.echo(f"Wrote {codes_out}")
    start, end = result.columns
    typer.echo(
        f"Generated {(end - start) * grid.seconds_per_column:.2f} s ({end - start} columns) "
        f"with model '{loaded.metadata.name}'; wrote {output} ({grid.duration_s:.2f} s)."
    )
    typer.echo(result.memorisation.describe())

"""`distill models [list|info|delete]`: the saved models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from distill.cli.common import fail, user_errors

if TYPE_CHECKING:
    from distill.models.records import CodebookHealth

app = typer.Typer(help="List, inspect and delete saved models.", no_args_is_help=False)


@app.callback(invoke_without_command=True)
def _default(context: typer.Context) -> None:
    if context.invoked_subcommand is None:
        list_()


@app.command("list")
@user_errors
def list_() -> None:
    """List the models (the bundled demo first)."""
    from rich.console import Console
    from rich.table import Table

    from distill.models.persistence import list_models, models_dir

    infos = list_models()
    console = Console()
    if not infos:
        console.print(f"No models yet in {models_dir()}. Train one with `distill train`.")
        return
    table = Table("name", "levels", "codes/level", "files", "created", "size")
    for info in infos:
        dataset = info.metadata.dataset
        table.add_row(
            info.display_name,
            str(info.vqvae_config.num_levels),
            str(info.vqvae_config.codebook_size),
            str(dataset.num_files) if dataset else "?",
            info.metadata.created_at[:16].replace("T", " "),
            f"{info.size_bytes / 1e6:.1f} MB",
        )
    console.print(table)
    console.print(f"Models folder: {models_dir()}")


@app.command("info")
@user_errors
def info(
    name: Annotated[str, typer.Argument(help="Model name, 'demo', or a .distill path.")],
) -> None:
    """Show a model's metadata and codebook health."""
    import json

    from distill.models.persistence import find_model, read_model_info

    model = read_model_info(find_model(name))
    metadata = model.metadata
    typer.echo(f"{model.display_name}  ({model.path}, {model.size_bytes / 1e6:.1f} MB)")
    typer.echo(f"created {metadata.created_at}")
    if model.read_only:
        typer.echo("read-only: it cannot be renamed, changed or deleted")
    typer.echo("model: " + json.dumps(model.vqvae_config.to_dict()))
    if metadata.dataset:  # every file name would flood the terminal: the held-out ones suffice
        dataset = {k: v for k, v in metadata.dataset.to_dict().items() if k != "file_names"}
        typer.echo("dataset: " + json.dumps(dataset))
    if metadata.training:
        typer.echo("training: " + json.dumps(metadata.training.to_dict()))
    if model.codebook_health:
        _echo_health(model.codebook_health)
    prior = model.prior_metadata
    typer.echo(f"prior: {prior.summary()}" if prior else "prior: no prior (it cannot generate)")


def _echo_health(health: CodebookHealth) -> None:
    for level in health.levels:
        typer.echo(
            f"level {level.level + 1}: {level.used_codes}/{level.codebook_size} codes used, "
            f"perplexity {level.perplexity}"
        )
    for warning in health.warnings:
        typer.echo(f"warning: {warning}")


@app.command("delete")
@user_errors
def delete(
    name: Annotated[str, typer.Argument(help="Model name or .distill path.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a saved model (asks first)."""
    from distill.models.persistence import check_writable, delete_model, find_model

    path = find_model(name)
    check_writable(path, "deleted")  # refused before asking, not after
    if not yes and not typer.confirm(f"Delete {path}?"):
        raise fail("not deleted")
    delete_model(path)
    typer.echo(f"Deleted {path}")

"""`distill models [list|info|delete]`: the saved models."""

from __future__ import annotations

from typing import Annotated

import typer

from distill.cli.common import fail, user_errors

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

    from distill.models.library import list_models, unreadable_models
    from distill.models.persistence import models_dir

    infos = list_models()
    console = Console()
    if not infos:
        console.print(f"No models yet in {models_dir()}. Train one with `distill train`.")
    else:
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
    for _, why in unreadable_models():  # a damaged file is named, never silently left out
        console.print(f"[yellow]could not read:[/] {why}", highlight=False)


@app.command("info")
@user_errors
def info(
    name: Annotated[str, typer.Argument(help="Model name, 'demo', or a .distill path.")],
) -> None:
    """Show a model's settings, training data, training and codebook health, as tables."""
    from rich.console import Console

    from distill.cli.diagnostics import print_model
    from distill.models.library import find_model
    from distill.models.persistence import read_model_info

    print_model(Console(), read_model_info(find_model(name)))


@app.command("delete")
@user_errors
def delete(
    name: Annotated[str, typer.Argument(help="Model name or .distill path.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a saved model (asks first)."""
    from distill.models.library import check_writable, delete_model, find_model

    path = find_model(name)
    check_writable(path, "deleted")  # refused before asking, not after
    if not yes and not typer.confirm(f"Delete {path}?"):
        raise fail("not deleted")
    delete_model(path)
    typer.echo(f"Deleted {path}")

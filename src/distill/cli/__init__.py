"""The `distill` command: Typer signatures over library calls (heavy imports inside commands)."""

from __future__ import annotations

from typing import Annotated

import typer

from distill.cli import codes, edit, models, prior, session, train, ui
from distill.cli.common import state

app = typer.Typer(
    name="distill",
    help="Train a small RVQ autoencoder on your own audio, then see and hear its codes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show full tracebacks instead of one-line errors.")
    ] = False,
) -> None:
    state.debug = debug


app.command("train")(train.train)
app.command("encode")(codes.encode)
app.command("decode")(codes.decode)
app.command("generate")(prior.generate)
app.command("train-prior")(prior.train_prior)
app.add_typer(edit.app, name="edit")
app.add_typer(models.app, name="models")
app.add_typer(session.app, name="session")
app.command("ui")(ui.ui)


def main() -> None:
    app()

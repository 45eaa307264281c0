"""`distill ui`: open the app in the browser, served on this machine only by default."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from distill.cli.common import user_errors


@user_errors
def ui(
    port: Annotated[
        int | None, typer.Option(help="Port to serve on (default: the first free from 7860).")
    ] = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 lets other machines connect.")
    ] = "127.0.0.1",
    open_browser: Annotated[
        bool, typer.Option("--open-browser/--no-open-browser", help="Open a browser tab.")
    ] = True,
    session: Annotated[
        Path | None,
        typer.Option(
            "--session",
            help="A .distill-session file to open in the page that opens (Save the session "
            "in the Codes tab makes one).",
        ),
    ] = None,
) -> None:
    """Open the Distill app: see and hear codes, train models, manage the library."""
    if port is not None and not 1 <= port <= 65535:
        raise ValueError(f"--port must be between 1 and 65535, not {port}.")
    if session is not None:
        from distill.ui.codes.keep import session_model
        from distill.ui.codes.keep_read import read_session

        session_model(read_session(session))  # a file that cannot be opened stops here
        session = session.resolve()
    from distill.ui.app import launch_app

    typer.echo("Starting Distill…", err=True)
    launch_app(port=port, host=host, open_browser=open_browser, session_file=session)

"""`distill session info FILE`: what a saved session holds, and whether its model is here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from distill.cli.common import user_errors

app = typer.Typer(help="Inspect sessions saved from the Codes tab.", no_args_is_help=True)


@app.command("info")
@user_errors
def info(
    file: Annotated[Path, typer.Argument(help="A .distill-session file.")],
) -> None:
    """Show a session's files, grids, history, selection, what is heard and its model."""
    from distill.ui.codes.keep import session_model
    from distill.ui.codes.keep_format import SessionFileError
    from distill.ui.codes.keep_read import read_session

    saved = read_session(file)
    editor = saved.editor
    lines = [f"{file.name}: saved {saved.saved_at:%Y-%m-%d %H:%M}"]
    for side, kept in (("A", saved.a), ("B", saved.b)):
        if kept is None:
            continue
        grid = editor.history.current.a if side == "A" else editor.history.current.b
        assert grid is not None
        source = kept.source or "generated (no audio file)"
        lines.append(
            f"{side}: {kept.name} · {grid.num_columns} columns × {grid.num_levels} levels · "
            f"{grid.duration_s:.2f} s · {grid.seconds_per_column * 1000:.1f} ms per column · "
            f"from {source}"
        )
    labels = editor.history.current.a.level_labels
    if labels:
        lines.append(f"Levels: {', '.join(labels)}")
    lines.append(f"History: {editor.history_text()} ({saved.summary().split(', ')[-1]})")
    if editor.selection is not None:
        region = editor.selection.region
        lines.append(
            f"Selection on {editor.selection.side.upper()}: levels {region.levels[0] + 1}-"
            f"{region.levels[1] + 1}, columns {region.columns[0]}-{region.columns[1]}"
        )
    listening = editor.listening
    quiet = listening.quiet_levels(editor.history.current.a.num_levels)
    left_out = ", ".join(str(q + 1) for q in sorted(quiet))
    heard = f"levels {left_out} left out" if quiet else "all levels"
    lines.append(f"Heard: {heard}")
    name = saved.model.display_name or saved.model.name
    model = f"Model: {name} (sha256 {saved.model.sha256[:12]}…)"
    try:
        lines.append(f"{model}: here as {session_model(saved)}")
    except SessionFileError as error:
        lines.append(f"{model}: {error}")
    typer.echo("\n".join(lines))

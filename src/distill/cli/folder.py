"""`distill encode MODEL DIR -o OUT_DIR`: a whole folder, with a progress bar and a list of
the files that were skipped."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from distill.cli.common import fail

if TYPE_CHECKING:
    from rich.console import Console

    from distill.inference.folder import FolderResult


def encode_folder(
    model: str,
    directory: Path,
    output: Path,
    jobs: int | None,
    resume: bool,
    force: bool,
    device: str,
    refine_steps: int | None = None,
) -> None:
    """Plan (refusing to overwrite), encode in workers behind a Rich bar, then summarise."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from distill.inference.folder import FolderProgress, default_jobs, plan_folder
    from distill.inference.folder import encode_folder as run
    from distill.models.library import find_model
    from distill.models.persistence import resolve_device

    if output.exists() and not output.is_dir():
        raise fail(f"{output} is a file; for a folder of audio, -o names an output folder.")
    model_path = find_model(model)
    plan = plan_folder(directory, output, model_path, resume, force, refine_steps)
    workers = jobs or default_jobs()
    console = Console(stderr=True)
    if plan.done:
        console.print(f"{_files(len(plan.done))} already encoded by this model: kept (--resume).")
    columns = (
        TextColumn("[bold]encoding"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[current]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("encoding", total=len(plan.jobs), current="starting the workers")

        def on_progress(progress: FolderProgress) -> None:
            bar.update(task, completed=progress.finished, current=progress.last.source.name)

        result = run(plan, model_path, workers, resolve_device(device).type, on_progress)
    _print_summary(console, result, directory)
    if plan.jobs and not result.encoded:
        raise fail(f"None of the {_files(len(plan.jobs))} could be encoded (see the list above).")


def _print_summary(console: Console, result: FolderResult, directory: Path) -> None:
    console.print(
        f"Encoded {_files(len(result.encoded))} ({result.audio_seconds / 60:.1f} min of audio) "
        f"in {result.elapsed_s:.1f} s with {result.workers} worker process"
        f"{'es' if result.workers != 1 else ''}: "
        f"{result.files_per_second:.2f} files/s, {result.audio_seconds_per_second:.1f} "
        "audio-seconds/s."
    )
    if result.restarts:
        console.print(f"[yellow]{result.restarts} worker pool(s) restarted after a worker died.")
    if result.skipped:
        console.print(f"[yellow]Skipped {_files(len(result.skipped))}:")
    for item in result.skipped:
        typer.echo(f"skipped: {item.source.relative_to(directory)}: {item.error}", err=True)


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"

"""`distill encode` and `distill decode`: audio <-> a codes JSON file (and an HTML grid page)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from distill.cli.common import check_audio_output, fail, refuse_overwrite, user_errors
from distill.cli.folder import encode_folder as _encode_folder

if TYPE_CHECKING:
    import numpy as np

    from distill.inference import CodeGrid
    from distill.models.persistence import LoadedVQModel

MAX_PAGE_AUDIO_S = 60.0  # longer reconstructions would make the page tens of megabytes

ModelArgument = Annotated[
    str, typer.Argument(help="Model name ('demo' is the bundled one) or path to a .distill file.")
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite existing output files.")]
DeviceOption = Annotated[str, typer.Option(help="auto, cpu, cuda or mps.")]


def _load(model: str, device: str) -> tuple[Path, LoadedVQModel]:
    from distill.models.library import find_model
    from distill.models.persistence import load_model

    path = find_model(model)
    return path, load_model(path, device)


@user_errors
def encode(
    model: ModelArgument,
    audio: Annotated[
        Path,
        typer.Argument(help="Audio file to encode (WAV, FLAC, OGG, MP3...), or a folder of them."),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Codes JSON file to write; for a folder, the output folder."
        ),
    ],
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write a standalone HTML grid page.")
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(help="Folder: worker processes (default: one per CPU).", min=1, max=256),
    ] = None,
    resume: Annotated[
        bool, typer.Option(help="Folder: keep the codes files already made by this model.")
    ] = False,
    refine_steps: Annotated[
        int | None,
        typer.Option(
            "--refine-steps",
            "--search-steps",  # its earlier name, kept working for scripts
            help="Steps that refine the codes towards those the decoder renders closest to the "
            "audio (default: 20, fewer for files over ~26 s, none over ~64 s; 0: the encoder's "
            "own codes, fastest).",
            min=0,
            max=1000,
        ),
    ] = None,
    force: ForceOption = False,
    device: DeviceOption = "auto",
) -> None:
    """Encode an audio file into its code grid (levels x time) and save it as JSON; or every
    audio file under a folder, into codes files at the same relative paths."""
    from distill.inference import encode_grid, write_codes_json
    from distill.models.labels import get_level_labels

    if audio.is_dir():
        if html is not None:
            raise fail("--html writes the page of one file; AUDIO is a folder.")
        _encode_folder(model, audio, output, jobs, resume, force, device, refine_steps)
        return
    if jobs is not None or resume:
        raise fail(f"--jobs and --resume are for a folder; {audio} is not one.")
    refuse_overwrite(output, force)
    if html is not None:
        refuse_overwrite(html, force)
    model_path, loaded = _load(model, device)
    grid = encode_grid(audio, loaded, refine_steps=refine_steps)
    grid = grid.with_labels(get_level_labels(grid.num_levels, loaded.metadata.level_labels))
    write_codes_json(output, grid, model_path)
    typer.echo(
        f"Encoded {audio.name} ({grid.duration_s:.2f} s) with model "
        f"'{loaded.metadata.name}': {_shape_text(grid)}, {grid.codebook_size} codes per level."
    )
    typer.echo(f"Wrote {output}")
    if html is not None:
        _write_page(html, audio, grid, loaded)


def _shape_text(grid: CodeGrid) -> str:
    """'234 columns x 4 levels (23.4 columns/s)': the grid's size and the model's time axis."""
    return (
        f"{grid.num_columns} columns x {grid.num_levels} levels "
        f"({grid.columns_per_second:.1f} columns/s)"
    )


def _write_page(path: Path, audio: Path, grid: CodeGrid, loaded: LoadedVQModel) -> None:
    """The grid as a standalone page, with the reconstruction embedded when it is short."""
    from distill.files import write_text_atomic
    from distill.inference import decode_grid
    from distill.ui.components.code_grid import render_grid, render_grid_page

    info = f"Model '{loaded.metadata.name}', {grid.duration_s:.2f} s, {_shape_text(grid)}."
    data_uri = None
    if grid.duration_s <= MAX_PAGE_AUDIO_S:
        data_uri = _wav_data_uri(decode_grid(grid, loaded), grid.sample_rate)
        info += " The player plays the decoded reconstruction."
        note = "with the reconstruction embedded"
    else:
        info += f" No audio embedded: the file is longer than {MAX_PAGE_AUDIO_S:.0f} s."
        note = f"without audio (longer than {MAX_PAGE_AUDIO_S:.0f} s)"
    page = render_grid_page(render_grid(grid), f"Codes of {audio.name}", data_uri, info)
    write_text_atomic(path, page)
    typer.echo(f"Wrote {path} {note}")


def _wav_data_uri(waveform: np.ndarray, sample_rate: int) -> str:
    """[S] float -> a 16-bit WAV as a data: URI (a page opened from disk can play it)."""
    import base64
    import io

    import numpy as np
    import soundfile as sf

    buffer = io.BytesIO()
    sf.write(buffer, np.clip(waveform, -1.0, 1.0), sample_rate, format="WAV", subtype="PCM_16")
    return "data:audio/wav;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@user_errors
def decode(
    model: ModelArgument,
    codes: Annotated[Path, typer.Argument(help="Codes JSON file made by `distill encode`.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Audio file to write (.wav).")],
    iterations: Annotated[
        int | None,
        typer.Option(min=0, max=1000, help="Griffin-Lim iterations (default: the model's)."),
    ] = None,
    force: ForceOption = False,
    device: DeviceOption = "auto",
) -> None:
    """Decode a codes JSON file back to audio with the model that made it."""
    from distill.audio.io import save_audio
    from distill.inference import decode_grid, read_codes_json

    check_audio_output(output, force)
    model_path, loaded = _load(model, device)
    grid = read_codes_json(codes, loaded, model_path).grid
    save_audio(output, decode_grid(grid, loaded, num_iterations=iterations), grid.sample_rate)
    typer.echo(
        f"Decoded {codes.name} ({grid.num_columns} columns x {grid.num_levels} levels) to "
        f"{output} ({grid.duration_s:.2f} s)."
    )

"""`distill encode` and `distill decode`: audio <-> a codes JSON file (and an HTML grid page)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from distill.cli.common import fail, refuse_overwrite, user_errors

if TYPE_CHECKING:
    import numpy as np

    from distill.inference import EncodedAudio
    from distill.models.persistence import LoadedVQModel

MAX_PAGE_AUDIO_S = 60.0  # longer reconstructions would make the page tens of megabytes
_AUDIO_SUFFIXES = (".wav", ".flac")

ModelArgument = Annotated[
    str, typer.Argument(help="Model name ('demo' is the bundled one) or path to a .distill file.")
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite existing output files.")]
DeviceOption = Annotated[str, typer.Option(help="auto, cpu, cuda or mps.")]


def _load(model: str, device: str) -> tuple[Path, LoadedVQModel]:
    from distill.models.persistence import find_model, load_model

    path = find_model(model)
    return path, load_model(path, device)


@user_errors
def encode(
    model: ModelArgument,
    audio: Annotated[Path, typer.Argument(help="Audio file to encode (WAV, FLAC, OGG, MP3...).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Codes JSON file to write.")],
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write a standalone HTML grid page.")
    ] = None,
    force: ForceOption = False,
    device: DeviceOption = "auto",
) -> None:
    """Encode an audio file into its code grid (levels x time) and save it as JSON."""
    from distill.inference import column_rate, encode_audio_file, write_codes_json
    from distill.ui.components.code_grid import get_level_labels

    refuse_overwrite(output, force)
    if html is not None:
        refuse_overwrite(html, force)
    model_path, loaded = _load(model, device)
    encoded = encode_audio_file(audio, loaded)
    labels = get_level_labels(encoded["num_quantizers"], loaded.metadata.level_labels)
    write_codes_json(output, encoded, model_path, labels)
    levels, columns = encoded["num_quantizers"], encoded["spatial_shape"][1]
    typer.echo(
        f"Encoded {audio.name} ({encoded['duration_s']:.2f} s) with model "
        f"'{loaded.metadata.name}': {columns} columns x {levels} levels "
        f"({column_rate(loaded):.1f} columns/s, {encoded['codebook_size']} codes per level)."
    )
    typer.echo(f"Wrote {output}")
    if html is not None:
        _write_page(html, audio, encoded, loaded, labels)


def _write_page(
    path: Path, audio: Path, encoded: EncodedAudio, loaded: LoadedVQModel, labels: list[str]
) -> None:
    """The grid as a standalone page, with the reconstruction embedded when it is short."""
    from distill.inference import column_rate, decode_encoded
    from distill.ui.components.code_grid import render_code_grid, render_grid_page

    grid = render_code_grid(
        encoded["indices"],
        encoded["num_quantizers"],
        encoded["codebook_size"],
        encoded["spatial_shape"],
        labels,
        None,
        encoded["duration_s"],
    )
    info = (
        f"Model '{loaded.metadata.name}', {encoded['duration_s']:.2f} s, "
        f"{encoded['spatial_shape'][1]} columns x {encoded['num_quantizers']} levels, "
        f"{column_rate(loaded):.1f} columns/s."
    )
    data_uri = None
    if encoded["duration_s"] <= MAX_PAGE_AUDIO_S:
        reconstruction = decode_encoded(encoded, loaded)
        data_uri = _wav_data_uri(reconstruction, loaded.spectrogram.config.sample_rate)
        info += " The player plays the decoded reconstruction."
        note = "with the reconstruction embedded"
    else:
        info += f" No audio embedded: the file is longer than {MAX_PAGE_AUDIO_S:.0f} s."
        note = f"without audio (longer than {MAX_PAGE_AUDIO_S:.0f} s)"
    page = render_grid_page(grid, f"Codes of {audio.name}", data_uri, info)
    from distill.inference.codes_json import write_text_atomic

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
    from distill.inference import decode_code_grid, read_codes_json

    if output.suffix.lower() not in _AUDIO_SUFFIXES:
        raise fail(f"{output}: the output file name must end in .wav or .flac.")
    refuse_overwrite(output, force)
    model_path, loaded = _load(model, device)
    document = read_codes_json(codes, loaded, model_path)
    waveform = decode_code_grid(
        document.indices,
        document.spatial_shape,
        document.mel_shape,
        loaded,
        num_iterations=iterations,
        num_samples=document.num_samples,
        loudness_gain=document.loudness_gain,
    )
    save_audio(output, waveform, document.sample_rate)
    typer.echo(
        f"Decoded {codes.name} ({document.spatial_shape[1]} columns x {document.num_levels} "
        f"levels) to {output} ({document.duration_s:.2f} s)."
    )

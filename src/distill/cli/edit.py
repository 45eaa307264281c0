"""`distill edit set|swap|blend`: the editor's functions over codes JSON files.

Levels are numbered from 1 (the top row) and columns from 0, as the grid shows them; ranges
are inclusive, `A-B` or one number. An edited file keeps its input's header (model, labels)
and lists what was done to it, so `distill decode MODEL OUT.json` plays it as before.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from distill.cli.common import fail, refuse_overwrite, user_errors

if TYPE_CHECKING:
    from distill.editing import Region
    from distill.inference import CodeGrid, CodesFile

app = typer.Typer(
    help="Edit codes JSON files: set one code, swap or blend a region between two files.",
    no_args_is_help=True,
)

_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")

CodesArgument = Annotated[Path, typer.Argument(help="Codes JSON file made by `distill encode`.")]
OutputOption = Annotated[Path, typer.Option("--output", "-o", help="Codes JSON file to write.")]
ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="Model that made the codes: a name, 'demo' or a .distill path (default: the "
        "model named in the file, from your models).",
    ),
]
LevelsOption = Annotated[
    str | None, typer.Option("--levels", help="Levels FIRST-LAST, from 1 = top (default: all).")
]
ColumnsOption = Annotated[
    str | None, typer.Option("--columns", help="Columns FIRST-LAST, from 0 (default: all).")
]
AtOption = Annotated[
    int | None,
    typer.Option("--at", help="Start column of the region in B (default: the same as in A)."),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite existing output files.")]


def parse_range(text: str, option: str, shown_from: int) -> tuple[int, int]:
    """'2-3' or '2' (numbered from `shown_from`) -> a 0-based inclusive (first, last)."""
    match = _RANGE.match(text)
    if match is None:
        raise fail(
            f"{option} '{text}' is not a range: write FIRST-LAST (such as 1-2) or one number."
        )
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) is not None else first
    return first - shown_from, last - shown_from


def _region(grid: CodeGrid, levels: str | None, columns: str | None) -> Region | None:
    """The region the options name, defaulting to all of `grid`; None when neither is given."""
    from distill.editing import Region

    if levels is None and columns is None:
        return None
    whole = Region.whole(grid)
    return Region(
        whole.levels if levels is None else parse_range(levels, "--levels", 1),
        whole.columns if columns is None else parse_range(columns, "--columns", 0),
    )


def _read(paths: list[Path], model: str | None) -> tuple[Path, list[CodesFile]]:
    """The model file and the codes files, each checked to be that model's own (its hash)."""
    from distill.inference import read_codes_json
    from distill.models.library import find_model
    from distill.models.persistence import ModelFileError

    if model is not None:
        model_path = find_model(model)
    else:
        named = read_codes_json(paths[0]).model_name
        try:
            model_path = find_model(named)
        except ModelFileError:
            raise fail(
                f"{paths[0].name} was made by model '{named}', which is not among your models; "
                "pass --model with its name or .distill file."
            ) from None
    return model_path, [read_codes_json(path, model_path=model_path) for path in paths]


def _write(path: Path, grid: CodeGrid, model_path: Path) -> None:
    from distill.inference import write_codes_json

    write_codes_json(path, grid, model_path)
    typer.echo(f"{grid.operations[-1].capitalize()}: wrote {path}")


@app.command("set")
@user_errors
def set_(
    codes: CodesArgument,
    level: Annotated[int, typer.Option("--level", help="Level, from 1 = the top row.")],
    column: Annotated[int, typer.Option("--column", help="Column, from 0.")],
    code: Annotated[int, typer.Option("--code", help="The new code, 0 to K-1.")],
    output: OutputOption,
    model: ModelOption = None,
    force: ForceOption = False,
) -> None:
    """Set one cell of a codes file to another code."""
    from distill.editing import set_code

    refuse_overwrite(output, force)
    model_path, (source,) = _read([codes], model)
    _write(output, set_code(source.grid, level - 1, column, code), model_path)


@app.command("swap")
@user_errors
def swap(
    codes_a: Annotated[Path, typer.Argument(help="Codes JSON file A.")],
    codes_b: Annotated[Path, typer.Argument(help="Codes JSON file B, from the same model.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the new A.")],
    levels: LevelsOption = None,
    columns: ColumnsOption = None,
    at: AtOption = None,
    other_output: Annotated[
        Path | None, typer.Option("--other-out", help="Where to write the new B (default: not).")
    ] = None,
    model: ModelOption = None,
    force: ForceOption = False,
) -> None:
    """Exchange a region (levels x columns) of A with the same-shaped region of B."""
    from distill.editing import Region, swap_region

    refuse_overwrite(output, force)
    if other_output is not None:
        refuse_overwrite(other_output, force)
        if other_output.resolve() == output.resolve():
            raise fail("-o and --other-out must be different files.")
    model_path, (a, b) = _read([codes_a, codes_b], model)
    region = _region(a.grid, levels, columns) or Region.whole(a.grid)
    new_a, new_b = swap_region(a.grid, b.grid, region, at, a_name=codes_a.name, b_name=codes_b.name)
    _write(output, new_a, model_path)
    if other_output is not None:
        _write(other_output, new_b, model_path)


@app.command("blend")
@user_errors
def blend(
    codes_a: Annotated[Path, typer.Argument(help="Codes JSON file A, the one blended.")],
    codes_b: Annotated[Path, typer.Argument(help="Codes JSON file B, blended towards.")],
    amount: Annotated[float, typer.Option("--amount", help="0 = A, 1 = B.")],
    output: OutputOption,
    levels: LevelsOption = None,
    columns: ColumnsOption = None,
    at: AtOption = None,
    model: ModelOption = None,
    force: ForceOption = False,
) -> None:
    """Blend a region of A (default: all of it) towards B, snapping to the nearest codes."""
    from distill.editing import blend_region
    from distill.models.persistence import load_model

    refuse_overwrite(output, force)
    model_path, (a, b) = _read([codes_a, codes_b], model)
    loaded = load_model(model_path, "cpu")  # only the codebooks are used: no device needed
    region = _region(a.grid, levels, columns)
    result = blend_region(
        a.grid, b.grid, amount, loaded, region, at, a_name=codes_a.name, b_name=codes_b.name
    )
    _write(output, result.grid, model_path)
    distances = result.distances[~result.distances.isnan()]
    typer.echo(
        f"The snaps landed {float(distances.mean()):.3f} from the mix on average "
        f"(at most {float(distances.max()):.3f})."
    )

"""The codes JSON document: a versioned, fully validated file holding one code grid.

Version 2 records the model's seconds per column; version 1 files (without it) are still
read when the model is given, which supplies it."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from distill.files import write_text_atomic
from distill.inference.grid import (
    CodeGrid,
    CodeGridError,
    check_code_grid,
    seconds_per_column,
)
from distill.models.cache import model_sha256
from distill.models.persistence import LoadedVQModel, read_model_info

FORMAT_NAME = "distill-codes"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
_HEADER_TYPES: dict[str, type | tuple[type, ...]] = {
    "model_name": str,
    "model_sha256": str,
    "sample_rate": int,
    "duration_s": (int, float),
    "num_samples": int,
    "loudness_gain": (int, float),
    "num_levels": int,
    "codebook_size": int,
    "spatial_shape": list,
    "mel_shape": list,
    "level_labels": list,
    "codes": list,
}


@dataclass(frozen=True)
class CodesFile:
    """A read and checked codes file: its grid and which model made it."""

    path: Path
    model_name: str
    model_sha256: str
    grid: CodeGrid


def write_codes_json(
    path: str | Path,
    grid: CodeGrid,
    model_path: str | Path,
    level_labels: list[str] | tuple[str, ...] | None = None,
) -> Path:
    """Write `grid` atomically (labels: level_labels, else the grid's own); returns the path.

    One line per header field and one line per level's codes, so the file stays readable.
    The document is checked as read_codes_json would check it first (CodeGridError).
    """
    path = Path(path)
    labels = list(level_labels or grid.level_labels)
    info = read_model_info(model_path)
    header: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "model_name": info.name,
        "model_sha256": model_sha256(model_path),
        "sample_rate": grid.sample_rate,
        "duration_s": grid.duration_s,
        "num_samples": grid.num_samples,
        "seconds_per_column": grid.seconds_per_column,
        "loudness_gain": grid.loudness_gain,
        "num_levels": grid.num_levels,
        "codebook_size": grid.codebook_size,
        "spatial_shape": list(grid.spatial_shape),
        "mel_shape": list(grid.mel_shape),
        "level_labels": [str(label) for label in labels],
        "operations": list(grid.operations),
    }
    rows = grid.codes[0].T.tolist()  # [L, F']: one list per level
    document = {**header, "codes": rows}
    _check_header(path, document)  # never write what read_codes_json refuses
    _check_codes(path, document)
    lines = [f"  {json.dumps(key)}: {json.dumps(value)}," for key, value in header.items()]
    codes = ",\n".join(f"    {json.dumps(row, separators=(',', ':'))}" for row in rows)
    text = "{\n" + "\n".join(lines) + '\n  "codes": [\n' + codes + "\n  ]\n}\n"
    return write_text_atomic(path, text)


def read_codes_json(
    path: str | Path,
    loaded: LoadedVQModel | None = None,
    model_path: str | Path | None = None,
) -> CodesFile:
    """Read and check a codes file; with a model, also check that the codes are its own.

    The model check is `check_code_grid` (levels, codebook size, mel bins, sample rate, time
    axis) plus the model file's sha256 (model_path, else loaded.path). Raises CodeGridError.
    """
    path = Path(path)
    document = _load_document(path)
    _check_header(path, document)
    codes = _check_codes(path, document)
    spc = document.get("seconds_per_column")
    if spc is None:  # version 1: the model knows its time axis
        if loaded is None:
            raise CodeGridError(
                f"{path.name} is an older codes file (version 1) without its time axis; "
                "read it with its model (as `distill decode` does)."
            )
        spc = seconds_per_column(loaded)
    try:
        grid = CodeGrid(
            codes=codes,
            codebook_size=document["codebook_size"],
            mel_shape=(document["mel_shape"][0], document["mel_shape"][1]),
            num_samples=document["num_samples"],
            sample_rate=document["sample_rate"],
            seconds_per_column=spc,
            loudness_gain=float(document["loudness_gain"]),
            level_labels=tuple(document["level_labels"]),
            operations=tuple(document.get("operations", ())),
        )
    except CodeGridError as error:
        raise CodeGridError(f"{path.name}: {error}") from None
    result = CodesFile(path, document["model_name"], document["model_sha256"], grid)
    if loaded is not None or model_path is not None:
        _check_model(result, loaded, model_path)
    return result


def _load_document(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise CodeGridError(f"No codes file at {path}; check the path.")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CodeGridError(
            f"{path.name} is not a codes file: it is not valid JSON. Make one with "
            "`distill encode`."
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise CodeGridError(
            f'{path.name} is not a Distill codes file (no "format": "{FORMAT_NAME}").'
        )
    version = document.get("version")
    if version not in READABLE_VERSIONS:
        raise CodeGridError(
            f"{path.name} is codes format version {version!r}; this Distill reads versions "
            f"{' and '.join(map(str, READABLE_VERSIONS))}. Encode the audio again with this one."
        )
    return document


def _is_type(value: Any, kind: type | tuple[type, ...]) -> bool:
    return isinstance(value, kind) and not isinstance(value, bool)


def _check_header(path: Path, document: dict[str, Any]) -> None:
    """Every key present with the right JSON type, and the fields only the file has (the
    header's redundant counts and shapes) consistent; the grid's values are checked by
    `check_code_grid` when the CodeGrid is built."""
    missing = [key for key in _HEADER_TYPES if key not in document]
    if missing:
        raise CodeGridError(f"{path.name} is missing {', '.join(missing)}; encode it again.")
    for key, kind in _HEADER_TYPES.items():
        if not _is_type(document[key], kind):
            raise CodeGridError(f"{path.name}: '{key}' has the wrong type ({document[key]!r}).")
    if document["num_levels"] < 1:
        raise CodeGridError(f"{path.name}: 'num_levels' must be positive.")
    if abs(document["duration_s"] * document["sample_rate"] - document["num_samples"]) > 1:
        raise CodeGridError(
            f"{path.name}: duration_s disagrees with num_samples at {document['sample_rate']} Hz."
        )
    for key in ("spatial_shape", "mel_shape"):
        shape = document[key]
        if len(shape) != 2 or not all(_is_type(v, int) and v >= 1 for v in shape):
            raise CodeGridError(f"{path.name}: '{key}' must be two positive whole numbers.")
    if document["spatial_shape"][0] != 1:
        raise CodeGridError(f"{path.name}: spatial_shape must be [1, columns].")
    spc: Any = document.get("seconds_per_column")
    if document["version"] >= 2 and not (
        _is_type(spc, (int, float)) and math.isfinite(spc) and spc > 0
    ):
        raise CodeGridError(f"{path.name}: 'seconds_per_column' must be a positive number.")
    operations = document.get("operations", [])
    if not isinstance(operations, list) or not all(isinstance(op, str) for op in operations):
        raise CodeGridError(f"{path.name}: 'operations' must be a list of texts.")
    labels = document["level_labels"]
    if len(labels) != document["num_levels"] or not all(isinstance(v, str) for v in labels):
        raise CodeGridError(
            f"{path.name}: level_labels must be {document['num_levels']} texts, one per level."
        )


def _check_codes(path: Path, document: dict[str, Any]) -> torch.Tensor:
    """The per-level code lists -> codes [1, F', L], after checking their counts and that
    they are whole numbers (their range is the grid's check)."""
    rows, levels = document["codes"], document["num_levels"]
    columns = document["spatial_shape"][1]
    if len(rows) != levels:
        raise CodeGridError(f"{path.name}: 'codes' has {len(rows)} levels, not {levels}.")
    for level, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != columns:
            count = len(row) if isinstance(row, list) else "no list of"
            raise CodeGridError(
                f"{path.name}: level {level + 1} has {count} codes, but spatial_shape says "
                f"{columns} columns."
            )
        if not all(_is_type(code, int) for code in row):
            raise CodeGridError(
                f"{path.name}: level {level + 1} holds a code that is not a whole number."
            )
    return torch.tensor(rows, dtype=torch.long).T.unsqueeze(0)  # [L, F'] -> [1, F', L]


def _check_model(
    document: CodesFile, loaded: LoadedVQModel | None, model_path: str | Path | None
) -> None:
    """The codes must have been made by this very model (it fits, and the same file hash)."""
    name = document.path.name
    if loaded is not None:
        try:
            check_code_grid(document.grid, loaded)
        except CodeGridError as error:
            raise CodeGridError(
                f"{name}: {error} The codes were made by model '{document.model_name}'."
            ) from None
        model_path = model_path or loaded.path
    if model_path is not None and model_sha256(model_path) != document.model_sha256:
        raise CodeGridError(
            f"{name} was made by model '{document.model_name}' (sha256 "
            f"{document.model_sha256[:12]}...), not by {Path(model_path).name}; decode it with "
            "that model, or encode the audio again with this one."
        )

"""The codes JSON document: a versioned, fully validated file holding one code grid."""

from __future__ import annotations

import hashlib
import json
import math
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from distill.inference.codes import EncodedAudio
from distill.models.persistence import LoadedVQModel, read_model_info

FORMAT_NAME = "distill-codes"
FORMAT_VERSION = 1
_HASH_BLOCK = 1 << 20
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


class CodesFileError(ValueError):
    """A codes file that is missing, malformed, or made for another model."""


@dataclass(frozen=True)
class CodesDocument:
    """A read and checked codes file; `indices` is the code grid [1, F', L] (int64)."""

    path: Path
    model_name: str
    model_sha256: str
    sample_rate: int
    duration_s: float
    num_samples: int
    loudness_gain: float
    num_levels: int
    codebook_size: int
    spatial_shape: tuple[int, int]
    mel_shape: tuple[int, int]
    level_labels: list[str]
    indices: torch.Tensor

    def as_encoded(self) -> EncodedAudio:
        """The same fields as encode_audio_file returns, for decoding or drawing the grid."""
        return EncodedAudio(
            indices=self.indices,
            spatial_shape=self.spatial_shape,
            mel_shape=self.mel_shape,
            num_quantizers=self.num_levels,
            codebook_size=self.codebook_size,
            duration_s=self.duration_s,
            loudness_gain=self.loudness_gain,
            num_samples=self.num_samples,
        )


def model_sha256(path: str | Path) -> str:
    """Hex sha256 of a model file's weights: the safetensors data after its JSON header.

    The header (name, level labels, ...) is left out, so renaming a model or its levels
    keeps its codes files valid; any change to the weights does not. Read in 1 MiB blocks.
    """
    digest = hashlib.sha256()
    size = Path(path).stat().st_size
    with Path(path).open("rb") as handle:
        header_size = int.from_bytes(handle.read(8), "little")
        # Not a safetensors layout: hash all of it (loading it will say what is wrong).
        handle.seek(8 + header_size if 8 + header_size <= size else 0)
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def write_codes_json(
    path: str | Path, encoded: EncodedAudio, model_path: str | Path, level_labels: list[str]
) -> Path:
    """Write the code grid of `encoded` (from encode_audio_file) atomically; returns the path.

    One line per header field and one line per level's codes, so the file stays readable.
    The document is checked as read_codes_json would check it first (CodesFileError).
    """
    path = Path(path)
    indices = encoded["indices"]  # [1, F', L]
    info = read_model_info(model_path)
    header: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "model_name": info.name,
        "model_sha256": model_sha256(model_path),
        "sample_rate": int(info.spectrogram_config["sample_rate"]),
        "duration_s": float(encoded["duration_s"]),
        "num_samples": int(encoded["num_samples"]),
        "loudness_gain": float(encoded["loudness_gain"]),
        "num_levels": int(encoded["num_quantizers"]),
        "codebook_size": int(encoded["codebook_size"]),
        "spatial_shape": [int(v) for v in encoded["spatial_shape"]],
        "mel_shape": [int(v) for v in encoded["mel_shape"]],
        "level_labels": [str(label) for label in level_labels],
    }
    rows = indices[0].T.tolist()  # [L, F']: one list per level
    _check_header(path, {**header, "codes": rows})  # never write what read_codes_json refuses
    _check_codes(path, {**header, "codes": rows})
    lines = [f"  {json.dumps(key)}: {json.dumps(value)}," for key, value in header.items()]
    codes = ",\n".join(f"    {json.dumps(row, separators=(',', ':'))}" for row in rows)
    text = "{\n" + "\n".join(lines) + '\n  "codes": [\n' + codes + "\n  ]\n}\n"
    return write_text_atomic(path, text)


def write_text_atomic(path: Path, text: str) -> Path:
    """Write UTF-8 text through a temporary file and a rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def read_codes_json(
    path: str | Path,
    loaded: LoadedVQModel | None = None,
    model_path: str | Path | None = None,
) -> CodesDocument:
    """Read and check a codes file; with a model, also check that the codes are its own.

    The model check compares levels, codebook size, mel bins, sample rate, frames per column
    and the model file's sha256 (model_path, else loaded.path). Raises CodesFileError.
    """
    path = Path(path)
    document = _load_document(path)
    _check_header(path, document)
    indices = _check_codes(path, document)
    result = CodesDocument(
        path=path,
        model_name=document["model_name"],
        model_sha256=document["model_sha256"],
        sample_rate=document["sample_rate"],
        duration_s=float(document["duration_s"]),
        num_samples=document["num_samples"],
        loudness_gain=float(document["loudness_gain"]),
        num_levels=document["num_levels"],
        codebook_size=document["codebook_size"],
        spatial_shape=(1, indices.shape[1]),
        mel_shape=(document["mel_shape"][0], document["mel_shape"][1]),
        level_labels=list(document["level_labels"]),
        indices=indices,
    )
    if loaded is not None or model_path is not None:
        _check_model(result, loaded, model_path)
    return result


def _load_document(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise CodesFileError(f"No codes file at {path}; check the path.")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CodesFileError(
            f"{path.name} is not a codes file: it is not valid JSON. Make one with "
            "`distill encode`."
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise CodesFileError(
            f'{path.name} is not a Distill codes file (no "format": "{FORMAT_NAME}").'
        )
    version = document.get("version")
    if version != FORMAT_VERSION:
        raise CodesFileError(
            f"{path.name} is codes format version {version!r}; this Distill reads version "
            f"{FORMAT_VERSION}. Encode the audio again with this version."
        )
    return document


def _is_type(value: Any, kind: type | tuple[type, ...]) -> bool:
    return isinstance(value, kind) and not isinstance(value, bool)


def _check_header(path: Path, document: dict[str, Any]) -> None:
    """Every key present with the right type and a sane value."""
    missing = [key for key in _HEADER_TYPES if key not in document]
    if missing:
        raise CodesFileError(f"{path.name} is missing {', '.join(missing)}; encode it again.")
    for key, kind in _HEADER_TYPES.items():
        if not _is_type(document[key], kind):
            raise CodesFileError(f"{path.name}: '{key}' has the wrong type ({document[key]!r}).")
    for key in ("sample_rate", "num_samples", "num_levels", "codebook_size"):
        if document[key] < 1:
            raise CodesFileError(f"{path.name}: '{key}' must be positive, got {document[key]}.")
    for key in ("duration_s", "loudness_gain"):
        if not math.isfinite(document[key]) or document[key] <= 0:
            raise CodesFileError(f"{path.name}: '{key}' must be a positive number.")
    if abs(document["duration_s"] * document["sample_rate"] - document["num_samples"]) > 1:
        raise CodesFileError(
            f"{path.name}: duration_s disagrees with num_samples at {document['sample_rate']} Hz."
        )
    for key in ("spatial_shape", "mel_shape"):
        shape = document[key]
        if len(shape) != 2 or not all(_is_type(v, int) and v >= 1 for v in shape):
            raise CodesFileError(f"{path.name}: '{key}' must be two positive whole numbers.")
    if document["spatial_shape"][0] != 1:
        raise CodesFileError(f"{path.name}: spatial_shape must be [1, columns].")
    labels = document["level_labels"]
    if len(labels) != document["num_levels"] or not all(isinstance(v, str) for v in labels):
        raise CodesFileError(
            f"{path.name}: level_labels must be {document['num_levels']} texts, one per level."
        )


def _check_codes(path: Path, document: dict[str, Any]) -> torch.Tensor:
    """The per-level code lists -> indices [1, F', L], after checking counts and range."""
    rows, levels = document["codes"], document["num_levels"]
    columns, size = document["spatial_shape"][1], document["codebook_size"]
    if len(rows) != levels:
        raise CodesFileError(f"{path.name}: 'codes' has {len(rows)} levels, not {levels}.")
    for level, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != columns:
            count = len(row) if isinstance(row, list) else "no list of"
            raise CodesFileError(
                f"{path.name}: level {level} has {count} codes, but spatial_shape says "
                f"{columns} columns."
            )
        if not all(_is_type(code, int) and 0 <= code < size for code in row):
            raise CodesFileError(
                f"{path.name}: level {level} holds a code that is not a whole number from "
                f"0 to {size - 1}."
            )
    if columns > document["mel_shape"][1]:
        raise CodesFileError(f"{path.name}: more code columns than mel frames in mel_shape.")
    return torch.tensor(rows, dtype=torch.long).T.unsqueeze(0)  # [L, F'] -> [1, F', L]


def _check_model(
    document: CodesDocument, loaded: LoadedVQModel | None, model_path: str | Path | None
) -> None:
    """The codes must have been made by this very model (same shapes and same file hash)."""
    name = document.path.name
    if loaded is not None:
        model, config = loaded.model, loaded.spectrogram.config
        padded_samples = max(document.num_samples, config.n_fft)  # short inputs are padded
        expected = {
            "levels": (document.num_levels, model.num_quantizers),
            "codebook size": (document.codebook_size, model.codebook_size),
            "mel bins": (document.mel_shape[0], config.n_mels),
            "sample rate": (document.sample_rate, config.sample_rate),
            "mel frames": (document.mel_shape[1], loaded.spectrogram.num_frames(padded_samples)),
            "columns": (
                document.spatial_shape[1],
                math.ceil(document.mel_shape[1] / model.config.time_downsample),
            ),
        }
        for what, (found, wanted) in expected.items():
            if found != wanted:
                raise CodesFileError(
                    f"{name} does not fit this model: {what} {found} in the file, {wanted} "
                    f"for the model. The codes were made by model '{document.model_name}'."
                )
        model_path = model_path or loaded.path
    if model_path is not None and model_sha256(model_path) != document.model_sha256:
        raise CodesFileError(
            f"{name} was made by model '{document.model_name}' (sha256 "
            f"{document.model_sha256[:12]}...), not by {Path(model_path).name}; decode it with "
            "that model, or encode the audio again with this one."
        )

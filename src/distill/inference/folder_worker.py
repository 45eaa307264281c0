"""What one folder-encoding worker process does: load the model once, then encode files.

Runs in processes spawned by inference/folder.py. Each worker uses one torch thread: the
parallelism is the number of workers, and N workers with N threads each would fight over
the same cores.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from distill.inference.codes import encode_grid
from distill.inference.codes_json import write_codes_json
from distill.models.labels import get_level_labels
from distill.models.persistence import LoadedVQModel, load_model


@dataclass(frozen=True)
class FolderJob:
    source: Path  # an audio file
    target: Path  # its codes JSON file
    refine_steps: int | None = None  # steps refining the codes (None: by length; 0: none)


@dataclass(frozen=True)
class EncodedFile:
    source: Path
    target: Path
    duration_s: float  # of the audio (0 when it could not be encoded)
    error: str | None = None  # why it was skipped; None: written


class _Worker:
    """This process's model (a worker encodes many files with one load)."""

    loaded: LoadedVQModel | None = None
    model_path: Path | None = None


def start_worker(model_path: str, device: str) -> None:
    """The pool's initializer: one torch thread, the model loaded once."""
    torch.set_num_threads(1)
    _Worker.model_path = Path(model_path)
    _Worker.loaded = load_model(model_path, device)


def encode_one(job: FolderJob) -> EncodedFile:
    """Encode one file to its codes JSON (atomic write); any failure becomes its reason."""
    loaded, model_path = _Worker.loaded, _Worker.model_path
    if loaded is None or model_path is None:
        raise RuntimeError("encode_one runs in a worker started by start_worker")
    try:
        grid = encode_grid(job.source, loaded, refine_steps=job.refine_steps)
        grid = grid.with_labels(get_level_labels(grid.num_levels, loaded.metadata.level_labels))
        write_codes_json(job.target, grid, model_path)
    except Exception as error:  # a bad file is listed, never fatal (the caller says which)
        kind = "" if isinstance(error, (ValueError, OSError)) else f"{type(error).__name__}: "
        return EncodedFile(job.source, job.target, 0.0, f"{kind}{error}")
    return EncodedFile(job.source, job.target, grid.duration_s)

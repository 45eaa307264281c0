"""The models folder: list, find, rename, delete and re-label model files (each one read and
written through models/persistence.py; the demo and read-only models are refused)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from distill.models import persistence
from distill.models.locks import check_not_running
from distill.models.persistence import (
    MODEL_SUFFIX,
    ModelFileError,
    ModelInfo,
    ModelMetadata,
    load_model,
    models_dir,
    read_model_info,
    rewrite_model,
    validate_model_name,
)


def _model_files(directory: Path) -> Iterator[Path]:
    if directory.is_dir():
        yield from sorted(directory.glob(f"*{MODEL_SUFFIX}"))


def list_models(directory: Path | None = None, include_demo: bool = True) -> list[ModelInfo]:
    """Models in the models directory (headers only), the bundled demo first. Damaged files
    are skipped here; `read_model_info` says what is wrong with one."""
    paths = list(_model_files(directory or models_dir()))
    if include_demo and persistence.DEMO_MODEL_PATH.is_file():
        paths.insert(0, persistence.DEMO_MODEL_PATH)
    infos = []
    for path in paths:
        try:
            infos.append(read_model_info(path))
        except ModelFileError:
            continue
    return infos


def find_model(name_or_path: str, directory: Path | None = None) -> Path:
    """A model by name ('demo' is the bundled one) or by path to a .distill file."""
    if name_or_path == "demo":
        if not persistence.DEMO_MODEL_PATH.is_file():
            raise ModelFileError("The bundled demo model is missing; run `make demo-model`.")
        return persistence.DEMO_MODEL_PATH
    candidate = Path(name_or_path).expanduser()
    if candidate.suffix == MODEL_SUFFIX or candidate.is_file():
        if not candidate.is_file():
            raise ModelFileError(f"No model file at {candidate}.")
        return candidate
    path = (directory or models_dir()) / f"{name_or_path}{MODEL_SUFFIX}"
    if not path.is_file():
        known = ", ".join(info.lookup_name for info in list_models(directory)) or "none"
        raise ModelFileError(f"No model named '{name_or_path}'. Known models: {known}.")
    return path


def check_writable(path: str | Path, action: str) -> ModelInfo:
    """The model's header, or a ModelFileError if it is read-only (the bundled demo, or one
    marked read_only): `action` says what was refused ('renamed', 'deleted', 'changed')."""
    info = read_model_info(path)
    if info.read_only:
        which = "The bundled demo model" if info.is_demo else f"The model '{info.name}'"
        raise ModelFileError(f"{which} is read-only: it cannot be {action}.")
    return info


def update_metadata(path: str | Path, **changes: Any) -> ModelInfo:
    """Rewrite a model's metadata fields (name, level labels, ...) atomically; weights
    untouched. Read-only models are refused."""
    path = Path(path)
    check_writable(path, "changed")
    unknown = sorted(set(changes) - set(ModelMetadata.__dataclass_fields__))
    if unknown:
        raise ValueError(f"A model's metadata has no field '{unknown[0]}'.")
    loaded = load_model(path)
    metadata = replace(loaded.metadata, **changes)
    rewrite_model(path, loaded, metadata=metadata)
    return read_model_info(path)


def rename_model(path: str | Path, new_name: str) -> Path:
    """Rename a model: new file name and new name inside; refuses to overwrite another model."""
    path = Path(path)
    check_writable(path, "renamed")
    check_not_running(path, "renamed")
    target = path.with_name(f"{validate_model_name(new_name)}{MODEL_SUFFIX}")
    if target.exists() and target.resolve() != path.resolve():
        raise ModelFileError(f"A model named '{new_name}' already exists.")
    check_not_running(target, "replaced")
    update_metadata(path, name=new_name.strip())
    os.replace(path, target)
    return target


def delete_model(path: str | Path) -> None:
    """Delete a model file; only a Distill model, and never a read-only one."""
    path = Path(path)
    check_writable(path, "deleted")
    check_not_running(path, "deleted")
    path.unlink()


def unreadable_models(directory: Path | None = None) -> list[tuple[Path, str]]:
    """The .distill files in the models directory that `list_models` skips, each with the
    sentence that says why (damaged, another format, a newer version, ...)."""
    unreadable = []
    for path in _model_files(directory or models_dir()):
        try:
            read_model_info(path)
        except ModelFileError as error:
            unreadable.append((path, str(error)))
    return unreadable

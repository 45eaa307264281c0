"""What a model file says about its training, as records: codebook health, the dataset and
training summaries, and the one reader that turns stored JSON back into them.

Every record keeps the JSON shape it has always been written in (`to_dict`), and `from_dict`
reads older files too: unknown keys are ignored, keys added later take their defaults, and a
value of the wrong type is a `RecordError` naming the field (never a KeyError or TypeError).
"""

from __future__ import annotations

import dataclasses
import types
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, TypeVar, Union, get_args, get_origin, get_type_hints

R = TypeVar("R")

DIAGNOSTICS_VERSION = 1  # CodebookHealth.diagnostics_version of files that hold diagnostics


class RecordError(ValueError):
    """Stored data whose values have the wrong types (the message names the field)."""


_KINDS = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}


def _describe(hint: Any) -> str:
    if hint in _KINDS:
        return _KINDS[hint]
    origin = get_origin(hint)
    if origin in (tuple, list):
        return "a list"
    if origin is dict or dataclasses.is_dataclass(hint):
        return "an object"
    if origin in (Union, types.UnionType):
        return " or ".join("null" if a is type(None) else _describe(a) for a in get_args(hint))
    return str(hint)


def _read_value(value: Any, hint: Any, where: str) -> Any:
    """`value` as the annotation `hint` says (lists become tuples where the hint is a tuple)."""
    origin, args = get_origin(hint), get_args(hint)
    if hint is Any:
        return value
    if origin in (Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if value is None and len(options) < len(args):
            return None
        if len(options) == 1:  # X | None: X's own message, if it is about something inside
            try:
                return _read_value(value, options[0], where)
            except RecordError as error:
                if not str(error).startswith(f"{where} should be "):
                    raise
        for option in options:
            try:
                return _read_value(value, option, where)
            except RecordError:
                continue
    elif hint is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    elif hint in (bool, int, str) and type(value) is hint:
        return value
    elif origin in (tuple, list) and isinstance(value, (list, tuple)):
        item = args[0] if args else Any
        items = [_read_value(v, item, f"{where}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    elif origin is dict and isinstance(value, dict):
        return dict(value)
    elif dataclasses.is_dataclass(hint) and isinstance(value, dict):
        return read_record(hint, value, where)  # type: ignore[arg-type]
    raise RecordError(f"{where} should be {_describe(hint)}, not {value!r:.60}.")


def read_record(cls: type[R], data: Any, where: str) -> R:
    """A frozen dataclass `cls` from stored JSON `data`, type-checked field by field.

    Unknown keys are ignored and missing keys take the field's default (older files); a key
    a record has renamed since (its RENAMED_KEYS, old: new) is read under its new name; a
    missing key without a default, or a value of the wrong type, is a RecordError. A value
    the record itself refuses (its __post_init__ raising ValueError) is one too.
    """
    if not isinstance(data, dict):
        raise RecordError(f"{where} should be an object, not {data!r:.60}.")
    for old, new in getattr(cls, "RENAMED_KEYS", {}).items():  # older files' names
        if old in data and new not in data:
            data = {**data, new: data[old]}
    hints = get_type_hints(cls)
    values = {}
    for entry in dataclasses.fields(cls):  # type: ignore[arg-type]
        if entry.name in data:
            values[entry.name] = _read_value(
                data[entry.name], hints[entry.name], f"{where}.{entry.name}"
            )
        elif entry.default is dataclasses.MISSING and entry.default_factory is dataclasses.MISSING:
            raise RecordError(f"{where} has no '{entry.name}'.")
    try:
        return cls(**values)
    except (TypeError, ValueError) as error:
        raise RecordError(f"{where} is not usable: {error}") from None


@dataclass(frozen=True)
class LevelHealth:
    """How one level of a trained model uses its codebook, over a full pass of its data."""

    level: int  # 0-based, coarsest first
    codebook_size: int  # K
    used_codes: int
    utilisation: float  # used / K
    perplexity: float  # exp(entropy of code use): the effective number of codes
    dead_codes: int
    # Diagnostics (DIAGNOSTICS_VERSION 1; absent in older files, None there): how often each
    # code was chosen over the training set [K], and how much muting this level changes the
    # decode on held-out audio (mean |log-mel difference| in dB of mel power).
    code_counts: tuple[int, ...] | None = None
    contribution_db: float | None = None


@dataclass(frozen=True)
class CodebookHealth:
    """Codebook use per level and plain-language warnings about levels that use few codes."""

    levels: tuple[LevelHealth, ...]
    warnings: tuple[str, ...] = ()
    # 0: health only (older files); DIAGNOSTICS_VERSION: per-code counts and contributions.
    diagnostics_version: int = 0

    @property
    def has_diagnostics(self) -> bool:
        """Whether this file holds the usage heatmap and the level contributions."""
        return self.diagnostics_version >= DIAGNOSTICS_VERSION and all(
            level.code_counts is not None and level.contribution_db is not None
            for level in self.levels
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any, where: str = "codebook_health") -> CodebookHealth:
        return read_record(cls, data, where)


@dataclass(frozen=True)
class DatasetSummary:
    """What a model was trained on (names only, capped: a header stays small)."""

    num_files: int = 0
    num_train_files: int = 0
    num_val_files: int = 0
    total_duration_s: float = 0.0
    file_names: tuple[str, ...] = ()
    validation_file_names: tuple[str, ...] = ()  # held out (absent in the first files)
    skipped_files: tuple[str, ...] = ()  # "name: why" for files that could not be read
    # The folders the files were read from (absolute; absent in older files), so the Codes
    # tab can play a second of an original where a code occurs, while the files are there.
    source_folders: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any, where: str = "dataset") -> DatasetSummary:
        return read_record(cls, data, where)


@dataclass(frozen=True)
class BaseIdentity:
    """Which base model a model started from (models/base.py): its name and the SHA-256 of
    its file."""

    name: str
    sha256: str


@dataclass(frozen=True)
class TrainingSetup:
    """Where a model was trained and at what size: the device preset (training/presets.py),
    what was set by hand, and how many processes trained it (torchrun's world size)."""

    RENAMED_KEYS: ClassVar[dict[str, str]] = {"chunk_frames": "crop_frames"}

    preset: str = ""  # cpu | mps | cuda; "" in files from before presets
    num_processes: int = 1
    batch_size: int = 0  # windows per step, per process (0: not recorded)
    crop_frames: int = 0  # the window length in mel frames
    mixed_precision: bool = False  # bf16 autocast of the convolutions
    set_by_hand: tuple[str, ...] = ()  # preset fields the user overrode
    backend: str = ""  # torch.distributed's (gloo, nccl) with several processes

    def describe(self, hidden_channels: int) -> str:
        """One line for summaries: 'preset cuda (width 256, batch 64, ...), 2 processes'."""
        if not self.preset:
            return "trained before device presets (no setup recorded)"
        precision = "bf16 mixed precision" if self.mixed_precision else "float32"
        by_hand = f"; set by hand: {', '.join(self.set_by_hand)}" if self.set_by_hand else ""
        processes = "1 process" if self.num_processes == 1 else f"{self.num_processes} processes"
        if self.backend:
            processes += f" (torchrun, {self.backend})"
        return (
            f"preset {self.preset} (width {hidden_channels}, batch {self.batch_size} per "
            f"process, {self.crop_frames}-frame crops, {precision}{by_hand}), {processes}"
        )


@dataclass(frozen=True)
class TrainingSummary:
    """How a model was trained: how long, how well, where, and with which settings."""

    steps: int = 0
    epochs: float = 0.0
    elapsed_s: float = 0.0
    best_val_loss: float | None = None
    device: str = ""
    # training.TrainConfig's fields (model and front end aside: the file keeps those itself)
    # as JSON: models/ cannot import training/. TrainConfig.to_stored writes them and
    # TrainConfig.from_stored, the one reader, turns them back into a TrainConfig.
    train_config: dict[str, Any] = field(default_factory=dict)
    setup: TrainingSetup = field(default_factory=TrainingSetup)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any, where: str = "training") -> TrainingSummary:
        return read_record(cls, data, where)

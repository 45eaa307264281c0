"""Model files: one safetensors `NAME.distill` per model, JSON metadata in its header, no pickle."""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save

from distill.audio.spectrogram import AudioSpectrogram, SpectrogramConfig
from distill.files import write_bytes_atomic
from distill.models.prior import CodePrior, PriorConfig
from distill.models.prior_records import PriorMetadata, TrainedPrior
from distill.models.prior_stored import PRIOR_PREFIX, prior_records, prior_tensors, rebuild_prior
from distill.models.records import (
    BaseIdentity,
    CodebookHealth,
    DatasetSummary,
    RecordError,
    TrainingSummary,
    read_record,
)
from distill.models.vqvae import ConvVQVAE, VQVAEConfig

FORMAT_NAME = "distill-model"
FORMAT_VERSION = 1
MODEL_TYPE = "rvq-vae"
MODEL_SUFFIX = ".distill"
METADATA_KEY = "distill"
DEMO_MODEL_PATH = Path(__file__).resolve().parent.parent / "demo" / "demo.distill"
DEMO_DISPLAY_NAME = "demo (bundled example)"
_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")


class ModelFileError(ValueError):
    """A model file that is missing, damaged, foreign or from an unknown format version."""


@dataclass
class ModelMetadata:
    """What a model file says about itself, besides its weights."""

    name: str
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    dataset: DatasetSummary | None = None  # None: not trained by `train_vqvae` (or not yet)
    training: TrainingSummary | None = None
    level_labels: list[str] | None = None
    read_only: bool = False
    base: BaseIdentity | None = None  # the base it was fine-tuned from; None: from scratch

    def to_dict(self) -> dict[str, Any]:
        """The stored shape: a missing summary is written as {}, as it always was."""
        document = asdict(self)
        for key in ("dataset", "training"):
            document[key] = document[key] or {}
        return document

    @classmethod
    def from_dict(cls, data: Any, where: str = "metadata") -> ModelMetadata:
        """From the stored JSON, type-checked (RecordError); older files' gaps get defaults."""
        if isinstance(data, dict):  # {} is how files say "no summary"
            empty = {k for k in ("dataset", "training") if data.get(k) == {}}
            data = {k: None if k in empty else v for k, v in data.items()}
        return read_record(cls, data, where)


@dataclass(frozen=True)
class ModelInfo:
    """A model file read from its header alone (cheap): for lists and the Library tab."""

    path: Path
    metadata: ModelMetadata
    vqvae_config: VQVAEConfig
    spectrogram_config: SpectrogramConfig
    codebook_health: CodebookHealth | None
    size_bytes: int
    prior_config: PriorConfig | None = None  # None: no prior (older files, or --no-prior)
    prior_metadata: PriorMetadata | None = None

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def is_demo(self) -> bool:
        return self.path.resolve() == DEMO_MODEL_PATH

    @property
    def read_only(self) -> bool:
        """The bundled demo, or a model marked read-only: no rename, delete or changes."""
        return self.is_demo or self.metadata.read_only

    @property
    def lookup_name(self) -> str:
        """The name `find_model` finds this model by: 'demo' for the bundled one."""
        return "demo" if self.is_demo else self.name

    @property
    def display_name(self) -> str:
        """The name lists show (the app's and the CLI's): the bundled demo says what it is."""
        return DEMO_DISPLAY_NAME if self.is_demo else self.name


@dataclass
class LoadedVQModel:
    """A model ready for inference, with the fields the codes spec names."""

    model: ConvVQVAE
    spectrogram: AudioSpectrogram
    metadata: ModelMetadata
    device: torch.device
    codebook_health: CodebookHealth | None
    vqvae_config: VQVAEConfig
    prior: CodePrior | None = None  # None: the file has no prior ("no prior" where offered)
    prior_config: PriorConfig | None = None
    prior_metadata: PriorMetadata | None = None
    path: Path | None = None
    prior_grids: torch.Tensor | None = None  # codes [N, L]: what the prior was trained on
    # What the file stores its weights in (they load into float32 either way): kept by
    # `rewrite_model`.
    weights_dtype: torch.dtype = torch.float32

    @property
    def trained_prior(self) -> TrainedPrior | None:
        """The prior with its record and grids, as one value (None: no prior)."""
        if self.prior is None or self.prior_metadata is None or self.prior_grids is None:
            return None
        return TrainedPrior(self.prior, self.prior_metadata, self.prior_grids)


def models_dir() -> Path:
    """Where user models live: $DISTILL_HOME/models, else ~/.distill/models."""
    home = os.environ.get("DISTILL_HOME")
    base = Path(home).expanduser() if home else Path.home() / ".distill"
    return base / "models"


def validate_model_name(name: str) -> str:
    """A model name is also a file name: letters, digits, space, '_', '-', '.'; up to 64."""
    name = name.strip()
    if name.lower() == "demo" or not _NAME_PATTERN.match(name):
        raise ModelFileError(
            f"'{name}' is not a usable model name: use 1-64 letters, digits, spaces, '_', '-' "
            "or '.', starting with a letter or digit ('demo' is taken by the bundled model)."
        )
    return name


def model_path(name: str, directory: Path | None = None) -> Path:
    return (directory or models_dir()) / f"{validate_model_name(name)}{MODEL_SUFFIX}"


def resolve_device(device: str = "auto") -> torch.device:
    """'auto' picks CUDA, then Apple's MPS, then the CPU."""
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if device not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device must be auto, cpu, cuda or mps, not '{device}'")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("CUDA was asked for, but no CUDA GPU is available here")
    if device == "mps" and not torch.backends.mps.is_available():
        raise ValueError("MPS was asked for, but Apple's Metal backend is not available here")
    return torch.device(device)


def _header(
    metadata: ModelMetadata,
    vqvae_config: VQVAEConfig,
    spectrogram_config: SpectrogramConfig,
    codebook_health: CodebookHealth | None,
    prior: TrainedPrior | None = None,
) -> dict[str, str]:
    document: dict[str, Any] = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "model_type": MODEL_TYPE,
        "metadata": metadata.to_dict(),
        "vqvae_config": vqvae_config.to_dict(),
        "spectrogram_config": spectrogram_config.to_dict(),
        "codebook_health": codebook_health.to_dict() if codebook_health else None,
    }
    if prior is not None:
        document["prior"] = {"config": prior.config.to_dict(), "metadata": prior.metadata.to_dict()}
    return {METADATA_KEY: json.dumps(document)}


def save_model(
    path: str | Path,
    model: ConvVQVAE,
    spectrogram_config: SpectrogramConfig,
    metadata: ModelMetadata,
    codebook_health: CodebookHealth | None = None,
    prior: TrainedPrior | None = None,
    weights_dtype: torch.dtype | None = None,
) -> Path:
    """Write the model atomically (temporary file, then rename): never a half-written file.

    `prior`, when given, is saved in the same file (tensors under PRIOR_PREFIX). A full disk
    or a folder that cannot be written raises WriteError, in plain words. `weights_dtype`
    (e.g. float16, for the shipped base) stores the floating-point weights in that type;
    loading copies them into the model's float32.
    """
    tensors = {k: _stored(v, weights_dtype) for k, v in model.state_dict().items()}
    if prior is not None:
        tensors |= prior_tensors(prior)
    header = _header(metadata, model.config, spectrogram_config, codebook_health, prior)
    return write_bytes_atomic(path, save(tensors, metadata=header))


def rewrite_model(
    path: str | Path,
    loaded: LoadedVQModel,
    *,
    metadata: ModelMetadata | None = None,
    codebook_health: CodebookHealth | None = None,
    prior: TrainedPrior | None = None,
) -> Path:
    """Write a loaded model back with the parts given replaced (None: as loaded), its
    weights in the type its file stored them in: a half-precision file stays half its size
    and keeps its weights' hash, so the codes files made with it stay valid."""
    return save_model(
        path,
        loaded.model,
        loaded.spectrogram.config,
        loaded.metadata if metadata is None else metadata,
        loaded.codebook_health if codebook_health is None else codebook_health,
        loaded.trained_prior if prior is None else prior,
        weights_dtype=loaded.weights_dtype,
    )


def _stored(tensor: torch.Tensor, dtype: torch.dtype | None) -> torch.Tensor:
    tensor = tensor.detach().to("cpu")
    if dtype is not None and tensor.is_floating_point():
        tensor = tensor.to(dtype)
    return tensor.contiguous()


HEADER_ALLOWANCE_BYTES = 1 << 20  # JSON header, codebook health, a prior's few tensors


def model_file_bytes(model: ConvVQVAE) -> int:
    """About how large `model`'s file will be: its weights (known from its config) plus a
    generous allowance for the header; what a save needs free on the disk."""
    weights = sum(t.numel() * t.element_size() for t in model.state_dict().values())
    return weights + HEADER_ALLOWANCE_BYTES


def _read_document(path: Path) -> dict[str, Any]:
    """The JSON header of a model file, checked for format, type and version."""
    if not path.is_file():
        raise ModelFileError(f"No model file at {path}.")
    try:
        with safe_open(str(path), framework="pt") as handle:
            raw = (handle.metadata() or {}).get(METADATA_KEY)
    except Exception:  # safetensors raises several types for damaged files
        raise ModelFileError(
            f"{path.name} is not a readable Distill model file (damaged, truncated or another "
            "format)."
        ) from None
    if raw is None:
        raise ModelFileError(f"{path.name} is a safetensors file, but not a Distill model.")
    try:
        document = json.loads(raw)
    except json.JSONDecodeError:
        raise ModelFileError(f"{path.name} has a damaged metadata header.") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{path.name} is not a Distill model file.")
    if document.get("model_type") != MODEL_TYPE:
        raise ModelFileError(
            f"{path.name} holds a '{document.get('model_type')}' model; this version reads "
            f"'{MODEL_TYPE}' models."
        )
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFileError(
            f"{path.name} uses model format version {version}; this Distill reads version "
            f"{FORMAT_VERSION}. Retrain the model or use a matching Distill version."
        )
    return document


def read_model_info(path: str | Path) -> ModelInfo:
    """Read a model's header only (no weights), as records: ModelFileError if it is damaged."""
    path = Path(path)
    document = _read_document(path)
    health = document.get("codebook_health")
    try:
        return ModelInfo(
            path=path,
            metadata=ModelMetadata.from_dict(document.get("metadata")),
            vqvae_config=VQVAEConfig.from_dict(document.get("vqvae_config")),
            spectrogram_config=read_record(
                SpectrogramConfig, document.get("spectrogram_config"), "spectrogram_config"
            ),
            codebook_health=None if health is None else CodebookHealth.from_dict(health),
            size_bytes=path.stat().st_size,
            **prior_records(document.get("prior")),
        )
    except RecordError as error:
        raise ModelFileError(f"{path.name} has a damaged metadata header: {error}") from None


def load_model(path: str | Path, device: str | torch.device = "cpu") -> LoadedVQModel:
    """Rebuild the model through its constructors and load weights strictly; eval mode."""
    info = read_model_info(path)
    target = resolve_device(device) if isinstance(device, str) else device
    spectrogram_config = SpectrogramConfig(**info.spectrogram_config.to_dict())
    try:
        tensors = load_file(str(info.path))
        model = ConvVQVAE(info.vqvae_config)
        model.load_state_dict(
            {k: v for k, v in tensors.items() if not k.startswith(PRIOR_PREFIX)}, strict=True
        )
    except Exception as error:  # shapes, missing keys, bad config values, damaged tensors
        raise ModelFileError(
            f"{info.path.name} could not be loaded: its weights do not match its configuration "
            f"({type(error).__name__})."
        ) from None
    model.to(target).eval()
    prior = _load_prior(info, tensors)
    return LoadedVQModel(
        model=model,
        spectrogram=AudioSpectrogram(spectrogram_config, target),
        metadata=info.metadata,
        device=target,
        codebook_health=info.codebook_health,
        vqvae_config=info.vqvae_config,
        path=info.path,
        prior=None if prior is None else prior.network,
        prior_config=info.prior_config,
        prior_metadata=info.prior_metadata,
        prior_grids=None if prior is None else prior.grids,
        weights_dtype=_stored_dtype(tensors),
    )


def _stored_dtype(tensors: dict[str, torch.Tensor]) -> torch.dtype:
    """The floating-point type an autoencoder's tensors were stored in (float32 if none)."""
    for name, tensor in tensors.items():
        if tensor.is_floating_point() and not name.startswith(PRIOR_PREFIX):
            return tensor.dtype
    return torch.float32


def _load_prior(info: ModelInfo, tensors: dict[str, torch.Tensor]) -> TrainedPrior | None:
    try:
        return rebuild_prior(info.prior_config, info.prior_metadata, tensors)
    except (ValueError, RuntimeError) as error:
        raise ModelFileError(f"{info.path.name} could not be loaded: {error}.") from None

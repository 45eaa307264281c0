"""Model size, batch and crop length by device: what `distill train` picks unless told.

The CPU preset is the CPU defaults themselves (TrainConfig's and VQVAEConfig's), so it moves
with them. A CUDA GPU gets a wider model, bigger batches of longer crops and bf16 mixed
precision where the GPU has bf16 (the quantizer and the loss stay in float32 either way:
ConvVQVAE.quantize turns autocast off). bf16 needs no loss scaling; fp16 would, so older
GPUs train in float32. The GPU presets are not measured yet (no GPU was available; see
bench/README.md): they are starting points, each value overridable.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch

from distill.models.persistence import resolve_device
from distill.models.vqvae import VQVAEConfig
from distill.training.data import TrainingError
from distill.training.vqvae import TrainConfig

AUTO = "auto"


@dataclass(frozen=True)
class DevicePreset:
    """The sizes one kind of device trains with."""

    name: str  # cpu | mps | cuda
    hidden_channels: int  # the model's width
    batch_size: int  # windows per step, per process
    crop_frames: int  # the crop length in mel frames (512 samples each at 48 kHz)
    mixed_precision: bool  # bf16 autocast of the convolutions


CPU_PRESET = DevicePreset(
    "cpu", VQVAEConfig.hidden_channels, TrainConfig.batch_size, TrainConfig.crop_frames, False
)
MPS_PRESET = DevicePreset("mps", VQVAEConfig.hidden_channels, 32, TrainConfig.crop_frames, False)
CUDA_PRESET = DevicePreset("cuda", 256, 64, 256, True)
PRESETS = {preset.name: preset for preset in (CPU_PRESET, MPS_PRESET, CUDA_PRESET)}

# What a user may set by hand, inclusive; the CLI and the Train tab both check here.
SETTING_LIMITS = {
    "hidden_channels": (8, 1024),
    "batch_size": (1, 4096),
    "crop_frames": (16, 8192),
    "epoch_limit": (0, 1_000_000),  # 0: no limit
}
_LABELS = {"hidden_channels": "The width", "batch_size": "The batch size"}


def check_setting(name: str, value: int | None, label: str | None = None) -> None:
    """`value` (None: not set) within SETTING_LIMITS[name], else a TrainingError that names
    it as `label` (a front end's name for it, such as an option)."""
    low, high = SETTING_LIMITS[name]
    if value is not None and not low <= value <= high:
        label = label or _LABELS.get(name, f"The {name.replace('_', ' ')}")
        raise TrainingError(f"{label} must be between {low} and {high}, not {value}.")


@dataclass(frozen=True)
class PresetOverrides:
    """Values the user set by hand; None keeps the preset's."""

    hidden_channels: int | None = None
    batch_size: int | None = None
    crop_frames: int | None = None
    mixed_precision: bool | None = None

    def __post_init__(self) -> None:
        for name in ("hidden_channels", "batch_size", "crop_frames"):
            check_setting(name, getattr(self, name))

    def names(self) -> tuple[str, ...]:
        """The fields set by hand, as TrainingSetup records them."""
        values = (self.hidden_channels, self.batch_size, self.crop_frames, self.mixed_precision)
        fields = ("hidden_channels", "batch_size", "crop_frames", "mixed_precision")
        return tuple(name for name, value in zip(fields, values, strict=True) if value is not None)


def preset_for(device: torch.device, bf16_supported: bool | None = None) -> DevicePreset:
    """The preset for a device; bf16 only where the GPU supports it (None: ask torch)."""
    if device.type == "cuda":
        if bf16_supported is None:
            bf16_supported = torch.cuda.is_bf16_supported()
        return CUDA_PRESET if bf16_supported else replace(CUDA_PRESET, mixed_precision=False)
    if device.type == "mps":
        return MPS_PRESET
    return CPU_PRESET


def named_preset(name: str, device: torch.device) -> DevicePreset:
    """'auto' (the device's own preset) or a preset by name (ValueError if unknown)."""
    if name == AUTO:
        return preset_for(device)
    if name not in PRESETS:
        known = ", ".join([AUTO, *PRESETS])
        raise ValueError(f"There is no preset '{name}': choose one of {known}.")
    preset = PRESETS[name]
    if preset.mixed_precision and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        return replace(preset, mixed_precision=False)
    return preset


def apply_preset(
    config: TrainConfig, preset: DevicePreset, overrides: PresetOverrides | None = None
) -> TrainConfig:
    """`config` with the preset's sizes, except those the user set by hand."""
    given = overrides or PresetOverrides()
    width = given.hidden_channels or preset.hidden_channels
    precision = preset.mixed_precision if given.mixed_precision is None else given.mixed_precision
    return replace(
        config,
        batch_size=given.batch_size or preset.batch_size,
        crop_frames=given.crop_frames or preset.crop_frames,
        mixed_precision=precision,
        model=replace(config.model, hidden_channels=width),
        preset=preset.name,
        preset_overrides=given.names(),
    )


def configure_for_device(
    config: TrainConfig, preset: str = AUTO, overrides: PresetOverrides | None = None
) -> TrainConfig:
    """`config` sized for its device (resolved: 'auto' becomes cuda, mps or cpu) by the
    named preset ('auto': the device's own), keeping what was set by hand. The CLI and the
    Train tab both call this, so both train the same model on the same machine."""
    device = resolve_device(config.device)
    config = replace(config, device=device.type)
    return apply_preset(config, named_preset(preset, device), overrides)

"""The time-aligned RVQ-VAE: mel bins are channels, convolutions run over time only."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F
from einops import rearrange
from loguru import logger
from torch import nn
from vector_quantize_pytorch import ResidualVQ

from distill.models.records import read_record

# The quantizer library logs k-means notes through loguru; they are not for our users.
logger.disable("vector_quantize_pytorch")

MIN_LEVELS, MAX_LEVELS = 2, 8
OUTPUTS = ("mel", "linear")  # what the decoder predicts (VQVAEConfig.output)


def adaptive_codebook_size(num_files: int) -> int:
    """K from the dataset size: small collections cannot fill big codebooks (DESIGN.md 3)."""
    if num_files <= 20:
        return 64
    if num_files <= 100:
        return 128
    return 256


@dataclass(frozen=True)
class VQVAEConfig:
    """Everything needed to rebuild a ConvVQVAE; saved inside every model file."""

    n_mels: int = 160  # the front end's bands (training sets it from SpectrogramConfig)
    hidden_channels: int = 128  # measured: 4x cheaper than 256 on a CPU; more steps per budget
    latent_dim: int = 64  # D, also the codebook dimension
    num_levels: int = 4  # L
    codebook_size: int = 128  # K
    downsample_factors: tuple[int, ...] = (2, 2)  # time stride per stage; product = frames/column
    residual_dilations: tuple[int, ...] = (1, 3, 9)
    commitment_weight: float = 0.25
    codebook_decay: float = 0.9
    dead_code_threshold: float = 2.0
    kmeans_iters: int = 10
    quantizer_dropout: float = 0.5  # share of training batches that drop the finer levels
    # Of each residual unit's output while training: a small collection is memorised, and on
    # 18 held-out recordings 0 / 0.1 / 0.2 scored 0.507 / 0.491 / 0.501 (bench/README.md).
    # From scratch only: a model started from the base takes the base's (training/from_base.py).
    dropout: float = 0.1
    # What the decoder predicts: "mel", the M log-mel bands the encoder reads, or "linear",
    # the n_fft / 2 + 1 STFT bins' log power, which keeps the partials that mel bands merge
    # and needs no mel -> linear step before Griffin-Lim (bench/README.md, issue 26). Files
    # from before this field predict mel.
    output: str = "mel"
    linear_bins: int = 1025  # n_fft / 2 + 1 of the front end, when output is "linear"
    linear_head_channels: int = 384  # the linear head's hidden width

    def __post_init__(self) -> None:
        if self.output not in OUTPUTS:
            raise ValueError(f"output must be one of {', '.join(OUTPUTS)}, got {self.output!r}")
        if self.output == "linear" and self.linear_bins <= self.n_mels:
            raise ValueError("a linear output needs more STFT bins than mel bands")
        if not MIN_LEVELS <= self.num_levels <= MAX_LEVELS:
            raise ValueError(f"levels must be {MIN_LEVELS}-{MAX_LEVELS}, got {self.num_levels}")
        if not 2 <= self.codebook_size <= 4096:
            raise ValueError(f"codebook size must be 2-4096, got {self.codebook_size}")
        if not 0.0 <= self.quantizer_dropout <= 1.0:
            raise ValueError("quantizer_dropout must be between 0 and 1")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("dropout must be at least 0 and below 1")

    @property
    def time_downsample(self) -> int:
        """Mel frames per code column."""
        factor = 1
        for f in self.downsample_factors:
            factor *= f
        return factor

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any, where: str = "vqvae_config") -> VQVAEConfig:
        """From its stored JSON: type-checked, unknown keys ignored (RecordError if bad).
        Files from before `dropout` existed were trained without it, and say so."""
        if isinstance(data, dict) and "dropout" not in data:
            data = {**data, "dropout": 0.0}
        return read_record(cls, data, where)


class ResidualUnit(nn.Module):
    """Dilated conv + 1x1 conv with a skip, as in SoundStream/EnCodec residual units."""

    def __init__(self, channels: int, dilation: int, dropout: float = 0.0):
        super().__init__()
        self.dropout = dropout  # no parameters, so model files without it load unchanged
        self.block = nn.Sequential(
            nn.ELU(),
            nn.Conv1d(channels, channels, 3, dilation=dilation, padding=dilation),
            nn.ELU(),
            nn.Conv1d(channels, channels, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + F.dropout(self.block(x), self.dropout, self.training)


def residual_stack(channels: int, dilations: tuple[int, ...], dropout: float) -> nn.Sequential:
    return nn.Sequential(*(ResidualUnit(channels, d, dropout) for d in dilations))


class Encoder(nn.Module):
    """log-mel as channels [B, M, F] -> latent [B, D, F / time_downsample]."""

    def __init__(self, config: VQVAEConfig):
        super().__init__()
        c = config.hidden_channels
        layers: list[nn.Module] = [nn.Conv1d(config.n_mels, c, 7, padding=3)]
        for factor in config.downsample_factors:
            layers += [
                residual_stack(c, config.residual_dilations, config.dropout),
                nn.ELU(),
                nn.Conv1d(c, c, 2 * factor, stride=factor, padding=factor // 2),
            ]
        layers += [residual_stack(c, config.residual_dilations, config.dropout), nn.ELU()]
        layers += [nn.Conv1d(c, config.latent_dim, 3, padding=1)]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def linear_head(channels: int, hidden: int, bins: int) -> nn.Sequential:
    """Features [B, C, F] -> log power of every STFT bin [B, N, F]. A hidden layer, not one
    linear map: sharp partials at any pitch do not lie in a C-dimensional linear span."""
    return nn.Sequential(
        nn.Conv1d(channels, hidden, 3, padding=1), nn.ELU(), nn.Conv1d(hidden, bins, 1)
    )


def mel_head(channels: int, bands: int) -> nn.Conv1d:
    """Features [B, C, F] -> log-mel [B, M, F] (the head of every model before linear ones)."""
    return nn.Conv1d(channels, bands, 7, padding=3)


class Decoder(nn.Module):
    """latent [B, D, F'] -> the output spectrum as channels [B, M or N, F' * time_downsample]:
    the trunk (net[:-1]) upsamples to mel frames, the head (net[-1]) predicts the bands."""

    def __init__(self, config: VQVAEConfig):
        super().__init__()
        c = config.hidden_channels
        layers: list[nn.Module] = [nn.Conv1d(config.latent_dim, c, 7, padding=3)]
        layers += [residual_stack(c, config.residual_dilations, config.dropout)]
        for factor in reversed(config.downsample_factors):
            layers += [
                nn.ELU(),
                nn.ConvTranspose1d(c, c, 2 * factor, stride=factor, padding=factor // 2),
                residual_stack(c, config.residual_dilations, config.dropout),
            ]
        layers += [nn.ELU()]
        if config.output == "linear":
            layers += [linear_head(c, config.linear_head_channels, config.linear_bins)]
        else:
            layers += [mel_head(c, config.n_mels)]
        self.net = nn.Sequential(*layers)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """latent [B, D, F'] -> the trunk's features [B, C, F' * time_downsample]."""
        return self.net[:-1](x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def fit_frames(spectrum: torch.Tensor, target_shape: tuple[int, int] | None) -> torch.Tensor:
    """[B, X, frames] cropped, or padded by repeating its last frame, to target_shape's F."""
    if target_shape is None:
        return spectrum
    frames = target_shape[1]
    if spectrum.shape[-1] >= frames:
        return spectrum[..., :frames]
    return F.pad(spectrum, (0, frames - spectrum.shape[-1]), mode="replicate")


class ConvVQVAE(nn.Module):
    """Encoder -> ResidualVQ -> decoder over time. The code grid is [B, F', L]."""

    def __init__(self, config: VQVAEConfig):
        super().__init__()
        self.config = config
        self.encoder = Encoder(config)
        self.quantizer = ResidualVQ(
            dim=config.latent_dim,
            num_quantizers=config.num_levels,
            codebook_size=config.codebook_size,
            kmeans_init=True,
            kmeans_iters=config.kmeans_iters,
            decay=config.codebook_decay,
            threshold_ema_dead_code=config.dead_code_threshold,  # off unless set
            commitment_weight=config.commitment_weight,
            quantize_dropout=True,
        )
        self.decoder = Decoder(config)
        self._spatial_shape: tuple[int, int] = (1, 0)
        # Which training batches drop levels: this model's own draws (training seeds them),
        # so every DDP rank, seeded alike, draws the same (the library's draw is all-reduced).
        self.dropout_draws = random.Random(0)

    @property
    def num_quantizers(self) -> int:
        return self.config.num_levels

    @property
    def codebook_size(self) -> int:
        return self.config.codebook_size

    @property
    def codebook_dim(self) -> int:
        return self.config.latent_dim

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """log-mel [B, 1, M, F] -> latent [B, D, 1, F'], F' = ceil(F / time_downsample)."""
        mel = x.squeeze(1)  # [B, M, F]
        step = self.config.time_downsample
        missing = (-mel.shape[-1]) % step
        if missing:  # pad the tail so every frame lands in a column; cropped again on decode
            mel = F.pad(mel, (0, missing), mode="replicate")
        latent = self.encoder(mel)  # [B, D, F']
        self._spatial_shape = (1, latent.shape[-1])
        return latent.unsqueeze(2)

    def quantize(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """latent [B, D, 1, F'] -> (quantized [B, D, 1, F'], codes [B, F', L], commitment loss)."""
        vectors = rearrange(z, "b d 1 f -> b f d")
        # Quantizer dropout on part of the batches only, so the first k levels alone decode to a
        # coarser sound (SoundStream's structured dropout) while full depth still gets most steps.
        # No dropout until every level's codebook has had its k-means init, so no level is left
        # to be initialised later from whatever file is encoded first.
        all_initialised = all(bool(layer._codebook.initted) for layer in self.quantizer.layers)
        self.quantizer.quantize_dropout = (
            self.training
            and all_initialised
            and self.dropout_draws.random() < self.config.quantizer_dropout
        )
        # Distances, EMA updates and k-means in float32 even under mixed precision.
        with torch.autocast(z.device.type, enabled=False):
            quantized, codes, losses = self.quantizer(vectors.float())
        commitment = losses.sum()  # one loss per level: sum them
        if not self.training:
            # Exactly the sum of codebook entries, so codes_to_embeddings round-trips bit for bit.
            return self.codes_to_embeddings(codes, (1, codes.shape[1])), codes, commitment
        return rearrange(quantized, "b f d -> b d 1 f"), codes, commitment

    def codes_to_embeddings(
        self, indices: torch.Tensor, spatial_shape: tuple[int, int]
    ) -> torch.Tensor:
        """codes [B, F', L] -> quantized [B, D, 1, F']; code -1 means the level adds nothing."""
        if indices.dim() != 3 or indices.shape[-1] != self.num_quantizers:
            raise ValueError(
                f"codes must be [B, F', {self.num_quantizers}], got {list(indices.shape)}"
            )
        height, width = spatial_shape
        if height * width != indices.shape[1]:
            raise ValueError(
                f"spatial shape {spatial_shape} does not match {indices.shape[1]} columns"
            )
        if indices.max() >= self.codebook_size or indices.min() < -1:
            raise ValueError(
                f"codes must be in [-1, {self.codebook_size}), got a value out of range"
            )
        codebooks = self.quantizer.codebooks  # [L, K, D]
        total = torch.zeros(
            indices.shape[0], indices.shape[1], self.codebook_dim, device=codebooks.device
        )
        for level in range(self.num_quantizers):
            level_codes = indices[..., level].to(codebooks.device)  # [B, F']
            present = (level_codes >= 0).unsqueeze(-1).to(total.dtype)
            total = total + codebooks[level][level_codes.clamp(min=0)] * present
        return rearrange(total, "b (h w) d -> b d h w", h=height)

    def decode(
        self, quantized: torch.Tensor, target_shape: tuple[int, int] | None = None
    ) -> torch.Tensor:
        """quantized [B, D, 1, F'] -> the output spectrum [B, 1, X, F], cropped or padded to
        target_shape's F frames: normalised log-mel (X = M) or, for a linear output, the
        normalised log power of each STFT bin (X = N). AudioSpectrogram.to_mel and
        to_waveform take either."""
        return fit_frames(self.decoder(quantized.squeeze(2)), target_shape).unsqueeze(1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """log-mel [B, 1, M, F] -> (output spectrum [B, 1, X, F], codes [B, F', L], commitment)."""
        latent = self.encode(x)
        quantized, codes, commitment = self.quantize(latent)
        recon = self.decode(quantized, target_shape=(x.shape[2], x.shape[3]))
        return recon, codes, commitment

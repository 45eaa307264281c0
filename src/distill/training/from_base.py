"""Training that starts from the shipped base model (DESIGN.md 15): the model takes the base's
encoder and decoder, its codebooks are fitted afresh on the user's audio by residual k-means
over the base encoder's latents, and then the whole model is fine-tuned."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import torch
from einops import rearrange

from distill.models.base import base_identity, default_base_path
from distill.models.persistence import ModelFileError, load_model, read_model_info
from distill.models.records import BaseIdentity
from distill.models.vqvae import ConvVQVAE, VQVAEConfig, adaptive_codebook_size
from distill.training.config import TrainConfig
from distill.training.data import MelClip, TrainingError

MAX_FIT_VECTORS = 50_000  # latents k-means sees (a random draw beyond that: minutes of audio)
# What a model keeps of its own config when it takes the base's architecture: its levels,
# codebooks and how they learn. The residual units' dropout is the base's too (0: it was
# pretrained without): fine-tuned with the from-scratch models' 0.1 the held-out files were
# 1.0-2.4% further by mel at two seeds, and level 4 added less (bench/README.md, issue 26).
OWN_FIELDS = (
    "num_levels", "codebook_size", "commitment_weight", "codebook_decay",
    "dead_code_threshold", "kmeans_iters", "quantizer_dropout",
)  # fmt: skip


@dataclass(frozen=True)
class ModelPlan:
    """The model a training builds: its config, and the base it starts from (None: scratch)."""

    config: VQVAEConfig
    base_path: Path | None
    base: BaseIdentity | None


def base_path_of(config: TrainConfig) -> Path | None:
    """The base file a training starts from (None: from scratch)."""
    if not config.from_base:
        return None
    return Path(config.base_file) if config.base_file else default_base_path()


def plan_model(config: TrainConfig, num_files: int) -> ModelPlan:
    """The model config (levels and K from the config or the collection's size) and, unless
    training from scratch, the base's architecture in place of the config's own."""
    size = config.codebook_size or adaptive_codebook_size(num_files)
    own = replace(
        config.model,
        num_levels=config.num_levels,
        codebook_size=size,
        n_mels=config.spectrogram.n_mels,
        linear_bins=config.spectrogram.n_fft // 2 + 1,
    )
    path = base_path_of(config)
    augmented = config.gain_db > 0 or config.mix_probability > 0 or config.max_shift_bins > 0
    if augmented and (own.output == "linear" or path is not None):
        raise TrainingError(
            "Gain, mixing and pitch augmentation are for mel-output models trained from scratch."
        )
    if path is None:
        return ModelPlan(own, None, None)
    try:
        info = read_model_info(path)
    except ModelFileError as error:
        raise TrainingError(
            f"The base model cannot be read ({error}); train --from-scratch."
        ) from None
    if info.spectrogram_config.to_dict() != config.spectrogram.to_dict():
        raise TrainingError(
            "These spectrogram settings differ from the base model's: train --from-scratch."
        )
    width = info.vqvae_config.hidden_channels
    if "hidden_channels" in config.preset_overrides and own.hidden_channels != width:
        raise TrainingError(
            f"The base model is {width} wide; a width of {own.hidden_channels} trains from "
            "scratch: add --from-scratch."
        )
    kept = {name: getattr(own, name) for name in OWN_FIELDS}
    return ModelPlan(replace(info.vqvae_config, **kept), path, base_identity(path))


def start_text(config: TrainConfig) -> str:
    """How a training will start, for the line before it: the base (and the width it gives)
    or from scratch."""
    path = base_path_of(config)
    if path is None:
        return "from scratch"
    try:
        info = read_model_info(path)
    except ModelFileError:
        return "from the base model (which cannot be read)"
    return f"from the base model {info.name} (width {info.vqvae_config.hidden_channels})"


def output_of(config: TrainConfig) -> str:
    """What the model a training builds will predict (its data needs linear targets if so)."""
    path = base_path_of(config)
    if path is None:
        return config.model.output
    try:
        return read_model_info(path).vqvae_config.output
    except ModelFileError:
        return config.model.output  # plan_model says what is wrong with the base


def model_from_base(plan: ModelPlan, clips: list[MelClip], seed: int) -> ConvVQVAE:
    """A model of plan.config with the base's encoder and decoder and codebooks fitted on
    `clips` (the training files)."""
    assert plan.base_path is not None
    base = load_model(plan.base_path).model
    model = ConvVQVAE(plan.config)
    model.encoder.load_state_dict(base.encoder.state_dict())
    model.decoder.load_state_dict(base.decoder.state_dict())
    fit_codebooks(model, clips, seed)
    return model


@torch.no_grad()
def fit_codebooks(model: ConvVQVAE, clips: list[MelClip], seed: int) -> None:
    """Residual k-means: level 1's codebook on the encoder's latents of every training column,
    each next level's on what the levels before it leave (the quantizer's own k-means, run on
    all the data instead of the first batch)."""
    was_training = model.training
    model.eval()
    latents = [rearrange(model.encode(c.mel.unsqueeze(0)), "1 d 1 f -> f d") for c in clips]
    vectors = torch.cat(latents)  # [columns, D]
    if vectors.shape[0] > MAX_FIT_VECTORS:
        draw = torch.randperm(vectors.shape[0], generator=torch.Generator().manual_seed(seed))
        vectors = vectors[draw[:MAX_FIT_VECTORS]]
    residual = vectors
    for layer in model.quantizer.layers:
        codebook = layer._codebook
        codebook.initted.data.fill_(False)
        codebook.init_embed_(residual.unsqueeze(0))  # [1, N, D] -> embed [1, K, D]
        embed = codebook.embed[0]
        nearest = torch.cdist(residual, embed).argmin(dim=1)
        residual = residual - embed[nearest]
    model.train(was_training)

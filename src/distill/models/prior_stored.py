"""The prior inside a model file: its tensors (prior.network.* weights, prior.grids codes)
and its header section ({"config": ..., "metadata": ...}), written and read back strictly."""

from __future__ import annotations

from typing import Any

import torch

from distill.models.prior import CodePrior, PriorConfig
from distill.models.prior_records import PriorMetadata, TrainedPrior
from distill.models.records import RecordError

PRIOR_PREFIX = "prior."
_NETWORK = f"{PRIOR_PREFIX}network."
_GRIDS = f"{PRIOR_PREFIX}grids"


def prior_tensors(prior: TrainedPrior) -> dict[str, torch.Tensor]:
    """The tensors a model file stores for `prior` (grids as int16: K is at most 4096)."""
    weights = prior.network.state_dict().items()
    tensors = {f"{_NETWORK}{k}": v.detach().to("cpu").contiguous() for k, v in weights}
    tensors[_GRIDS] = prior.grids.to("cpu", torch.int16).contiguous()
    return tensors


def prior_records(stored: Any) -> dict[str, Any]:
    """The header's prior section as ModelInfo's prior_config and prior_metadata ({} in files
    without a prior); RecordError when it is malformed."""
    if stored is None:
        return {}
    if not isinstance(stored, dict):
        raise RecordError(f"prior should be an object, not {stored!r:.60}.")
    return {
        "prior_config": PriorConfig.from_dict(stored.get("config")),
        "prior_metadata": PriorMetadata.from_dict(stored.get("metadata")),
    }


def rebuild_prior(
    config: PriorConfig | None, metadata: PriorMetadata | None, tensors: dict[str, torch.Tensor]
) -> TrainedPrior | None:
    """The stored prior rebuilt through its constructor and loaded strictly, on the CPU (its
    per-column steps are latency-bound: a GPU does not make them faster); None when the file
    has none. ValueError, one sentence, when the tensors do not fit the settings."""
    weights = {k[len(_NETWORK) :]: v for k, v in tensors.items() if k.startswith(_NETWORK)}
    grids = tensors.get(_GRIDS)
    if config is None or metadata is None:
        if weights or grids is not None:
            raise ValueError("it holds prior weights but no prior settings")
        return None
    if grids is None:
        raise ValueError("its prior has no training grids")
    network = CodePrior(config)
    try:
        network.load_state_dict(weights, strict=True)
    except RuntimeError:
        raise ValueError("its prior's weights do not match its prior settings") from None
    try:
        return TrainedPrior(network.eval(), metadata, grids.to(torch.long))
    except ValueError as error:
        raise ValueError(f"{error}") from None

"""Training on several processes started by `torchrun` (DESIGN.md 14), with PyTorch's DDP.

Invariant: every rank holds the same weights and the same codebooks after every step.
DistributedDataParallel averages the gradients; vector-quantize-pytorch syncs the codebooks
itself when a process group exists *at construction* (k-means init gathers samples from
every rank, EMA cluster sizes and sums and dead-code replacements are all-reduced), so the
group is set up here before any model is built. Whether a batch drops levels is drawn from
ConvVQVAE.dropout_draws, seeded alike on every rank (the library all-reduces its own draw of
how many levels). What the ranks would otherwise decide alone (stop now? how far through
the budget, so which learning rate?) is rank 0's choice, broadcast each step. Only rank 0
validates, saves and reports.

Without torchrun (no WORLD_SIZE above 1 in the environment) this is one process and every
function here is a no-op.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from distill.models.persistence import resolve_device
from distill.training.data import TrainingError

# A debug feature (README, "Bigger machines"): when set, every rank writes its final
# weights and codebooks to DIR/rank{N}.safetensors, so their agreement can be checked.
RANK_STATE_ENV = "DISTILL_RANK_STATE_DIR"


@dataclass(frozen=True)
class Processes:
    """Which process this is among those training one model (world_size 1: alone)."""

    rank: int = 0
    local_rank: int = 0
    world_size: int = 1
    backend: str = ""  # gloo or nccl under torchrun; "" alone

    @property
    def is_main(self) -> bool:
        """Rank 0: the one that validates, saves and reports."""
        return self.rank == 0

    @property
    def is_distributed(self) -> bool:
        return self.world_size > 1


def _environment_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise TrainingError(f"{name}={value!r} in the environment is not a whole number.") from None


def launched_processes() -> Processes:
    """What torchrun's environment (RANK, LOCAL_RANK, WORLD_SIZE) says, before any setup."""
    world_size = _environment_int("WORLD_SIZE", 1)
    if world_size <= 1:
        return Processes()
    return Processes(_environment_int("RANK", 0), _environment_int("LOCAL_RANK", 0), world_size)


def is_main_process() -> bool:
    """Whether this process should print (the CLI asks before training starts)."""
    return launched_processes().is_main


def _rank_device(requested: str, processes: Processes) -> torch.device:
    """This rank's device: its own GPU (LOCAL_RANK) under torchrun, else as requested."""
    device = resolve_device(requested)
    if not processes.is_distributed:
        return device
    if device.type == "mps":
        raise TrainingError(
            "Several processes on Apple's MPS are not supported: train with one process, or "
            "with --device cpu."
        )
    if device.type == "cuda":
        count = torch.cuda.device_count()
        if processes.local_rank >= count:
            raise TrainingError(
                f"torchrun started more processes on this machine than it has GPUs ({count}): "
                f"use --nproc_per_node {count} or fewer."
            )
        torch.cuda.set_device(processes.local_rank)
        return torch.device("cuda", processes.local_rank)
    return device


@contextmanager
def training_processes(requested_device: str) -> Iterator[tuple[Processes, torch.device]]:
    """Join torchrun's process group (if launched by it) for the length of a training run.

    Yields this process and its device. The group must exist before the model is built:
    the quantizer decides at construction whether to sync its codebooks.
    """
    launched = launched_processes()
    device = _rank_device(requested_device, launched)
    if not launched.is_distributed or dist.is_initialized():
        backend = dist.get_backend() if dist.is_initialized() else ""
        yield Processes(launched.rank, launched.local_rank, launched.world_size, backend), device
        return
    backend = "nccl" if device.type == "cuda" else "gloo"
    dist.init_process_group(backend, init_method="env://")
    try:
        yield Processes(launched.rank, launched.local_rank, launched.world_size, backend), device
    finally:
        dist.destroy_process_group()


def data_parallel(model: nn.Module, processes: Processes, device: torch.device) -> nn.Module:
    """The module to run training steps through: DDP across ranks, the model itself alone.

    Buffers are synced once at the start, not broadcast from rank 0 before every step
    (forward_sync_buffers=False): the quantizer keeps its codebooks in sync itself, and the
    rank-state check proves it.
    """
    if not processes.is_distributed:
        return model
    device_ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(model, device_ids=device_ids, forward_sync_buffers=False)


def rank_zero_decides(processes: Processes, fraction_done: float, stop: bool) -> tuple[float, bool]:
    """Rank 0's budget fraction and stop decision, the same on every rank.

    A time budget is measured by each rank's own clock: left alone, ranks would stop at
    different steps (one would wait forever for the others) and use different learning rates.
    """
    if not processes.is_distributed:
        return fraction_done, stop
    decision = torch.tensor([fraction_done, float(stop)], dtype=torch.float64)
    decision = decision.to(_collective_device(processes))
    dist.broadcast(decision, src=0)
    return float(decision[0]), bool(decision[1] > 0.5)


def require_file_everywhere(processes: Processes, path: Path) -> None:
    """For --resume: every rank must start from the same saved model, or none from one (a
    rank without the file would build a fresh model). TrainingError on every rank if not."""
    if not processes.is_distributed:
        return
    having = torch.tensor([int(path.is_file())]).to(_collective_device(processes))
    dist.all_reduce(having)
    count = int(having.item())
    if 0 < count < processes.world_size:
        raise TrainingError(
            f"To resume, every machine needs {path.name} in its models folder: "
            f"{count} of the {processes.world_size} processes found it. Copy it to the others."
        )


def _collective_device(processes: Processes) -> torch.device:
    """NCCL moves GPU tensors only; gloo, CPU ones."""
    if processes.backend == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def wait_for_rank_zero(processes: Processes) -> None:
    """Every rank waits here until rank 0 has written the model file."""
    if processes.is_distributed:
        dist.barrier()


def dump_rank_state(model: nn.Module, processes: Processes, notes: dict[str, str]) -> Path | None:
    """With DISTILL_RANK_STATE_DIR set, write this rank's weights and buffers (safetensors,
    with `notes` and the rank in its header) to DIR/rank{N}.safetensors; else nothing."""
    from safetensors.torch import save_file

    directory = os.environ.get(RANK_STATE_ENV)
    if not directory:
        return None
    path = Path(directory) / f"rank{processes.rank}.safetensors"
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
    header = {**notes, "rank": str(processes.rank), "world_size": str(processes.world_size)}
    save_file(tensors, str(path), metadata=header)
    return path

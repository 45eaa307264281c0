"""The prior's data: the code grids of a collection (each file encoded once by the trained
autoencoder), split by whole files into training and held-out, and the batches of
consecutive segments that carry the context through each file."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from distill.audio.io import AudioError
from distill.inference.codes import encode_grid
from distill.models.persistence import LoadedVQModel
from distill.models.prior import START
from distill.models.prior_records import PriorFile
from distill.training.data import TrainingError, collect_audio_files, split_validation

IGNORE = -100  # target of padding after a file's end: no loss


@dataclass(frozen=True)
class FileGrid:
    """One file's codes [F', L] and whether it is held out."""

    file: PriorFile
    codes: torch.Tensor


def grids_of_collection(
    loaded: LoadedVQModel,
    source: Path | Sequence[Path],
    held_out_names: Sequence[str] = (),
    seed: int = 0,
    on_file: Callable[[int, int, Path], None] | None = None,
) -> list[FileGrid]:
    """Encode every readable file once. Held out: the files named in `held_out_names` (the
    autoencoder's validation files) when any of them is here, else 10% of the files chosen
    with `seed` (none under 4 files). Unreadable files are skipped, as training skips them.

    The prior learns the encoder's own codes, not those of the code search encoding does for
    users (`inference.refine`): the search would cost ~0.07 s per second of audio of every
    training file, and its prior was not measured."""
    paths = collect_audio_files(source)
    encoded: dict[Path, torch.Tensor] = {}
    for number, path in enumerate(paths, start=1):
        if on_file:
            on_file(number, len(paths), path)
        try:
            encoded[path] = encode_grid(path, loaded, refine_steps=0).codes[0]  # [F', L]
        except AudioError:
            continue
    if not encoded:
        raise TrainingError(f"None of the {len(paths)} audio files could be read.")
    named = {p for p in encoded if p.name in set(held_out_names)}
    if not named:
        train, held = split_validation(sorted(encoded), 0.1, seed)
        named = set(held) - set(train)
    return [
        FileGrid(PriorFile(p.name, int(encoded[p].shape[0]), p in named), encoded[p])
        for p in sorted(encoded)
    ]


@dataclass
class _Lane:
    """One row of the batch: a file being read segment by segment."""

    sequence: torch.Tensor | None = None  # [1 + F', L]: a start column, then the codes
    position: int = 0


@dataclass
class SegmentBatches:
    """Truncated backpropagation through time over whole files: B lanes each read a file
    from its start to its end in segments of T columns, the GRU state carried from segment
    to segment and reset when a lane starts its next file (files drawn in shuffled order)."""

    grids: list[torch.Tensor]  # [F', L] each
    batch_size: int
    segment_columns: int
    rng: random.Random
    lanes: list[_Lane] = field(default_factory=list)
    order: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lanes = [_Lane() for _ in range(self.batch_size)]

    def _next_file(self) -> torch.Tensor:
        if not self.order:
            self.order = list(range(len(self.grids)))
            self.rng.shuffle(self.order)
        codes = self.grids[self.order.pop()]
        start = torch.full((1, codes.shape[1]), START, dtype=torch.long)
        return torch.cat([start, codes])

    def next(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(inputs [B, T, L], targets [B, T, L] with IGNORE after a file's end, fresh [B]
        True where the lane has just started a file: its state must be reset)."""
        inputs, targets, fresh = [], [], []
        steps = self.segment_columns
        for lane in self.lanes:
            started = lane.sequence is None or lane.position + 1 >= lane.sequence.shape[0]
            if started:
                lane.sequence, lane.position = self._next_file(), 0
            assert lane.sequence is not None
            piece = lane.sequence[lane.position : lane.position + steps + 1]
            lane.position += steps
            source, target = piece[:-1], piece[1:]
            missing = steps - target.shape[0]
            inputs.append(torch.cat([source, source.new_full((missing, source.shape[1]), START)]))
            targets.append(torch.cat([target, target.new_full((missing, target.shape[1]), IGNORE)]))
            fresh.append(started)
        return torch.stack(inputs), torch.stack(targets), torch.tensor(fresh)

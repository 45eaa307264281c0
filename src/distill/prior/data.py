"""The prior's data: the code grids of a collection (each file encoded once by the trained
autoencoder, and again at other frame offsets), split by whole files into training and
held-out, and the batches that read the training files as one stream."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from distill.audio.io import AudioError
from distill.inference.chunked import encode_mel_chunked
from distill.inference.codes import encode_sound
from distill.models.persistence import LoadedVQModel
from distill.models.prior import START
from distill.models.prior_records import PriorFile
from distill.prior.evaluation import IGNORE_TARGET
from distill.training.data import TrainingError, collect_audio_files, split_validation

IGNORE = IGNORE_TARGET  # a target with no loss: the finer levels of an END column


@dataclass(frozen=True)
class FileGrid:
    """One file's codes [F', L] and whether it is held out; `variants`: the same file
    encoded at other frame offsets (more ways its sound falls on the columns), trained on
    like the file itself, never stored."""

    file: PriorFile
    codes: torch.Tensor
    variants: tuple[torch.Tensor, ...] = ()


def _encode(path: Path, loaded: LoadedVQModel, offsets: bool) -> list[torch.Tensor]:
    """The file's codes [F', L], then (offsets) its codes with its first 1, 2, ... mel frames
    dropped, one per frame of a column: the columns fall on other moments of the sound."""
    sound = encode_sound(path, loaded, refine_steps=0)
    grids = [sound.grid.codes[0]]
    step = loaded.model.config.time_downsample
    mel = sound.mel.to(loaded.device)  # [1, 1, M, F]
    for shift in range(1, step if offsets else 1):
        if mel.shape[-1] - shift < step:
            break
        loaded.model.eval()
        with torch.no_grad():
            grids.append(encode_mel_chunked(loaded.model, mel[..., shift:])[0].cpu())
    return grids


def grids_of_collection(
    loaded: LoadedVQModel,
    source: Path | Sequence[Path],
    held_out_names: Sequence[str] = (),
    seed: int = 0,
    on_file: Callable[[int, int, Path], None] | None = None,
    offsets: bool = True,
) -> list[FileGrid]:
    """Encode every readable file (and, with `offsets`, its training variants). Held out: the
    files named in `held_out_names` (the autoencoder's validation files) when any of them is
    here, else 10% of the files chosen with `seed` (none under 4 files). Unreadable files are
    skipped, as training skips them.

    The prior learns the encoder's own codes, not those of the code search encoding does for
    users (`inference.refine`): the search would cost ~0.07 s per second of audio of every
    training file, and its prior was not measured."""
    paths = collect_audio_files(source)
    encoded: dict[Path, list[torch.Tensor]] = {}
    for number, path in enumerate(paths, start=1):
        if on_file:
            on_file(number, len(paths), path)
        try:
            encoded[path] = _encode(path, loaded, offsets)
        except AudioError:
            continue
    if not encoded:
        raise TrainingError(f"None of the {len(paths)} audio files could be read.")
    named = {p for p in encoded if p.name in set(held_out_names)}
    if not named:
        train, held = split_validation(sorted(encoded), 0.1, seed)
        named = set(held) - set(train)
    return [
        FileGrid(
            PriorFile(p.name, int(encoded[p][0].shape[0]), p in named),
            encoded[p][0],
            tuple(encoded[p][1:]) if p not in named else (),
        )
        for p in sorted(encoded)
    ]


@dataclass
class _Lane:
    """One row of the batch: the stream's columns read so far but not yet used."""

    inputs: torch.Tensor | None = None  # [n, L]
    targets: torch.Tensor | None = None  # [n, L]


@dataclass
class StreamBatches:
    """Truncated backpropagation through time over a stream of files: each of B lanes reads
    files back to back in shuffled order (a random one of each file's variants), segments of
    T columns at a time, its GRU state carried on across segments and across files. A file
    enters as its start column then its codes; the target after its last column is END on
    level 1 (`end_code`) and nothing on the finer levels, so the prior learns where sounds
    end and what comes after an ending.

    corrupt: the share of input codes replaced by random ones (targets untouched), so the
    prior learns to carry on sensibly after a code it did not expect."""

    files: list[list[torch.Tensor]]  # per file: its grids [F', L] (variants)
    batch_size: int
    segment_columns: int
    rng: random.Random
    end_code: int
    codebook_size: int
    corrupt: float = 0.0
    lanes: list[_Lane] = field(default_factory=list)
    order: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lanes = [_Lane() for _ in range(self.batch_size)]
        self.generator = torch.Generator().manual_seed(self.rng.randrange(2**31))

    def _next_file(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(inputs [1 + F', L], targets [1 + F', L]) of the next file in the stream."""
        if not self.order:
            self.order = list(range(len(self.files)))
            self.rng.shuffle(self.order)
        variants = self.files[self.order.pop()]
        codes = variants[self.rng.randrange(len(variants))]
        start = torch.full((1, codes.shape[1]), START, dtype=torch.long)
        end = torch.full((1, codes.shape[1]), IGNORE, dtype=torch.long)
        end[0, 0] = self.end_code
        return torch.cat([start, codes]), torch.cat([codes, end])

    def _fill(self, lane: _Lane) -> tuple[torch.Tensor, torch.Tensor]:
        """The lane's next T (inputs, targets), reading more files as needed."""
        inputs = [] if lane.inputs is None else [lane.inputs]
        targets = [] if lane.targets is None else [lane.targets]
        while sum(len(piece) for piece in inputs) < self.segment_columns:
            more_inputs, more_targets = self._next_file()
            inputs.append(more_inputs)
            targets.append(more_targets)
        stream_in, stream_out = torch.cat(inputs), torch.cat(targets)
        steps = self.segment_columns
        lane.inputs, lane.targets = stream_in[steps:], stream_out[steps:]
        return stream_in[:steps], stream_out[:steps]

    def _corrupted(self, inputs: torch.Tensor) -> torch.Tensor:
        if self.corrupt <= 0:
            return inputs
        hit = (torch.rand(inputs.shape, generator=self.generator) < self.corrupt) & (inputs >= 0)
        noise = torch.randint(0, self.codebook_size, inputs.shape, generator=self.generator)
        return torch.where(hit, noise, inputs)

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(inputs [B, T, L], targets [B, T, L]: END on level 1 after each file's last
        column, IGNORE on the finer levels there)."""
        pieces = [self._fill(lane) for lane in self.lanes]
        inputs = torch.stack([p[0] for p in pieces])
        return self._corrupted(inputs), torch.stack([p[1] for p in pieces])

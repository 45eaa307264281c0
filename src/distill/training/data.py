"""Audio folder -> loudness-normalised log-mel clips, and the batches training draws from them."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from distill.audio.io import AudioError, find_audio_files, load_audio, to_mono
from distill.audio.loudness import normalize_loudness
from distill.audio.spectrogram import AudioSpectrogram
from distill.models.records import DatasetSummary


class TrainingError(ValueError):
    """Training cannot start or go on (no usable audio, a name that is taken, ...)."""


@dataclass(frozen=True)
class MelClip:
    """One file as the model sees it: normalised log-mel [1, M, F] on the CPU."""

    path: Path
    mel: torch.Tensor
    duration_s: float

    @property
    def num_frames(self) -> int:
        return self.mel.shape[-1]


@dataclass
class MelDataset:
    """Clips split by whole files into training and validation, and the files skipped."""

    train: list[MelClip]
    validation: list[MelClip]
    skipped: list[tuple[Path, str]]  # files that could not be used, and why

    @property
    def all_clips(self) -> list[MelClip]:
        return self.train + self.validation

    def summary(self) -> DatasetSummary:
        """What the model file records about the data (names capped: the header stays small)."""
        clips = self.all_clips
        return DatasetSummary(
            num_files=len(clips),
            num_train_files=len(self.train),
            num_val_files=len(self.validation),
            total_duration_s=round(sum(c.duration_s for c in clips), 2),
            file_names=tuple(c.path.name for c in clips)[:500],
            validation_file_names=tuple(c.path.name for c in self.validation)[:100],
            skipped_files=tuple(f"{p.name}: {why}" for p, why in self.skipped)[:100],
        )


def collect_audio_files(source: Path | Sequence[Path]) -> list[Path]:
    """A folder (searched recursively) or an explicit list of files."""
    if isinstance(source, (str, Path)):
        files = find_audio_files(Path(source))
        where = f"in {source}"
    else:
        files = sorted(Path(p) for p in source)
        where = "among the chosen files"
    if not files:
        raise TrainingError(f"No audio files {where} (WAV, FLAC, OGG, MP3 or AIFF).")
    return files


def load_clip(path: Path, spectrogram: AudioSpectrogram) -> MelClip:
    """Load, mix to mono, loudness-normalise (as encoding does), then log-mel."""
    audio = load_audio(path, spectrogram.config.sample_rate)
    waveform, _gain = normalize_loudness(to_mono(audio.waveform), spectrogram.config.sample_rate)
    with torch.no_grad():
        mel = spectrogram.waveform_to_mel(waveform.unsqueeze(0))[0].cpu()  # [1, M, F]
    return MelClip(path, mel, audio.duration_s)


def split_validation(
    paths: list[Path], val_fraction: float, seed: int
) -> tuple[list[Path], list[Path]]:
    """Hold out whole files. Under 4 files there is nothing to spare: validate on training files."""
    if len(paths) < 4:
        return paths, list(paths)
    shuffled = list(paths)
    random.Random(seed).shuffle(shuffled)
    count = max(1, round(len(paths) * val_fraction))
    return sorted(shuffled[count:]), sorted(shuffled[:count])


def load_dataset(
    source: Path | Sequence[Path],
    spectrogram: AudioSpectrogram,
    val_fraction: float = 0.1,
    seed: int = 0,
    on_file: Callable[[int, int, Path], None] | None = None,
) -> MelDataset:
    """Every readable file becomes a clip; unreadable ones are skipped and reported."""
    paths = collect_audio_files(source)
    clips: dict[Path, MelClip] = {}
    skipped: list[tuple[Path, str]] = []
    for number, path in enumerate(paths, start=1):
        if on_file:
            on_file(number, len(paths), path)
        try:
            clips[path] = load_clip(path, spectrogram)
        except AudioError as error:  # named as the user knows it, not by where it sits
            skipped.append((path, str(error).replace(str(path), path.name)))
    if not clips:
        reasons = "; ".join(why for _, why in skipped[:3])
        raise TrainingError(f"None of the {len(paths)} audio files could be read ({reasons}).")
    train_paths, val_paths = split_validation(sorted(clips), val_fraction, seed)
    return MelDataset([clips[p] for p in train_paths], [clips[p] for p in val_paths], skipped)


def _fit(mel: torch.Tensor, frames: int, start: int, silence: float) -> torch.Tensor:
    """A [1, M, frames] window from start; short clips are padded with silence, not dropped."""
    window = mel[..., start : start + frames]
    missing = frames - window.shape[-1]
    return F.pad(window, (0, missing), value=silence) if missing > 0 else window


def shift_bins(window: torch.Tensor, bins: int, silence: float) -> torch.Tensor:
    """[1, M, F] moved up (bins > 0) or down by whole mel bins, the gap filled with silence:
    about a pitch shift (exact where the mel scale is logarithmic, above ~1 kHz)."""
    if bins == 0:
        return window
    shifted = torch.full_like(window, silence)
    if bins > 0:
        shifted[:, bins:] = window[:, :-bins]
    else:
        shifted[:, :bins] = window[:, -bins:]
    return shifted


def random_batch(
    clips: list[MelClip],
    batch_size: int,
    frames: int,
    silence: float,
    rng: random.Random,
    max_shift_bins: int = 0,
) -> torch.Tensor:
    """[B, 1, M, frames] random windows, clips chosen in proportion to their length, each
    shifted by up to +-max_shift_bins mel bins (augmentation: more pitches than the files)."""
    weights = [max(c.num_frames, frames) for c in clips]
    chosen = rng.choices(clips, weights=weights, k=batch_size)
    windows = [
        shift_bins(
            _fit(c.mel, frames, rng.randrange(max(1, c.num_frames - frames + 1)), silence),
            rng.randint(-max_shift_bins, max_shift_bins) if max_shift_bins else 0,
            silence,
        )
        for c in chosen
    ]
    return torch.stack(windows)


def tiled_batches(
    clips: list[MelClip], batch_size: int, frames: int, silence: float
) -> list[torch.Tensor]:
    """Every frame of every clip exactly once, as [B, 1, M, frames] batches (deterministic)."""
    windows = [
        _fit(c.mel, frames, start, silence)
        for c in clips
        for start in range(0, max(c.num_frames, 1), frames)
    ]
    return [torch.stack(windows[i : i + batch_size]) for i in range(0, len(windows), batch_size)]

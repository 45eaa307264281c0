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
    """One file as the model sees it: normalised log-mel [1, M, F] on the CPU, and for a model
    with a linear output the normalised log power of every STFT bin [1, N, F] (float16: six
    times the mel's bands, and 0.04 dB of rounding)."""

    path: Path
    mel: torch.Tensor
    duration_s: float
    linear: torch.Tensor | None = None

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
            source_folders=tuple(sorted({str(c.path.resolve().parent) for c in clips}))[:50],
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


def load_clip(path: Path, spectrogram: AudioSpectrogram, linear: bool = False) -> MelClip:
    """Load, mix to mono, loudness-normalise (as encoding does), then log-mel (and, if asked,
    the log power of every STFT bin, for a model with a linear output)."""
    audio = load_audio(path, spectrogram.config.sample_rate)
    waveform, _gain = normalize_loudness(to_mono(audio.waveform), spectrogram.config.sample_rate)
    return clip_from_waveform(path, waveform, audio.duration_s, spectrogram, linear)


@torch.no_grad()
def clip_from_waveform(
    path: Path,
    waveform: torch.Tensor,
    duration_s: float,
    spectrogram: AudioSpectrogram,
    linear: bool,
) -> MelClip:
    """A normalised mono waveform [1, S] -> its clip (log-mel, and log linear power if asked)."""
    if not linear:
        mel = spectrogram.waveform_to_mel(waveform.unsqueeze(0))[0].cpu()  # [1, M, F]
        return MelClip(path, mel, duration_s)
    power = spectrogram.linear_power(waveform.unsqueeze(0))  # [1, 1, N, F]
    mel = spectrogram.power_to_log(torch.matmul(spectrogram.filterbank, power))[0].cpu()
    stored = spectrogram.power_to_log(power)[0].to("cpu", torch.float16)  # [1, N, F]
    return MelClip(path, mel, duration_s, stored)


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
    linear: bool = False,
) -> MelDataset:
    """Every readable file becomes a clip (with linear targets if asked); unreadable ones are
    skipped and reported."""
    paths = collect_audio_files(source)
    clips: dict[Path, MelClip] = {}
    skipped: list[tuple[Path, str]] = []
    for number, path in enumerate(paths, start=1):
        if on_file:
            on_file(number, len(paths), path)
        try:
            clips[path] = load_clip(path, spectrogram, linear)
        except AudioError as error:  # named as the user knows it, not by where it sits
            skipped.append((path, str(error).replace(str(path), path.name)))
    if not clips:
        reasons = "; ".join(why for _, why in skipped[:3])
        raise TrainingError(f"None of the {len(paths)} audio files could be read ({reasons}).")
    train_paths, val_paths = split_validation(sorted(clips), val_fraction, seed)
    return MelDataset([clips[p] for p in train_paths], [clips[p] for p in val_paths], skipped)


@dataclass(frozen=True)
class Windows:
    """A batch of training windows: normalised log-mel [B, 1, M, frames] (what the encoder
    reads) and, from clips that keep them, the log linear power [B, 1, N, frames] a model with
    a linear output is scored against."""

    mel: torch.Tensor
    linear: torch.Tensor | None = None

    def to(self, device: torch.device) -> Windows:
        linear = None if self.linear is None else self.linear.to(device, torch.float32)
        return Windows(self.mel.to(device), linear)


def _fit(spectrum: torch.Tensor, frames: int, start: int, silence: float) -> torch.Tensor:
    """A [1, X, frames] window from start; short clips are padded with silence, not dropped."""
    window = spectrum[..., start : start + frames]
    missing = frames - window.shape[-1]
    return F.pad(window, (0, missing), value=silence) if missing > 0 else window


def _window(clip: MelClip, frames: int, start: int, silence: float) -> tuple[torch.Tensor, ...]:
    """(mel window,) or (mel window, linear window) of one clip from start."""
    mel = _fit(clip.mel, frames, start, silence)
    if clip.linear is None:
        return (mel,)
    return mel, _fit(clip.linear.float(), frames, start, silence)


def _stack(windows: list[tuple[torch.Tensor, ...]]) -> Windows:
    mel = torch.stack([w[0] for w in windows])
    with_linear = all(len(w) == 2 for w in windows)
    return Windows(mel, torch.stack([w[1] for w in windows]) if with_linear else None)


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


def random_windows(
    clips: list[MelClip],
    batch_size: int,
    frames: int,
    silence: float,
    rng: random.Random,
    max_shift_bins: int = 0,
) -> Windows:
    """B random windows, clips chosen in proportion to their length, each shifted by up to
    +-max_shift_bins mel bins (augmentation: more pitches than the files; mel windows only)."""
    weights = [max(c.num_frames, frames) for c in clips]
    chosen = rng.choices(clips, weights=weights, k=batch_size)
    windows = []
    for clip in chosen:
        window = _window(clip, frames, rng.randrange(max(1, clip.num_frames - frames + 1)), silence)
        bins = rng.randint(-max_shift_bins, max_shift_bins) if max_shift_bins else 0
        if bins and len(window) > 1:
            raise TrainingError("Pitch-shift augmentation is for models with a mel output.")
        windows.append((shift_bins(window[0], bins, silence), *window[1:]))
    return _stack(windows)


def random_batch(
    clips: list[MelClip],
    batch_size: int,
    frames: int,
    silence: float,
    rng: random.Random,
    max_shift_bins: int = 0,
) -> torch.Tensor:
    """[B, 1, M, frames]: the mel of `random_windows`."""
    return random_windows(clips, batch_size, frames, silence, rng, max_shift_bins).mel


def tiled_windows(
    clips: list[MelClip], batch_size: int, frames: int, silence: float
) -> list[Windows]:
    """Every frame of every clip exactly once, in batches of B windows (deterministic)."""
    windows = [
        _window(c, frames, start, silence)
        for c in clips
        for start in range(0, max(c.num_frames, 1), frames)
    ]
    return [_stack(windows[i : i + batch_size]) for i in range(0, len(windows), batch_size)]


def tiled_batches(
    clips: list[MelClip], batch_size: int, frames: int, silence: float
) -> list[torch.Tensor]:
    """[B, 1, M, frames] batches: the mel of `tiled_windows`."""
    return [w.mel for w in tiled_windows(clips, batch_size, frames, silence)]

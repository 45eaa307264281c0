"""Read and write audio files, with one clear error per kind of bad file."""

from __future__ import annotations

import io
import math
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from scipy.signal import resample_poly

from distill.audio.decoder_notes import quiet_decoder_notes
from distill.files import write_bytes_atomic

SAMPLE_RATE = 48000
# fmt: off
AUDIO_EXTENSIONS: tuple[str, ...] = (
    ".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aiff", ".aif",
)
# fmt: on
MAX_DURATION_S: float = 30 * 60.0

_SUPPORTED = "WAV, FLAC, OGG Vorbis, Opus, MP3 or AIFF"
_OUTPUT_FORMATS = {".wav": "WAV", ".flac": "FLAC"}
_DEFAULT_SUBTYPE = "PCM_24"
# MP3 headers without a frame index only estimate the length, so allow some slack there.
_FRAME_COUNT_TOLERANCE = {"MP3": 0.9}
_READ_BLOCK_FRAMES = 1 << 16


class AudioError(ValueError):
    """A bad audio file; str(error) is one user-facing sentence that names the file."""


class AudioNotFoundError(AudioError):
    """The path does not exist or is not a file."""


class EmptyAudioError(AudioError):
    """The file has zero bytes or zero samples."""


class UnreadableAudioError(AudioError):
    """Not audio, an unsupported format, or a corrupt header."""


class TruncatedAudioError(AudioError):
    """The header promises more audio than the file holds."""


class InvalidSamplesError(AudioError):
    """The samples contain NaN or infinity."""


class AudioTooLongError(AudioError):
    """The file is longer than the allowed duration."""


@dataclass(frozen=True)
class AudioFile:
    """Decoded audio: `waveform` [C, S] float32 at `sample_rate`."""

    waveform: torch.Tensor
    sample_rate: int
    source_sample_rate: int
    path: Path | None = None

    @property
    def num_channels(self) -> int:
        return int(self.waveform.shape[0])

    @property
    def num_samples(self) -> int:
        return int(self.waveform.shape[-1])

    @property
    def duration_s(self) -> float:
        return self.num_samples / self.sample_rate


def load_audio(
    path: str | Path,
    target_sample_rate: int = SAMPLE_RATE,
    max_duration_s: float = MAX_DURATION_S,
) -> AudioFile:
    """Read any WAV/FLAC/OGG/Opus/MP3/AIFF file as float32 [C, S] at `target_sample_rate`.

    Raises a specific `AudioError` subclass for a missing, empty, unreadable, truncated,
    non-finite or too long file; the duration is checked from the header before decoding.
    """
    file_path = _existing_file(Path(path))
    frames, source_rate = _read_frames(file_path, max_duration_s)  # [S, C]
    if not np.isfinite(frames).all():
        bad = int(np.count_nonzero(~np.isfinite(frames)))
        raise InvalidSamplesError(
            f"Audio file '{file_path}' holds {bad} NaN or infinite samples; "
            "re-export it from your audio editor."
        )
    waveform = torch.from_numpy(frames.T)  # [C, S], a view of the decoded frames
    waveform = resample(waveform, source_rate, target_sample_rate).contiguous()
    return AudioFile(waveform, target_sample_rate, source_rate, file_path)


def _existing_file(path: Path) -> Path:
    if not path.exists():
        raise AudioNotFoundError(f"Audio file '{path}' does not exist; check the path.")
    if not path.is_file():
        raise AudioNotFoundError(f"'{path}' is a folder, not an audio file; choose a file.")
    if path.stat().st_size == 0:
        raise EmptyAudioError(f"Audio file '{path}' is empty (0 bytes); choose a file with sound.")
    return path


def _read_frames(path: Path, max_duration_s: float) -> tuple[np.ndarray, int]:
    """Open, check the header, and decode all frames: ([S, C] float32, sample rate)."""
    try:
        with quiet_decoder_notes(), sf.SoundFile(path) as sound:
            _check_header(path, sound, max_duration_s)
            return _decode_all(path, sound), int(sound.samplerate)
    except (sf.LibsndfileError, RuntimeError, OSError) as error:
        raise UnreadableAudioError(
            f"'{path}' is not an audio file that can be read ({_reason(error)}); use {_SUPPORTED}."
        ) from None


def _check_header(path: Path, sound: sf.SoundFile, max_duration_s: float) -> None:
    if sound.samplerate <= 0 or sound.channels <= 0:
        raise UnreadableAudioError(f"Audio file '{path}' has a corrupt header; re-export it.")
    if sound.frames <= 0:
        raise _no_samples(path)
    duration_s = sound.frames / sound.samplerate
    if duration_s > max_duration_s:
        raise AudioTooLongError(
            f"Audio file '{path}' is {_describe_duration(duration_s)} long, over the "
            f"{_describe_duration(max_duration_s)} limit; cut it into shorter files."
        )
    promised, held = _declared_data_bytes(path)
    if promised - held > max(64, promised // 1000):  # ignore sloppy writers' few bytes
        raise _cut_short(path, duration_s * promised / max(held, 1), duration_s)


def _describe_duration(seconds: float) -> str:
    """'2.5 s' under two minutes, else '3.4 minutes'."""
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} minutes"


def _decode_all(path: Path, sound: sf.SoundFile) -> np.ndarray:
    """All frames [S, C] float32; a decode failure or a short read means a truncated file."""
    expected = sound.frames
    try:
        blocks = [sound.read(dtype="float32", always_2d=True)]
        # Keep reading past the header's count: some headers underestimate the length.
        while len(tail := sound.read(_READ_BLOCK_FRAMES, dtype="float32", always_2d=True)):
            blocks.append(tail)
    except (sf.LibsndfileError, RuntimeError) as error:
        raise TruncatedAudioError(
            f"Audio file '{path}' is damaged or cut short: decoding stopped partway "
            f"({_reason(error)}); copy or export it again."
        ) from None
    frames = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)
    if len(frames) == 0:
        raise _no_samples(path)
    if len(frames) < expected * _FRAME_COUNT_TOLERANCE.get(sound.format, 1.0):
        raise _cut_short(path, expected / sound.samplerate, len(frames) / sound.samplerate)
    return frames


def _no_samples(path: Path) -> EmptyAudioError:
    return EmptyAudioError(f"Audio file '{path}' holds no samples (zero length); pick another.")


def _cut_short(path: Path, promised_s: float, held_s: float) -> TruncatedAudioError:
    return TruncatedAudioError(
        f"Audio file '{path}' is cut short: its header promises {promised_s:.2f} s of audio "
        f"but it holds only {held_s:.2f} s; copy or export it again."
    )


def _reason(error: Exception) -> str:
    """libsndfile's own words for an error, without its 'Error : ' prefix."""
    reason = getattr(error, "error_string", None) or str(error)
    reason = str(reason).removeprefix("Error : ").strip().rstrip(".")
    # What libsndfile says of an existing file in no format it knows: not what happened.
    if reason.startswith("File does not exist or is not a regular file"):
        return "its contents are in no audio format this reader knows"
    return reason


def _declared_data_bytes(path: Path) -> tuple[int, int]:
    """(bytes the WAV/AIFF sample chunk declares, bytes the file holds for it), else (0, 0).

    libsndfile silently shrinks the frame count of a cut-off WAV or AIFF to what is there.
    """
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(12)
        if head[:4] in (b"RIFF", b"RIFX") and head[8:12] == b"WAVE":
            data_id, endian = b"data", "<" if head[:4] == b"RIFF" else ">"
        elif head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
            data_id, endian = b"SSND", ">"
        else:
            return 0, 0
        position = 12
        while position + 8 <= size:
            handle.seek(position)
            chunk = handle.read(8)
            (length,) = struct.unpack(endian + "I", chunk[4:8])
            if chunk[:4] == data_id:
                if length in (0, 0xFFFFFFFF):
                    return 0, 0
                return length, min(length, size - position - 8)
            position += 8 + length + (length & 1)  # chunks are padded to even sizes
    return 0, 0


def save_audio(
    path: str | Path,
    waveform: torch.Tensor | np.ndarray,
    sample_rate: int = SAMPLE_RATE,
    subtype: str | None = None,
    sync: bool = True,
) -> Path:
    """Write `waveform` [S] or [C, S] to a .wav or .flac file (24-bit PCM unless `subtype`).

    Samples are clipped to [-1, 1] first; NaN or infinite samples are refused. The file is
    encoded in memory, then written atomically by distill.files (parent folders made; a full
    disk or a read-only folder is a WriteError in plain words). `sync=False` for scratch files.
    """
    target = Path(path)
    audio_format = _OUTPUT_FORMATS.get(target.suffix.lower())
    if audio_format is None:
        raise AudioError(f"Cannot save '{target}': the file name must end in .wav or .flac.")
    subtype = subtype or _DEFAULT_SUBTYPE
    if not sf.check_format(audio_format, subtype):
        raise AudioError(f"Cannot save '{target}': subtype {subtype} is not valid for it.")
    if sample_rate <= 0:
        raise AudioError(f"Cannot save '{target}': sample rate {sample_rate} is not positive.")
    frames = np.clip(_as_frames(target, waveform), -1.0, 1.0)  # [S, C]
    buffer = io.BytesIO()
    try:
        sf.write(buffer, frames, sample_rate, subtype=subtype, format=audio_format)
    except (OSError, RuntimeError) as error:  # sf.LibsndfileError is a RuntimeError
        raise AudioError(f"Could not write '{target}': {_reason(error)}.") from None
    return write_bytes_atomic(target, buffer.getvalue(), sync=sync)


def _as_frames(target: Path, waveform: torch.Tensor | np.ndarray) -> np.ndarray:
    """[S] or [C, S] tensor/array -> finite float32 numpy [S, C]."""
    if isinstance(waveform, torch.Tensor):
        waveform = waveform.detach().to("cpu", torch.float32).numpy()
    samples = np.asarray(waveform, dtype=np.float32)
    if samples.ndim == 1:
        samples = samples[np.newaxis]  # [1, S]
    if samples.ndim != 2 or samples.shape[0] == 0:
        raise AudioError(f"Cannot save '{target}': expected a [S] or [C, S] waveform.")
    if samples.shape[1] == 0:
        raise EmptyAudioError(f"Cannot save '{target}': the waveform has no samples.")
    if not np.isfinite(samples).all():
        raise InvalidSamplesError(f"Cannot save '{target}': the waveform holds NaN or inf.")
    return np.ascontiguousarray(samples.T)


def resample(waveform: torch.Tensor, source_rate: int, target_rate: int) -> torch.Tensor:
    """[..., S] -> [..., S'] float32 at `target_rate`, by polyphase filtering (resample_poly)."""
    if source_rate <= 0 or target_rate <= 0:
        raise ValueError(f"Sample rates must be positive, got {source_rate} and {target_rate}.")
    waveform = waveform.to(torch.float32)
    if source_rate == target_rate:
        return waveform
    divisor = math.gcd(source_rate, target_rate)
    up, down = target_rate // divisor, source_rate // divisor
    if waveform.shape[-1] == 0:
        return waveform.new_zeros((*waveform.shape[:-1], 0))
    rows = waveform.detach().cpu().reshape(-1, waveform.shape[-1]).numpy()  # [C, S]
    length = -(-rows.shape[-1] * up // down)  # ceil, as resample_poly computes it
    resampled = np.empty((rows.shape[0], length), dtype=np.float32)  # [C, S']
    for row, samples in enumerate(rows):  # one channel at a time keeps peak memory low
        resampled[row] = resample_poly(samples, up, down)
    return torch.from_numpy(resampled).reshape(*waveform.shape[:-1], length).to(waveform.device)


def to_mono(waveform: torch.Tensor) -> torch.Tensor:
    """[C, S] -> [1, S], the mean of the channels."""
    if waveform.ndim != 2 or waveform.shape[0] == 0:
        raise ValueError(f"Expected a [C, S] waveform, got shape {tuple(waveform.shape)}.")
    return waveform.mean(dim=0, keepdim=True)


def find_audio_files(directory: str | Path) -> list[Path]:
    """Audio files under `directory`, recursive and sorted; any-case extensions, no hidden."""
    root = Path(directory)
    if not root.exists():
        raise AudioNotFoundError(f"Folder '{root}' does not exist; check the path.")
    if not root.is_dir():
        raise AudioError(f"'{root}' is a file, not a folder; choose a folder of audio files.")
    found: list[Path] = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        found.extend(
            Path(folder) / name
            for name in names
            if not name.startswith(".") and Path(name).suffix.lower() in AUDIO_EXTENSIONS
        )
    return sorted(found)


def read_span(path: str | Path, start_s: float, seconds: float) -> tuple[np.ndarray, int]:
    """`seconds` of a file from `start_s` (clipped to the file) as mono float32 [S] at the
    file's own rate, without decoding the rest: (samples, rate). AudioError when unreadable."""
    file_path = _existing_file(Path(path))
    try:
        with quiet_decoder_notes(), sf.SoundFile(file_path) as sound:
            rate = int(sound.samplerate)
            first = min(max(0, round(start_s * rate)), sound.frames)
            sound.seek(first)
            frames = sound.read(max(0, round(seconds * rate)), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, OSError) as error:
        raise UnreadableAudioError(
            f"'{file_path}' is not an audio file that can be read ({_reason(error)})."
        ) from None
    mono = np.nan_to_num(frames.mean(axis=1)).astype(np.float32)
    return mono, rate

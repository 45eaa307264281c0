"""The bundled demo sounds: what they are, how they are synthesised and where they live."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import soundfile as sf
from scipy import signal

from distill.demo import noises, synth
from distill.demo.synth import SAMPLE_RATE, FloatArray, note_frequency, num_samples

DEMO_SOUNDS_DIR: Path = Path(__file__).resolve().parent / "sounds"
EXAMPLE_SOUND: Path = DEMO_SOUNDS_DIR / "melody.wav"
PEAK_DBFS = -3.0

Recipe = Callable[[np.random.Generator], FloatArray]

# Risset's (1969) additive bell: (frequency ratio, amplitude, t60 as a share of the longest).
_RISSET_BELL = [
    (0.56, 1.0, 1.0), (0.92, 1.0, 0.65), (1.19, 1.8, 0.55), (1.71, 1.67, 0.35), (2.0, 1.46, 0.25),
    (2.74, 1.33, 0.2), (3.0, 1.33, 0.15), (3.76, 1.0, 0.1), (4.07, 1.33, 0.075),
]  # fmt: skip
_DRUM_PATTERNS = {  # two bars of sixteenth notes at 120 BPM: x hit, o open hi-hat, . rest
    "kick": "x.....x.x.......x.....x...x..x..",
    "snare": "....x.......x.......x.......x.x.",
    "hat": "x.x.x.x.x.x.x.x.x.x.x.x.x.x.o...",
}
# (start, length) in eighth notes at 120 BPM, and the note.
_MELODY = [
    (0, 1, "a4"), (1, 1, "c5"), (2, 1, "e5"), (3, 2, "a5"), (5, 1, "g5"), (6, 1, "e5"),
    (7, 1, "d5"), (8, 2, "e5"), (10, 1, "c5"), (11, 1, "d5"), (12, 1, "b4"), (13, 1, "g4"),
    (14, 2, "a4"),
]  # fmt: skip
_BASS = [(0, 4, "a2"), (4, 4, "f2"), (8, 4, "c3"), (12, 4, "e2")]


def _fixed(make: Callable[..., FloatArray], *args: Any, **kwargs: Any) -> Recipe:
    """Recipe for an instrument that needs no random numbers."""
    return lambda _rng: make(*args, **kwargs)


def _seeded(make: Callable[..., FloatArray], *args: Any, **kwargs: Any) -> Recipe:
    """Recipe for an instrument that takes the clip's random generator first."""
    return lambda rng: make(rng, *args, **kwargs)


def _recipes() -> dict[str, Recipe]:
    """Every demo clip by name; each recipe is deterministic given its generator."""
    recipes: dict[str, Recipe] = {}
    for note in ("e2", "a2", "d3", "a3", "e4", "a4"):
        recipes[f"pluck_{note}"] = _seeded(synth.pluck, note_frequency(note), 2.0)
    for note, ratio, index, t60 in (
        ("c5", 1.4, 6.0, 2.5),
        ("g5", 3.5, 4.0, 2.0),
        ("c6", 2.76, 3.0, 1.6),
    ):
        recipes[f"bell_{note}"] = _fixed(
            synth.fm_bell, note_frequency(note), 2.5, ratio, index, t60
        )
    risset = [(ratio, amplitude, 2.4 * share) for ratio, amplitude, share in _RISSET_BELL]
    recipes["bell_e4"] = _fixed(synth.additive, note_frequency("e4") / 0.56, 2.5, risset)
    recipes["marimba_c5"] = _seeded(synth.marimba, note_frequency("c5"), 1.5)
    recipes["kick"] = _fixed(noises.kick, 1.5)
    recipes["snare"] = _seeded(noises.snare, 1.5)
    recipes["hihat_closed"] = _seeded(noises.hihat, 1.5, t60=0.12)
    recipes["hihat_open"] = _seeded(noises.hihat, 1.5, t60=0.9)
    recipes["tom"] = _fixed(noises.tom, 1.5)
    recipes["drum_loop"] = _drum_loop
    for vowel in synth.VOWEL_FORMANTS:
        for pitch in (110, 220):
            recipes[f"vowel_{vowel}_{pitch}"] = _fixed(synth.glottal_vowel, vowel, pitch, 1.75)
    recipes["wind"] = _seeded(noises.wind, 3.0)
    recipes["rain"] = _seeded(noises.rain, 3.0)
    recipes["crackle"] = _seeded(noises.crackle, 2.5)
    chord = [note_frequency(n) for n in ("c3", "g3", "e4")]
    recipes["pad_c3"] = _fixed(synth.pad, chord, 3.0)
    recipes["bowed_a3"] = _seeded(synth.bowed, note_frequency("a3"), 3.0)
    recipes["organ_c4"] = _fixed(synth.organ, [note_frequency(n) for n in ("c4", "e4", "g4")], 2.0)
    recipes["sweep_a2"] = _fixed(synth.sweep, note_frequency("a2"), 2.5)
    recipes["fm_bass_a1"] = _fixed(synth.fm_bass, note_frequency("a1"), 2.0)
    recipes["melody"] = _melody
    return recipes


def _drum_loop(rng: np.random.Generator) -> FloatArray:
    """Two bars of kick, snare and hi-hats at 120 BPM with slightly varied velocities, 4 s."""
    step = num_samples(0.125)
    out = np.zeros(32 * step)
    hits = {
        ("kick", "x"): noises.kick(0.8),
        ("snare", "x"): noises.snare(rng, 0.5),
        ("hat", "x"): 0.5 * noises.hihat(rng, 0.2, t60=0.1),
        ("hat", "o"): 0.5 * noises.hihat(rng, 0.6, t60=0.5),
    }
    for drum, pattern in _DRUM_PATTERNS.items():
        for position, symbol in enumerate(pattern):
            if symbol == ".":
                continue
            sound = hits[drum, symbol] * rng.uniform(0.75, 1.0) * (1.0 if position % 4 else 1.2)
            start = position * step
            end = min(start + len(sound), len(out))
            out[start:end] += sound[: end - start]
    return out


def _melody(rng: np.random.Generator) -> FloatArray:
    """A plucked tune in A minor over a plucked bass line, 120 BPM, 4 s."""
    eighth = 0.25
    out = np.zeros(num_samples(16 * eighth))
    voices = ((_MELODY, 0.5, 1.0), (_BASS, 0.2, 0.8))  # (notes, brightness, gain)
    for notes, brightness, gain in voices:
        for start, length, note in notes:
            held = length * eighth + 0.06  # a short release into the next note
            tone = synth.pluck(rng, note_frequency(note), held, t60=2.0, brightness=brightness)
            tone *= synth.attack_release(len(tone), 0.0, 0.06)
            begin = num_samples(start * eighth)
            end = min(begin + len(tone), len(out))
            out[begin:end] += gain * tone[: end - begin]
    return out


def _finish(sound: FloatArray) -> npt.NDArray[np.float32]:
    """Remove DC, fade both ends against clicks and peak-normalise to PEAK_DBFS, as float32."""
    high_pass = signal.butter(2, 20, btype="high", fs=SAMPLE_RATE, output="sos")
    sound = np.asarray(signal.sosfilt(high_pass, sound))
    sound *= synth.attack_release(len(sound), 0.002, 0.03)
    peak = float(np.max(np.abs(sound)))
    return (sound * (10 ** (PEAK_DBFS / 20) / peak)).astype(np.float32)


def synthesize_demo_sounds() -> dict[str, npt.NDArray[np.float32]]:
    """Synthesise every demo clip: name -> mono float32 waveform [S] at 48 kHz, in [-1, 1].

    Deterministic: each clip draws from its own generator seeded by its name.
    """
    sounds = {}
    for name, recipe in _recipes().items():
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        sounds[name] = _finish(recipe(rng))
    return sounds


def to_pcm16(sound: npt.NDArray[np.floating]) -> npt.NDArray[np.int16]:
    """Quantise a waveform [S] in [-1, 1] to 16-bit integers, as stored in the WAV files."""
    return np.round(np.clip(sound, -1.0, 1.0) * 32767).astype(np.int16)


def write_demo_sounds(
    directory: Path, sounds: Mapping[str, npt.NDArray[np.float32]] | None = None
) -> list[Path]:
    """Write the demo clips (synthesised unless given) to `directory` as NAME.wav.

    Files are 16-bit PCM, 48 kHz, mono, quantised by `to_pcm16`. Returns the paths, sorted.
    """
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, sound in (sounds if sounds is not None else synthesize_demo_sounds()).items():
        path = directory / f"{name}.wav"
        sf.write(path, to_pcm16(sound), SAMPLE_RATE, subtype="PCM_16")
        paths.append(path)
    return sorted(paths)


def list_demo_sounds() -> list[Path]:
    """The shipped demo clips, sorted by name."""
    return sorted(DEMO_SOUNDS_DIR.glob("*.wav"))


def _regenerate() -> None:
    """Rebuild DEMO_SOUNDS_DIR from the code, removing clips that no longer have a recipe."""
    written = write_demo_sounds(DEMO_SOUNDS_DIR)
    for stale in set(list_demo_sounds()) - set(written):
        stale.unlink()
    total = sum(path.stat().st_size for path in written)
    seconds = sum(sf.info(path).duration for path in written)
    print(
        f"Wrote {len(written)} clips ({seconds:.1f} s, {total / 1e6:.2f} MB) to {DEMO_SOUNDS_DIR}"
    )


if __name__ == "__main__":
    _regenerate()

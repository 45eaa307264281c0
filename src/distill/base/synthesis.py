"""Sounds the project synthesises itself for the base model (no recording, no licence but the
project's own): noises, textures, sweeps and glides, plucked strings, FM, impacts, and the demo
synth's instruments, each drawn with random parameters from a seed."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import signal

from distill.demo import noises
from distill.demo import synth as demo
from distill.demo.synth import SAMPLE_RATE, FloatArray, attack_release, decay, num_samples, times

Maker = Callable[[np.random.Generator], FloatArray]


def _pitch(rng: np.random.Generator, low: float = 40.0, high: float = 1600.0) -> float:
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def _place(rng: np.random.Generator, sound: FloatArray, seconds: float) -> FloatArray:
    """A sound inside `seconds` of silence, starting a little after 0 (an onset to hear)."""
    out = np.zeros(num_samples(seconds))
    start = int(rng.uniform(0.0, 0.4) * SAMPLE_RATE)
    piece = sound[: len(out) - start]
    out[start : start + len(piece)] = piece
    return out


def coloured_noise(rng: np.random.Generator) -> FloatArray:
    """White, pink or brown noise (1/f^alpha), band-limited, with a random envelope."""
    seconds = rng.uniform(1.0, 6.0)
    n = num_samples(seconds)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    frequency = np.maximum(np.fft.rfftfreq(n, 1 / SAMPLE_RATE), 20.0)
    spectrum /= frequency ** (rng.choice([0.0, 0.5, 1.0]) / 1.0)
    low, high = rng.uniform(20, 2000), rng.uniform(3000, 23000)
    spectrum[(frequency < low) | (frequency > high)] = 0
    out = np.fft.irfft(spectrum, n)
    return out * attack_release(n, rng.uniform(0.005, seconds / 3), rng.uniform(0.01, seconds / 3))


def filtered_sweep_noise(rng: np.random.Generator) -> FloatArray:
    """Noise through a resonant band-pass whose centre glides (a whoosh or a riser)."""
    seconds = rng.uniform(1.0, 5.0)
    n = num_samples(seconds)
    start, end = _pitch(rng, 100, 8000), _pitch(rng, 100, 8000)
    centre = start * (end / start) ** (np.arange(n) / n)
    noise = rng.standard_normal(n)
    out, block = np.zeros(n), 1024
    for first in range(0, n, block):  # a slowly moving filter, block by block
        f = float(centre[first])
        sos = signal.butter(
            2, [f / 1.3, min(f * 1.3, 23500)], btype="band", fs=SAMPLE_RATE, output="sos"
        )
        out[first : first + block] = signal.sosfilt(
            sos, noise[max(0, first - 2048) : first + block]
        )[-len(out[first : first + block]) :]
    return out * attack_release(n, rng.uniform(0.05, 1.0), rng.uniform(0.05, 1.0))


def glide(rng: np.random.Generator) -> FloatArray:
    """A harmonic tone whose pitch glides (portamento, sirens, slides) with vibrato: the
    continuous pitch a code grid must follow."""
    seconds = rng.uniform(1.0, 5.0)
    n = num_samples(seconds)
    start = _pitch(rng, 60, 1200)
    end = start * 2 ** (rng.uniform(-2, 2))
    shape = np.arange(n) / n
    if rng.random() < 0.3:  # a siren: up and down
        shape = 0.5 - 0.5 * np.cos(2 * np.pi * shape * rng.uniform(0.5, 3))
    frequency = start * (end / start) ** shape
    frequency *= 1 + rng.uniform(0, 0.01) * np.sin(
        2 * np.pi * rng.uniform(4, 7) * np.arange(n) / SAMPLE_RATE
    )
    phase = np.cumsum(frequency) / SAMPLE_RATE
    rolloff = rng.uniform(300, 5000)
    harmonics = max(1, int(9000 / max(start, end)))
    amplitudes = [
        np.exp(-k * start / rolloff) / k ** rng.uniform(0.5, 2) for k in range(1, harmonics + 1)
    ]
    return demo.sine_series(2 * np.pi * phase, amplitudes) * attack_release(
        n, rng.uniform(0.01, 0.3), rng.uniform(0.05, 0.5)
    )


def chirp(rng: np.random.Generator) -> FloatArray:
    """A pure or buzzy chirp, linear or exponential, fast or slow."""
    seconds = rng.uniform(0.1, 3.0)
    t = times(seconds)
    method = str(rng.choice(["linear", "logarithmic", "quadratic"]))
    wave = signal.chirp(t, _pitch(rng, 50, 12000), t[-1], _pitch(rng, 50, 12000), method=method)
    if rng.random() < 0.4:
        wave = np.tanh(rng.uniform(2, 10) * wave)  # buzzier: odd harmonics
    return _place(rng, wave * attack_release(len(t), 0.005, 0.05), seconds + rng.uniform(0.2, 1.0))


def plucked(rng: np.random.Generator) -> FloatArray:
    """Karplus-Strong notes: single plucks, strums of chords, or a phrase."""
    seconds = rng.uniform(1.5, 6.0)
    out = np.zeros(num_samples(seconds))
    root = _pitch(rng, 50, 800)
    count = int(rng.integers(1, 8))
    for i in range(count):
        frequency = root * 2 ** (int(rng.choice([0, 3, 4, 5, 7, 10, 12])) / 12)
        start = int((i * rng.uniform(0.01, 0.5)) * SAMPLE_RATE)
        if start >= len(out):
            break
        note = demo.pluck(
            rng,
            frequency,
            seconds - start / SAMPLE_RATE,
            rng.uniform(0.3, 6.0),
            rng.uniform(0.1, 0.9),
        )
        out[start : start + len(note)] += note[: len(out) - start] * rng.uniform(0.3, 1.0)
    return out


def fm_tone(rng: np.random.Generator) -> FloatArray:
    """Two-operator FM: bells, electric pianos, brass-like swells and basses."""
    seconds = rng.uniform(0.3, 5.0)
    t = times(seconds)
    frequency = _pitch(rng, 40, 2000)
    ratio = float(rng.choice([0.5, 1.0, 1.4, 2.0, 3.0, 3.5, 1.0 + rng.uniform(0, 4)]))
    index = rng.uniform(0.5, 10) * np.exp(-t / rng.uniform(0.05, 3.0))
    tone = np.sin(2 * np.pi * frequency * t + index * np.sin(2 * np.pi * ratio * frequency * t))
    envelope = (
        decay(t, rng.uniform(0.2, 8.0))
        if rng.random() < 0.6
        else attack_release(len(t), rng.uniform(0.01, 0.8), 0.2)
    )
    return _place(rng, tone * envelope, seconds + rng.uniform(0.0, 1.0))


def impact(rng: np.random.Generator) -> FloatArray:
    """Modal synthesis: a struck object's decaying inharmonic modes and a noise transient
    (wood, metal, glass, membranes)."""
    seconds = rng.uniform(0.3, 4.0)
    t = times(seconds)
    base = _pitch(rng, 60, 3000)
    out = np.zeros_like(t)
    for _ in range(int(rng.integers(2, 12))):
        f = base * rng.uniform(1.0, 8.0)
        if f < 20000:
            out += (
                rng.uniform(0.1, 1.0)
                * np.sin(2 * np.pi * f * t + rng.uniform(0, 6.3))
                * decay(t, rng.uniform(0.02, 3.0))
            )
    transient = demo.band_noise(
        rng, len(t), rng.uniform(100, 2000), rng.uniform(3000, 20000)
    ) * decay(t, rng.uniform(0.005, 0.08))
    return _place(rng, out + rng.uniform(0.2, 2.0) * transient, seconds + 0.3)


def drum_hit(rng: np.random.Generator) -> FloatArray:
    """A synthetic kick, snare, tom or hi-hat at random tunings."""
    kind = int(rng.integers(4))
    seconds = rng.uniform(0.3, 1.5)
    if kind == 0:
        t = times(seconds)
        low = rng.uniform(35, 70)
        pitch = low + rng.uniform(50, 200) * np.exp(-t / rng.uniform(0.01, 0.08))
        sound = np.sin(2 * np.pi * np.cumsum(pitch) / SAMPLE_RATE) * decay(t, rng.uniform(0.2, 1.2))
    elif kind == 1:
        sound = noises.snare(rng, seconds)
    elif kind == 2:
        sound = noises.tom(seconds, rng.uniform(60, 300))
    else:
        sound = noises.hihat(rng, seconds, rng.uniform(0.03, 1.0))
    return _place(rng, sound, seconds + rng.uniform(0.1, 0.6))


def rhythm(rng: np.random.Generator) -> FloatArray:
    """A short loop of synthetic hits on a grid: onsets, decays and silences between them."""
    step = rng.uniform(0.08, 0.3)
    steps = int(rng.integers(8, 32))
    out = np.zeros(num_samples(step * steps + 1.0))
    voices = [drum_hit(rng) * rng.uniform(0.3, 1.0) for _ in range(int(rng.integers(2, 5)))]
    for i in range(steps):
        for voice in voices:
            if rng.random() < 0.3:
                start = int(i * step * SAMPLE_RATE)
                out[start : start + len(voice)] += voice[: len(out) - start]
    return out


def texture(rng: np.random.Generator) -> FloatArray:
    """Wind, rain, crackle, or a granular cloud of short tonal grains."""
    seconds = rng.uniform(2.0, 6.0)
    kind = int(rng.integers(4))
    if kind == 0:
        return noises.wind(rng, seconds)
    if kind == 1:
        return noises.rain(rng, seconds, rng.uniform(20, 600))
    if kind == 2:
        return noises.crackle(rng, seconds)
    out = np.zeros(num_samples(seconds))
    centre = _pitch(rng, 100, 4000)
    for _ in range(int(rng.uniform(20, 400) * seconds)):
        length = int(rng.uniform(0.005, 0.12) * SAMPLE_RATE)
        start = int(rng.integers(0, len(out) - length))
        frequency = centre * 2 ** rng.normal(0, rng.uniform(0.05, 1.5))
        grain = np.sin(2 * np.pi * frequency * np.arange(length) / SAMPLE_RATE) * np.hanning(length)
        out[start : start + length] += grain * rng.uniform(0.1, 1.0)
    return out


def drone(rng: np.random.Generator) -> FloatArray:
    """Held chords of slowly beating, detuned partials that swell and fade."""
    seconds = rng.uniform(2.0, 6.0)
    root = _pitch(rng, 40, 400)
    notes = [
        root * 2 ** (i / 12)
        for i in rng.choice(
            [0, 3, 4, 7, 10, 12, 14, 19], size=int(rng.integers(1, 4)), replace=False
        )
    ]
    return demo.pad(notes, seconds) if rng.random() < 0.5 else demo.organ(notes, seconds)


def demo_instrument(rng: np.random.Generator) -> FloatArray:
    """One of the demo synth's instruments on a random note: bells, bowed strings, vowels,
    marimba, FM bass, a filter sweep."""
    kind = int(rng.integers(6))
    seconds = rng.uniform(0.8, 4.0)
    if kind == 0:
        return demo.fm_bell(
            _pitch(rng, 200, 2000),
            seconds,
            rng.uniform(1.0, 3.5),
            rng.uniform(2, 12),
            rng.uniform(0.5, 4),
        )
    if kind == 1:
        return demo.bowed(rng, _pitch(rng, 60, 900), seconds)
    if kind == 2:
        return demo.glottal_vowel(
            str(rng.choice(list(demo.VOWEL_FORMANTS))), _pitch(rng, 80, 400), seconds
        )
    if kind == 3:
        return demo.marimba(rng, _pitch(rng, 100, 1500), seconds)
    if kind == 4:
        return demo.fm_bass(_pitch(rng, 30, 200), seconds)
    return demo.sweep(
        _pitch(rng, 40, 400), seconds, rng.uniform(100, 600), rng.uniform(2000, 10000)
    )


def sequence(rng: np.random.Generator) -> FloatArray:
    """A phrase of separate synthetic notes with rests: events that start and end."""
    makers: list[Maker] = [fm_tone, impact, demo_instrument, plucked]
    make = makers[int(rng.integers(len(makers)))]
    parts = [
        make(rng)[: num_samples(rng.uniform(0.15, 1.5))] for _ in range(int(rng.integers(2, 6)))
    ]
    gaps = [np.zeros(num_samples(rng.uniform(0.05, 0.8))) for _ in parts]
    return np.concatenate([x for pair in zip(parts, gaps, strict=True) for x in pair])


# (name, maker, share of the synthesised seconds)
MAKERS: tuple[tuple[str, Maker, float], ...] = (
    ("noise", coloured_noise, 0.08), ("whoosh", filtered_sweep_noise, 0.06),
    ("glide", glide, 0.14), ("chirp", chirp, 0.05), ("pluck", plucked, 0.1),
    ("fm", fm_tone, 0.1), ("impact", impact, 0.1), ("drum", drum_hit, 0.05),
    ("rhythm", rhythm, 0.08), ("texture", texture, 0.06), ("drone", drone, 0.06),
    ("demo", demo_instrument, 0.07), ("sequence", sequence, 0.05),
)  # fmt: skip


def finish(sound: FloatArray, rng: np.random.Generator) -> np.ndarray:
    """Fades at the ends, peak at -1 to -20 dBFS (levels vary as recordings do), float32."""
    sound = np.nan_to_num(np.asarray(sound, dtype=np.float64))
    fade = min(256, len(sound) // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade)
        sound[:fade] *= ramp
        sound[-fade:] *= ramp[::-1]
    peak = float(np.abs(sound).max()) if sound.size else 0.0
    if peak > 0:
        sound = sound / peak * 10 ** (-rng.uniform(1, 20) / 20)
    return sound.astype(np.float32)

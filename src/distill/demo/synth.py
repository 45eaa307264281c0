"""Deterministic tonal synthesis for the demo sounds: strings, bells, voices, pads, organ."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import signal

SAMPLE_RATE = 48_000
FloatArray = npt.NDArray[np.float64]

_NOTE_OFFSETS = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
# Peterson & Barney (1952) average adult male formants F1-F3 in Hz; F4/F5 are typical values.
VOWEL_FORMANTS = {
    "a": (730.0, 1090.0, 2440.0, 3400.0, 4200.0),
    "e": (530.0, 1840.0, 2480.0, 3400.0, 4200.0),
    "i": (270.0, 2290.0, 3010.0, 3500.0, 4300.0),
    "o": (570.0, 840.0, 2410.0, 3400.0, 4200.0),
    "u": (300.0, 870.0, 2240.0, 3300.0, 4100.0),
}
_FORMANT_BANDWIDTHS = (80.0, 90.0, 120.0, 160.0, 200.0)


def note_frequency(note: str) -> float:
    """Frequency in Hz of a note name such as "a4" (440 Hz), "c#3" or "eb2"."""
    offset = _NOTE_OFFSETS[note[0].lower()]
    offset += note.count("#") - (1 if len(note) > 2 and note[1] == "b" else 0)
    midi = 12 * (int(note.lstrip("abcdefgABCDEFG#")) + 1) + offset
    return 440.0 * 2.0 ** ((midi - 69) / 12)


def num_samples(seconds: float) -> int:
    """Number of samples in `seconds` at 48 kHz."""
    return round(seconds * SAMPLE_RATE)


def times(seconds: float) -> FloatArray:
    """Sample times in seconds, [S]."""
    return np.arange(num_samples(seconds)) / SAMPLE_RATE


def decay(t: FloatArray, t60: float) -> FloatArray:
    """Exponential envelope that falls by 60 dB after `t60` seconds."""
    return np.exp(-6.907755 * t / t60)


def attack_release(n: int, attack: float, release: float) -> FloatArray:
    """Envelope [S] with a raised-cosine attack and release (seconds) and a flat middle."""
    envelope = np.ones(n)
    rise = _raised_cosine(min(num_samples(attack), n))
    fall = _raised_cosine(min(num_samples(release), n))[::-1]
    envelope[: len(rise)] *= rise
    envelope[n - len(fall) :] *= fall
    return envelope


def _raised_cosine(length: int) -> FloatArray:
    """A rising half-cosine ramp from 0 towards 1, [length]."""
    return 0.5 - 0.5 * np.cos(np.pi * np.arange(length) / max(length, 1))


def resonator(x: FloatArray, frequency: float, bandwidth: float) -> FloatArray:
    """Two-pole resonator with unity gain at DC (Klatt 1980 formant filter)."""
    c = -np.exp(-2 * np.pi * bandwidth / SAMPLE_RATE)
    b = 2 * np.exp(-np.pi * bandwidth / SAMPLE_RATE) * np.cos(2 * np.pi * frequency / SAMPLE_RATE)
    return np.asarray(signal.lfilter([1 - b - c], [1, -b, -c], x))


def band_noise(rng: np.random.Generator, n: int, low: float, high: float) -> FloatArray:
    """White noise [S] band-limited to [low, high] Hz by a 4th-order Butterworth."""
    sos = signal.butter(4, [low, high], btype="band", fs=SAMPLE_RATE, output="sos")
    return np.asarray(signal.sosfilt(sos, rng.standard_normal(n)))


def pluck(
    rng: np.random.Generator,
    frequency: float,
    seconds: float,
    t60: float = 3.0,
    brightness: float = 0.3,
) -> FloatArray:
    """Karplus-Strong plucked string (Karplus & Strong 1983, Jaffe & Smith 1983 tuning).

    The loop is an integer delay, a two-point average and a first-order allpass for the
    fractional part of the period, run as one IIR filter.
    """
    period = SAMPLE_RATE / frequency
    delay = int(period - 0.6)
    fraction = period - 0.5 - delay  # in [0.1, 1.1): what the allpass must add
    c = (1 - fraction) / (1 + fraction)
    gain = 1e-3 ** (1 / (frequency * t60))
    den = np.zeros(delay + 3)
    den[0], den[1] = 1.0, c
    den[delay : delay + 3] -= 0.5 * gain * np.array([c, 1 + c, 1.0])
    burst = rng.uniform(-1, 1, delay)
    burst = np.asarray(signal.lfilter([brightness], [1, brightness - 1], burst))
    excitation = np.zeros(num_samples(seconds))
    excitation[:delay] = burst - burst.mean()
    return np.asarray(signal.lfilter([1.0, c], den, excitation))


def fm_bell(
    frequency: float, seconds: float, ratio: float = 1.4, index: float = 8.0, t60: float = 2.5
) -> FloatArray:
    """Chowning (1973) FM bell: an inharmonic modulator whose index decays with the note."""
    t = times(seconds)
    modulation = index * decay(t, t60 * 0.6) * np.sin(2 * np.pi * ratio * frequency * t)
    return decay(t, t60) * np.sin(2 * np.pi * frequency * t + modulation)


def additive(
    frequency: float, seconds: float, partials: list[tuple[float, float, float]]
) -> FloatArray:
    """Sum of decaying sines; each partial is (frequency ratio, amplitude, t60 in seconds)."""
    t = times(seconds)
    out = np.zeros_like(t)
    for ratio, amplitude, t60 in partials:
        if ratio * frequency < 0.45 * SAMPLE_RATE:
            out += amplitude * decay(t, t60) * np.sin(2 * np.pi * ratio * frequency * t)
    return out


def vibrato_phase(
    frequency: float, n: int, rate: float, depth: float, onset: float = 0.0
) -> FloatArray:
    """Phase in cycles [S] of a tone with vibrato (`depth` as a fraction of `frequency`)."""
    t = np.arange(n) / SAMPLE_RATE
    fade_in = np.clip(t / max(onset, 1e-9), 0, 1)
    instantaneous = frequency * (1 + depth * fade_in * np.sin(2 * np.pi * rate * t))
    return np.cumsum(instantaneous) / SAMPLE_RATE


def harmonic_tone(
    phase: FloatArray, frequency: float, rolloff: float, max_frequency: float = 9000.0
) -> FloatArray:
    """Band-limited sawtooth-like tone from a phase in cycles, harmonics tilted by `rolloff` Hz."""
    amplitudes = [
        np.exp(-k * frequency / rolloff) / k for k in range(1, int(max_frequency / frequency) + 1)
    ]
    return sine_series(2 * np.pi * phase, amplitudes)


def sine_series(angle: FloatArray, amplitudes: Sequence[float | FloatArray]) -> FloatArray:
    """Sum over k of amplitudes[k - 1] * sin(k * angle), each amplitude a number or [S].

    Uses the Chebyshev recurrence sin(k x) = 2 cos(x) sin((k - 1) x) - sin((k - 2) x),
    which needs one cosine instead of one sine per harmonic.
    """
    twice_cos = 2 * np.cos(angle)
    previous, current = np.zeros_like(angle), np.sin(angle)
    out = np.zeros_like(angle)
    for amplitude in amplitudes:
        out += amplitude * current
        previous, current = current, twice_cos * current - previous
    return out


def glottal_vowel(vowel: str, frequency: float, seconds: float) -> FloatArray:
    """Source-filter vowel: a Rosenberg (1971) glottal pulse train through cascade formants."""
    n = num_samples(seconds)
    cycle = vibrato_phase(frequency, n, rate=5.0, depth=0.012, onset=0.4) % 1.0
    opening, closing = 0.4, 0.16
    flow = np.where(cycle < opening, 0.5 - 0.5 * np.cos(np.pi * cycle / opening), 0.0)
    closing_part = (cycle >= opening) & (cycle < opening + closing)
    flow[closing_part] = np.cos(0.5 * np.pi * (cycle[closing_part] - opening) / closing)
    out = np.diff(flow, prepend=0.0)  # lip radiation: the derivative of the flow
    scale = 1.0 + 0.17 * np.log2(frequency / 110.0)  # higher voices have shorter tracts
    for formant, bandwidth in zip(VOWEL_FORMANTS[vowel], _FORMANT_BANDWIDTHS, strict=True):
        out = resonator(out, formant * scale, bandwidth)
    return out * attack_release(n, 0.06, 0.2)


def pad(frequencies: list[float], seconds: float) -> FloatArray:
    """Pad: three slightly detuned band-limited saws per note, soft attack and vibrato."""
    n = num_samples(seconds)
    out = np.zeros(n)
    for frequency in frequencies:
        for cents, rate in ((-8.0, 5.1), (0.0, 5.5), (7.0, 5.9)):
            detuned = frequency * 2 ** (cents / 1200)
            phase = vibrato_phase(detuned, n, rate=rate, depth=0.004)
            out += harmonic_tone(phase, detuned, rolloff=1500.0, max_frequency=6000.0)
    return out * attack_release(n, 0.7, 0.9)


def bowed(rng: np.random.Generator, frequency: float, seconds: float) -> FloatArray:
    """Bowed string: a saw-like tone with delayed vibrato through body resonances, bow noise."""
    n = num_samples(seconds)
    phase = vibrato_phase(frequency, n, rate=5.8, depth=0.007, onset=0.6)
    source = harmonic_tone(phase, frequency, rolloff=4000.0)
    source += 0.03 * band_noise(rng, n, 2000, 8000)
    body = sum(g * resonator(source, f, f / 6) for f, g in ((280, 1.0), (460, 0.8), (2600, 0.5)))
    return (0.3 * source + np.asarray(body)) * attack_release(n, 0.18, 0.3)


def organ(frequencies: list[float], seconds: float) -> FloatArray:
    """Drawbar organ chord: sines at 1/2, 1, 3/2, 2, 3 and 4 times each note, with tremolo."""
    t = times(seconds)
    out = np.zeros_like(t)
    for frequency in frequencies:
        for ratio, amplitude in ((0.5, 0.8), (1, 1.0), (1.5, 0.5), (2, 0.6), (3, 0.3), (4, 0.25)):
            out += amplitude * np.sin(2 * np.pi * ratio * frequency * t)
    tremolo = 1 + 0.15 * np.sin(2 * np.pi * 6.2 * t)
    return out * tremolo * attack_release(len(t), 0.01, 0.15)


def sweep(frequency: float, seconds: float, low: float = 200.0, high: float = 6000.0) -> FloatArray:
    """A held saw whose resonant low-pass cutoff rises exponentially, applied per harmonic."""
    t = times(seconds)
    cutoff = low * (high / low) ** (t / t[-1])
    gains = []
    for k in range(1, int(9000 / frequency) + 1):
        ratio = k * frequency / cutoff  # magnitude of a 2nd-order low-pass with Q = 4
        gains.append(1 / np.sqrt((1 - ratio**2) ** 2 + (ratio / 4) ** 2) / k)
    out = sine_series(2 * np.pi * frequency * t, gains)
    return out * attack_release(len(t), 0.02, 0.2)


def fm_bass(frequency: float, seconds: float) -> FloatArray:
    """FM bass: a 1:1 modulator whose index falls quickly, a plucky electric-bass attack."""
    t = times(seconds)
    index = 0.8 + 3.5 * np.exp(-t / 0.12)
    tone = np.sin(2 * np.pi * frequency * t + index * np.sin(2 * np.pi * frequency * t))
    return tone * decay(t, 2.5) * attack_release(len(t), 0.003, 0.2)


def marimba(rng: np.random.Generator, frequency: float, seconds: float) -> FloatArray:
    """Marimba: a tuned bar's modes (ratios 1 : 4 : 9.9) with a short mallet thump."""
    partials = [(1.0, 1.0, 1.2), (3.99, 0.35, 0.35), (9.9, 0.12, 0.12)]
    thump = band_noise(rng, num_samples(seconds), 200, 2000) * decay(times(seconds), 0.02)
    return additive(frequency, seconds, partials) + 0.3 * thump

"""Deterministic drum and noise-texture synthesis for the demo sounds (kick, hats, wind, rain)."""

from __future__ import annotations

import numpy as np
from scipy import signal

from distill.demo.synth import SAMPLE_RATE, FloatArray, band_noise, decay, num_samples, times


def kick(seconds: float) -> FloatArray:
    """Kick drum: a sine whose pitch drops from ~155 Hz to 45 Hz, plus a short click."""
    t = times(seconds)
    pitch = 45 + 110 * np.exp(-t / 0.035)
    body = np.sin(2 * np.pi * np.cumsum(pitch) / SAMPLE_RATE) * decay(t, 0.7)
    click = np.exp(-t / 0.002) * np.cos(2 * np.pi * 1800 * t)
    return body + 0.3 * click


def snare(rng: np.random.Generator, seconds: float) -> FloatArray:
    """Snare drum: two damped shell modes plus band-passed noise for the wires."""
    t = times(seconds)
    shell = np.sin(2 * np.pi * 185 * t) + 0.6 * np.sin(2 * np.pi * 330 * t)
    wires = band_noise(rng, len(t), 1500, 9000)
    return 0.6 * shell * decay(t, 0.25) + 0.25 * wires * decay(t, 0.45)


def hihat(rng: np.random.Generator, seconds: float, t60: float) -> FloatArray:
    """Hi-hat: six detuned square waves (a metallic cluster) and noise, band-passed high."""
    t = times(seconds)
    metal = sum(np.sign(np.sin(2 * np.pi * f * t)) for f in (205, 304, 370, 523, 540, 800))
    mix = 0.15 * np.asarray(metal) + rng.standard_normal(len(t))
    sos = signal.butter(4, [6500, 15000], btype="band", fs=SAMPLE_RATE, output="sos")
    return np.asarray(signal.sosfilt(sos, mix)) * decay(t, t60)


def tom(seconds: float, frequency: float = 110.0) -> FloatArray:
    """Tom: a sine gliding down a fifth as it decays."""
    t = times(seconds)
    pitch = frequency * (1 + 0.5 * np.exp(-t / 0.08))
    return np.sin(2 * np.pi * np.cumsum(pitch) / SAMPLE_RATE) * decay(t, 0.9)


def wind(rng: np.random.Generator, seconds: float) -> FloatArray:
    """Wind: narrow noise bands whose loudness wanders slowly and independently (gusts)."""
    n = num_samples(seconds)
    out = np.zeros(n)
    for centre in (180.0, 300.0, 480.0, 760.0, 1200.0, 1900.0):
        band = band_noise(rng, n, centre / 1.15, centre * 1.15)
        out += band * np.exp(1.2 * _slow_curve(rng, n, rate=2.5)) / np.sqrt(centre)
    return out * np.exp(0.6 * _slow_curve(rng, n, rate=0.8))


def _slow_curve(rng: np.random.Generator, n: int, rate: float) -> FloatArray:
    """Smooth random curve [S] in [-1, 1]: cosine interpolation of `rate` random points a second."""
    points = rng.uniform(-1, 1, int(rate * n / SAMPLE_RATE) + 2)
    position = np.arange(n) * (len(points) - 1) / n
    index = position.astype(int)
    blend = 0.5 - 0.5 * np.cos(np.pi * (position - index))
    return points[index] * (1 - blend) + points[index + 1] * blend


def rain(rng: np.random.Generator, seconds: float, drops_per_second: float = 180.0) -> FloatArray:
    """Rain: bubble-like drops (a rising, fast-decaying sine, Minnaert resonance) over hiss."""
    n = num_samples(seconds)
    out = 0.02 * band_noise(rng, n, 2000, 12000)
    for _ in range(int(drops_per_second * seconds)):
        start = int(rng.integers(0, n))
        frequency = float(np.exp(rng.uniform(np.log(1200), np.log(5000))))
        tau = rng.uniform(0.003, 0.012)
        t = np.arange(min(int(tau * 8 * SAMPLE_RATE), n - start)) / SAMPLE_RATE
        chirp = np.sin(2 * np.pi * frequency * t * (1 + 0.1 * t / tau)) * np.exp(-t / tau)
        out[start : start + len(t)] += rng.lognormal(-2.0, 0.7) * chirp
    return out


def crackle(rng: np.random.Generator, seconds: float) -> FloatArray:
    """Fire crackle: sparse bursts of sharp clicks over a low rumble."""
    n = num_samples(seconds)
    clicks = np.zeros(n)
    for _ in range(int(20 * seconds)):  # bursts of 1-8 clicks a few ms apart
        position = int(rng.integers(0, n))
        for _ in range(int(rng.integers(1, 9))):
            position += int(rng.integers(40, 400))
            if position < n:
                clicks[position] += rng.choice([-1.0, 1.0]) * rng.lognormal(-0.5, 0.8)
    sos = signal.butter(2, 1500, btype="high", fs=SAMPLE_RATE, output="sos")
    sharp = np.asarray(signal.sosfilt(sos, clicks))
    rumble = band_noise(rng, n, 40, 300) * (1 + 0.5 * _slow_curve(rng, n, rate=1.5))
    return sharp + 0.6 * rumble

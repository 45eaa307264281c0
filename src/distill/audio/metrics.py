"""The quality ruler: distances between an original and a decode, fixed whatever the model.

Every setting here is a constant of this module and nothing is read from the model's own
front end (`SpectrogramConfig`), so a change to the front end cannot move the ruler. Both
signals are compared at 48 kHz as they are (no normalisation): the decode must come back at
the original's level to score well. Three numbers:

- `multiscale_mel_distance`: DAC-style multi-scale mel distance (Kumar et al. 2023): windows
  512 / 1024 / 2048 with 80 / 160 / 320 mel bands, hop = window / 4, L1 between log10 mel
  magnitudes floored at 1e-5, averaged over the scales.
- `best_gain_distance`: the same at the gain that minimises it. A log distance rewards a
  quieter blur (measured: -3.8 dB on average for our decodes), so a comparison that lets the
  level float must say so; this number says how much of a distance is level alone.
- `harmonic_distance`: L1 between log10 powers of a 4096-point linear STFT (11.7 Hz bins,
  resolving the harmonics of any note above ~40 Hz) up to 8 kHz, over the frames where the
  original is audible. Mel bands above ~3.5 kHz merge a 220 Hz note's partials; this does not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

RULER_SAMPLE_RATE = 48_000
MEL_SCALES = ((512, 80), (1024, 160), (2048, 320))  # (window, mel bands), hop = window / 4
MAGNITUDE_FLOOR = 1e-5  # log10 floor of mel magnitudes (DAC's clamp_eps)
HARMONIC_WINDOW = 4096
HARMONIC_MAX_HZ = 8000.0
POWER_FLOOR = 1e-10  # log10 floor of linear STFT powers (the same -100 dB as above)
AUDIBLE_RANGE_DB = 60.0  # frames this far below the original's loudest frame do not count
AUDIBLE_FLOOR_DB = -90.0  # nor frames below this absolute level (dB of mean bin power)
GAIN_RANGE_DB = 24.0  # best_gain_distance searches gains within +-this: 1 dB steps, then 0.1


@dataclass(frozen=True)
class QualityDistances:
    """The three ruler numbers for one decode (lower is better), and the best gain found."""

    mel: float  # multi-scale mel distance at the decode's own level
    best_gain_mel: float  # the same at the distance-minimising gain
    best_gain_db: float  # that gain (negative: the decode scores better quieter)
    harmonic: float  # log power distance on a linear 4096-point STFT up to 8 kHz


def _mel_filters(window: int, num_bands: int) -> torch.Tensor:
    """Triangular HTK mel filters with unit peak: [num_bands, window // 2 + 1]."""
    bin_hz = torch.linspace(0, RULER_SAMPLE_RATE / 2, window // 2 + 1, dtype=torch.float64)
    top = 2595.0 * math.log10(1.0 + (RULER_SAMPLE_RATE / 2) / 700.0)
    edges = 700.0 * (10.0 ** (torch.linspace(0, top, num_bands + 2, dtype=torch.float64) / 2595))
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bin_hz[None, :] - lower) / (centre - lower)
    falling = (upper - bin_hz[None, :]) / (upper - centre)
    return torch.clamp(torch.minimum(rising, falling), min=0.0)


def _magnitudes(waveform: torch.Tensor, window: int) -> torch.Tensor:
    """waveform [S] -> STFT magnitudes [window // 2 + 1, frames], Hann, hop window / 4."""
    return torch.stft(
        waveform.double(),
        window,
        hop_length=window // 4,
        window=torch.hann_window(window, dtype=torch.float64),
        center=True,
        return_complex=True,
    ).abs()


def _aligned(reference: torch.Tensor, estimate: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Both as float64 [S] of the shorter length (a decode may be a hop shorter)."""
    reference = torch.as_tensor(reference).reshape(-1).double()
    estimate = torch.as_tensor(estimate).reshape(-1).double()
    length = min(reference.shape[0], estimate.shape[0])
    if length == 0:
        raise ValueError("Cannot compare empty audio.")
    return reference[:length], estimate[:length]


def _mel_pairs(
    reference: torch.Tensor, estimate: torch.Tensor
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Per scale: (reference mel magnitudes, estimate mel magnitudes), each [bands, frames]."""
    pairs: list[tuple[torch.Tensor, torch.Tensor]] = []
    for window, num_bands in MEL_SCALES:
        filters = _mel_filters(window, num_bands)
        pairs.append(
            (filters @ _magnitudes(reference, window), filters @ _magnitudes(estimate, window))
        )
    return pairs


def _mel_distance_at(pairs: list[tuple[torch.Tensor, torch.Tensor]], gain: float) -> float:
    distances = [
        (ref.clamp(min=MAGNITUDE_FLOOR).log10() - (est * gain).clamp(min=MAGNITUDE_FLOOR).log10())
        .abs()
        .mean()
        .item()
        for ref, est in pairs
    ]
    return sum(distances) / len(distances)


def multiscale_mel_distance(reference: torch.Tensor, estimate: torch.Tensor) -> float:
    """Original [S] vs decode [S], both at 48 kHz and at their own levels -> distance."""
    return _mel_distance_at(_mel_pairs(*_aligned(reference, estimate)), 1.0)


def best_gain_distance(reference: torch.Tensor, estimate: torch.Tensor) -> tuple[float, float]:
    """(the least multi-scale mel distance over gains within +-24 dB, that gain in dB)."""
    pairs = _mel_pairs(*_aligned(reference, estimate))

    def best_of(gains_db: list[float]) -> tuple[float, float]:
        return min((_mel_distance_at(pairs, 10 ** (db / 20)), db) for db in gains_db)

    span = round(GAIN_RANGE_DB)
    _, coarse = best_of([float(db) for db in range(-span, span + 1)])
    distance, gain_db = best_of([coarse + 0.1 * k for k in range(-10, 11)])
    return distance, round(gain_db, 2)


def harmonic_distance(reference: torch.Tensor, estimate: torch.Tensor) -> float:
    """Original [S] vs decode [S]: mean |log10 power difference| on a 4096-point STFT, bins up
    to 8 kHz, frames within 60 dB of the original's loudest (and above -90 dB); 0 if none."""
    reference, estimate = _aligned(reference, estimate)
    num_bins = int(HARMONIC_MAX_HZ / (RULER_SAMPLE_RATE / HARMONIC_WINDOW)) + 1
    ref = _magnitudes(reference, HARMONIC_WINDOW)[:num_bins].square()  # [bins, frames]
    est = _magnitudes(estimate, HARMONIC_WINDOW)[:num_bins].square()
    frame_db = 10 * ref.mean(dim=0).clamp(min=POWER_FLOOR).log10()  # [frames]
    audible = (frame_db > frame_db.max() - AUDIBLE_RANGE_DB) & (frame_db > AUDIBLE_FLOOR_DB)
    if not bool(audible.any()):
        return 0.0
    difference = ref.clamp(min=POWER_FLOOR).log10() - est.clamp(min=POWER_FLOOR).log10()
    return difference[:, audible].abs().mean().item()


def quality_distances(reference: torch.Tensor, estimate: torch.Tensor) -> QualityDistances:
    """All three ruler numbers for one original [S] and its decode [S] (both 48 kHz)."""
    best, gain_db = best_gain_distance(reference, estimate)
    return QualityDistances(
        mel=multiscale_mel_distance(reference, estimate),
        best_gain_mel=best,
        best_gain_db=gain_db,
        harmonic=harmonic_distance(reference, estimate),
    )

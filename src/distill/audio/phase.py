"""A phase for Griffin-Lim to start from, built from the magnitude alone: phase-gradient
heuristic integration (Prusa, Balazs & Sondergaard 2017, "A noniterative method for
reconstruction of phase from STFT magnitude"), vectorised with peak locking.

For a Gaussian-like window the phase's derivatives follow from the log-magnitude's: along time
(the instantaneous frequency) from its slope across bins, across bins (the time of an event
inside the window) from its slope along time. Here every bin's phase is integrated along time,
and each bin then takes its spectral peak's phase plus the across-bin integral from that peak
(peak locking, as in Laroche & Dolson's phase vocoder), so partials stay coherent over time and
the bins of one partial or one click stay coherent with each other. The heap of the paper,
which integrates from the loudest coefficient outwards one at a time, is not used: in Python it
costs about a second per 10 s of audio; this costs ~20 ms.

Measured on the 18 held-out benchmark recordings, their true STFT magnitude, 24 Griffin-Lim
iterations: random start mel 0.096 / harmonic 0.250, this start 0.091 / 0.224 (the heap-like
frame-by-frame integration 0.086 / 0.207, at 60 ms per second of audio).
"""

from __future__ import annotations

import math

import torch

HANN_GAMMA = 0.25645  # a Hann window of length L acts like a Gaussian with gamma = 0.25645 L^2


def _centred_difference(x: torch.Tensor, dim: int) -> torch.Tensor:
    """The derivative of x along dim by centred differences (one-sided at the ends)."""
    step = torch.diff(x, dim=dim)
    following = torch.cat([step, step.narrow(dim, -1, 1)], dim=dim)
    preceding = torch.cat([step.narrow(dim, 0, 1), step], dim=dim)
    return 0.5 * (following + preceding)


PROMINENCE = 0.5  # nepers (4.3 dB) over the bins two away: a partial, not a ripple of noise


def _peak_owners(logs: torch.Tensor, loud: torch.Tensor) -> torch.Tensor:
    """log-magnitude [B, N, F] -> for each bin, the index of the bin it takes its phase from
    [B, N, F]: the nearest prominent spectral peak in its frame (a partial), or in a frame
    without one (a click, noise) the frame's loudest bin."""
    batch, bins, frames = logs.shape
    lowest = torch.full_like(logs[:, :2], -math.inf)
    padded = torch.cat([lowest, logs, lowest], dim=1)  # [B, N + 4, F]
    below, above = padded[:, 1:-3], padded[:, 3:-1]
    two_away = torch.maximum(padded[:, :-4], padded[:, 4:])
    peak = (logs >= below) & (logs > above) & (logs - two_away > PROMINENCE) & loud
    index = torch.arange(bins, device=logs.device).view(1, -1, 1).expand(batch, bins, frames)
    far = bins * 4
    nearest_below = torch.where(peak, index, index - far).cummax(dim=1).values
    nearest_above = torch.where(peak, index, index + far).flip(1).cummin(dim=1).values.flip(1)
    near = index - nearest_below <= nearest_above - index
    owner = torch.where(near, nearest_below, nearest_above).clamp(0, bins - 1)
    loudest = logs.argmax(dim=1, keepdim=True).expand_as(owner)
    return torch.where(peak.any(dim=1, keepdim=True), owner, loudest)


def pghi_phase(
    magnitude: torch.Tensor, hop: int, n_fft: int, tolerance_db: float = 60.0, seed: int = 0
) -> torch.Tensor:
    """STFT magnitude [B, N, F] (a Hann window of n_fft, hop samples apart) -> a phase
    [B, N, F] in torch.stft's convention. Bins more than tolerance_db under the loudest, and
    frames without a peak, get a random phase (deterministic for a seed)."""
    batch, bins, _ = magnitude.shape
    logs = torch.log(magnitude.clamp(min=1e-20))
    gamma = HANN_GAMMA * n_fft**2
    m = torch.arange(bins, dtype=logs.dtype, device=logs.device).view(1, -1, 1)
    # the phase's advance from frame to frame, and its change from bin to bin
    advance = (hop * n_fft / gamma) * _centred_difference(logs, 1) + 2 * math.pi * hop * m / n_fft
    across = -(gamma / (hop * n_fft)) * _centred_difference(logs, 2)
    floor = logs.amax(dim=(1, 2), keepdim=True) - tolerance_db / 20 * math.log(10)
    loud = logs > floor
    owner = _peak_owners(logs, loud)
    along_bins = torch.cat(
        [torch.zeros_like(across[:, :1]), (0.5 * (across[:, 1:] + across[:, :-1])).cumsum(dim=1)],
        dim=1,
    )  # [B, N, F]: the across-bin integral from bin 0
    generator = torch.Generator().manual_seed(seed)
    start = torch.rand(batch, bins, 1, generator=generator).to(logs.device) * 2 * math.pi
    steps = 0.5 * (advance[..., 1:] + advance[..., :-1])
    along_time = torch.cat([start, start + steps.cumsum(dim=2)], dim=2)  # [B, N, F]
    locked = torch.gather(along_time, 1, owner) + along_bins - torch.gather(along_bins, 1, owner)
    noise = torch.rand(magnitude.shape, generator=generator).to(logs.device) * 2 * math.pi
    phase = torch.where(loud, locked, noise)
    # The derivation centres the window on the frame; torch.stft's window starts it: a linear
    # phase of half a window, pi per bin.
    return phase + math.pi * m

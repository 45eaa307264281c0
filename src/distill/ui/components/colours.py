"""The code colours: one colour per code, far apart for codebooks of 64 to 256 codes.

A fixed list of sRGB colours is chosen once by farthest-point sampling in OKLab (Ottosson
2020, a space where distance tracks perceived difference): each next colour is the candidate
farthest from every colour chosen before it. So the first K colours of the list are spread
as widely as the list allows for any K, and code c always has the same colour. (matplotlib's
tab20, used before, repeated every 20 codes: 64 and 84 looked the same.) Candidates keep a
mid-to-light lightness so the code's number stays readable on its cell.
"""

from __future__ import annotations

from functools import cache

import numpy as np

MAX_CODES = 256
LIGHTNESS = (0.52, 0.93)  # OKLab L of the candidates: not too dark for the marks to show
_STEPS = 16  # sRGB candidates per channel (4,096 colours before the lightness filter)


def _linear(srgb: np.ndarray) -> np.ndarray:
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def oklab(srgb: np.ndarray) -> np.ndarray:
    """sRGB in [0, 1], [N, 3] -> OKLab [N, 3] (L, a, b)."""
    lms = _linear(srgb) @ np.array(
        [
            [0.4122214708, 0.2119034982, 0.0883024619],
            [0.5363325363, 0.6806995451, 0.2817188376],
            [0.0514459929, 0.1073970566, 0.6299787005],
        ]
    )
    return np.cbrt(lms) @ np.array(
        [
            [0.2104542553, 1.9779984951, 0.0259040371],
            [0.7936177850, -2.4285922050, 0.7827717662],
            [-0.0040720468, 0.4505937099, -0.8086757660],
        ]
    )


@cache
def code_palette() -> np.ndarray:
    """MAX_CODES sRGB colours [MAX_CODES, 3] in [0, 1], farthest-point order in OKLab."""
    levels = np.linspace(0.0, 1.0, _STEPS)
    srgb = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), -1).reshape(-1, 3)
    lab = oklab(srgb)
    keep = (lab[:, 0] >= LIGHTNESS[0]) & (lab[:, 0] <= LIGHTNESS[1])
    srgb, lab = srgb[keep], lab[keep]
    # Start from the candidate nearest a mid blue, so code 0 is a calm colour.
    first = int(np.argmin(np.linalg.norm(lab - oklab(np.array([[0.35, 0.55, 0.85]])), axis=1)))
    chosen = [first]
    nearest = np.linalg.norm(lab - lab[first], axis=1)  # each candidate's distance to the set
    for _ in range(MAX_CODES - 1):
        pick = int(np.argmax(nearest))
        chosen.append(pick)
        nearest = np.minimum(nearest, np.linalg.norm(lab - lab[pick], axis=1))
    return srgb[chosen]


def _hex(rgb: np.ndarray) -> str:
    return "#" + "".join(f"{round(float(c) * 255):02x}" for c in rgb)


def readable_text_colour(rgb: np.ndarray) -> str:
    """Black or white, whichever has the higher WCAG 2 contrast ratio against `rgb`."""
    luminance = float(_linear(np.asarray(rgb, dtype=float)) @ np.array([0.2126, 0.7152, 0.0722]))
    contrast_black = (luminance + 0.05) / 0.05
    contrast_white = 1.05 / (luminance + 0.05)
    return "#000000" if contrast_black >= contrast_white else "#ffffff"


@cache
def code_colours(code: int) -> tuple[str, str]:
    """(background, text) hex colours of a cell showing `code` (codes past MAX_CODES reuse
    the list from its start)."""
    rgb = code_palette()[code % MAX_CODES]
    return _hex(rgb), readable_text_colour(rgb)


@cache
def palette_css(codebook_size: int) -> str:
    """One rule per code of a codebook of this size: .distill-grid .code-cell.cN."""
    return "".join(
        f".distill-grid .code-cell.c{code}{{background:{bg};color:{fg}}}"
        for code in range(codebook_size)
        for bg, fg in [code_colours(code)]
    )

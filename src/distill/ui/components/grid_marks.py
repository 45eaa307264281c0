"""What the editor marks on a drawn grid: edited cells, a selection, a blend, the last change.

Marks only add classes (and, for a blend, a tooltip and a shade) to cells the renderer has
already written, so an unmarked grid costs nothing extra.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

SHADES = 5  # how many shades a blended cell's snap distance is drawn in


@dataclass(frozen=True)
class GridMarks:
    """Per-cell marks over a grid of F' columns and L levels (arrays are [F', L])."""

    edited: np.ndarray | None = None  # bool: differs from the codes as encoded
    changed: np.ndarray | None = None  # bool: changed by the last operation (a brief flash)
    distances: np.ndarray | None = None  # float: how far a blend's snap landed; NaN elsewhere
    selection: tuple[tuple[int, int], tuple[int, int]] | None = None  # (levels, columns)
    quiet_levels: frozenset[int] = field(default_factory=frozenset)  # muted for listening


def mark_cells(cells: list[list[str]], marks: GridMarks) -> None:
    """Add the marks' classes to `cells` [L][F'] (the renderer's cell strings), in place."""
    extra: dict[tuple[int, int], list[str]] = {}
    titles: dict[tuple[int, int], str] = {}
    for name, mask in (("edited", marks.edited), ("flash", marks.changed)):
        if mask is not None:
            for position, level in np.argwhere(mask).tolist():
                extra.setdefault((level, position), []).append(name)
    if marks.selection is not None:
        (first_level, last_level), (first, last) = marks.selection
        for level in range(first_level, last_level + 1):
            for position in range(first, last + 1):
                extra.setdefault((level, position), []).append("in-selection")
    if marks.distances is not None:
        _mark_blend(marks.distances, extra, titles)
    for (level, position), names in extra.items():
        cell = cells[level][position]
        cell = cell.replace('class="code-cell ', f'class="code-cell {" ".join(names)} ', 1)
        if (level, position) in titles:
            cell = cell.replace(' data-p="', f' {titles[(level, position)]} data-p="', 1)
        cells[level][position] = cell


def _mark_blend(
    distances: np.ndarray,
    extra: dict[tuple[int, int], list[str]],
    titles: dict[tuple[int, int], str],
) -> None:
    """Blended cells: a tooltip with the snap's distance and a shade (one of SHADES classes,
    s0 nearest to s4 farthest, relative to the farthest snap of this blend). Kept short: a
    whole 10-second grid blended is ~1000 cells, and every byte goes to the page each time
    the slider moves."""
    blended = np.argwhere(np.isfinite(distances)).tolist()
    farthest = float(np.nanmax(distances)) if blended else 0.0
    for position, level in blended:
        distance = float(distances[position, level])
        ratio = distance / farthest if farthest > 0 and math.isfinite(distance) else 0.0
        extra.setdefault((level, position), []).extend(
            ("blended", f"s{min(SHADES - 1, int(ratio * SHADES))}")
        )
        titles[(level, position)] = f'title="snapped {distance:.3f} from the mix"'

"""What the editor marks on a drawn grid: edited cells, a selection, a blend, the last change,
the levels a decode leaves out, and where a continuation joins the file.

Marks only add classes (and, for a blend, a tooltip and a shade) to cells the renderer has
already written, so an unmarked grid costs nothing extra. `cell_class` and `blend_title`
are the one place a cell's class and tooltip are spelled: the full render and the patches
of single cells (ui/codes/cells.py) both use them, so a patched cell reads as a redrawn one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from distill.inference.grid import NO_CODE

SHADES = 5  # how many shades a blended cell's snap distance is drawn in


@dataclass(frozen=True)
class GridMarks:
    """Per-cell marks over a grid of F' columns and L levels (arrays are [F', L])."""

    edited: np.ndarray | None = None  # bool: differs from the codes as encoded
    changed: np.ndarray | None = None  # bool: changed by the last operation (a brief flash)
    distances: np.ndarray | None = None  # float: how far a blend's snap landed; NaN elsewhere
    selection: tuple[tuple[int, int], tuple[int, int]] | None = None  # (levels, columns)
    quiet_levels: frozenset[int] = field(default_factory=frozenset)  # silent when decoded
    muted: frozenset[int] = field(default_factory=frozenset)  # levels whose M is lit
    solo: int | None = None  # the level whose S is lit
    join: int | None = None  # the first column of a continuation


def cell_class(code: int, names: str = "") -> str:
    """A cell's class attribute: the marks' names first, then its colour class."""
    colour = "cn" if code == NO_CODE else f"c{code}"
    return f"code-cell {names} {colour}" if names else f"code-cell {colour}"


def blend_shades(distances: np.ndarray) -> np.ndarray:
    """Each blended cell's shade, 0 (snapped nearest) to SHADES - 1 (farthest of this blend),
    -1 where the blend did not reach: [F', L] int."""
    blended = np.isfinite(distances)
    farthest = float(np.nanmax(distances)) if blended.any() else 0.0
    if farthest <= 0:
        return np.where(blended, 0, -1)
    ratio = np.where(blended, np.nan_to_num(distances) / farthest, 0.0)
    return np.where(blended, np.minimum(SHADES - 1, (ratio * SHADES).astype(int)), -1)


def blend_title(distance: float) -> str:
    """A blended cell's tooltip (kept short: a whole blended grid is sent as the slider
    moves)."""
    return f"snapped {distance:.3f} from the mix" if math.isfinite(distance) else ""


def mark_names(edited: bool, flash: bool, selected: bool, shade: int) -> str:
    """The classes a cell's marks add, in the order the renderer writes them."""
    names = ["edited"] if edited else []
    if flash:
        names.append("flash")
    if selected:
        names.append("in-selection")
    if shade >= 0:
        names.extend(("blended", f"s{shade}"))
    return " ".join(names)


def mark_cells(cells: list[list[str]], codes: np.ndarray, marks: GridMarks) -> None:
    """Add the marks' classes (and blend tooltips) to `cells` [L][F'] (the renderer's cell
    strings for codes [F', L]), in place. Only marked cells are touched."""
    shape = codes.shape
    edited = marks.edited if marks.edited is not None else np.zeros(shape, bool)
    changed = marks.changed if marks.changed is not None else np.zeros(shape, bool)
    selected = np.zeros(shape, bool)
    if marks.selection is not None:
        (first_level, last_level), (first, last) = marks.selection
        selected[first : last + 1, first_level : last_level + 1] = True
    distances = marks.distances if marks.distances is not None else np.full(shape, math.nan)
    shades = blend_shades(distances)
    for position, level in np.argwhere(edited | changed | selected | (shades >= 0)).tolist():
        names = mark_names(
            bool(edited[position, level]),
            bool(changed[position, level]),
            bool(selected[position, level]),
            int(shades[position, level]),
        )
        code = int(codes[position, level])
        title = blend_title(float(distances[position, level]))
        title_attr = f'title="{title}" ' if title else ""
        cells[level][position] = (
            f'<i class="{cell_class(code, names)}" {title_attr}data-p="{position}">'
            f"{'' if code == NO_CODE else code}</i>"
        )

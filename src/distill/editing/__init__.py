"""The editor: pure functions on code grids (DESIGN.md 12) and their undo/redo history.

Levels and columns are 0-based in arguments, ranges inclusive; texts shown to people number
levels from 1. Every bad argument is an `EditError` (a ValueError) with one sentence.
"""

from distill.editing.blend import Blend, blend_region, codebook_vectors, snap_mix
from distill.editing.edits import (
    fill_columns,
    first_levels,
    mute_levels,
    set_code,
    solo_level,
    swap_region,
)
from distill.editing.history import EditHistory, State
from distill.editing.region import EditError, Region, check_region, check_same_model

__all__ = [
    "Blend",
    "EditError",
    "EditHistory",
    "Region",
    "State",
    "blend_region",
    "check_region",
    "check_same_model",
    "codebook_vectors",
    "fill_columns",
    "first_levels",
    "mute_levels",
    "set_code",
    "snap_mix",
    "solo_level",
    "swap_region",
]

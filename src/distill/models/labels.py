"""Level labels: the default names of a model's levels (coarsest first), and custom ones."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral


class LevelLabelError(ValueError):
    """Level labels that do not fit the model (wrong count, not text)."""


# Quantizer dropout trains the first levels to carry the coarse sound (DESIGN.md 3), so the
# top rows are the structure and the last the detail.
DEFAULT_LEVEL_LABELS: dict[int, list[str]] = {
    2: ["Structure", "Detail"],
    3: ["Structure", "Timbre", "Detail"],
    4: ["Structure", "Timbre", "Texture", "Detail"],
}


def _num_levels(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or int(value) < 1:
        raise LevelLabelError(
            f"num_quantizers must be a whole number of at least 1, got {value!r}."
        )
    return int(value)


def get_level_labels(
    num_quantizers: int, custom_labels: Sequence[str | None] | None = None
) -> list[str]:
    """Labels for L levels, top (level 0, coarsest) first.

    Custom labels win (one per level; a blank entry falls back to that level's default).
    Defaults: DEFAULT_LEVEL_LABELS for 2-4 levels, otherwise "Level 1" .. "Level L"
    (1-based, so level index 0 is "Level 1").
    """
    num_levels = _num_levels(num_quantizers)
    defaults = DEFAULT_LEVEL_LABELS.get(num_levels) or [
        f"Level {n}" for n in range(1, num_levels + 1)
    ]
    if custom_labels is None:
        return list(defaults)
    if isinstance(custom_labels, str) or len(custom_labels) != num_levels:
        count = "a string" if isinstance(custom_labels, str) else f"{len(custom_labels)} labels"
        raise LevelLabelError(
            f"Level labels: got {count} but the model has {num_levels} levels; "
            f"give exactly one label per level."
        )
    labels = []
    for level, label in enumerate(custom_labels):
        if label is not None and not isinstance(label, str):
            raise LevelLabelError(f"Level label {level} must be text, got {type(label).__name__}.")
        labels.append(label.strip() if label and label.strip() else defaults[level])
    return labels

"""Default and custom level labels, defined below the UI (the CLI and the app share them)."""

from __future__ import annotations

import re

import pytest

from distill.models.labels import DEFAULT_LEVEL_LABELS, LevelLabelError, get_level_labels


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        (2, ["Structure", "Detail"]),
        (3, ["Structure", "Timbre", "Detail"]),
        (4, ["Structure", "Timbre", "Texture", "Detail"]),
        (6, [f"Level {n}" for n in range(1, 7)]),
        (1, ["Level 1"]),
    ],
)
def test_default_level_labels(levels: int, expected: list[str]) -> None:
    assert get_level_labels(levels) == expected


def test_returned_labels_are_a_copy_and_blank_custom_labels_fall_back() -> None:
    get_level_labels(3).append("oops")
    assert DEFAULT_LEVEL_LABELS[3] == ["Structure", "Timbre", "Detail"]
    assert get_level_labels(3, ["Body", "", "  Air "]) == ["Body", "Timbre", "Air"]
    assert get_level_labels(5, ["A", None, "C", " ", "E"]) == ["A", "Level 2", "C", "Level 4", "E"]


@pytest.mark.parametrize(
    ("levels", "labels", "message"),
    [
        (0, None, "num_quantizers must be a whole number of at least 1"),
        (True, None, "num_quantizers must be a whole number of at least 1"),
        (3, ["a", "b"], "got 2 labels but the model has 3 levels"),
        (2, "ab", "got a string but the model has 2 levels"),
        (2, ["a", 5], "Level label 1 must be text"),
    ],
)
def test_level_label_errors(levels: int, labels: object, message: str) -> None:
    with pytest.raises(LevelLabelError, match=re.escape(message)):
        get_level_labels(levels, labels)  # type: ignore[arg-type]
    assert issubclass(LevelLabelError, ValueError)

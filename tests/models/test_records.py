"""Stored JSON read back as records: type-checked, tolerant of older and newer files."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from distill.models.records import (
    CodebookHealth,
    DatasetSummary,
    LevelHealth,
    RecordError,
    TrainingSetup,
    TrainingSummary,
    read_record,
)
from distill.models.vqvae import VQVAEConfig


@pytest.mark.parametrize(
    "record",
    [
        CodebookHealth((LevelHealth(0, 8, 2, 0.25, 1.9, 6),), ("few codes",)),
        DatasetSummary(2, 1, 1, 3.25, ("a.wav", "b.wav"), ("b.wav",), ("c.wav: empty",)),
        TrainingSummary(3, 0.5, 1.0, None, "cpu", {"seed": 1}),
        VQVAEConfig(num_levels=3, downsample_factors=(2, 4)),
    ],
)
def test_records_round_trip_through_their_stored_shape(record: object) -> None:
    stored = record.to_dict()  # type: ignore[attr-defined]
    assert type(record).from_dict(stored) == record  # type: ignore[attr-defined]


def test_lists_become_tuples_and_whole_numbers_may_stand_for_floats() -> None:
    config = VQVAEConfig.from_dict({"downsample_factors": [2, 2], "commitment_weight": 1})
    assert config.downsample_factors == (2, 2) and config.commitment_weight == 1.0
    assert isinstance(config.commitment_weight, float)


@dataclass(frozen=True)
class _Example:
    count: int
    ratio: float | None = None
    names: tuple[str, ...] = ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"count": True}, "example.count should be a whole number, not True."),
        ({"count": 1.5}, "example.count should be a whole number, not 1.5."),
        ({"count": 1, "ratio": "x"}, "example.ratio should be a number or null, not 'x'."),
        ({"count": 1, "names": "ab"}, "example.names should be a list, not 'ab'."),
        ({"count": 1, "names": ["a", 2]}, "example.names[1] should be text, not 2."),
        ({"ratio": 1.0}, "example has no 'count'."),
        ([1], "example should be an object, not [1]."),
    ],
)
def test_wrong_types_are_named_field_by_field(data: object, message: str) -> None:
    with pytest.raises(RecordError) as excinfo:
        read_record(_Example, data, "example")
    assert str(excinfo.value) == message


def test_unknown_keys_are_ignored_and_missing_ones_take_defaults() -> None:
    assert read_record(_Example, {"count": 2, "later": [1]}, "example") == _Example(2)
    assert DatasetSummary.from_dict({"num_files": 4}) == DatasetSummary(num_files=4)


def test_a_renamed_key_of_an_older_file_is_read_under_its_new_name() -> None:
    older = TrainingSummary.from_dict({"setup": {"preset": "cpu", "chunk_frames": 64}})
    assert older.setup.crop_frames == 64
    both = read_record(TrainingSetup, {"chunk_frames": 64, "crop_frames": 96}, "setup")
    assert both.crop_frames == 96  # the new name wins
    assert TrainingSummary(setup=TrainingSetup(crop_frames=32)).to_dict()["setup"] == {
        **TrainingSummary().to_dict()["setup"],
        "crop_frames": 32,
    }

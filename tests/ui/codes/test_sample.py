"""Export the selection as a plain function: the selected columns of A as heard, exactly
their length, once or as a loop, in the chosen format; said plainly when there is nothing
to export."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import soundfile as sf

from distill.editing import Region
from distill.ui.codes import edits, opening, sample
from distill.ui.codes.session import CodesSession, end_codes_session


@pytest.fixture
def session(model: Path, tone_file: Path) -> Iterator[CodesSession]:
    session = CodesSession()
    opening.encode(str(model), str(tone_file), session)
    yield session
    end_codes_session(session)


def select(session: CodesSession, side: str, region: Region) -> None:
    session.update(lambda s: replace(s, editor=edits.select(s.editor, side, region).editor))  # type: ignore[arg-type]


def test_the_selection_exports_as_exactly_its_columns(session: CodesSession) -> None:
    with pytest.raises(ValueError, match="Select the columns to export first"):
        sample.export_selection(session, "WAV (24-bit)")
    select(session, "a", Region((1, 2), (2, 6)))
    grid = session.state.editor.grids.a  # type: ignore[union-attr]
    per_column = round(grid.seconds_per_column * grid.sample_rate)
    view = sample.export_selection(session, "WAV (24-bit)")
    info = sf.info(view.exported)
    assert Path(view.exported).name == "tone-columns-2-6.wav" and info.subtype == "PCM_24"
    assert info.frames == 5 * per_column and info.samplerate == grid.sample_rate
    assert "Exported columns 2-6 of A as heard" in view.status
    looped = sample.export_selection(session, "FLAC", 4, True)
    assert Path(looped.exported).name == "tone-columns-2-6-loop-x4.flac"
    assert sf.info(looped.exported).frames == 4 * 5 * per_column
    assert "4 times) as a seamless loop (the sound after the span" in looped.status
    with pytest.raises(ValueError, match="Repeats must be a whole number"):
        sample.export_selection(session, "FLAC", 2.5, False)
    # The file's end cuts the last column.
    select(session, "a", Region((0, 0), (grid.num_columns - 3, grid.num_columns - 1)))
    end = sample.export_selection(session, "WAV (24-bit)")
    assert sf.info(end.exported).frames == grid.num_samples - (grid.num_columns - 3) * per_column


def test_nothing_to_export_is_said(model: Path) -> None:
    empty = CodesSession()
    with pytest.raises(ValueError, match="Nothing to export yet"):
        sample.export_selection(empty, "FLAC")

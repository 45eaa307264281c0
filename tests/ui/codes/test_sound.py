"""Previews decoded ahead of a click: after an encode the grid's codes are warmed in the
background, and the warming stops when the file is no longer wanted."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import write_tone

from distill.inference import encode_grid
from distill.models.persistence import load_model
from distill.ui.codes.sound import CLIPS, code_clip, warm_grid_clips


def test_the_grids_codes_are_warmed_until_it_is_not_wanted(model: Path, tmp_path: Path) -> None:
    loaded = load_model(model)
    grid = encode_grid(write_tone(tmp_path / "a.wav", 1.0, 330.0), loaded)
    codes = {
        (level, int(code))
        for level in range(grid.num_levels)
        for code in grid.codes[0, :, level].tolist()
    }
    warm_grid_clips("weights-a", grid, loaded, lambda: True).join(timeout=120)
    for level, code in codes:
        clip = CLIPS.get(("weights-a", "code", level, code))
        assert clip is not None and clip == code_clip("weights-a", level, code, loaded)
    warm_grid_clips("weights-b", grid, loaded, lambda: False).join(timeout=120)
    assert all(CLIPS.get(("weights-b", "code", level, code)) is None for level, code in codes)

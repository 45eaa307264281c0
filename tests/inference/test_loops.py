"""A span of columns as a sample: exactly its columns' length (the file's end cutting the
last), repeated, or a seamless loop whose join runs on as the file did."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tests.helpers import write_tone

from distill.inference import encode_grid
from distill.inference.loops import LoopSettings, equal_power, seamless_body, span_sample
from distill.inference.streaming import stream_grid
from distill.models.persistence import load_model


def test_a_seamless_body_runs_on_from_its_end_into_its_start() -> None:
    rate, fade = 1000, 50
    sound = np.sin(2 * math.pi * 7.3 * np.arange(1000) / rate).astype(np.float32)
    before, span, after = sound[:200], sound[200:700], sound[700:]
    jump = abs(span[0] - span[-1])  # a plain cut jumps here
    body, join = seamless_body(span, after, before, fade)
    assert join == "after" and body.shape == span.shape
    np.testing.assert_array_equal(body[fade:], span[fade:])  # only the start is touched
    step = abs(after[1] - after[0])  # one sample's step of the running sound
    assert abs(body[0] - after[0]) < step < jump  # its end runs on into its start
    body, join = seamless_body(span, None, before, fade)
    assert join == "before" and body.shape == span.shape
    assert abs(body[-1] - before[-1]) < step and np.array_equal(body[:-fade], span[:-fade])
    body, join = seamless_body(span, np.zeros(10, np.float32), None, fade)  # too little after
    assert join == "folded" and body.shape == (span.shape[0] - fade,)
    rise, fall = equal_power(fade)
    np.testing.assert_allclose(rise**2 + fall**2, 1.0, rtol=1e-6)


@pytest.fixture(scope="module")
def grid_and_model(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from tests.helpers import make_tiny_model_file

    folder = tmp_path_factory.mktemp("loops")
    loaded = load_model(make_tiny_model_file(folder / "tiny.distill"))
    return encode_grid(write_tone(folder / "tone.wav", 1.0, 220.0), loaded), loaded


def test_a_span_is_exactly_its_columns_long_and_repeats_whole(grid_and_model) -> None:  # type: ignore[no-untyped-def]
    grid, loaded = grid_and_model
    per_column = round(grid.seconds_per_column * grid.sample_rate)
    once = span_sample(grid, loaded, (3, 10))
    assert once.audio.shape == (7 * per_column,) and once.join == "none"
    thrice = span_sample(grid, loaded, (3, 10), LoopSettings(repeats=3))
    np.testing.assert_array_equal(thrice.audio, np.tile(once.audio, 3))
    last = span_sample(grid, loaded, (grid.num_columns - 2, grid.num_columns))
    assert last.audio.shape == (grid.num_samples - (grid.num_columns - 2) * per_column,)
    loop = span_sample(grid, loaded, (3, 10), LoopSettings(repeats=2, seamless=True))
    assert loop.join == "after" and loop.audio.shape == (2 * 7 * per_column,)
    # One pass is columns 3-9 of a decode of columns 2-10 (the loop's join needs the sound
    # after the span), its start crossfaded with the sound after it; two passes, the same.
    fade = round(0.03 * grid.sample_rate)
    around = np.concatenate(list(stream_grid(grid, loaded, (2, 11), peak=math.inf)))
    span = around[per_column : 8 * per_column]
    body, _ = seamless_body(span, around[8 * per_column :], around[:per_column], fade)
    np.testing.assert_array_equal(loop.audio, np.tile(body, 2))
    assert (
        span_sample(
            grid, loaded, (grid.num_columns - 2, grid.num_columns), LoopSettings(1, True)
        ).join
        == "before"
    )
    whole = span_sample(grid, loaded, (0, grid.num_columns), LoopSettings(1, True))
    assert whole.join == "folded" and whole.audio.shape == (grid.num_samples - fade,)
    with pytest.raises(ValueError, match="Repeats must be a whole number from 1 to 64"):
        LoopSettings(repeats=0)
    with pytest.raises(ValueError, match="not in this grid"):
        span_sample(grid, loaded, (5, grid.num_columns + 1))

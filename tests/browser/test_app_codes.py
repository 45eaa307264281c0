"""The Codes tab in real headless Chromium: encode, clicks reach Python, labels, playhead."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from tests.browser.pages import SLOW_MS, AppPage
from tests.helpers import make_tiny_model_file, write_tone

from distill.inference import encode_audio_file
from distill.models.persistence import load_model, read_model_info
from distill.ui.components.code_grid import COLUMN_WIDTH_PX
from distill.ui.watch import WATCH_EVERY_S

pytestmark = pytest.mark.browser

DEFAULT_LABELS = ["Structure", "Timbre", "Texture", "Detail"]
GRID = "#codes-grid .distill-grid"


def cell(tab: AppPage, level: int, position: int):  # type: ignore[no-untyped-def]
    return tab.page.locator(f'{GRID} .cg-row[data-l="{level}"] .code-cell[data-p="{position}"]')


def playhead_x(tab: AppPage) -> float:
    return float(
        tab.page.evaluate(
            f"parseFloat(document.querySelector('{GRID} .playhead-line').style.left) || 0"
        )
    )


def wait_playing_past(tab: AppPage, element_id: str, seconds: float) -> None:
    tab.page.wait_for_function(
        "([id, t]) => { const a = document.querySelector('#' + id + ' audio');"
        " return a && !a.paused && a.currentTime > t; }",
        arg=[element_id, seconds],
        timeout=SLOW_MS,
    )


def assert_playhead_follows(tab: AppPage, element_id: str) -> None:
    """While the player plays, the playhead's x grows with its currentTime."""
    wait_playing_past(tab, element_id, 0.2)
    first = playhead_x(tab)
    now = float(tab.page.evaluate(f"document.querySelector('#{element_id} audio').currentTime"))
    wait_playing_past(tab, element_id, now + 0.6)
    assert playhead_x(tab) > first + 10, "the playhead did not move while the audio played"


def test_encode_click_rename_decode_with_playhead(
    new_tab, tiny_model: Path, tmp_path: Path
) -> None:
    tone = write_tone(tmp_path / "tone.wav", 3.0, 220.0)
    expected_columns = encode_audio_file(tone, load_model(tiny_model))["spatial_shape"][1]
    tab = new_tab()
    page = tab.page
    tab.encode(tone)

    expect(page.locator(f"{GRID} .cg-row")).to_have_count(4)
    expect(page.locator(f"{GRID} .cg-col")).to_have_count(expected_columns)
    expect(page.locator(f"{GRID} .cg-row").first.locator(".code-cell")).to_have_count(
        expected_columns
    )
    expect(page.locator(f"{GRID} .cg-name")).to_have_text(DEFAULT_LABELS)
    expect(page.locator("#codes-summary")).to_contain_text(f"{expected_columns} columns × 4 levels")
    assert tab.wait_reconstruction(), "the reconstruction follows the grid, for A/B"
    assert tab.audio_src("codes-original").endswith("tone.wav")
    tab.screenshot("codes_after_encode.png")

    # A cell: Python receives level and column, plays that code alone, every click.
    code = cell(tab, 1, 12).inner_text()
    before = tab.now()
    cell(tab, 1, 12).click()
    expect(page.locator("#codes-status")).to_contain_text(
        f"level 2 “Timbre”, column 12 at 0.51 s, code {code}"
    )
    tab.heard("cell", before)  # through Web Audio: the audio clock moves past its start
    expect(cell(tab, 1, 12)).to_have_class(re.compile(r"\bselected\b"))
    expect(page.locator(f'{GRID} .cg-col[data-p="12"]')).to_have_class(re.compile(r"\bclicked\b"))
    tab.screenshot("codes_after_click.png")
    again = tab.now()
    cell(tab, 1, 12).click()  # the same cell again still plays again
    tab.heard("cell", again)

    # A column header: that moment, all levels; the column is marked.
    page.locator(f'{GRID} .cg-col[data-p="5"]').click()
    expect(page.locator("#codes-status")).to_contain_text("column 5 at 0.21 s, all 4 levels")
    expect(page.locator(f"{GRID} .cg-col.clicked")).to_have_attribute("data-p", "5")

    # A row's Play: that level alone along the file; its row is marked and the playhead
    # follows it; pressed again, it stops.
    page.locator(f'{GRID} .cg-play[data-l="0"]').click()
    expect(page.locator("#codes-status")).to_contain_text("Play on level 1 “Structure”")
    expect(page.locator(f'{GRID} .cg-label[data-l="0"]')).to_have_class(re.compile(r"\bplaying\b"))
    assert_playhead_follows_sound(tab)
    page.locator(f'{GRID} .cg-play[data-l="0"]').click()
    expect(page.locator(f'{GRID} .cg-label[data-l="0"]')).not_to_have_class(
        re.compile(r"\bplaying\b")
    )
    assert page.evaluate("window.distillAudio.playing()") is None

    # Rename a label: the grid is drawn again and the model file remembers it.
    page.locator("#codes-labels textarea").fill("Big picture, Timbre, Texture, Detail")
    page.click("#codes-apply-labels")
    expect(page.locator(f"{GRID} .cg-name").first).to_have_text("Big picture")
    expect(page.locator("#codes-status")).to_contain_text("Level labels saved in tiny.distill")
    assert read_model_info(tiny_model).metadata.level_labels == ["Big picture", *DEFAULT_LABELS[1:]]

    # Decode, then play the reconstruction: the playhead follows its currentTime.
    old = tab.audio_src("codes-reconstruction")
    page.click("#codes-decode")
    expect(page.locator("#codes-status")).to_contain_text("Decoded the grid of tone.wav")
    assert tab.audio_src("codes-reconstruction") != old
    page.evaluate("document.querySelector('#codes-reconstruction audio').play()")
    assert_playhead_follows(tab, "codes-reconstruction")
    # It stops with the audio: still while paused, gone when playback ends.
    page.evaluate("document.querySelector('#codes-reconstruction audio').pause()")
    paused_at = playhead_x(tab)
    page.wait_for_timeout(300)
    assert playhead_x(tab) == paused_at
    page.evaluate(
        "(() => { const a = document.querySelector('#codes-reconstruction audio');"
        " a.currentTime = a.duration - 0.3; a.play(); })()"
    )
    expect(page.locator(f"{GRID} .playhead-line")).not_to_have_class(re.compile("active"))
    # The original drives it too (it shares the grid's time axis).
    page.evaluate("document.querySelector('#codes-original audio').play()")
    assert_playhead_follows(tab, "codes-original")

    # A new session on the same model shows the renamed label.
    other = new_tab()
    other.choose("codes-model", "tiny")
    expect(other.page.locator("#codes-labels textarea")).to_have_value(
        "Big picture, Timbre, Texture, Detail"
    )


def assert_playhead_follows_sound(tab: AppPage) -> None:
    """While a Web Audio sound plays along the file, the playhead's x grows with it."""
    tab.page.wait_for_function("() => (window.distillAudio.position() || 0) > 0.2", timeout=SLOW_MS)
    first = playhead_x(tab)
    tab.page.wait_for_function(
        f"() => (window.distillAudio.position() || 0) > {0.8}", timeout=SLOW_MS
    )
    assert playhead_x(tab) > first + 10, "the playhead did not move while the level played"


def test_two_sessions_see_only_their_own_grid(new_tab, tiny_model: Path, tmp_path: Path) -> None:
    short = write_tone(tmp_path / "short.wav", 1.5, 330.0)
    long = write_tone(tmp_path / "long.wav", 4.0, 110.0)
    first, second = new_tab(), new_tab()
    for tab, audio in ((first, short), (second, long)):
        tab.choose("codes-model", "tiny")
        tab.upload("codes-upload", audio)
    first.page.click("#codes-encode")
    second.page.click("#codes-encode")  # both encode at the same time
    for tab, mine, theirs in ((first, short, long), (second, long, short)):
        summary = tab.page.locator("#codes-summary")
        expect(summary).to_contain_text(mine.name, timeout=SLOW_MS)
        expect(summary).not_to_contain_text(theirs.name)
    short_columns = first.page.locator(f"{GRID} .cg-col").count()
    long_columns = second.page.locator(f"{GRID} .cg-col").count()
    assert long_columns > 2 * short_columns
    cell(first, 0, 3).click()
    expect(first.page.locator("#codes-status")).to_contain_text("column 3")
    expect(second.page.locator("#codes-status")).not_to_contain_text("column 3")


def test_bad_inputs_show_clear_messages(new_tab, distill_home: Path, tmp_path: Path) -> None:
    tone = write_tone(tmp_path / "tone.wav", 1.0, 440.0)
    tab = new_tab()  # no model exists yet
    tab.upload("codes-upload", tone)
    tab.page.click("#codes-encode")
    tab.toast("Choose a model first")

    make_tiny_model_file(distill_home / "models" / "tiny.distill", 4, 64)
    broken = make_tiny_model_file(distill_home / "models" / "broken.distill", 4, 64)
    tab.page.click("#codes-refresh")
    # Let the page's model watcher see the two new files first: a tick that first sees them
    # after the damage below lists the models again and drops the broken one.
    tab.page.wait_for_timeout(3 * WATCH_EVERY_S * 1000)
    tab.choose("codes-model", "broken")
    # Damaged after it was listed, its size, time and inode kept: the page's watcher (which
    # goes by those) must not drop it from the list before Encode reads it, or this races.
    stamp = broken.stat()
    garbage = b"this is not a model any more" * (stamp.st_size // 28 + 1)
    with broken.open("r+b") as file:
        file.write(garbage[: stamp.st_size])
    os.utime(broken, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    tab.page.click("#codes-encode")
    tab.toast("broken.distill is not a readable Distill model file")

    other = new_tab()
    other.choose("codes-model", "tiny")
    expect(other.page.locator("#codes-upload")).to_contain_text("melody")  # the example
    other.page.locator("#codes-upload button[aria-label=Clear]").first.click()
    other.page.click("#codes-encode")
    other.toast("Upload an audio file first")
    notes = tmp_path / "notes.wav"
    notes.write_text("shopping list: not audio at all")
    other.upload("codes-upload", notes)
    other.page.click("#codes-encode")
    other.toast("notes.wav' is not an audio file that can be read")

    # After all that the page still works.
    other.encode(tone)
    expect(other.page.locator(f"{GRID} .cg-row")).to_have_count(4)


def test_playhead_ends_where_a_short_sound_ends(new_tab, tiny_model: Path, tmp_path: Path) -> None:
    """0.3 s is 7.03 columns of 42.7 ms but 8 drawn columns: the playhead must end at the
    sound's end (column 7.03), not at the end of the last, mostly silent column (8.0)."""
    audio = write_tone(tmp_path / "blip.wav", 0.3, 660.0)
    tab = new_tab()
    tab.encode(audio)
    page = tab.page
    columns = int(page.get_attribute(GRID, "data-columns") or 0)
    step = float(page.get_attribute(GRID, "data-seconds-per-column") or 0)
    assert columns == 8 and step == pytest.approx(2048 / 48000)
    page.evaluate("document.querySelector('#codes-original audio').play()")
    page.wait_for_function("document.querySelector('#codes-original audio').ended", timeout=SLOW_MS)
    end_column = playhead_x(tab) / COLUMN_WIDTH_PX
    assert end_column == pytest.approx(0.3 / step, abs=0.05)
    assert columns - 1 <= end_column < columns  # within the last sounding column
    expect(page.locator(f"{GRID} .playhead-line")).not_to_have_class(re.compile("active"))
    tab.screenshot("codes-short-file-end.png")

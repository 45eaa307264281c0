"""The spectrograms over grid A as the Codes tab keeps them: files in a folder Gradio may
serve, replaced per decode, removed with the session; a late decode of a replaced file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.helpers import write_tone

from distill.ui.codes import opening
from distill.ui.codes.pictures import STALE_AFTER_S, pictures_folder, remove_stale_pictures
from distill.ui.codes.session import CodesSession, end_codes_session
from distill.ui.components.pictures import FILE_ROUTE


def served_files(grid_html: str, row: str) -> list[Path]:
    """The files behind the <img> blocks of one picture row in a grid's HTML."""
    start = grid_html.index(f'class="cg-pic-row {row}"')
    stop = grid_html.index("</div>", start)
    return [
        Path(part.split('"', 1)[0])
        for part in grid_html[start:stop].split(f'src="{FILE_ROUTE}')[1:]
    ]


@pytest.fixture
def session() -> CodesSession:
    return CodesSession()


def test_blocks_live_in_the_served_folder_and_go_with_the_session(
    model: Path, tmp_path: Path, session: CodesSession
) -> None:
    audio = write_tone(tmp_path / "seven.wav", 7.0, 220.0)  # 165 columns: two blocks
    grid = opening.encode(str(model), str(audio), session).grid_a
    originals = served_files(grid, "original")
    assert len(originals) == 2 and all(p.is_file() for p in originals)
    assert all(p.is_relative_to(pictures_folder()) for p in originals)  # launch_app serves it

    decoded = opening.decode_reconstruction(session)
    assert decoded is not None and isinstance(decoded.grid_a, str)
    grid = decoded.grid_a
    first = served_files(grid, "reconstruction") + served_files(grid, "difference")
    assert len(first) == 4 and all(p.is_file() for p in first)
    grid = str(opening.decode(session).grid_a)
    second = served_files(grid, "reconstruction")
    assert second[0] != first[0] and all(p.is_file() for p in second)
    assert not any(p.exists() for p in first)  # the previous decode's blocks are gone
    assert served_files(grid, "original") == originals

    other = write_tone(tmp_path / "other.wav", 1.0, 440.0)
    grid = opening.encode(str(model), str(other), session).grid_a
    assert not any(p.exists() for p in originals + second)  # a new file: a new folder
    latest = served_files(grid, "original")
    end_codes_session(session)
    assert not any(p.exists() for p in latest) and not latest[0].parent.exists()


def test_a_decode_that_finishes_after_another_encode_changes_nothing(
    model: Path, tmp_path: Path, session: CodesSession
) -> None:
    first = write_tone(tmp_path / "first.wav", 2.0, 220.0)
    second = write_tone(tmp_path / "second.wav", 1.0, 550.0)
    opening.encode(str(model), str(first), session)
    encoded_again: list[str] = []

    def progress(done: float, desc: str = "") -> None:
        """While the first file decodes, the user encodes the second (as a later event may)."""
        if not encoded_again:
            encoded_again.append(opening.encode(str(model), str(second), session).grid_a)

    outputs = opening.decode_reconstruction(session, progress)  # type: ignore[arg-type]
    assert encoded_again, "the decode reported no progress"
    assert outputs is None  # the page keeps the second file's grid
    state = session.state
    assert state.a is not None and state.a.name == "second.wav" and not state.reconstructed
    # The second file's grid still waits for its own reconstruction.
    assert state.a.pictures is not None and state.a.pictures.shown.reconstruction is None
    end_codes_session(session)


def test_folders_a_stopped_server_left_are_removed_a_day_later(
    model: Path, tmp_path: Path, session: CodesSession
) -> None:
    audio = write_tone(tmp_path / "t.wav", 1.0, 220.0)
    grid = opening.encode(str(model), str(audio), session).grid_a
    live = served_files(grid, "original")[0].parent
    left = pictures_folder() / "grid-left-behind"
    left.mkdir()
    (left / "original-0.png").write_bytes(b"old")
    os.utime(left, (live.stat().st_mtime - STALE_AFTER_S - 60,) * 2)
    assert remove_stale_pictures() >= 1
    assert not left.exists() and live.is_dir()  # a live session's folder is young: kept
    # (Never "now" in the future here: other test runs on this machine share the folder.)
    end_codes_session(session)

"""A file that is not an MP3 gets our one clear error, without the MP3 decoder's own notes on
stderr; whatever else is written to stderr meanwhile still gets there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from distill.audio.decoder_notes import quiet_decoder_notes, replay_lines
from distill.audio.io import UnreadableAudioError, load_audio

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake_mp3(tmp_path: Path) -> Path:
    """Random bytes named .mp3: libsndfile hands it to mpg123, which prints notes."""
    path = tmp_path / "not really.mp3"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 20_000, dtype=np.uint8).tobytes())
    return path


def test_a_fake_mp3_gives_only_the_clear_error(fake_mp3: Path, capfd: pytest.CaptureFixture):
    with pytest.raises(UnreadableAudioError) as excinfo:
        load_audio(fake_mp3)
    message = str(excinfo.value)
    assert "not really.mp3' is not an audio file that can be read" in message
    assert "its contents are in no audio format this reader knows" in message
    assert "possibly a pipe" not in message
    captured = capfd.readouterr()
    assert "Illegal Audio-MPEG-Header" not in captured.err and "resync" not in captured.err


def test_the_cli_prints_one_line_for_a_fake_mp3(fake_mp3: Path, tmp_path: Path):
    """In a real process (the notes go to file descriptor 2, past Python's sys.stderr)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "OMP_NUM_THREADS": "1"}
    args = ["encode", "demo", str(fake_mp3), "-o", str(tmp_path / "codes.json")]
    done = subprocess.run(
        [sys.executable, "-m", "distill", *args], capture_output=True, text=True, env=env
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "not really.mp3" in lines[0]


def test_other_stderr_output_is_kept(capfd: pytest.CaptureFixture):
    with quiet_decoder_notes(), quiet_decoder_notes():  # nested: one redirection
        os.write(2, b"Note: Illegal Audio-MPEG-Header 0x00000000 at offset 32.\n")
        os.write(2, b"a warning of our own\n")
    assert capfd.readouterr().err == "a warning of our own\n"
    assert replay_lines(b"Note: Trying to resync...\nkeep\n") == b"keep\n"

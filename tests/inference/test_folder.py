"""Whole folders encoded in real spawned worker processes: paths, bad files, resume, refusals,
and a worker killed mid-run (its files are tried again, none lost)."""

from __future__ import annotations

import multiprocessing
import os
import signal
from multiprocessing.context import SpawnProcess
from pathlib import Path

import pytest
import soundfile as sf
import torch
from tests.helpers import make_tiny_model_file, synth_tone

from distill.inference import encode_grid, read_codes_json
from distill.inference.folder import (
    FolderEncodeError,
    FolderProgress,
    codes_targets,
    encode_folder,
    plan_folder,
)
from distill.models.persistence import load_model


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """Five tones in nested folders, two sharing a name, and one file that is not audio."""
    root = tmp_path / "library"
    (root / "drums" / "deep").mkdir(parents=True)
    sf.write(root / "a.wav", synth_tone(0.3, 220), 48000)
    sf.write(root / "drums" / "kick.wav", synth_tone(0.2, 60), 48000)
    sf.write(root / "drums" / "kick.flac", synth_tone(0.25, 70), 48000)
    sf.write(root / "drums" / "deep" / "tom.wav", synth_tone(0.4, 110, 44100), 44100)
    sf.write(root / "drums" / "deep" / "ride.wav", synth_tone(0.5, 800), 48000)
    (root / "drums" / "broken.wav").write_bytes(b"RIFF0000WAVEnot really")
    return root


def test_codes_files_keep_the_relative_paths():
    root, out = Path("/in"), Path("/out")
    sources = [root / "a.wav", root / "x" / "k.wav", root / "x" / "k.flac", root / "x" / "k2.wav"]
    assert codes_targets(sources, root, out) == [
        out / "a.json",
        out / "x" / "k.wav.json",
        out / "x" / "k.flac.json",
        out / "x" / "k2.json",
    ]


def test_a_folder_is_encoded_in_workers_like_one_file_at_a_time(library: Path, tmp_path: Path):
    model = make_tiny_model_file(tmp_path / "tiny.distill")
    out = tmp_path / "codes"
    plan = plan_folder(library, out, model)
    assert len(plan.jobs) == 6 and plan.done == ()
    seen: list[FolderProgress] = []
    result = encode_folder(plan, model, workers=2, on_progress=seen.append)
    assert [p.finished for p in seen] == [1, 2, 3, 4, 5, 6] and result.workers == 2
    assert [item.source.name for item in result.skipped] == ["broken.wav"]
    assert "broken.wav" in (result.skipped[0].error or "") and result.restarts == 0
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*.json"))
    assert written == [
        "a.json",
        "drums/deep/ride.json",
        "drums/deep/tom.json",
        "drums/kick.flac.json",
        "drums/kick.wav.json",
    ]
    loaded = load_model(model)
    for item in result.encoded:
        codes = read_codes_json(item.target, loaded, model).grid
        assert torch.equal(codes.codes, encode_grid(item.source, loaded).codes)
    assert result.audio_seconds == pytest.approx(0.3 + 0.2 + 0.25 + 0.4 + 0.5, abs=1e-3)

    again = plan_folder(library, out, model, resume=True)
    assert len(again.done) == 5 and [job.source.name for job in again.jobs] == ["broken.wav"]
    with pytest.raises(FolderEncodeError, match=r"already holds 5 of these codes files.*--resume"):
        plan_folder(library, out, model)
    other = make_tiny_model_file(tmp_path / "other.distill", seed=1)
    with pytest.raises(FolderEncodeError, match=r"not codes of this model.*--force to replace"):
        plan_folder(library, out, other, resume=True)
    assert len(plan_folder(library, out, other, force=True).jobs) == 6


def test_a_folder_without_audio_is_refused(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    model = make_tiny_model_file(tmp_path / "tiny.distill")
    with pytest.raises(FolderEncodeError, match="No audio files under"):
        plan_folder(tmp_path / "empty", tmp_path / "out", model)


def test_a_worker_that_dies_is_replaced_and_its_files_tried_again(tmp_path: Path):
    root = tmp_path / "many"
    root.mkdir()
    for i in range(8):
        sf.write(root / f"tone{i}.wav", synth_tone(0.2, 100 + 50 * i), 48000)
    model = make_tiny_model_file(tmp_path / "tiny.distill")
    killed: list[int] = []

    def kill_a_worker(progress: FolderProgress) -> None:
        if not killed:  # what the kernel's out-of-memory killer would do
            workers = [p for p in multiprocessing.active_children() if isinstance(p, SpawnProcess)]
            worker = workers[0]
            assert worker.pid is not None
            os.kill(worker.pid, signal.SIGKILL)
            killed.append(worker.pid)

    plan = plan_folder(root, tmp_path / "out", model)
    result = encode_folder(plan, model, workers=2, on_progress=kill_a_worker)
    assert killed and result.restarts >= 1
    assert result.skipped == () and len(result.encoded) == 8
    assert len(list((tmp_path / "out").glob("*.json"))) == 8

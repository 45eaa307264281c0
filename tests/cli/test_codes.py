"""Tests for `distill encode` and `distill decode` through the real Typer app."""

from __future__ import annotations

import errno
import json
import subprocess
import sys
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pytest
import soundfile as sf
from tests.helpers import read_only_folder, run_cli

from distill import files


def assert_one_line_error(result, fragment: str) -> None:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert fragment in lines[0]


@pytest.fixture
def encoded_file(tmp_path, tiny_model_file, tone_file) -> Path:
    output = tmp_path / "tone.json"
    result = run_cli("encode", tiny_model_file, tone_file, "-o", output, "--device", "cpu")
    assert result.exit_code == 0, result.output
    return output


def test_encode_writes_codes_and_prints_a_summary(tmp_path, tiny_model_file, tone_file):
    output, page = tmp_path / "codes.json", tmp_path / "grid.html"
    result = run_cli("encode", tiny_model_file, tone_file, "-o", output, "--html", page)
    assert result.exit_code == 0, result.output
    assert "36 columns x 3 levels" in result.stdout and "23.4 columns/s" in result.stdout
    assert "1.50 s" in result.stdout
    document = json.loads(output.read_text())
    assert document["spatial_shape"] == [1, 36] and len(document["codes"]) == 3
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and "data:audio/wav;base64," in html
    assert "Structure" in html and "Codes of tone.wav" in html


def test_encode_page_of_a_long_file_has_no_audio(tmp_path, tiny_model_file):
    audio = tmp_path / "long.wav"
    sf.write(audio, np.full(61 * 8000, 0.1, dtype=np.float32), 8000)
    page = tmp_path / "long.html"
    result = run_cli("encode", tiny_model_file, audio, "-o", tmp_path / "long.json", "--html", page)
    assert result.exit_code == 0, result.output
    assert "without audio" in result.stdout
    assert "data:audio" not in page.read_text()


def test_decode_writes_audio_as_long_as_the_input(tmp_path, tiny_model_file, encoded_file):
    output = tmp_path / "out.wav"
    result = run_cli("decode", tiny_model_file, encoded_file, "-o", output, "--iterations", 2)
    assert result.exit_code == 0, result.output
    samples, rate = sf.read(output)
    assert rate == 48000 and samples.shape == (72000,)
    assert np.isfinite(samples).all()


def test_outputs_are_never_overwritten_without_force(tmp_path, tiny_model_file, tone_file):
    output, page = tmp_path / "codes.json", tmp_path / "grid.html"
    output.write_text("keep me")
    result = run_cli("encode", tiny_model_file, tone_file, "-o", output)
    assert_one_line_error(result, "already exists; pass --force")
    assert output.read_text() == "keep me"
    page.write_text("keep me too")
    fresh = tmp_path / "fresh.json"
    result = run_cli("encode", tiny_model_file, tone_file, "-o", fresh, "--html", page)
    assert_one_line_error(result, "grid.html already exists")
    assert not fresh.exists() and page.read_text() == "keep me too"
    assert run_cli("encode", tiny_model_file, tone_file, "-o", output, "--force").exit_code == 0
    assert json.loads(output.read_text())["format"] == "distill-codes"
    audio = tmp_path / "out.wav"
    audio.write_bytes(b"old")
    result = run_cli("decode", tiny_model_file, output, "-o", audio, "--iterations", 1)
    assert_one_line_error(result, "out.wav already exists")
    assert audio.read_bytes() == b"old"
    forced = run_cli("decode", tiny_model_file, output, "-o", audio, "--iterations", 1, "--force")
    assert forced.exit_code == 0 and sf.info(audio).frames == 72000


def test_bad_encode_inputs_give_one_line_errors(tmp_path, tiny_model_file, tone_file):
    out = tmp_path / "codes.json"
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("this is not audio")
    broken_model = tmp_path / "broken.distill"
    broken_model.write_bytes(b"\x00" * 100)
    cases = [
        ((tiny_model_file, tmp_path / "missing.wav"), "does not exist"),
        ((tiny_model_file, not_audio), "not an audio file that can be read"),
        ((tmp_path / "nothing.distill", tone_file), "No model file at"),
        ((broken_model, tone_file), "not a readable Distill model file"),
    ]
    for (model, audio), fragment in cases:
        assert_one_line_error(run_cli("encode", model, audio, "-o", out), fragment)
        assert not out.exists()


def test_bad_decode_inputs_give_one_line_errors(tmp_path, tiny_model_file, encoded_file):
    from tests.helpers import make_tiny_model_file

    out = tmp_path / "out.wav"
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{oops")
    other = make_tiny_model_file(tmp_path / "models" / "other.distill", num_levels=2)
    cases = [
        ((tiny_model_file, tmp_path / "missing.json", out), "No codes file at"),
        ((tiny_model_file, bad_json, out), "not valid JSON"),
        ((other, encoded_file, out), "levels 3 in the codes, 2 for the model"),
        ((tiny_model_file, encoded_file, tmp_path / "out.mp3"), "must end in .wav or .flac"),
    ]
    for (model, codes, output), fragment in cases:
        assert_one_line_error(run_cli("decode", model, codes, "-o", output), fragment)
        assert not out.exists()
    result = run_cli("decode", tiny_model_file, encoded_file, "-o", out, "--iterations", -1)
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_models_are_found_by_name(tmp_path, distill_home, tone_file):
    from tests.helpers import make_tiny_model_file

    make_tiny_model_file(distill_home / "models" / "mine.distill")
    output = tmp_path / "codes.json"
    assert run_cli("encode", "mine", tone_file, "-o", output).exit_code == 0
    assert json.loads(output.read_text())["model_name"] == "mine"
    result = run_cli("encode", "unknown", tone_file, "-o", tmp_path / "other.json")
    assert_one_line_error(result, "No model named")


def test_help_does_not_import_torch():
    code = (
        "import sys, distill.cli; print('torch' in sys.modules, 'distill.inference' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]


def test_read_only_output_folders_give_one_plain_line(
    tmp_path, tiny_model_file, tone_file, encoded_file
):
    with read_only_folder(tmp_path / "locked") as locked:
        cases = [
            ("encode", tiny_model_file, tone_file, "-o", locked / "codes.json"),
            ("encode", tiny_model_file, tone_file, "-o", tmp_path / "ok.json", "--html",
             locked / "grid.html"),
            ("decode", tiny_model_file, encoded_file, "-o", locked / "out.wav"),
        ]  # fmt: skip
        for args in cases:
            result = run_cli(*args, "--device", "cpu")
            lines = result.stderr.strip().splitlines()
            assert result.exit_code == 1 and "Traceback" not in result.output
            assert lines[-1].startswith(f"error: Could not write {locked}/"), result.stderr
            assert lines[-1].endswith("Choose a folder you can write to.")
            assert "Errno" not in lines[-1] and "unexpected" not in result.output
        assert list(locked.iterdir()) == []


def test_a_full_disk_leaves_no_partial_codes_or_page(tmp_path, tiny_model_file, tone_file):
    output, page = tmp_path / "out" / "codes.json", tmp_path / "out" / "grid.html"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(files, "_write_all", disk_full)
        for args in (("-o", output), ("-o", output, "--html", page, "--force")):
            result = run_cli("encode", tiny_model_file, tone_file, *args, "--device", "cpu")
            assert result.exit_code == 1 and "unexpected" not in result.output
            assert "the disk is full (no space left on device)" in result.stderr
            assert not output.exists() and not page.exists()
        assert list((tmp_path / "out").iterdir()) == []


def disk_full(handle: BinaryIO, data: bytes) -> None:
    handle.write(data[:10])
    raise OSError(errno.ENOSPC, "No space left on device")


def test_encode_a_folder_lists_what_it_skipped_and_resumes(tmp_path, tiny_model_file, tone_file):
    library = tmp_path / "library"
    (library / "sub").mkdir(parents=True)
    tone_file.rename(library / "sub" / "tone.wav")
    (library / "notes.wav").write_text("not audio")
    out = tmp_path / "codes"
    result = run_cli("encode", tiny_model_file, library, "-o", out, "--jobs", 1, "--device", "cpu")
    assert result.exit_code == 0, result.output
    assert "Encoded 1 file " in result.stderr and "with 1 worker process:" in result.stderr
    assert "skipped: notes.wav: " in result.stderr and "not an audio file" in result.stderr
    document = json.loads((out / "sub" / "tone.json").read_text())
    assert document["format"] == "distill-codes" and len(document["codes"]) == 3
    before = (out / "sub" / "tone.json").read_bytes()
    again = run_cli("encode", tiny_model_file, library, "-o", out)
    assert_one_line_error(again, "already holds 1 of these codes files")
    (library / "notes.wav").unlink()
    resumed = run_cli("encode", tiny_model_file, library, "-o", out, "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert "1 file already encoded by this model: kept" in resumed.stderr
    assert (out / "sub" / "tone.json").read_bytes() == before
    page = run_cli("encode", tiny_model_file, library, "-o", out, "--html", tmp_path / "p.html")
    assert_one_line_error(page, "--html writes the page of one file")
    single = run_cli(
        "encode",
        tiny_model_file,
        library / "sub" / "tone.wav",
        "-o",
        tmp_path / "t.json",
        "--resume",
    )
    assert_one_line_error(single, "--jobs and --resume are for a folder")


def test_ctrl_c_stops_a_folder_cleanly_and_resume_finishes_it(tmp_path, tiny_model_file):
    """SIGINT to the whole process group, as a terminal's Ctrl-C sends it: one line, exit
    130, no worker tracebacks, only whole codes files; --resume then does the rest."""
    import os
    import signal
    import time

    from tests.helpers import synth_tone

    import distill

    library, out = tmp_path / "library", tmp_path / "codes"
    library.mkdir()
    for i in range(12):
        sf.write(library / f"tone{i:02}.wav", synth_tone(0.3, 100 + 40 * i), 48000)
    source = str(Path(distill.__file__).resolve().parents[1])
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": source}
    command = [sys.executable, "-m", "distill", "encode", str(tiny_model_file), str(library)]
    command += ["-o", str(out), "--jobs", "1", "--device", "cpu"]
    process = subprocess.Popen(
        command,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while not list(out.glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130 and stderr.strip().endswith("error: interrupted"), stderr
    assert "Traceback" not in stderr
    written = sorted(out.glob("*.json"))
    assert 1 <= len(written) < 12 and not [p for p in out.iterdir() if p.suffix == ".tmp"]
    resumed = run_cli("encode", tiny_model_file, library, "-o", out, "--resume", "--jobs", 1)
    assert resumed.exit_code == 0, resumed.output
    assert f"{len(written)} file" in resumed.stderr and "kept (--resume)" in resumed.stderr
    assert len(list(out.glob("*.json"))) == 12


def test_search_steps_choose_between_the_searched_and_the_encoders_codes(
    tmp_path, tiny_model_file, tone_file
):
    from distill.inference import encode_grid, read_codes_json
    from distill.models.persistence import load_model

    loaded = load_model(tiny_model_file)
    outputs = {}
    for name, extra in (("default", ()), ("plain", ("--search-steps", 0))):
        outputs[name] = tmp_path / f"{name}.json"
        result = run_cli("encode", tiny_model_file, tone_file, "-o", outputs[name], *extra)
        assert result.exit_code == 0, result.output
    searched = read_codes_json(outputs["default"], loaded).grid.codes
    plain = read_codes_json(outputs["plain"], loaded).grid.codes
    assert plain.equal(encode_grid(tone_file, loaded, refine_steps=0).codes)
    assert searched.equal(encode_grid(tone_file, loaded).codes) and not searched.equal(plain)
    library = tmp_path / "library"
    library.mkdir()
    (library / "tone.wav").write_bytes(tone_file.read_bytes())
    folder = run_cli(
        "encode", tiny_model_file, library, "-o", tmp_path / "out", "--jobs", 1,
        "--search-steps", 0, "--device", "cpu",
    )  # fmt: skip
    assert folder.exit_code == 0, folder.output
    assert read_codes_json(tmp_path / "out" / "tone.json", loaded).grid.codes.equal(plain)
    refused = run_cli("encode", tiny_model_file, tone_file, "-o", tmp_path / "x.json",
                      "--search-steps", -1)  # fmt: skip
    assert refused.exit_code != 0 and "Traceback" not in refused.output
    assert not (tmp_path / "x.json").exists()

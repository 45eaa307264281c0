"""`distill train-prior` and `distill generate` through the real Typer app, and the prior that
`distill train` adds (or, with --no-prior, does not)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import soundfile as sf
import torch
from tests.helpers import run_cli, write_tone

from distill.inference import read_codes_json
from distill.models.persistence import load_model


@pytest.fixture
def audio_dir(tmp_path: Path) -> Path:
    for i, freq in enumerate((110, 220, 330, 440, 550)):
        write_tone(tmp_path / "audio" / f"tone{i}.wav", 0.8, freq)
    return tmp_path / "audio"


def _last_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    assert lines and lines[-1].startswith("error: "), result.stderr
    return lines[-1]


@pytest.mark.slow
def test_train_prior_adds_a_prior_from_the_folder_then_retrains_from_the_file(
    tiny_model_file: Path, audio_dir: Path
):
    result = run_cli("train-prior", tiny_model_file, audio_dir, "--steps", "20")
    assert result.exit_code == 0, result.output
    assert "Prior trained" in result.stderr and "perplexity" in result.stderr
    loaded = load_model(tiny_model_file)
    assert loaded.prior_metadata is not None and loaded.prior_metadata.steps == 20
    assert {f.name for f in loaded.prior_metadata.files} == {f"tone{i}.wav" for i in range(5)}
    assert sum(f.held_out for f in loaded.prior_metadata.files) == 1  # 10% of 5 files
    again = run_cli("train-prior", tiny_model_file, "--steps", "10", "--seed", "1")
    assert again.exit_code == 0, again.output
    retrained = load_model(tiny_model_file)
    assert retrained.prior_metadata is not None and retrained.prior_metadata.steps == 10
    assert torch.equal(retrained.prior_grids, loaded.prior_grids)  # the stored grids, reused


def test_train_prior_refusals(tiny_model_file: Path, audio_dir: Path):
    before = tiny_model_file.read_bytes()
    assert "has no prior yet" in _last_error(run_cli("train-prior", tiny_model_file))
    assert "read-only" in _last_error(run_cli("train-prior", "demo", audio_dir, "--steps", "1"))
    missing = run_cli("train-prior", tiny_model_file, audio_dir / "missing")
    assert "is not a folder" in _last_error(missing)
    steps = run_cli("train-prior", tiny_model_file, audio_dir, "--steps", "0")
    assert "at least 1 step" in _last_error(steps)
    assert tiny_model_file.read_bytes() == before


def test_generate_writes_audio_and_codes_and_says_what_it_copies(
    prior_model_file: Path, tmp_path: Path
):
    out, codes = tmp_path / "new.wav", tmp_path / "new.json"
    args = ("generate", prior_model_file, "-o", out, "--seconds", "1.5", "--seed", "3")
    result = run_cli(*args, "--top-k", "5", "--top-p", "0.9", "--codes-out", codes)
    assert result.exit_code == 0, result.output
    assert "Copies" in result.output and "Generated 1.49 s (35 columns)" in result.output
    audio, rate = sf.read(out)
    assert rate == 48000 and abs(len(audio) / rate - 1.5) < 0.05
    loaded = load_model(prior_model_file)
    grid = read_codes_json(codes, loaded, prior_model_file).grid
    assert grid.num_columns == 35 and grid.operations[-1].startswith("generated 35 columns")
    second = tmp_path / "again.json"
    same = run_cli(*args, "--top-k", "5", "--top-p", "0.9", "--codes-out", second, "--force")
    assert same.exit_code == 0
    assert torch.equal(read_codes_json(second, loaded, prior_model_file).grid.codes, grid.codes)


def test_generate_continues_a_file(prior_model_file: Path, tone_file: Path, tmp_path: Path):
    codes = tmp_path / "continued.json"
    result = run_cli(
        "generate",
        prior_model_file,
        "-o",
        tmp_path / "c.wav",
        "--continue",
        tone_file,
        "--seconds",
        "1",
        "--codes-out",
        codes,
    )
    assert result.exit_code == 0, result.output
    grid = read_codes_json(codes, load_model(prior_model_file), prior_model_file).grid
    assert grid.operations[-1].startswith("continued by 23 columns")
    assert abs(grid.duration_s - (1.5 + 1.0)) < 0.1


def test_generate_refusals_are_one_line(
    prior_model_file: Path, tiny_model_file: Path, tmp_path: Path
):
    out = tmp_path / "x.wav"
    cases = [
        (("--seconds", "-1"), "above 0 and at most 600"),
        (("--temperature", "0"), "temperature must be a number above 0"),
        (("--top-p", "1.5"), "top-p must be above 0 and at most 1"),
        (("--top-k", "-1"), "top-k must be a whole number"),
    ]
    for extra, fragment in cases:
        assert fragment in _last_error(run_cli("generate", prior_model_file, "-o", out, *extra))
    no_prior = run_cli("generate", tiny_model_file, "-o", out)
    assert "has no prior, so it cannot generate" in _last_error(no_prior)
    assert ".wav or .flac" in _last_error(
        run_cli("generate", prior_model_file, "-o", tmp_path / "x.mp3")
    )
    assert not out.exists()
    out.write_bytes(b"keep")
    assert "--force" in _last_error(run_cli("generate", prior_model_file, "-o", out))
    assert out.read_bytes() == b"keep"


@pytest.mark.slow
def test_train_trains_the_prior_too_unless_told_not_to(audio_dir: Path, distill_home: Path):
    tiny = (
        "--steps",
        "4",
        "--width",
        "8",
        "--levels",
        "2",
        "--codebook-size",
        "4",
        "--device",
        "cpu",
    )
    result = run_cli("train", audio_dir, "--name", "with", *tiny)
    assert result.exit_code == 0, result.output
    assert "Prior trained" in result.stderr
    loaded = load_model(distill_home / "models" / "with.distill")
    assert loaded.prior is not None and loaded.prior_metadata is not None
    assert loaded.prior_metadata.steps == 4  # as many steps as the autoencoder's, here
    held = {f.name for f in loaded.prior_metadata.files if f.held_out}
    assert loaded.metadata.dataset is not None
    assert held == set(loaded.metadata.dataset.validation_file_names)
    plain = run_cli("train", audio_dir, "--name", "without", *tiny, "--no-prior")
    assert plain.exit_code == 0 and "Prior trained" not in plain.stderr
    assert load_model(distill_home / "models" / "without.distill").prior is None
    shutil.rmtree(distill_home)


def test_models_info_says_whether_a_model_has_a_prior(
    prior_model_file: Path, tiny_model_file: Path
):
    with_prior = run_cli("models", "info", prior_model_file)
    assert with_prior.exit_code == 0 and "prior: held-out perplexity" in with_prior.output
    without = run_cli("models", "info", tiny_model_file)
    assert without.exit_code == 0 and "prior: no prior (it cannot generate)" in without.output

"""`distill edit set|swap|blend` on real encoded files, and back to audio with `distill decode`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import soundfile as sf
from tests.helpers import make_tiny_model_file, run_cli, write_tone


def assert_one_line_error(result, fragment: str) -> None:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert fragment in lines[0], lines[0]


def encode(model: Path, audio: Path, output: Path) -> Path:
    result = run_cli("encode", model, audio, "-o", output, "--device", "cpu")
    assert result.exit_code == 0, result.output
    return output


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the module's read-only inputs (each test writes under its tmp_path)."""
    return Path(tmp_path_factory.mktemp("inputs"))


@pytest.fixture(scope="module")
def model(inputs: Path) -> Path:
    return make_tiny_model_file(inputs / "models" / "tiny.distill")


@pytest.fixture(scope="module")
def files(inputs: Path, model: Path) -> tuple[Path, Path]:
    """Two different recordings of different lengths, encoded: 36 and 47 columns."""
    a = write_tone(inputs / "a.wav", 1.5, 220.0)
    b = write_tone(inputs / "b.wav", 2.0, 660.0)
    return encode(model, a, inputs / "a.json"), encode(model, b, inputs / "b.json")


def rows(path: Path) -> list[list[int]]:
    """The codes of a codes file, one list per level (as the file keeps them)."""
    return json.loads(path.read_text())["codes"]


def test_swap_blend_and_decode_round_trip(tmp_path, model, files):
    a, b = files
    out_a, out_b = tmp_path / "swapped_a.json", tmp_path / "swapped_b.json"
    swap = ("edit", "swap", a, b, "--levels", "2-3", "--columns", "5-20", "--at", 8)
    result = run_cli(*swap, "-o", out_a, "--other-out", out_b, "--model", model)
    assert result.exit_code == 0, result.output
    assert "Swap levels 2-3 columns 5-20 with b.json at column 8: wrote" in result.stdout
    codes_a, codes_b, new_a, new_b = rows(a), rows(b), rows(out_a), rows(out_b)
    assert (len(new_a), len(new_a[0]), len(new_b[0])) == (3, 36, 47)
    for level in range(3):
        for column in range(36):
            swapped = level in (1, 2) and 5 <= column <= 20
            expected = codes_b[level][column + 3] if swapped else codes_a[level][column]
            assert new_a[level][column] == expected
        for column in range(47):
            swapped = level in (1, 2) and 8 <= column <= 23
            expected = codes_a[level][column - 3] if swapped else codes_b[level][column]
            assert new_b[level][column] == expected
    header_a, header_out = json.loads(a.read_text()), json.loads(out_a.read_text())
    for key in ("model_name", "model_sha256", "level_labels", "num_samples", "mel_shape"):
        assert header_out[key] == header_a[key]
    assert header_out["operations"] == ["swap levels 2-3 columns 5-20 with b.json at column 8"]
    assert json.loads(out_b.read_text())["operations"] == [
        "swap levels 2-3 columns 8-23 with a.json at column 5"
    ]

    blended = tmp_path / "blended.json"
    result = run_cli(
        "edit", "blend", out_a, b, "--amount", 0.4, "--levels", "1", "-o", blended, "--model", model
    )
    assert result.exit_code == 0, result.output
    assert "Blend 0.4 towards b.json, level 1 columns 0-35: wrote" in result.stdout
    assert "from the mix on average" in result.stdout
    assert rows(blended)[1:] == new_a[1:]  # only level 1 was blended
    assert json.loads(blended.read_text())["operations"][-1] == (
        "blend 0.4 towards b.json, level 1 columns 0-35"
    )
    for codes, seconds in ((out_a, 1.5), (out_b, 2.0), (blended, 1.5)):
        audio = tmp_path / f"{codes.stem}.wav"
        result = run_cli("decode", model, codes, "-o", audio, "--iterations", 2)
        assert result.exit_code == 0, result.output
        assert "x 3 levels" in result.stdout
        samples, rate = sf.read(audio)
        assert rate == 48000 and samples.shape == (int(seconds * 48000),)


def test_blend_one_over_the_whole_grid_gives_bs_codes(tmp_path, model, files):
    a, b = files
    output = tmp_path / "out.json"
    result = run_cli("edit", "blend", a, b, "--amount", 1, "-o", output, "--model", model)
    assert result.exit_code == 0, result.output
    assert rows(output) == [row[:36] for row in rows(b)]
    assert "on average 0.000" in result.stdout.replace(
        "landed 0.000 from the mix", "on average 0.000"
    )


def test_set_one_code_and_find_the_model_by_the_name_in_the_file(
    tmp_path, model, files, distill_home
):
    a, _ = files
    output = tmp_path / "set.json"
    result = run_cli("edit", "set", a, "--level", 1, "--column", 3, "--code", 5, "-o", output)
    assert_one_line_error(result, "made by model 'tiny', which is not among your models")
    (distill_home / "models").mkdir(parents=True)
    shutil.copy(model, distill_home / "models" / "tiny.distill")
    result = run_cli("edit", "set", a, "--level", 1, "--column", 3, "--code", 5, "-o", output)
    assert result.exit_code == 0, result.output
    assert "Set level 1 column 3 to code 5: wrote" in result.stdout
    assert rows(output)[0][3] == 5
    assert [row[:3] + row[4:] for row in rows(output)] == [row[:3] + row[4:] for row in rows(a)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("set", "{a}", "--level", 1, "--column", 0, "--code", 16),
            "Code 16 is not one of this model's codes, which run from 0 to 15.",
        ),
        (
            ("set", "{a}", "--level", 4, "--column", 0, "--code", 1),
            "Level 4 is not in this grid, which has levels 1-3.",
        ),
        (
            ("set", "{a}", "--level", 1, "--column", 36, "--code", 1),
            "Column 36 is not in this grid, which has columns 0-35.",
        ),
        (
            ("swap", "{a}", "{b}", "--levels", "2-x"),
            "--levels '2-x' is not a range: write FIRST-LAST (such as 1-2) or one number.",
        ),
        (("swap", "{a}", "{b}", "--levels", "0-1"), "Region levels start at 1, got 0."),
        (
            ("swap", "{a}", "{b}", "--columns", "30-40"),
            "The region (levels 1-3 columns 30-40) is outside the grid, which has 3 levels",
        ),
        (
            ("swap", "{a}", "{b}", "--columns", "10-20", "--at", 40),
            "The region's 11 columns do not fit in b.json from column 40",
        ),
        (("swap", "{b}", "{a}"), "The region's 47 columns do not fit in a.json"),
        (
            ("blend", "{a}", "{b}", "--amount", 1.5),
            "The blend amount must be a number from 0 to 1, got 1.5.",
        ),
        (
            ("blend", "{b}", "{a}", "--amount", 0.5),
            "a.json is shorter than b.json: blending the whole grid needs 47",
        ),
    ],
)
def test_bad_arguments_give_one_clear_line(tmp_path, model, files, args, message):
    a, b = files
    filled = [str(arg).format(a=a, b=b) for arg in args]
    result = run_cli("edit", *filled, "-o", tmp_path / "out.json", "--model", model)
    assert_one_line_error(result, message)
    assert not (tmp_path / "out.json").exists()


def test_files_from_another_model_and_existing_outputs_are_refused(tmp_path, model, files):
    a, b = files
    other_model = make_tiny_model_file(tmp_path / "other" / "other.distill", seed=1)
    c = encode(other_model, write_tone(tmp_path / "c.wav", 1.0, 330.0), tmp_path / "c.json")
    output = tmp_path / "out.json"
    result = run_cli("edit", "swap", a, c, "-o", output, "--model", model)
    assert_one_line_error(result, "c.json was made by model 'other'")
    result = run_cli("edit", "blend", a, c, "--amount", 0.5, "-o", output, "--model", model)
    assert_one_line_error(result, "c.json was made by model 'other'")
    output.write_text("keep me")
    result = run_cli("edit", "swap", a, b, "--levels", "1", "-o", output, "--model", model)
    assert_one_line_error(result, "out.json already exists; pass --force")
    assert output.read_text() == "keep me"
    result = run_cli(
        "edit",
        "swap",
        a,
        b,
        "-o",
        tmp_path / "x.json",
        "--other-out",
        tmp_path / "x.json",
        "--model",
        model,
    )
    assert_one_line_error(result, "-o and --other-out must be different files.")
    result = run_cli(
        "edit", "swap", a, b, "--levels", "1", "-o", output, "--model", model, "--force"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(output.read_text())["format"] == "distill-codes"

"""Render the base model's training audio into a folder: the soundfont's pieces, speech and
the project's own synthesis, each file listed with its source and licence in manifest.json.

Idempotent: files already rendered are kept, so an interrupted render resumes.
    python -m distill.base.render DIR
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from distill.base import soundfont, speech, synthesis

SAMPLE_RATE = 48_000
MANIFEST = "manifest.json"
SYNTH_LICENCE = "Distill's own synthesis (MIT, this repository): no recording"
SPEECH_PER_LANGUAGE = 6
SYNTH_SECONDS = 2700.0  # 45 minutes


@dataclass(frozen=True)
class Rendered:
    """One file of the base's data: where it came from and under which licence."""

    file: str
    source: str  # soundfont | speech | synthesis
    detail: str  # program or kit and section, voice, or maker
    seconds: float
    licence: str


def _write(path: Path, audio: np.ndarray, rate: int) -> float:
    """[S] float audio at `rate` -> a 16-bit 48 kHz WAV (written atomically); its seconds."""
    if rate != SAMPLE_RATE:
        divisor = gcd(SAMPLE_RATE, rate)
        audio = resample_poly(audio, SAMPLE_RATE // divisor, rate // divisor)
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak > 0.99:
        audio = audio * (0.99 / peak)
    temporary = path.with_suffix(".tmp.wav")
    sf.write(temporary, audio, SAMPLE_RATE, subtype="PCM_16")
    os.replace(temporary, path)
    return len(audio) / SAMPLE_RATE


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {result.stderr.strip() or result.stdout.strip()}")


def render_soundfont(directory: Path, scratch: Path, seed: int) -> list[Rendered]:
    """Each piece rendered once (fluidsynth, 48 kHz float), then cut into its sections."""
    made = []
    for piece in soundfont.pieces(seed):
        targets = [directory / f"sf_{piece.name}_{i}.wav" for i in range(len(piece.sections))]
        if not all(t.exists() for t in targets):
            song, audio_path = scratch / f"{piece.name}.mid", scratch / f"{piece.name}.wav"
            song.write_bytes(piece.track.write())
            effects = [] if piece.reverb else ["-R", "0", "-C", "0"]
            command = ["fluidsynth", "-ni", "-q", "-g", "0.5", "-r", str(SAMPLE_RATE), *effects]
            command += ["-T", "wav", "-O", "float", "-F", str(audio_path)]
            _run([*command, str(soundfont.SOUNDFONT), str(song)])
            audio, rate = sf.read(audio_path, dtype="float64", always_2d=True)
            mono = audio.mean(axis=1)
            mono = mono / max(float(np.abs(mono).max()), 1e-9) * 0.9  # one gain for the piece
            for target, section in zip(targets, piece.sections, strict=True):
                _write(target, mono[int(section.start_s * rate) : int(section.end_s * rate)], rate)
        for target, section in zip(targets, piece.sections, strict=True):
            detail = f"{piece.name} {section.kind}{' reverb' if piece.reverb else ''}"
            seconds = sf.info(target).duration
            made.append(
                Rendered(target.name, "soundfont", detail, seconds, soundfont.SOUNDFONT_LICENCE)
            )
    return made


def render_speech(directory: Path, scratch: Path, seed: int) -> list[Rendered]:
    made = []
    for utterance in speech.utterances(SPEECH_PER_LANGUAGE, seed):
        target = directory / f"{utterance.name}.wav"
        if not target.exists():
            spoken = scratch / "speech.wav"
            try:
                _run(utterance.command(str(spoken)))
            except RuntimeError as error:  # a voice this espeak-ng lists but cannot load
                print(f"skipped {utterance.voice}: {error}")
                continue
            audio, rate = sf.read(spoken, dtype="float64")
            _write(target, np.asarray(audio), rate)
        seconds = sf.info(target).duration
        made.append(
            Rendered(target.name, "speech", utterance.voice, seconds, speech.ESPEAK_LICENCE)
        )
    return made


def render_synthesis(directory: Path, seed: int) -> list[Rendered]:
    """Each maker gets its share of SYNTH_SECONDS, file by file, each from its own seed."""
    made = []
    for index, (name, make, share) in enumerate(synthesis.MAKERS):
        total, number = 0.0, 0
        while total < share * SYNTH_SECONDS:
            target = directory / f"synth_{name}_{number:04d}.wav"
            if not target.exists():
                rng = np.random.default_rng([seed, index, number])
                _write(target, synthesis.finish(make(rng), rng), SAMPLE_RATE)
            seconds = sf.info(target).duration
            made.append(Rendered(target.name, "synthesis", name, seconds, SYNTH_LICENCE))
            total, number = total + seconds, number + 1
    return made


def render_all(directory: Path, seed: int = 0) -> list[Rendered]:
    """Every source into `directory` (resuming), then the manifest."""
    for tool in ("fluidsynth", "espeak-ng"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: sudo apt-get install fluidsynth espeak-ng")
    if not soundfont.SOUNDFONT.is_file():
        raise SystemExit(
            f"{soundfont.SOUNDFONT} is missing: sudo apt-get install {soundfont.SOUNDFONT_PACKAGE}"
        )
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        made = render_soundfont(directory, Path(scratch), seed)
        made += render_speech(directory, Path(scratch), seed)
    made += render_synthesis(directory, seed)
    (directory / MANIFEST).write_text(json.dumps([asdict(m) for m in made], indent=0))
    return made


def summarize(made: list[Rendered]) -> dict[str, dict[str, float]]:
    """Files and hours by source."""
    table: dict[str, dict[str, float]] = {}
    for item in made:
        row = table.setdefault(item.source, {"files": 0, "hours": 0.0})
        row["files"] += 1
        row["hours"] += item.seconds / 3600
    return {k: {"files": v["files"], "hours": round(v["hours"], 3)} for k, v in table.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    made = render_all(args.directory, args.seed)
    print(json.dumps(summarize(made), indent=2))


if __name__ == "__main__":
    main()

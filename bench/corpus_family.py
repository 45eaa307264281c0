"""A second benchmark collection of a different kind: one family of sounds the base model never
heard. General MIDI's chromatic percussion (celesta, glockenspiel, music box, vibraphone,
marimba, xylophone, tubular bells, dulcimer: programs 8-15, left out of the base's data
entirely) playing notes, runs, chords, melodies and glides written by the base's phrase
generator, rendered by fluidsynth with FluidR3_GM (a soundfont the base never heard either).
About 5 minutes in 40 files, like a musician's sample pack; 12 fixed files are held out.

Usage: python bench/corpus_family.py DIR   (files already in DIR are kept; never committed)
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from corpus import HELD_OUT_LIST, SOUNDFONT, convert
from distill.base.soundfont import melodic_piece

PROGRAMS = range(8, 16)
SECTIONS_PER_PROGRAM = 5
# One phrase of every instrument, and four more (12 of 40 files)
HELD_OUT = (
    *(f"mallet_{p:03d}_1" for p in PROGRAMS),
    "mallet_008_4", "mallet_011_3", "mallet_012_0", "mallet_014_2",
)  # fmt: skip


def build(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for program in PROGRAMS:
            piece = melodic_piece(program, seed=7)
            targets = [
                directory / f"mallet_{program:03d}_{i}.wav" for i in range(SECTIONS_PER_PROGRAM)
            ]
            if all(t.exists() for t in targets):
                continue
            song, rendered = Path(scratch) / "piece.mid", Path(scratch) / "piece.wav"
            song.write_bytes(piece.track.write())
            command = ["fluidsynth", "-ni", "-q", "-g", "0.5", "-r", "48000", "-T", "wav"]
            command += ["-O", "float", "-F", str(rendered), str(SOUNDFONT), str(song)]
            subprocess.run(command, check=True, capture_output=True)
            audio, rate = sf.read(rendered, dtype="float64", always_2d=True)
            for target, section in zip(targets, piece.sections, strict=False):
                part = Path(scratch) / "part.wav"
                piece_audio = audio[int(section.start_s * rate) : int(section.end_s * rate)]
                sf.write(part, piece_audio / max(float(np.abs(audio).max()), 1e-9) * 0.9, rate)
                convert(part, target, trim_tail=True)
    (directory / HELD_OUT_LIST).write_text("".join(f"{stem}.wav\n" for stem in HELD_OUT))
    return sorted(directory.glob("mallet_*.wav"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    files = build(parser.parse_args().directory)
    seconds = sum(sf.info(f).duration for f in files)
    print(f"{len(files)} files, {seconds / 60:.1f} minutes, {len(HELD_OUT)} held out")


if __name__ == "__main__":
    main()

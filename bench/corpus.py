"""Gather a corpus of real recordings for the benchmarks from Debian packages on this machine.

These recordings come from Debian packages (sound-theme-freedesktop, alsa-utils, espeak-ng,
fluidsynth with fluid-soundfont-gm) and are generated locally into a folder you name. They
are never committed and never shipped with Distill; each keeps its package's licence.

Usage: python bench/corpus.py DIR   (idempotent: files already in DIR are kept as they are)

The files named in HELD_OUT are never trained on: `split_corpus` gives (training, held out)
and the folder gets their list (held_out.txt).
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from distill.base.midi import variable_length

SAMPLE_RATE = 48_000
FREEDESKTOP_DIR = Path("/usr/share/sounds/freedesktop/stereo")
ALSA_DIR = Path("/usr/share/sounds/alsa")
SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")

# (file tag, espeak-ng voice, extra arguments, sentence)
SPEECH = [
    ("en_gb", "en-gb", [], "The quick brown fox jumps over the lazy dog, then naps in the sun."),
    ("en_us_f3", "en-us+f3", [], "Please listen carefully to each sound, and compare them."),
    ("en_scotland", "en-gb-scotland+m3", ["-s", "150"], "Twelve tiny turtles traded shells."),
    ("en_us_high", "en-us", ["-p", "75", "-s", "140"], "How much wood would a woodchuck chuck?"),
    ("de", "de", [], "Der Wind weht über die Felder, und die Vögel singen im Morgenlicht."),
    ("fr_f2", "fr+f2", [], "Le petit chat dort sur le canapé pendant que la pluie tombe."),
    ("es", "es", [], "El sol brilla sobre el mar y las olas cantan una canción tranquila."),
    ("it", "it", ["-s", "160"], "La musica riempie la stanza di luce e di colori."),
    ("en_us_m7", "en-us+m7", ["-s", "150"], "Seven silver spoons sat beside the open window."),
    ("en_gb_f4", "en-gb+f4", [], "Rain is falling softly on the old wooden roof tonight."),
    ("en_rp_low", "en-gb-x-rp", ["-p", "25"], "A low voice reads the list of numbers slowly."),
    ("nl", "nl", [], "De fiets staat naast de deur en de kat slaapt in de zon."),
    ("pt", "pt", ["-s", "165"], "O barco navega devagar pelo rio ao fim da tarde."),
    ("pl_f1", "pl+f1", [], "Jutro rano pojedziemy pociągiem nad morze."),
    ("sv", "sv", [], "Vinden blåser över sjön och fåglarna flyger söderut."),
    ("en_whisper", "en-us+whisper", [], "Whispered words are mostly noise, with no pitch at all."),
]  # fmt: skip

CHORDS = [(57, 60, 64), (53, 57, 60), (48, 52, 55), (55, 59, 62)]  # Am F C G, as MIDI notes
TUNE = [  # (beat, beats, note) over four bars of 4/4
    (0, 1, 76), (1, 0.5, 74), (1.5, 0.5, 72), (2, 1, 74), (3, 1, 76), (4, 1, 77), (5, 1, 76),
    (6, 2, 74), (8, 1, 72), (9, 0.5, 74), (9.5, 0.5, 76), (10, 1, 79), (11, 1, 76), (12, 1, 74),
    (13, 1, 71), (14, 2, 72),
]  # fmt: skip
Note = tuple[float, float, int, int]  # (beat, beats, MIDI note, velocity)


@dataclass(frozen=True)
class Source:
    """One kind of recording: the Debian packages it needs and how to gather it."""

    kind: str
    packages: str
    available: Callable[[], bool]
    gather: Callable[[Path, Path], None]  # (corpus folder, scratch folder)


def convert(source: Path, target: Path, trim_tail: bool = False) -> None:
    """Copy any audio file to a 16-bit 48 kHz WAV (channels kept), written atomically.

    `trim_tail` cuts a rendered file's trailing near-silence (below -80 dBFS) to 0.2 s.
    """
    audio, rate = sf.read(source, dtype="float64", always_2d=True)  # [S, C]
    if trim_tail:
        loud = np.flatnonzero(np.max(np.abs(audio), axis=1) > 1e-4)
        audio = audio[: (loud[-1] if loud.size else 0) + int(0.2 * rate)]
    if rate != SAMPLE_RATE:
        divisor = gcd(SAMPLE_RATE, rate)
        audio = resample_poly(audio, SAMPLE_RATE // divisor, rate // divisor, axis=0)
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak > 1.0:  # resampling can overshoot a full-scale original
        audio = audio / peak
    temporary = target.with_suffix(".tmp.wav")
    sf.write(temporary, audio, SAMPLE_RATE, subtype="PCM_16")
    os.replace(temporary, target)


def gather_freedesktop(directory: Path, scratch: Path) -> None:
    """The freedesktop sound theme, less aliases (links) and spoken channel names (see alsa)."""
    for path in sorted(FREEDESKTOP_DIR.glob("*.oga")):
        target = directory / f"freedesktop_{path.stem.replace('-', '_')}.wav"
        skip = path.is_symlink() or path.stem.startswith("audio-channel-")
        if not skip and not target.exists():
            convert(path, target)


def gather_alsa(directory: Path, scratch: Path) -> None:
    """The alsa-utils speaker-test voices and pink noise."""
    for path in sorted(ALSA_DIR.glob("*.wav")):
        target = directory / f"alsa_{path.stem.lower()}.wav"
        if not target.exists():
            convert(path, target)


def gather_speech(directory: Path, scratch: Path) -> None:
    """Sentences spoken by espeak-ng in several voices and languages."""
    for tag, voice, extra, sentence in SPEECH:
        target = directory / f"speech_{tag}.wav"
        if not target.exists():
            rendered = scratch / f"speech_{tag}.wav"
            run(["espeak-ng", "-v", voice, *extra, "-w", str(rendered), sentence])
            convert(rendered, target)


def gather_midi(directory: Path, scratch: Path) -> None:
    """Short General MIDI pieces written here and rendered by fluidsynth with FluidR3_GM."""
    for name, (program, channel, tempo, notes) in midi_pieces().items():
        target = directory / f"midi_{name}.wav"
        if target.exists():
            continue
        song, rendered = scratch / f"{name}.mid", scratch / f"{name}.wav"
        song.write_bytes(midi_file(notes, program, channel, tempo))
        command = ["fluidsynth", "-ni", "-q", "-g", "1.0", "-r", str(SAMPLE_RATE)]
        run([*command, "-T", "wav", "-O", "float", "-F", str(rendered), str(SOUNDFONT), str(song)])
        convert(rendered, target, trim_tail=True)


def midi_pieces() -> dict[str, tuple[int, int, float, list[Note]]]:
    """Each piece: (GM program, channel, beats per minute, notes), four bars over Am F C G."""
    bass = [(bar * 4 + i / 2, 0.45, CHORDS[bar][0] - 24 + step, 100)
            for bar in range(4) for i, step in enumerate((0, 0, 7, 12, 0, 7, 12, 7))]  # fmt: skip
    guitar = [(bar * 4 + i / 2, 1.0, CHORDS[bar][j % 3] + 12 * (j // 3), 80)
              for bar in range(4) for i, j in enumerate((0, 1, 2, 3, 2, 1, 0, 2))]  # fmt: skip
    strings = [
        (bar * 4.0, 4.0, note, 70)
        for bar in range(4)
        for note in (CHORDS[bar][0] - 12, *CHORDS[bar])
    ]
    chords = [(bar * 4.0 + half, 2.0, note - 12, 65)
              for bar in range(4) for half in (0, 2) for note in CHORDS[bar]]  # fmt: skip
    tune = [(beat, length, note, 90) for beat, length, note in TUNE]
    brass = [(bar * 4 + beat, 0.4, note, 95)
             for bar in range(4) for beat in (0.5, 1.5, 3.0) for note in CHORDS[bar]]  # fmt: skip
    return {
        "piano": (0, 0, 96, tune + chords),
        "strings": (48, 0, 72, strings),
        "flute": (73, 0, 100, tune),
        "guitar": (24, 0, 100, guitar),
        "drums": (0, 9, 110, drum_notes()),
        "bass": (33, 0, 100, bass),
        "brass": (61, 0, 110, brass),
        **solo_pieces(tune),
        "percussion": (0, 9, 120, percussion_notes()),
    }


# Two-bar solos, so that sustained and plucked timbres are many without the corpus growing long:
# (GM program, octave shift in semitones, note length in beats or None for the tune's own).
SOLOS = {
    "cello": (42, -24, None), "violin": (40, 0, None), "organ": (19, -12, None),
    "pad": (89, -12, 2.0), "clarinet": (71, -12, None), "trumpet": (56, -12, None),
    "marimba": (12, 0, 0.4), "vibraphone": (11, 0, None), "harp": (46, -12, 0.5),
    "choir": (52, -12, 2.0), "sax": (65, -12, None), "nylon": (24, -12, 0.5),
}  # fmt: skip


def solo_pieces(tune: list[Note]) -> dict[str, tuple[int, int, float, list[Note]]]:
    """The first two bars of the tune on each solo instrument (sustained ones held longer)."""
    pieces = {}
    for name, (program, shift, length) in SOLOS.items():
        notes = [(beat, length or beats, note + shift, velocity)
                 for beat, beats, note, velocity in tune if beat < 8]  # fmt: skip
        pieces[name] = (program, 0, 96, notes)
    return pieces


def percussion_notes() -> list[Note]:
    """Two bars of hand percussion (congas, bongos, shaker, cowbell) on the GM drum map."""
    patterns = {63: "x..x..x.x..x..x.", 64: "..x...x...x...x.", 60: "x.x.....x.x.....",
                70: "xxxxxxxxxxxxxxxx", 56: "x.......x......."}  # fmt: skip
    return [(bar * 4 + i / 4, 0.25, drum, 70 + 20 * (i % 4 == 0))
            for bar in range(2) for drum, pattern in patterns.items()
            for i, hit in enumerate(pattern) if hit == "x"]  # fmt: skip


def drum_notes() -> list[Note]:
    """Four bars of rock beat on the GM drum map (channel 10) with a crash and a snare fill."""
    patterns = {36: "x.......x.x.....", 38: "....x.......x...", 42: "x.x.x.x.x.x.x.x."}
    notes: list[Note] = [(0, 1, 49, 100)]  # crash cymbal on the downbeat
    for bar in range(4):
        for drum, pattern in patterns.items():
            fill = bar == 3 and drum == 38
            steps = pattern[:12] + "xxxx" if fill else pattern
            notes += [(bar * 4 + i / 4, 0.25, drum, 80 + 10 * (i % 4 == 0))
                      for i, hit in enumerate(steps) if hit == "x"]  # fmt: skip
    return notes


def midi_file(notes: list[Note], program: int, channel: int, tempo: float) -> bytes:
    """A format-0 Standard MIDI File: tempo, program change, notes, then two beats of rest."""
    ticks = 480  # per beat
    events = [(round(b * ticks), 1, bytes([0x90 | channel, n, v])) for b, _, n, v in notes]
    events += [(round((b + d) * ticks), 0, bytes([0x80 | channel, n, 0])) for b, d, n, _ in notes]
    events.sort(key=lambda event: event[:2])  # note-offs before note-ons at the same tick
    track = b"\x00\xff\x51\x03" + round(60e6 / tempo).to_bytes(3, "big")
    track += bytes([0, 0xC0 | channel, program])
    now = 0
    for tick, _, message in events:
        track += variable_length(tick - now) + message
        now = tick
    track += variable_length(2 * ticks) + b"\xff\x2f\x00"  # end of track after a rest
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, ticks)
    return header + b"MTrk" + struct.pack(">I", len(track)) + track


def run(command: list[str]) -> None:
    """Run a tool, raising with its error output when it fails."""
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {result.stderr.strip() or result.stdout.strip()}")


SOURCES = (
    Source("freedesktop", "sound-theme-freedesktop", FREEDESKTOP_DIR.is_dir, gather_freedesktop),
    Source("alsa", "alsa-utils", ALSA_DIR.is_dir, gather_alsa),
    Source("speech", "espeak-ng", lambda: shutil.which("espeak-ng") is not None, gather_speech),
    Source(
        "midi",
        "fluidsynth fluid-soundfont-gm",
        lambda: shutil.which("fluidsynth") is not None and SOUNDFONT.is_file(),
        gather_midi,
    ),
)


# Files never trained on, chosen by kind and fixed, so every evaluation uses the same ones.
HELD_OUT = (
    "speech_de", "speech_en_us_f3", "speech_en_us_m7", "alsa_front_left",  # speech
    "midi_cello", "midi_flute", "midi_organ", "midi_pad", "midi_guitar",  # pitched
    "midi_drums", "midi_percussion",  # percussive
    "alsa_noise", "speech_en_whisper",  # noisy
    "freedesktop_message_new_instant", "freedesktop_alarm_clock_elapsed",  # short effects
    "freedesktop_bell", "freedesktop_camera_shutter", "freedesktop_dialog_information",
)  # fmt: skip
HELD_OUT_LIST = "held_out.txt"  # written into the corpus folder, one file name a line


def split_corpus(directory: Path) -> tuple[list[Path], list[Path]]:
    """(training files, held-out files) of a built corpus (this one, or another that wrote its
    own held_out.txt, such as corpus_family.py's); the held-out ones must all exist."""
    wavs = sorted(p for p in directory.glob("*.wav") if not p.name.endswith(".tmp.wav"))
    listed = directory / HELD_OUT_LIST
    names = listed.read_text().split() if listed.is_file() else [f"{s}.wav" for s in HELD_OUT]
    stems = {Path(name).stem for name in names}
    held_out = [p for p in wavs if p.stem in stems]
    missing = sorted(stems - {p.stem for p in held_out})
    if missing:
        raise SystemExit(f"{directory} lacks held-out files {missing}: run bench/corpus.py on it")
    return [p for p in wavs if p.stem not in stems], held_out


def build_corpus(directory: Path) -> list[Path]:
    """Fill `directory` with the corpus (skipping files already there); returns its WAVs, sorted.

    A missing package is reported with its install command, and the other sources still run.
    """
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for source in SOURCES:
            if not source.available():
                install = f"sudo apt-get install {source.packages}"
                print(f"skipping {source.kind}: not installed; install it with `{install}`")
                continue
            try:
                source.gather(directory, Path(scratch))
            except (RuntimeError, OSError, sf.LibsndfileError) as error:
                print(f"skipping the rest of {source.kind}: {error}", file=sys.stderr)
    return sorted(path for path in directory.glob("*.wav") if not path.name.endswith(".tmp.wav"))


def summarize(paths: list[Path]) -> str:
    """One line per kind of recording (clips, seconds) and the total."""
    counts: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    for path in paths:
        kind = path.stem.split("_")[0]
        counts[kind] += 1
        seconds[kind] += sf.info(path).duration
    lines = [
        f"{kind:12s} {counts[kind]:3d} clips {seconds[kind]:7.1f} s" for kind in sorted(counts)
    ]
    lines.append(f"{'total':12s} {sum(counts.values()):3d} clips {sum(seconds.values()):7.1f} s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, help="folder to fill (created if needed)")
    directory = parser.parse_args().directory
    build_corpus(directory)
    (directory / HELD_OUT_LIST).write_text("".join(f"{stem}.wav\n" for stem in HELD_OUT))
    train, held_out = split_corpus(directory)
    print(summarize(train))
    print(f"held out ({HELD_OUT_LIST}):\n{summarize(held_out)}")


if __name__ == "__main__":
    main()

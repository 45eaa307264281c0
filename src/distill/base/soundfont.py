"""General MIDI phrases written here and rendered by fluidsynth with the MuseScore General
soundfont (MIT): many notes, velocities, durations, articulations, chords, glides and swells
on every melodic program the benchmarks do not hold out, and grooves and single hits on the
drum kits other than the Standard kits the benchmark's held-out drums use."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

from distill.base.midi import Track

SOUNDFONT = Path("/usr/share/sounds/sf2/MuseScore_General_Full.sf2")
SOUNDFONT_PACKAGE = "musescore-general-soundfont-lossless"
SOUNDFONT_LICENCE = "MIT (parts public domain or CC0), S. Christian Collins and contributors"

# Programs the quality benchmark holds out (bench/corpus.py: cello 42, flute 73, organ 19,
# pad 89, guitar 24), and the chromatic percussion family (8-15), kept out entirely for the
# second benchmark: a family of sounds the base never heard.
HELD_OUT_PROGRAMS = frozenset({19, 24, 42, 73, 89, *range(8, 16)})
# Kits other than Standard (0-7, the held-out drums' and percussion's kit): Room, Power,
# Electronic, TR-808, Jazz, Brush, Orchestra and the marching kits.
KITS = (8, 9, 10, 11, 16, 17, 24, 25, 32, 33, 40, 41, 48, 56, 57, 58)
# The held-out percussion file's instruments (cowbell, hi bongo, congas, maracas) are not
# played on any kit.
HELD_OUT_DRUM_NOTES = frozenset({56, 60, 63, 64, 70})
DRUM_NOTES = tuple(n for n in range(35, 82) if n not in HELD_OUT_DRUM_NOTES)
DRUM_CHANNEL = 9
BEAT_S = 0.5  # every phrase is written at 120 beats per minute
GAP_BEATS = 4.0  # rest between sections, so each section's file holds its own decay

# (first program, last program, lowest note, highest note) by General MIDI family
RANGES = (
    (0, 7, 24, 103), (16, 23, 36, 96), (24, 31, 40, 84), (32, 39, 28, 62), (40, 40, 55, 100),
    (41, 41, 48, 88), (43, 43, 28, 62), (44, 45, 40, 90), (46, 46, 26, 100), (47, 47, 40, 55),
    (48, 55, 36, 96), (56, 56, 55, 84), (57, 57, 40, 72), (58, 58, 28, 58), (59, 59, 55, 82),
    (60, 60, 41, 77), (61, 63, 36, 84), (64, 64, 56, 88), (65, 65, 49, 81), (66, 66, 44, 76),
    (67, 67, 36, 69), (68, 69, 55, 91), (70, 70, 34, 75), (71, 71, 50, 91), (72, 72, 74, 106),
    (74, 79, 60, 96), (80, 103, 36, 96), (104, 111, 48, 88), (112, 119, 40, 84),
    (120, 127, 48, 84),
)  # fmt: skip
# Sustaining programs get long glides and vibrato; these bend over an octave.
WIDE_BEND = frozenset({*range(40, 52), *range(56, 72), *range(80, 88), 105, 110, 111})


@dataclass(frozen=True)
class Section:
    """One part of a rendered piece: its kind and where it starts and ends (seconds)."""

    kind: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Piece:
    """One MIDI file to render: a program (or kit), its sections and whether reverb is on."""

    name: str
    track: Track
    sections: tuple[Section, ...]
    reverb: bool


def note_range(program: int) -> tuple[int, int]:
    for first, last, low, high in RANGES:
        if first <= program <= last:
            return low, high
    return 36, 96


def melodic_programs() -> list[int]:
    return [p for p in range(128) if p not in HELD_OUT_PROGRAMS]


class _Writer:
    """Sections appended one after another on one channel, each followed by a rest."""

    def __init__(self, track: Track, channel: int, rng: random.Random, low: int, high: int):
        self.track, self.channel, self.rng = track, channel, rng
        self.low, self.high = low, high
        self.beat = 0.0
        self.sections: list[Section] = []

    def pitch(self) -> int:
        return self.rng.randint(self.low, self.high)

    def velocity(self) -> int:
        return int(self.rng.triangular(15, 127, 85))

    def note(self, at: float, beats: float, pitch: int, velocity: int) -> float:
        self.track.note(self.beat + at, beats, self.channel, pitch, velocity)
        return at + beats

    def close(self, kind: str, length: float) -> None:
        start = self.track.seconds(self.beat)
        self.beat += length + GAP_BEATS
        self.sections.append(Section(kind, start, self.track.seconds(self.beat)))


def single_notes(w: _Writer) -> None:
    """Isolated notes: every length from a flick to a held tone, each left to ring out."""
    at = 0.0
    for _ in range(w.rng.randint(5, 9)):
        beats = w.rng.choice((0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 6.0))
        at = w.note(at, beats, w.pitch(), w.velocity()) + w.rng.uniform(0.5, 2.0)
    w.close("notes", at)


def run(w: _Writer) -> None:
    """A scale or arpeggio up or down, legato or detached, with a dynamic shape."""
    steps = w.rng.choice(((2, 2, 1, 2, 2, 2, 1), (3, 4, 5), (4, 3, 5), (2, 1, 2, 2, 1, 3, 1), (1,)))
    count, step = w.rng.randint(8, 24), w.rng.choice((0.125, 0.25, 0.5))
    length = step * w.rng.choice((0.5, 0.9, 1.5))
    direction = w.rng.choice((1, -1))
    pitch = w.low + w.rng.randint(0, 12) if direction > 0 else w.high - w.rng.randint(0, 12)
    start, end = w.velocity(), w.velocity()
    for i in range(count):
        velocity = round(start + (end - start) * i / count)
        w.note(i * step, length, max(w.low, min(w.high, pitch)), velocity)
        pitch += direction * steps[i % len(steps)]
    w.close("run", count * step + length)


def chords(w: _Writer) -> None:
    """Block and rolled chords of two to five notes."""
    at = 0.0
    for _ in range(w.rng.randint(3, 6)):
        root = w.rng.randint(w.low, max(w.low, w.high - 12))
        shape = w.rng.choice(
            ((0, 4, 7), (0, 3, 7), (0, 7), (0, 4, 7, 11), (0, 3, 7, 10), (0, 5, 7, 12), (0, 2, 7))
        )
        beats, roll, velocity = (
            w.rng.choice((0.5, 1.0, 2.0, 4.0)),
            w.rng.choice((0, 0, 0.05)),
            w.velocity(),
        )
        for i, interval in enumerate(shape):
            w.note(at + i * roll, beats, min(w.high, root + interval), velocity)
        at += beats + w.rng.uniform(0.25, 1.5)
    w.close("chords", at)


def melody(w: _Writer) -> None:
    """A random walk in a scale with a rhythm, sometimes overlapping (legato)."""
    at, pitch = 0.0, w.rng.randint(w.low + 5, max(w.low + 5, w.high - 5))
    overlap = w.rng.choice((0.6, 0.95, 1.1))
    for _ in range(w.rng.randint(8, 16)):
        beats = w.rng.choice((0.25, 0.5, 0.5, 1.0, 1.5))
        w.note(at, beats * overlap, pitch, w.velocity())
        at += beats
        pitch = max(w.low, min(w.high, pitch + w.rng.choice((-5, -3, -2, -1, 1, 2, 3, 4, 7))))
    w.close("melody", at + 1.0)


def glides(w: _Writer, wide: bool) -> None:
    """Held notes that glide (pitch bend ramps), wobble (vibrato) and swell (expression)."""
    semitones = 12 if wide else 2
    w.track.bend_range(w.beat, w.channel, semitones)
    at = 0.0
    for _ in range(w.rng.randint(2, 4)):
        beats = w.rng.uniform(2.0, 6.0)
        pitch = w.rng.randint(w.low + semitones, max(w.low + semitones, w.high - semitones))
        w.note(at, beats, pitch, w.velocity())
        shape = w.rng.choice(("up", "down", "vibrato", "swell", "scoop"))
        steps = int(beats * 16)
        rate, depth = w.rng.uniform(4.0, 7.0), w.rng.uniform(0.2, 0.8) / semitones
        target = w.rng.uniform(0.3, 1.0) * w.rng.choice((1, -1))
        for i in range(steps + 1):
            t = i / steps
            beat = w.beat + at + t * beats
            if shape in ("up", "down"):
                w.track.bend(beat, w.channel, target * t * (1 if shape == "up" else -1))
            elif shape == "scoop":
                w.track.bend(beat, w.channel, -0.5 * max(0.0, 1 - 4 * t) * 2 / semitones)
            elif shape == "vibrato":
                w.track.bend(
                    beat, w.channel, depth * math.sin(2 * math.pi * rate * t * beats * BEAT_S)
                )
            else:
                w.track.control(
                    beat, w.channel, 11, round(127 * (0.2 + 0.8 * (1 - abs(2 * t - 1))))
                )
        w.track.bend(w.beat + at + beats + 0.5, w.channel, 0.0)
        w.track.control(w.beat + at + beats + 0.5, w.channel, 11, 127)
        at += beats + w.rng.uniform(0.5, 1.5)
    w.close("glides", at)


def repeated(w: _Writer) -> None:
    """One pitch struck again and again, fast or slow, loud to soft."""
    pitch, step = w.pitch(), w.rng.choice((0.125, 0.25, 0.5))
    count = w.rng.randint(6, 20)
    for i in range(count):
        w.note(i * step, step * 0.8, pitch, round(w.rng.uniform(40, 120) * (1 - 0.5 * i / count)))
    w.close("repeated", count * step)


SECTIONS = (single_notes, run, chords, melody, repeated)


def melodic_piece(program: int, seed: int) -> Piece:
    """About a minute of one program: its sections in a random order, glides included."""
    rng = random.Random(seed * 1000 + program)
    track = Track()
    track.program(0.0, 0, program)
    low, high = note_range(program)
    writer = _Writer(track, 0, rng, low, high)
    writer.beat = 1.0
    kinds = [*SECTIONS, *rng.sample(SECTIONS, 3)]
    rng.shuffle(kinds)
    for make in kinds:
        make(writer)
    glides(writer, program in WIDE_BEND)
    return Piece(f"gm{program:03d}", track, tuple(writer.sections), rng.random() < 0.5)


def drum_piece(kit: int, seed: int) -> Piece:
    """Grooves, fills and single hits on one kit (channel 10)."""
    rng = random.Random(seed * 1000 + 500 + kit)
    track = Track()
    track.program(0.0, DRUM_CHANNEL, kit)
    writer = _Writer(track, DRUM_CHANNEL, rng, 35, 81)
    writer.beat = 1.0
    for _ in range(3):
        groove(writer)
    for _ in range(2):
        hits(writer)
    return Piece(f"kit{kit:03d}", track, tuple(writer.sections), rng.random() < 0.5)


def groove(w: _Writer) -> None:
    """Two to four bars of a 16-step pattern over kick, snare and cymbal voices, then a fill."""
    kick = w.rng.choice((35, 36))
    snare = w.rng.choice((38, 40, 37, 39))
    cymbal = w.rng.choice((42, 44, 46, 51, 53, 59))
    voices = {kick: 0.35, snare: 0.25, cymbal: 0.7}
    extra = [n for n in DRUM_NOTES if n not in voices]
    voices[w.rng.choice(extra)] = 0.15
    patterns = {n: [w.rng.random() < p for p in [chance] * 16] for n, chance in voices.items()}
    patterns[kick][0] = True
    bars, step = w.rng.randint(2, 4), 0.25 * w.rng.choice((0.75, 1.0, 1.25))
    for bar in range(bars):
        for i in range(16):
            for note, hitting in patterns.items():
                if hitting[i]:
                    w.note(
                        (bar * 16 + i) * step,
                        step,
                        note,
                        60 + 50 * (i % 4 == 0) + w.rng.randint(-15, 15),
                    )
    toms = [n for n in (41, 43, 45, 47, 48, 50) if n in DRUM_NOTES]
    fill_start = bars * 16 * step
    for i in range(8):
        w.note(fill_start + i * step / 2, step / 2, w.rng.choice([*toms, snare]), 70 + 6 * i)
    w.note(fill_start + 4 * step, 2.0, w.rng.choice((49, 57, 55, 52)), 110)
    w.close("groove", fill_start + 6.0)


def hits(w: _Writer) -> None:
    """Single hits across the kit at soft to hard velocities, each left to ring."""
    at = 0.0
    for note in w.rng.sample(DRUM_NOTES, 12):
        at = w.note(at, 0.5, note, w.rng.randint(20, 127)) + w.rng.uniform(0.5, 1.5)
    w.close("hits", at)


def pieces(seed: int = 0) -> list[Piece]:
    """Every piece the soundfont source renders (deterministic for a seed)."""
    return [melodic_piece(p, seed) for p in melodic_programs()] + [
        drum_piece(k, seed) for k in KITS
    ]

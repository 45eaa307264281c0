"""Standard MIDI files written from a list of timed messages: notes, programs, controllers and
pitch bends, on any channel. Enough for fluidsynth to render what the base model hears."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

TICKS_PER_BEAT = 480
BEND_CENTRE = 8192  # a pitch bend of 0 semitones (14-bit, 0..16383)


@dataclass
class Track:
    """Timed MIDI messages in beats; `write` makes a format-0 file at `tempo` beats per minute."""

    tempo: float = 120.0
    events: list[tuple[float, int, bytes]] = field(default_factory=list)  # (beat, order, bytes)

    def program(self, beat: float, channel: int, program: int, bank: int = 0) -> None:
        self.control(beat, channel, 0, bank >> 7)  # bank select, coarse then fine
        self.control(beat, channel, 32, bank & 0x7F)
        self.events.append((beat, 1, bytes([0xC0 | channel, program])))

    def control(self, beat: float, channel: int, number: int, value: int) -> None:
        self.events.append((beat, 1, bytes([0xB0 | channel, number, _byte(value)])))

    def bend_range(self, beat: float, channel: int, semitones: int) -> None:
        """Set the pitch-bend range (RPN 0) so that a full bend is +-semitones."""
        for number, value in ((101, 0), (100, 0), (6, semitones), (38, 0), (101, 127), (100, 127)):
            self.control(beat, channel, number, value)

    def bend(self, beat: float, channel: int, amount: float) -> None:
        """amount in [-1, 1] of the bend range."""
        value = max(0, min(16383, round(BEND_CENTRE + amount * 8191)))
        self.events.append((beat, 1, bytes([0xE0 | channel, value & 0x7F, value >> 7])))

    def note(self, beat: float, beats: float, channel: int, pitch: int, velocity: int) -> None:
        self.events.append(
            (beat, 2, bytes([0x90 | channel, _byte(pitch), max(1, _byte(velocity))]))
        )
        self.events.append((beat + beats, 0, bytes([0x80 | channel, _byte(pitch), 0])))

    @property
    def end_beat(self) -> float:
        return max((beat for beat, _, _ in self.events), default=0.0)

    def seconds(self, beat: float) -> float:
        return beat * 60.0 / self.tempo

    def write(self, rest_beats: float = 4.0) -> bytes:
        """The file: tempo, the messages in time order (note-offs first at a tick), a rest."""
        track = b"\x00\xff\x51\x03" + round(60e6 / self.tempo).to_bytes(3, "big")
        now = 0
        for beat, _, message in sorted(self.events, key=lambda e: (e[0], e[1])):
            tick = round(beat * TICKS_PER_BEAT)
            track += variable_length(tick - now) + message
            now = tick
        end = round((self.end_beat + rest_beats) * TICKS_PER_BEAT)
        track += variable_length(end - now) + b"\xff\x2f\x00"
        header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, TICKS_PER_BEAT)
        return header + b"MTrk" + struct.pack(">I", len(track)) + track


def _byte(value: int) -> int:
    return max(0, min(127, int(value)))


def variable_length(value: int) -> bytes:
    """MIDI variable-length quantity: 7 bits per byte, high bit set on all but the last."""
    groups = [value & 0x7F]
    while value > 0x7F:
        value >>= 7
        groups.append((value & 0x7F) | 0x80)
    return bytes(reversed(groups))

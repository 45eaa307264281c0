"""The base model's data: what its sources play and leave out (the benchmarks' held-out
instruments and voices), the MIDI they are written in, and the project's own synthesis."""

from __future__ import annotations

import numpy as np
import pytest

from distill.base import soundfont, speech, synthesis
from distill.base.card import card
from distill.base.midi import Track, variable_length
from distill.base.render import Rendered


def _messages(track: Track) -> list[bytes]:
    return [message for _, _, message in track.events]


def test_no_piece_plays_a_held_out_program_kit_or_drum():
    pieces = soundfont.pieces(seed=0)
    programs = set()
    for piece in pieces:
        for message in _messages(piece.track):
            if message[0] & 0xF0 == 0xC0:
                programs.add((message[0] & 0x0F, message[1]))
            if message[0] & 0xF0 == 0x90 and message[0] & 0x0F == soundfont.DRUM_CHANNEL:
                assert message[1] not in soundfont.HELD_OUT_DRUM_NOTES
    melodic = {program for channel, program in programs if channel == 0}
    kits = {program for channel, program in programs if channel == soundfont.DRUM_CHANNEL}
    assert (
        not melodic & soundfont.HELD_OUT_PROGRAMS
        and {19, 24, 42, 73, 89} <= soundfont.HELD_OUT_PROGRAMS
    )
    assert len(melodic) == 128 - len(soundfont.HELD_OUT_PROGRAMS)
    assert kits and not kits & set(range(8))  # never a Standard kit
    assert soundfont.pieces(seed=0)[5].track.events == pieces[5].track.events  # deterministic


def test_each_piece_has_sections_in_order_with_glides_and_rests():
    piece = soundfont.melodic_piece(40, seed=0)  # violin: wide bends
    kinds = [section.kind for section in piece.sections]
    assert "glides" in kinds and {"notes", "run", "chords", "melody", "repeated"} <= set(kinds)
    for before, after in zip(piece.sections, piece.sections[1:], strict=False):
        assert before.end_s == pytest.approx(after.start_s) and before.end_s > before.start_s
    bends = [m for m in _messages(piece.track) if m[0] & 0xF0 == 0xE0]
    assert len({m[1:] for m in bends}) > 20  # glides move through many bend values


def test_the_midi_file_is_well_formed():
    track = Track(tempo=120)
    track.program(0.0, 0, 5)
    track.note(0.0, 1.0, 0, 60, 100)
    track.bend(0.5, 0, 0.5)
    data = track.write()
    assert data[:4] == b"MThd" and data[14:18] == b"MTrk"
    assert int.from_bytes(data[18:22], "big") == len(data) - 22
    assert data.endswith(b"\xff\x2f\x00")
    assert variable_length(0) == b"\x00" and variable_length(200) == b"\x81\x48"


def test_speech_leaves_out_the_held_out_voices(monkeypatch: pytest.MonkeyPatch):
    listing = {
        "": ["af", "de", "en-us", "fr-fr"],
        "variant": ["f3", "m1", "m7", "whisper", "croak"],
    }
    monkeypatch.setattr(speech, "_listing", lambda kind: listing[kind])
    spoken = speech.utterances(per_language=20, seed=1)
    voices = {u.voice for u in spoken}
    assert not any(v.split("+")[0] == "de" for v in voices)
    assert not any(v.split("+")[-1] in speech.HELD_OUT_VARIANTS for v in voices if "+" in v)
    assert {u.voice.split("+")[0] for u in spoken} == {"af", "en-us", "fr-fr"}
    assert spoken[0].command("x.wav")[:3] == ["espeak-ng", "-v", spoken[0].voice]


@pytest.mark.parametrize("name", [name for name, _, _ in synthesis.MAKERS])
def test_each_synthesised_kind_is_finite_audible_audio(name: str):
    make = {n: m for n, m, _ in synthesis.MAKERS}[name]
    rng = np.random.default_rng(3)
    sound = synthesis.finish(make(rng), rng)
    assert sound.dtype == np.float32 and np.isfinite(sound).all()
    assert 0.1 * synthesis.SAMPLE_RATE < len(sound) < 10 * synthesis.SAMPLE_RATE
    peak = float(np.abs(sound).max())
    assert 10 ** (-20.5 / 20) <= peak <= 10 ** (-0.9 / 20)
    assert sum(share for _, _, share in synthesis.MAKERS) == pytest.approx(1.0)


def test_the_card_tells_each_pretraining_schedule_and_its_validation():
    made = [
        Rendered("a.wav", "soundfont", "piano", 3600.0, "MIT"),
        Rendered("b.wav", "speech", "en", 1800.0, "GPL"),
    ]

    def record(step: int, lr: float, val: float) -> dict:
        return {"step": step, "elapsed_s": step * 2.0, "lr": lr, "val": {"all": val}}

    first = [record(500, 1e-3, 2.1), record(4900, 1e-4, 0.99)]
    second = [record(5000, 5e-4, 1.0), record(5000, 5e-4, 1.01), record(9000, 3e-5, 0.9)]
    text = card(made, [first, second], 5_000_000)
    assert "| **total** | | 2 | **1.50** |" in text
    assert "9000 steps in 2 schedule(s)" in text
    assert "to step 4900 (learning rate 1e-03 falling to 1e-04)" in text
    assert "then to step 9000 (learning rate 5e-04 falling to 3e-05, continuing" in text
    assert "2.1 at step 500 -> 0.99 at step 4900 -> 0.9 at step 9000" in text
    assert "5.0 MB" in text and "5.00 hours" in text

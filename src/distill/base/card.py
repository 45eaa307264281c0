"""The base model's data card: every source, its licence, its hours, how it was rendered,
and the pretraining that used it. Written beside the shipped weights by `make base-model`.

    python -m distill.base.card DATA_DIR PRETRAIN_DIR [PRETRAIN_DIR ...] OUT.md

Several PRETRAIN_DIRs are the schedules of one base in order: each after the first continued
the one before's export (`distill.base.pretrain --init`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from distill.base import render, soundfont, speech, synthesis
from distill.base.pretrain import LOG, read_log
from distill.base.render import Rendered


def card(made: list[Rendered], logs: list[list[dict]], base_bytes: int) -> str:
    """The card's Markdown from the manifest, the pretraining logs (one per schedule, in
    order, as `read_log` gives them) and the weights' size."""
    table = render.summarize(made)
    total = sum(row["hours"] for row in table.values())
    rows = {
        "soundfont": (
            f"MuseScore General soundfont (Debian `{soundfont.SOUNDFONT_PACKAGE}`, "
            f"{soundfont.SOUNDFONT.name}) rendered by fluidsynth from MIDI written here",
            soundfont.SOUNDFONT_LICENCE,
        ),
        "speech": ("espeak-ng speech (Debian `espeak-ng`)", speech.ESPEAK_LICENCE),
        "synthesis": ("Distill's own synthesis (`distill.base.synthesis`)", render.SYNTH_LICENCE),
    }
    lines = [
        "# Distill base model: data card",
        "",
        "The base model (`base.distill`) is an RVQ autoencoder pretrained by the project on audio",
        "it renders itself from the sources below and nothing else (`make base-model` rebuilds",
        "the data, then trains; `distill.base`). No recording of a person or an instrument is in",
        "it beyond the soundfont's own samples.",
        "",
        "| source | licence | files | hours |",
        "|---|---|---|---|",
    ]
    for source, (what, licence) in rows.items():
        row = table.get(source, {"files": 0, "hours": 0.0})
        lines.append(f"| {what} | {licence} | {row['files']} | {row['hours']:.2f} |")
    lines += [f"| **total** | | {len(made)} | **{total:.2f}** |", ""]
    programs = soundfont.melodic_programs()
    lines += [
        "## How it was rendered",
        "",
        f"- **Soundfont**: {len(programs)} General MIDI programs, each a ~1-minute piece of",
        "  isolated notes (a flick to 6 beats), scales and arpeggios, block and rolled chords,",
        "  melodies, repeated notes, and held notes with pitch-bend glides, vibrato and",
        "  expression swells, at velocities 15-127; and 16 drum kits (Room, Power, Electronic,",
        "  TR-808, Jazz, Brush, Orchestra, marching) playing grooves, fills and single hits.",
        "  Half the pieces with fluidsynth's reverb and chorus, half dry; 48 kHz; each piece cut",
        "  into its sections (each with its own decay).",
        "- **Left out so the benchmarks stay honest**: programs "
        f"{sorted(soundfont.HELD_OUT_PROGRAMS)}",
        "  (the quality benchmark's held-out cello 42, flute 73, organ 19, pad 89 and guitar 24,",
        "  and the whole chromatic-percussion family 8-15, the second benchmark's unseen",
        "  family); the Standard kits 0-7 (the held-out drums' and percussion's kit); drum notes",
        f"  {sorted(soundfont.HELD_OUT_DRUM_NOTES)} (the held-out percussion's instruments) on",
        "  every kit.",
        f"- **Speech**: {render.SPEECH_PER_LANGUAGE} utterances in each of espeak-ng's languages",
        f"  but {sorted(speech.HELD_OUT_LANGUAGES)}, with its voice variants but",
        f"  {sorted(speech.HELD_OUT_VARIANTS)} (the benchmark's held-out voices), speeds 100-230",
        "  words per minute, pitches 5-95, reading sentences in several languages, numbers,",
        "  times and dates; 22.05 kHz resampled to 48 kHz.",
        f"- **Synthesis**: {render.SYNTH_SECONDS / 60:.0f} minutes from "
        + ", ".join(name for name, _, _ in synthesis.MAKERS)
        + " (random parameters from a seed).",
        "- Not used, by design: the freedesktop and alsa sounds, FluidR3_GM renders, any file of",
        "  the benchmarks (bench/corpus.py, bench/corpus_family.py), any recording from elsewhere.",
        "  MuseScore General is partly built from FluidR3 Mono's samples, and the benchmarks",
        "  render with FluidR3_GM: that is why their held-out programs, kits and drum notes are",
        "  left out above, not only their files.",
        "",
    ]
    schedules = [log for log in logs if log]
    if schedules:
        first, last = schedules[0][0], schedules[-1][-1]
        steps = " then ".join(
            f"to step {s[-1]['step']} (learning rate {max(r['lr'] for r in s):.0e} falling to "
            f"{s[-1]['lr']:.0e}{', continuing the export before it' if n else ''})"
            for n, s in enumerate(schedules)
        )
        path = " -> ".join(f"{s[-1]['val']['all']} at step {s[-1]['step']}" for s in schedules)
        lines += [
            "## Pretraining",
            "",
            f"{last['step']} steps in {len(schedules)} schedule(s): {steps};",
            f"{last['elapsed_s'] / 3600:.2f} hours of training time. Validation loss (held-out",
            f"2% of the files) {first['val']['all']} at step {first['step']} -> {path}.",
            f"Weights stored in float16: {base_bytes / 1e6:.1f} MB.",
            "",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("pretrain", type=Path, nargs="+", help="one folder per schedule")
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    made = [Rendered(**m) for m in json.loads((args.data / render.MANIFEST).read_text())]
    logs = [read_log(folder / LOG) for folder in args.pretrain]
    weights = args.pretrain[-1] / "base.distill"
    args.out.write_text(card(made, logs, weights.stat().st_size if weights.exists() else 0))


if __name__ == "__main__":
    main()

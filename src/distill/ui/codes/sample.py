"""Export the selection: the selected columns of A, as heard (mute, solo, first k levels),
as a WAV or FLAC sample of exactly that span, once, repeated, or as a seamless loop
(inference/loops.py makes the sound; this only names and writes the file)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from distill.inference.loops import MAX_REPEATS, LoopSettings, span_sample
from distill.ui.codes.edits import heard_grid
from distill.ui.codes.opening import EXPORT_FORMATS
from distill.ui.codes.session import CodesSession, long_job
from distill.ui.codes.views import ExportView
from distill.ui.common import write_scratch_audio

NO_GRID = "Nothing to export yet: upload an audio file and press Encode first."
NO_SELECTION = (
    "Select the columns to export first: drag across cells of A (every level of those "
    "columns is exported, as heard)."
)
SELECT_ON_A = "Select the columns on A: the sample is A as heard."
JOINS = {
    "none": "",
    "after": " as a seamless loop (the sound after the span crossfaded into its start)",
    "before": " as a seamless loop (the sound before the span crossfaded into its end)",
    "folded": " as a seamless loop (its end folded over its start: one crossfade shorter)",
}


def loop_settings(repeats: Any, seamless: Any) -> LoopSettings:
    """The panel's repeats and loop box as settings (an empty or odd box said plainly)."""
    try:
        count = float(repeats)
    except (TypeError, ValueError):
        count = math.nan
    if not math.isfinite(count) or not count.is_integer():
        raise ValueError(f"Repeats must be a whole number from 1 to {MAX_REPEATS}.")
    return LoopSettings(int(count), bool(seamless))


@long_job
def export_selection(
    session: CodesSession, kind: str | None, repeats: Any = 1, seamless: Any = False
) -> ExportView:
    """The selected columns of A as heard now, as a sample file to download."""
    settings = loop_settings(repeats, seamless)
    state = session.state
    a, editor = state.a, state.editor
    if a is None or editor is None:
        raise ValueError(NO_GRID)
    if editor.selection is None:
        raise ValueError(NO_SELECTION)
    if editor.selection.side != "a":
        raise ValueError(SELECT_ON_A)
    first, last = editor.selection.region.columns
    heard = heard_grid(editor)
    sample = span_sample(heard, session.model(a.model_path), (first, last + 1), settings)
    suffix, subtype = EXPORT_FORMATS.get(kind or "", EXPORT_FORMATS["WAV (24-bit)"])
    loop = "-loop" if settings.seamless else ""
    times = f"-x{settings.repeats}" if settings.repeats > 1 else ""
    stem = f"{a.stem}-columns-{first}-{last}{loop}{times}"
    path = write_scratch_audio(sample.audio, stem, suffix, subtype, heard.sample_rate)
    session.keep_scratch("export", path)
    seconds = sample.body_samples / heard.sample_rate
    repeated = f", {settings.repeats} times" if settings.repeats > 1 else ""
    return ExportView(
        path,
        f"Exported columns {first}-{last} of A as heard ({seconds:.3f} s{repeated})"
        f"{JOINS[sample.join]}: {Path(path).name}.",
    )

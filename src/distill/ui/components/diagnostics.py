"""A model's codebook diagnostics as HTML (the Train tab's summary and the Library): per level a
badge with its reason, how much muting it changes the sound, and a heatmap of code use."""

from __future__ import annotations

import html

from distill.models.records import CodebookHealth, LevelHealth
from distill.training.diagnostics import level_badge, usage_shares

NOT_MEASURED = "Codebook health was not measured for this model."
NOT_AVAILABLE = (
    "The code-use heatmap and the level contributions are not available for this model: it "
    "was made before Distill measured them. Retrain it to see them."
)
HEATMAP_NOTE = (
    "Each strip is one level's codes, 0 to K-1 from left to right, over the training set: "
    "the darker a code, the more often it was chosen (log scale); pale ones were never used. "
    "The bar is how much the sound changes when the level is muted (dB of mel power)."
)


LIVE_NOTE = (
    "Click a code in a strip to see where it lives in the training files: hear a moment, or "
    "open it in grid A on the Codes tab."
)


def _heatmap(level: LevelHealth, label: str, live: bool = False) -> str:
    """One level's strip: a cell per code, its shade the code's (log) share of use; `live`:
    each cell names its code for the page (a click lists where it lives)."""
    counts = level.code_counts or ()
    more = "; click: where it lives" if live else ""
    cells = "".join(
        f'<i class="{"used" if count else "unused"}" style="--u:{share:.2f}" '
        + (f'data-code="{code}" ' if live else "")
        + f'title="code {code}: {count} times{more}"></i>'
        for code, (count, share) in enumerate(zip(counts, usage_shares(counts), strict=True))
    )
    return (
        f'<div class="distill-heatmap" role="img" style="--k:{len(counts)}" '
        f'aria-label="{html.escape(label)}: code use">{cells}</div>'
    )


def _level(level: LevelHealth, label: str, largest_db: float, live: bool = False) -> str:
    badge = level_badge(level)
    name = html.escape(f"{level.level + 1} · {label}")
    db = level.contribution_db
    contribution = ""
    if db is not None:
        width = 100 * db / largest_db if largest_db > 0 else 0
        contribution = (
            f'<span class="distill-contribution" title="muting this level changes the sound by '
            f'{db:.1f} dB"><span style="width:{width:.0f}%"></span></span>'
            f'<span class="distill-db">{db:.1f} dB</span>'
        )
    heatmap = _heatmap(level, label, live) if level.code_counts is not None else ""
    return (
        f'<div class="distill-diag-level" data-level="{level.level}" data-badge="{badge.colour}">'
        f'<div class="distill-diag-head"><span class="distill-badge distill-badge-'
        f'{badge.colour}">{badge.colour}</span><b>{name}</b>'
        f'<span class="distill-diag-codes">{level.used_codes}/{level.codebook_size} codes</span>'
        f"{contribution}</div>"
        f'<div class="distill-diag-reason">{html.escape(badge.reason)}</div>{heatmap}</div>'
    )


def diagnostics_html(
    health: CodebookHealth | None, labels: list[str], model: str | None = None
) -> str:
    """The diagnostics panel of one model (`labels`: one name per level, coarsest first).
    With `model` (its path: the Library), a click on a heatmap's code lists where that code
    lives in the training files, below the strips (palette.js asks the fast path)."""
    if health is None or not health.levels:
        return f'<div class="distill-diagnostics"><p>{NOT_MEASURED}</p></div>'
    live = model is not None and health.has_diagnostics
    largest = max((level.contribution_db or 0.0 for level in health.levels), default=0.0)
    levels = "".join(
        _level(level, labels[level.level] if level.level < len(labels) else "", largest, live)
        for level in health.levels
    )
    note = HEATMAP_NOTE if health.has_diagnostics else NOT_AVAILABLE
    if not live:
        return (
            '<div class="distill-diagnostics"><b>Codebook diagnostics</b>'
            f'<p class="distill-diag-note">{note}</p>{levels}</div>'
        )
    named = html.escape(str(model))
    return (
        f'<div class="distill-diagnostics distill-diag-live" data-model="{named}">'
        f'<b>Codebook diagnostics</b><p class="distill-diag-note">{note} {LIVE_NOTE}</p>'
        f'{levels}<div class="distill-heat-places occ-box" aria-live="polite"></div></div>'
    )

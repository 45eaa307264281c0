"""The diagnostics panel's HTML: a badge and reason per level, a heatmap cell per code."""

from __future__ import annotations

from distill.models.records import DIAGNOSTICS_VERSION, CodebookHealth, LevelHealth
from distill.ui.components.diagnostics import NOT_MEASURED, diagnostics_html


def _health() -> CodebookHealth:
    counts = (0, 3, 30, 300)
    return CodebookHealth(
        (
            LevelHealth(0, 4, 3, 0.75, 2.5, 1, counts, 12.0),
            LevelHealth(1, 4, 1, 0.25, 1.0, 3, (0, 0, 9, 0), 0.1),
        ),
        diagnostics_version=DIAGNOSTICS_VERSION,
    )


def test_each_level_has_its_badge_reason_contribution_and_heatmap():
    page = diagnostics_html(_health(), ["Low <1>", "High"])
    first, second = page.split('class="distill-diag-level"')[1:]
    assert 'data-badge="green"' in first and 'data-badge="red"' in second
    assert "1 · Low &lt;1&gt;" in first  # names are escaped
    assert "uses 1 of 4 codes: the collection may be too uniform, or train longer" in second
    assert "12.0 dB" in first and 'style="width:100%"' in first and 'style="width:1%"' in second
    assert first.count('<i class="unused"') == 1 and first.count('<i class="used"') == 3
    assert 'title="code 3: 300 times"' in first and 'style="--u:1.00"' in first


def test_older_models_say_what_is_missing():
    assert NOT_MEASURED in diagnostics_html(None, [])
    old = CodebookHealth((LevelHealth(0, 4, 3, 0.75, 2.5, 1),))
    page = diagnostics_html(old, ["Low"])
    assert "not available for this model" in page and "<i " not in page and "dB" not in page

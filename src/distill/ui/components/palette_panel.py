"""The palette panel's HTML beside grid A: the level buttons, the heading, the swatches
(`#code-palette`, each swatch with data-level and data-code), where the chosen code lives
(`#code-occurrences`), and the switches for hearing codes and edits. palette.js fills it."""

from __future__ import annotations

PALETTE_ID = "code-palette"
OCCURRENCES_ID = "code-occurrences"


def palette_panel_html() -> str:
    """The empty panel (the page fills it once a file is open)."""
    return (
        '<div id="code-palette-panel">'
        '<div class="pal-bar"><b>Codebook</b>'
        '<span id="code-palette-levels" class="pal-bar" role="group" '
        'aria-label="Which level\'s codes"></span></div>'
        '<p id="code-palette-head">Encode a file to see its model\'s codes here.</p>'
        f'<div id="{PALETTE_ID}" aria-label="Every code of the level"></div>'
        '<div class="pal-switches">'
        '<label title="A swatch plays when the pointer rests on it">'
        '<input type="checkbox" id="code-hover-hear" checked> Hear on hover</label>'
        '<label title="Each edit plays the changed columns with a little around them">'
        '<input type="checkbox" id="code-hear-edits" checked> Hear each edit</label>'
        '<span id="code-compare" hidden>'
        '<button type="button" id="code-hear-before" title="The last edit\'s columns as they '
        'were">Before</button> '
        '<button type="button" id="code-hear-after" title="The last edit\'s columns as they '
        'are">After</button></span></div>'
        f'<div id="{OCCURRENCES_ID}" aria-live="polite"><p class="occ-head">Click a swatch or a '
        "cell to see where its code lives in your files.</p></div>"
        "</div>"
    )

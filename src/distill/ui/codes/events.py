"""Event wiring shared by the Codes tab's panels: after any event that opens a file (Encode,
a moment opened from the palette, a session opened or restored), A's reconstruction is
decoded while the grid already answers clicks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gradio as gr

from distill.ui.codes import opening
from distill.ui.codes.concurrency import WORK_ID, WORK_LIMIT
from distill.ui.codes.views import Target, bind, outputs


def then_reconstruct(opened: Any, session: gr.State, decoded: Mapping[str, Target]) -> Any:
    """`opened` (an event's dependency) followed by A's reconstruction, its progress on the
    reconstruction player (the grid is in use meanwhile)."""
    return opened.then(
        bind(opening.decode_reconstruction, decoded),
        [session],
        outputs(decoded),
        show_progress_on=outputs({"reconstruction": decoded["reconstruction"]}),
        concurrency_id=WORK_ID,
        concurrency_limit=WORK_LIMIT,
    )

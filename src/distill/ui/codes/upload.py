"""The upload box's label says what is in it: a bundled demo sound, the user's own file, or
nothing yet (it must not keep saying "an example is loaded" once another file is in)."""

from __future__ import annotations

import filecmp
from pathlib import Path
from typing import Any

import gradio as gr

from distill.demo.sounds import DEMO_SOUNDS_DIR, EXAMPLE_SOUND
from distill.ui.common import audio_path_of

EXAMPLE_LABEL = "Audio file (an example is loaded: press Encode, or drop your own here)"
EMPTY_LABEL = "Audio file (drop one here, or pick a demo sound below)"


def demo_sound_of(path: Path) -> Path | None:
    """The bundled demo sound `path` is a copy of (Gradio serves copies), or None."""
    bundled = DEMO_SOUNDS_DIR / path.name
    if bundled.is_file() and path.is_file() and filecmp.cmp(bundled, path, shallow=False):
        return bundled
    return None


def upload_label_text(upload: Any) -> str:
    """The label for what the upload box holds."""
    path = audio_path_of(upload)
    if not path:
        return EMPTY_LABEL
    demo = demo_sound_of(Path(path))
    if demo == EXAMPLE_SOUND:
        return EXAMPLE_LABEL
    if demo is not None:
        return f"Audio file (the demo sound {demo.stem} is loaded: press Encode)"
    return f"Audio file: {Path(path).name} (press Encode, or drop another here to replace it)"


def upload_label(upload: Any) -> gr.File:
    """The upload box with the label for its new content (its value untouched)."""
    return gr.File(label=upload_label_text(upload))

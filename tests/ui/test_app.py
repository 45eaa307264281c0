"""The app as a whole: importing starts nothing, building is offline, errors are messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import gradio as gr
import pytest
from tests.helpers import error_text
from typer.testing import CliRunner

# --- App and CLI -----------------------------------------------------------------------------


def test_importing_the_ui_and_cli_starts_nothing() -> None:
    code = (
        "import sys, distill.ui, distill.ui.app, distill.cli; "
        "assert 'gradio' not in sys.modules, 'gradio imported'; print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_build_app_is_offline_and_does_not_launch(
    model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distill.ui.app import build_app
    from distill.ui.assets import build_theme

    monkeypatch.delenv("GRADIO_ANALYTICS_ENABLED", raising=False)
    app = build_app()
    assert isinstance(app, gr.Blocks) and not app.is_running
    import os

    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    theme = build_theme()
    fonts = [*theme._font, *theme._font_mono]
    assert not any(isinstance(font, gr.themes.GoogleFont) for font in fonts)


def test_no_label_needs_an_emoji_font(model: Path) -> None:
    """Users work offline on machines that may have no emoji font, where an emoji is drawn
    as an empty box (the New take button was): every button, label and text the app builds
    stays in the ranges ordinary fonts carry."""
    import re

    from distill.ui.app import build_app

    emoji = re.compile("[\U0001f000-\U0001faff\u2700-\u27bf]")
    texts = []
    for block in build_app().blocks.values():
        for field in ("label", "value", "info", "placeholder"):
            value = getattr(block, field, None)
            if isinstance(value, str):
                texts.append(value)
    assert len(texts) > 50 and any("New take" in text for text in texts)
    assert [text for text in texts if emoji.search(text)] == []


def test_cli_ui_checks_its_port() -> None:
    from distill.cli import app

    result = CliRunner().invoke(app, ["ui", "--port", "70000"])
    assert result.exit_code == 1 and "--port must be between 1 and 65535" in result.output
    help_text = CliRunner().invoke(app, ["ui", "--help"]).output
    assert "--open-browser" in help_text and "--host" in help_text


def test_errors_become_escaped_one_line_messages() -> None:
    from distill.ui.common import as_gradio_error, ui_errors

    assert as_gradio_error(ValueError("bad <b>name</b> & co")).message == (
        "bad &lt;b&gt;name&lt;/b&gt; &amp; co"
    )

    @ui_errors
    def explode() -> None:
        raise RuntimeError("boom")

    with pytest.raises(gr.Error) as excinfo:
        explode()
    assert error_text(excinfo).startswith("Something unexpected went wrong (RuntimeError: boom)")

"""What a new user trips over (issue 13, item 6), through the real handlers and server: errors
name the user's file, the upload label stays true, no "Use via API" link."""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

import gradio as gr
import pytest
from gradio.utils import get_upload_folder

from distill.ui.codes import opening
from distill.ui.codes.session import CodesSession
from distill.ui.codes.views import bind
from distill.ui.common import without_upload_folders


@pytest.fixture
def cached_upload(tmp_path: Path):
    """A file where Gradio keeps an upload: UPLOADS/<hash folder>/text.mp3 (removed after)."""
    folder = Path(get_upload_folder()) / f"distill-test-{tmp_path.name}-0123456789abcdef"
    folder.mkdir(parents=True)
    path = folder / "text.mp3"
    path.write_text("This is a text file with an .mp3 name.\n")
    yield path
    shutil.rmtree(folder)


def test_an_upload_error_names_the_users_file_not_the_servers_copy(
    model: Path, cached_upload: Path
) -> None:
    status = gr.Markdown()
    message = bind(opening.encode, {"status": status})(
        str(model), str(cached_upload), CodesSession()
    )[status]
    assert message.startswith("'text.mp3' is not an audio file that can be read")
    assert get_upload_folder() not in message and cached_upload.parent.name not in message


def test_only_upload_folders_are_shortened() -> None:
    copy = f"{get_upload_folder()}/ab12cd/my song.wav"
    assert (
        without_upload_folders(f"Audio file '{copy}' is empty.")
        == "Audio file 'my song.wav' is empty."
    )
    own = "Audio file '/home/me/sounds/a.wav' is empty."
    assert without_upload_folders(own) == own  # a path the user typed stays as it is


def test_the_upload_label_stays_true_once_another_file_is_in() -> None:
    from distill.ui.app import build_app
    from distill.ui.codes.layout import UPLOAD_LABEL

    assert "is loaded" not in UPLOAD_LABEL and "drop your own" in UPLOAD_LABEL
    app = build_app()
    labels = [
        block.label
        for block in app.blocks.values()
        if isinstance(block, gr.File) and block.elem_id == "codes-upload"
    ]
    assert labels == [UPLOAD_LABEL]


def test_the_served_app_has_no_api_link(model: Path) -> None:
    from distill.ui.app import FOOTER_LINKS, launch_app

    app = launch_app(port=None, prevent_thread_lock=True)
    try:
        with urllib.request.urlopen(f"{app.local_url.rstrip('/')}/config", timeout=30) as reply:
            config = json.load(reply)
    finally:
        app.close()
    assert config["footer_links"] == FOOTER_LINKS and "api" not in config["footer_links"]

"""The grid's CSS and JavaScript, read from the .css/.js files shipped beside this module."""

from __future__ import annotations

from importlib.resources import files


def read_static(name: str, package: str = __package__) -> str:
    """The text of a static file shipped in `package` (here: grid.css, grid.js, grid_page.*)."""
    return files(package).joinpath(name).read_text(encoding="utf-8")


GRID_CSS = read_static("grid.css")
PICTURES_CSS = read_static("pictures.css")  # the spectrogram rows and the overview
GRID_SCRIPT = read_static("grid.js")  # window.distillGrid: clicks and the playhead
PAGE_CSS = read_static("grid_page.css")
PAGE_SCRIPT = read_static("grid_page.js")
PICTURES_SCRIPT = read_static("pictures.js")  # window.distillPictures: overview, toggle

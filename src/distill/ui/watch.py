"""The app notices model files changed under it: a model trained, deleted, renamed or replaced
by the CLI, another window or by hand. Every few seconds each page compares the models folder
(names, sizes, modification times: no file is opened) with what it last saw; when it changed,
the model lists refresh, and when the Codes tab's loaded model is no longer the file it was
loaded from, its status line says so in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from distill.models.cache import FileStamp, ModelChange, file_stamp, replaced_message
from distill.models.library import read_model_info
from distill.models.persistence import MODEL_SUFFIX, ModelFileError, models_dir
from distill.ui.codes.session import CodesSession
from distill.ui.common import model_choices, pick_choice
from distill.ui.library.handlers import (
    library_note,
    library_table,
    model_details,
    model_diagnostics,
)

WATCH_EVERY_S = 2.0

Listing = tuple[tuple[str, FileStamp], ...]  # (path, its stamp) per model file


@dataclass(frozen=True)
class Seen:
    """What one page saw last: the models folder, and the loaded model's file it reported on
    (so a change is said once, not every tick)."""

    listing: Listing = ()
    reported: tuple[str, Any] | None = None  # (model path, its stamp) already told


def models_listing(directory: Path | None = None) -> Listing:
    """The model files in the models folder as they are now, from stat alone (the bundled
    demo never changes)."""
    folder = directory or models_dir()
    paths = sorted(folder.glob(f"*{MODEL_SUFFIX}")) if folder.is_dir() else []
    stamps = ((str(path), file_stamp(path)) for path in paths)
    return tuple((path, stamp) for path, stamp in stamps if stamp is not None)


def new_seen() -> Seen:
    """A fresh page has just listed the models (app.load): this is what it saw."""
    return Seen(models_listing())


def loaded_model_notice(session: CodesSession) -> str | None:
    """A plain sentence when the session's loaded model file was deleted, renamed or given
    other weights since it was loaded; None while it is the file it was (or only its header
    changed: labels or name)."""
    entry, change = session.models.entry, session.models.change()
    if entry is None or change is None:
        return None
    name = entry.loaded.metadata.name
    if change is ModelChange.GONE:
        return (
            f"The model '{name}' was deleted or renamed outside this page since it was "
            "loaded. The grid shown still plays with the weights loaded then; to encode, "
            "choose a model from the refreshed list."
        )
    return replaced_message(name) if change is ModelChange.REPLACED else None


def _list_update(choices: list[tuple[str, str]], selected: str | None) -> gr.Dropdown:
    """New choices; the value is set only when the selected model left the list, so a tick
    never undoes what the user chose meanwhile (nor fires the list's change events)."""
    if selected in [path for _, path in choices]:
        return gr.Dropdown(choices=choices)
    return gr.Dropdown(choices=choices, value=pick_choice(choices))


def refreshed_lists(
    choices: list[tuple[str, str]], selected: str | None, library_selected: str | None
) -> tuple[Any, ...]:
    """(Codes model list, Library table, Library model list, its details, its note, its
    diagnostics) for the models now listed (`model_choices()`): the Library part in the order
    of LibraryTab.refresh_outputs."""
    kept = library_selected if library_selected in [path for _, path in choices] else None
    library_value = kept or pick_choice(choices)
    return (
        _list_update(choices, selected),
        library_table(),
        _list_update(choices, library_selected),
        model_details(library_value),
        library_note(),
        model_diagnostics(library_value),
    )


def unreadable_choice_notice(selected: str | None, choices: list[tuple[str, str]]) -> str | None:
    """A plain sentence when the model chosen in the list is still on disk but left the list
    because it can no longer be read (the list has chosen another); None otherwise."""
    if not selected or selected in [path for _, path in choices] or not Path(selected).is_file():
        return None
    try:
        read_model_info(Path(selected))
    except ModelFileError as error:
        return (
            f"The model file '{Path(selected).name}' can no longer be read ({error}), so it "
            "left the model list and another model is chosen."
        )
    return None


def refresh_now(
    selected: str | None, seen: Seen | None, library_selected: str | None
) -> tuple[Any, ...]:
    """The Refresh button: (Codes model list, Codes status, seen, *the Library's refresh
    outputs), every list read afresh and the listing remembered, so the next tick does not
    list the same models again."""
    seen = seen if isinstance(seen, Seen) else Seen()
    listing = models_listing()  # before the lists: a file added meanwhile is listed next tick
    choices = model_choices()
    lists = refreshed_lists(choices, selected, library_selected)
    notice = unreadable_choice_notice(selected, choices)
    return (
        lists[0],
        gr.skip() if notice is None else notice,
        Seen(listing, seen.reported),
        *lists[1:],
    )


def watch_models(
    selected: str | None, session: CodesSession, seen: Seen | None, library_selected: str | None
) -> tuple[Any, ...]:
    """One tick: (Codes model list, Codes status, seen, *the Library's refresh outputs), each
    gr.skip() when nothing changed."""
    seen = seen if isinstance(seen, Seen) else Seen()
    skip = gr.skip()
    listing = models_listing()
    lists: tuple[Any, ...] = (skip,) * 6
    choices = model_choices() if listing != seen.listing else None
    if choices is not None:
        lists = refreshed_lists(choices, selected, library_selected)
    status: Any = skip
    reported = seen.reported
    entry = session.models.entry if isinstance(session, CodesSession) else None
    if entry is not None:
        key = (entry.path, file_stamp(entry.path))
        notice = loaded_model_notice(session)
        if notice is not None and key != seen.reported:
            status, reported = notice, key
    if choices is not None and status is skip:
        status = unreadable_choice_notice(selected, choices) or skip
    return lists[0], status, Seen(listing, reported), *lists[1:]

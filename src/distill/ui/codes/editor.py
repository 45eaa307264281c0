"""The Codes tab's editor: type a code, select, swap and blend between A and B, undo, listen,
export. Every gesture calls a pure function of `distill.editing` and keeps the result in the
session's history; these handlers only choose the grids and say what happened.

Each edit handler returns (session, grid A HTML, grid B HTML, history line, status line).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from distill.editing import (
    EditHistory,
    Region,
    blend_region,
    mute_levels,
    set_code,
    swap_region,
)
from distill.inference import CodeGrid, decode_grid, write_codes_json
from distill.ui.codes.render import grid_html
from distill.ui.codes.session import CodesSession, Listening, OpenFile, session_model
from distill.ui.common import export_path, removed_on_failure, ui_errors, write_scratch_audio
from distill.ui.components.code_grid import GridEvent

EditUpdate = tuple[CodesSession, Any, Any, str, str]
NO_GRID = "Nothing to edit yet: upload an audio file and press Encode first."
NO_B = "Swapping and blending need a second file: upload one as B, then press Encode."
NO_SELECTION = "Select a region first: drag across cells of A or B (time × levels)."
EXPORT_FORMATS = {"WAV (24-bit)": ("wav", "PCM_24"), "FLAC": ("flac", "PCM_24")}


def _files(session: CodesSession) -> tuple[OpenFile, OpenFile | None]:
    if session.open_file is None:
        raise ValueError(NO_GRID)
    return session.open_file, session.other_file


def start_history(session: CodesSession) -> None:
    """A new file was encoded: history starts again from what encoding gave."""
    a, b = _files(session)
    session.history = EditHistory((a.grid,) if b is None else (a.grid, b.grid))
    session.selection = None
    session.blend_base = None
    session.changed = {}
    session.distances = None


def history_text(session: CodesSession) -> str:
    history = session.history
    if history is None:
        return ""
    if history.length == 0:
        return "No edits yet."
    return f"Edit {history.position} of {history.length}"


def grids_html(session: CodesSession) -> tuple[str, str]:
    """Both grids drawn with their marks (edited cells, selection, last change, blend)."""
    return _grid_a_html(session), _grid_b_html(session)


def _selection_on(session: CodesSession, side: str) -> Region | None:
    selection = session.selection
    return selection[1] if selection and selection[0] == side else None


def _grid_a_html(session: CodesSession) -> str:
    return grid_html(
        session.open_file,
        "a",
        _selection_on(session, "a"),
        session.changed.get("a"),
        session.distances,
        session.listening,
        session.shown_pictures,
    )


def _grid_b_html(session: CodesSession) -> str:
    return grid_html(session.other_file, "b", _selection_on(session, "b"), session.changed.get("b"))


def _apply(
    session: CodesSession, grids: tuple[CodeGrid, ...], status: str, push: bool = True
) -> EditUpdate:
    """Show `grids` (A, or A and B) as the current state; mark what changed; keep history."""
    a, b = _files(session)
    before = (a.grid, *((b.grid,) if b else ()))
    session.changed = {
        name: (new.codes[0] != old.codes[0]).numpy()
        for name, old, new in zip("ab", before, grids, strict=False)
    }
    session.open_file = a.with_grid(grids[0])
    if b is not None and len(grids) > 1:
        session.other_file = b.with_grid(grids[1])
    if push and session.history is not None:
        session.history.push(grids)
        session.blend_committed = None
    # Only what changed is drawn and goes back to the page (a 10-second grid is ~60 KB).
    b_changed = "b" in session.changed and bool(session.changed["b"].any())
    b_update: Any = _grid_b_html(session) if b_changed else gr.skip()
    return session, _grid_a_html(session), b_update, history_text(session), status


def apply_grids(session: CodesSession, grids: tuple[CodeGrid, ...], status: str) -> EditUpdate:
    """An edit made elsewhere (the Generate panel's regeneration) as a step of the history."""
    return _apply(session, grids, status)


def edit_cell(session: CodesSession, event: GridEvent) -> EditUpdate:
    """A code typed into a double-clicked cell (A or B); set_code accepts only 0..K-1."""
    a, b = _files(session)
    target = b if event.grid == "b" else a
    if target is None:
        raise ValueError(NO_B)
    level, column, code = int(event.level or 0), int(event.position or 0), int(event.code or 0)
    edited = set_code(target.grid, level, column, code)  # the grid's index checks
    session.distances = None
    grids = (a.grid, b.grid) if b else (a.grid,)
    grids = (edited, *grids[1:]) if event.grid == "a" else (grids[0], edited)
    name = "B" if event.grid == "b" else "A"
    return _apply(
        session, grids, f"Set level {level + 1}, column {column} of {name} to code {code}."
    )


def select(session: CodesSession, event: GridEvent) -> EditUpdate:
    """A dragged rectangle becomes the selection (of A or of B)."""
    _files(session)
    levels = (int(event.level or 0), int(event.last_level or 0))
    columns = (int(event.position or 0), int(event.last_position or 0))
    session.selection = (event.grid, Region(levels=levels, columns=columns))
    session.changed = {}
    a_html, b_html = grids_html(session)
    name = "B" if event.grid == "b" else "A"
    status = (
        f"Selected levels {levels[0] + 1}-{levels[1] + 1}, columns {columns[0]}-{columns[1]} "
        f"of {name}: Swap exchanges it with the other file; the blend slider mixes it."
    )
    return session, a_html, b_html, history_text(session), status


def toggle_listening(session: CodesSession, event: GridEvent) -> EditUpdate:
    """A row's M (mute) or S (solo): what Decode lets you hear; the codes stay as they are."""
    _files(session)
    level = int(event.level or 0)
    listening = session.listening
    if event.kind == "mute":
        muted = listening.muted ^ {level}
        session.listening = Listening(listening.first_levels, frozenset(muted), None)
        verb = "muted" if level in muted else "heard again"
    else:
        solo = None if listening.solo == level else level
        session.listening = Listening(listening.first_levels, listening.muted, solo)
        verb = "heard alone" if solo is not None else "no longer solo"
    a_html = _grid_a_html(session)
    status = f"Level {level + 1} {verb} when the grid is decoded; press Decode to hear it."
    return session, a_html, gr.skip(), history_text(session), status


def _selection_pair(session: CodesSession) -> tuple[str, Region]:
    if session.selection is None:
        raise ValueError(NO_SELECTION)
    return session.selection


@ui_errors
def swap(session: CodesSession, at: str | float | None) -> EditUpdate:
    """Exchange the selection with the same-shaped region of the other file, starting at
    column `at` of the other file (empty: the same column)."""
    a, b = _files(session)
    if b is None:
        raise ValueError(NO_B)
    side, region = _selection_pair(session)
    start = _start_column(at)
    session.distances = None
    if side == "a":
        new_a, new_b = swap_region(a.grid, b.grid, region, start)
    else:
        new_b, new_a = swap_region(b.grid, a.grid, region, start)
    where = region.columns[0] if start is None else start
    status = (
        f"Swapped levels {region.levels[0] + 1}-{region.levels[1] + 1}, columns "
        f"{region.columns[0]}-{region.columns[1]} of {side.upper()} with the other file "
        f"from column {where}."
    )
    return _apply(session, (new_a, new_b), status)


def _start_column(at: str | float | None) -> int | None:
    """The typed start column: empty means the selection's own column."""
    text = "" if at is None else str(at).strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"The start column must be a whole number from 0, got '{text[:20]}'.")
    return int(text)


def _blend(session: CodesSession, amount: float, whole: bool) -> tuple[CodeGrid, Region]:
    """A blended towards B from the state the slider started from (never blend a blend)."""
    a, b = _files(session)
    if b is None:
        raise ValueError(NO_B)
    if session.blend_base is None:
        session.blend_base = (a.grid, b.grid)
    base_a, base_b = session.blend_base
    at = None
    if whole:  # all of A that B covers: a shorter B blends the columns they share
        columns = min(base_a.num_columns, base_b.num_columns)
        region = Region(levels=(0, base_a.num_levels - 1), columns=(0, columns - 1))
    else:
        side, region = _selection_pair(session)
        if side == "b":
            raise ValueError("Select the region on A: the blend moves A's codes towards B.")
        at = region.columns[0]
    loaded = session_model(session, a.model_path)
    result = blend_region(base_a, base_b, float(amount), loaded, region, at)
    session.distances = result.distances.numpy()
    return result.grid, result.region


@ui_errors
def blend_preview(session: CodesSession, amount: float, whole: bool) -> EditUpdate:
    """While a blend slider moves: show A blended by `amount`, not yet in the history.

    The slider's last move can reach us after its release (the page sends the newest move
    once the one before is answered): a move to the amount just committed changes nothing.
    """
    if session.blend_base is None and session.blend_committed == (whole, float(amount)):
        skip = gr.skip()
        return session, skip, skip, history_text(session), skip
    grid, region = _blend(session, amount, whole)
    b_grid = session.other_file.grid if session.other_file else grid
    what = f"columns {region.columns[0]}-{region.columns[1]}"
    status = f"Blending {what} of A {amount:.0%} of the way towards B (release to keep it)."
    return _apply(session, (grid, b_grid), status, push=False)


@ui_errors
def blend_commit(session: CodesSession, amount: float, whole: bool) -> EditUpdate:
    """The slider was released: the blend becomes one step of the history."""
    grid, region = _blend(session, amount, whole)
    session.blend_base = None
    b_grid = session.other_file.grid if session.other_file else grid
    where = f"columns {region.columns[0]}-{region.columns[1]}"
    status = (
        f"Blended A {amount:.0%} towards B ({where}): each cell shows the code its mix "
        "snapped to; hover a cell for how far the snap landed."
    )
    update = _apply(session, (grid, b_grid), status)
    session.blend_committed = (whole, float(amount))
    return update


def _step(session: CodesSession, forward: bool) -> EditUpdate:
    if session.history is None:
        raise ValueError(NO_GRID)
    state = session.history.redo() if forward else session.history.undo()
    session.blend_base = None
    session.distances = None
    verb = "Redone" if forward else "Undone"
    return _apply(session, state, f"{verb}: {history_text(session)}.", push=False)


@ui_errors
def undo(session: CodesSession) -> EditUpdate:
    return _step(session, forward=False)


@ui_errors
def redo(session: CodesSession) -> EditUpdate:
    return _step(session, forward=True)


def heard_grid(session: CodesSession) -> CodeGrid:
    """A as it is now, with the listening choices (first k levels, mute, solo) applied: the
    levels `Listening.quiet_levels` names (the same the grid greys out) are silent."""
    a, _ = _files(session)
    return mute_levels(a.grid, sorted(session.listening.quiet_levels(a.grid.num_levels)))


@ui_errors
def set_first_levels(session: CodesSession, k: float) -> tuple[CodesSession, Any, str]:
    """The 'levels heard' slider: decode only the first k levels."""
    a, _ = _files(session)
    count = int(k)
    listening = session.listening
    first = None if count >= a.grid.num_levels else count
    session.listening = Listening(first, listening.muted, listening.solo)
    a_html = _grid_a_html(session)
    return session, a_html, f"Decode plays levels 1-{count}; press Decode to hear it."


@ui_errors
def export_audio(session: CodesSession, kind: str) -> tuple[CodesSession, str, str]:
    """The edited grid (as heard) decoded into a WAV (24-bit) or FLAC file to download."""
    a, _ = _files(session)
    suffix, subtype = EXPORT_FORMATS.get(kind, EXPORT_FORMATS["WAV (24-bit)"])
    loaded = session_model(session, a.model_path)
    audio = decode_grid(heard_grid(session), loaded)
    stem = f"{Path(a.audio_name).stem}-edited"
    path = write_scratch_audio(audio, stem, suffix, subtype, a.grid.sample_rate)
    session.keep_scratch("export", path)
    return session, path, f"Exported the edited audio as {Path(path).name}."


@ui_errors
def export_codes(session: CodesSession) -> tuple[CodesSession, str, str]:
    """The edited grid as a codes JSON file (with the list of what was done) to download."""
    a, _ = _files(session)
    path = export_path(f"{Path(a.audio_name).stem}-edited", ".codes.json")
    with removed_on_failure(path):
        write_codes_json(path, a.grid, a.model_path)
    session.keep_scratch("export", path)
    return session, path, f"Exported the edited codes as {Path(path).name}."

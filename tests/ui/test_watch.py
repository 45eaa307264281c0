"""The app's watch on the models folder (one timer tick as a plain function): the lists follow
the folder, and the loaded model's file being replaced or deleted is said once, plainly."""

from __future__ import annotations

import os
from pathlib import Path

import gradio as gr
from tests.helpers import make_tiny_model_file

from distill.models.library import rename_model, update_metadata
from distill.ui.codes import opening
from distill.ui.codes.session import CodesSession
from distill.ui.watch import Seen, loaded_model_notice, new_seen, refresh_now, watch_models


def tick(session: CodesSession, seen: Seen, selected: str | None) -> tuple:
    return watch_models(selected, session, seen, selected)


def choices_of(update: gr.Dropdown) -> list[str]:
    return [value for _, value in update.choices]


def sets_value(update: gr.Dropdown) -> bool:
    """Whether the update would change the list's value (Gradio sends only what was given)."""
    return "value" in update.constructor_args


def test_lists_refresh_only_when_the_models_folder_changed(model: Path, distill_home: Path):
    session, seen = CodesSession(), new_seen()
    dropdown, status, seen, *library = tick(session, seen, str(model))
    assert dropdown == gr.skip() and status == gr.skip() and library == [gr.skip()] * 5
    added = make_tiny_model_file(distill_home / "models" / "bells.distill", seed=3)
    dropdown, status, seen, table, *_ = tick(session, seen, str(model))
    assert str(added) in choices_of(dropdown) and not sets_value(dropdown)  # the user's stays
    assert list(table["Model"]) == ["demo (bundled example)", "bells", "tiny"]
    assert status == gr.skip()
    added.unlink()
    dropdown, *_ = tick(session, seen, str(model))
    assert str(added) not in choices_of(dropdown)


def test_a_replaced_model_is_said_once(model: Path, tone_file: Path, tmp_path: Path):
    session = CodesSession()
    opening.encode(str(model), str(tone_file), session)
    seen = new_seen()
    assert loaded_model_notice(session) is None
    update_metadata(model, level_labels=["A", "B", "C"])  # the header only: same weights
    assert loaded_model_notice(session) is None
    os.replace(make_tiny_model_file(tmp_path / "new" / "tiny.distill", seed=9), model)
    dropdown, status, seen, *_ = tick(session, seen, str(model))
    assert status.startswith("The model 'tiny' was replaced on disk since this grid was encoded")
    assert str(model) in choices_of(dropdown)  # the file changed: the lists are read again
    _, again, *_ = tick(session, seen, str(model))
    assert again == gr.skip()  # said once, not every tick


def test_a_deleted_or_renamed_model_is_said_and_leaves_the_list(model: Path, tone_file: Path):
    session = CodesSession()
    opening.encode(str(model), str(tone_file), session)
    seen = new_seen()
    renamed = rename_model(model, "kept")
    dropdown, status, seen, *_ = tick(session, seen, str(model))
    assert status == (
        "The model 'tiny' was deleted or renamed outside this page since it was loaded. The "
        "grid shown still plays with the weights loaded then; to encode, choose a model from "
        "the refreshed list."
    )
    assert choices_of(dropdown)[-1] == str(renamed) and str(model) not in choices_of(dropdown)
    assert sets_value(dropdown) and dropdown.value != str(model)  # it left: another is chosen


def test_refresh_lists_every_model_now_and_the_next_tick_does_not_list_them_again(
    model: Path, distill_home: Path
):
    seen = new_seen()
    added = make_tiny_model_file(distill_home / "models" / "bells.distill", seed=3)
    dropdown, status, seen, table, library_list, *_ = refresh_now(str(model), seen, str(model))
    assert str(added) in choices_of(dropdown) and str(added) in choices_of(library_list)
    assert not sets_value(dropdown) and status == gr.skip()
    assert list(table["Model"]) == ["demo (bundled example)", "bells", "tiny"]
    dropdown, status, seen, *library = tick(CodesSession(), seen, str(model))
    assert dropdown == gr.skip() and library == [gr.skip()] * 5  # Refresh recorded the listing


def test_a_chosen_model_that_became_unreadable_is_said_as_it_leaves_the_list(
    model: Path, distill_home: Path
):
    seen = new_seen()
    other = make_tiny_model_file(distill_home / "models" / "bells.distill", seed=3)
    seen = tick(CodesSession(), seen, str(model))[2]
    model.write_bytes(b"no longer a model file")
    dropdown, status, seen, *_ = tick(CodesSession(), seen, str(model))
    assert str(model) not in choices_of(dropdown) and sets_value(dropdown)
    assert dropdown.value in (str(other), choices_of(dropdown)[0])
    assert status.startswith("The model file 'tiny.distill' can no longer be read (")
    assert status.endswith("so it left the model list and another model is chosen.")
    # Refresh says it too; a model that is fine, or was deleted, is not reported this way
    assert refresh_now(str(model), seen, None)[1] == status
    assert refresh_now(str(other), seen, None)[1] == gr.skip()
    model.unlink()
    assert tick(CodesSession(), seen, str(model))[1] == gr.skip()

"""Library tab handlers: the saved models with their metadata; rename, delete, open."""

from __future__ import annotations

import html
from typing import Any

import gradio as gr
import pandas as pd

from distill.models.labels import get_level_labels
from distill.models.library import (
    check_writable,
    delete_model,
    list_models,
    rename_model,
    unreadable_models,
)
from distill.models.persistence import ModelInfo, read_model_info
from distill.ui.common import (
    model_choices,
    model_selector_update,
    no_models_hint,
    pick_choice,
    ui_errors,
)
from distill.ui.components.diagnostics import diagnostics_html

TABLE_COLUMNS = [
    "Model",
    "Levels",
    "Codes per level",
    "Files trained on",
    "Audio (min)",
    "Codebook use per level",
    "Created",
    "Size (MB)",
]
CODES_TAB_ID = "codes"


def health_text(info: ModelInfo) -> str:
    """Share of each level's codebook in use, plus how many warnings the health check gave."""
    health = info.codebook_health
    if health is None or not health.levels:
        return "not measured"
    used = " · ".join(f"{level.utilisation:.0%}" for level in health.levels)
    warnings = len(health.warnings)
    return used + (f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else "")


def table_row(info: ModelInfo) -> list[Any]:
    """One model as a row of TABLE_COLUMNS ('?' where the file does not say)."""
    dataset = info.metadata.dataset
    return [
        info.display_name,
        info.vqvae_config.num_levels,
        info.vqvae_config.codebook_size,
        dataset.num_files if dataset else "?",
        round(dataset.total_duration_s / 60, 1) if dataset else "?",
        health_text(info),
        info.metadata.created_at[:16].replace("T", " "),
        round(info.size_bytes / 1e6, 1),
    ]


def library_table() -> pd.DataFrame:
    return pd.DataFrame([table_row(info) for info in list_models()], columns=TABLE_COLUMNS)


def library_note() -> str:
    """Hints under the table: how to get a first model, files that could not be read."""
    notes = [] if list_models() else [no_models_hint()]
    notes.extend(f"Could not read: {why}" for _, why in unreadable_models())
    return html.escape("\n\n".join(notes))


def model_details(model_path: str | None) -> str:
    """Markdown details of one model: what it was trained on, for how long, its health."""
    if not model_path:
        return "Choose a model above."
    try:
        return model_details_of(read_model_info(model_path))
    except ValueError as error:
        return html.escape(str(error))


def model_details_of(info: ModelInfo) -> str:
    """model_details for a header already read."""
    training = info.metadata.training
    lines = [f"**{html.escape(info.display_name)}** — {html.escape(str(info.path))}"]
    if training:
        best = "?" if training.best_val_loss is None else training.best_val_loss
        lines.append(
            f"Trained {training.steps} steps in {training.elapsed_s} s; "
            f"best validation loss {best}."
        )
    lines.append(f"Codebook use per level: {health_text(info)}.")
    warnings = info.codebook_health.warnings if info.codebook_health else ()
    lines.extend(f"⚠ {html.escape(warning)}" for warning in warnings)
    if info.read_only:
        lines.append("This model is read-only: it cannot be renamed or deleted.")
    return "\n\n".join(lines)


def model_diagnostics(model_path: str | None) -> str:
    """The chosen model's codebook diagnostics panel (badges, contributions, heatmap)."""
    if not model_path:
        return ""
    try:
        info = read_model_info(model_path)
    except ValueError:
        return ""  # model_details says what is wrong with it
    labels = get_level_labels(info.vqvae_config.num_levels, info.metadata.level_labels)
    return diagnostics_html(info.codebook_health, labels, model_path)


def refresh_library(
    selected: str | None = None,
) -> tuple[pd.DataFrame, gr.Dropdown, str, str, str]:
    """(table, model dropdown, details, note, diagnostics) read afresh from the models folder."""
    choices = model_choices()
    value = pick_choice(choices, selected)
    dropdown = gr.Dropdown(choices=choices, value=value)
    details = model_details(value)
    return library_table(), dropdown, details, library_note(), model_diagnostics(value)


@ui_errors
def rename(model_path: str | None, new_name: str | None) -> tuple[Any, ...]:
    """Rename the chosen model. Returns refresh_library(...) plus a status line."""
    if not model_path:
        raise ValueError("Choose the model to rename first.")
    if not (new_name or "").strip():
        raise ValueError("Type the new name first.")
    old = read_model_info(model_path).name
    target = rename_model(model_path, new_name or "")
    status = f"Renamed '{html.escape(old)}' to '{html.escape(target.stem)}'."
    return (*refresh_library(str(target)), status)


@ui_errors
def ask_delete(model_path: str | None) -> tuple[gr.Row, str]:
    """Show the confirmation step (nothing is deleted yet)."""
    if not model_path:
        raise ValueError("Choose the model to delete first.")
    info = check_writable(model_path, "deleted")
    question = f"Delete **{html.escape(info.name)}** for good? This cannot be undone."
    return gr.Row(visible=True), question


def hide_confirm() -> gr.Row:
    return gr.Row(visible=False)


def cancel_delete() -> tuple[gr.Row, str]:
    return gr.Row(visible=False), "Nothing was deleted."


@ui_errors
def confirm_delete(model_path: str | None) -> tuple[Any, ...]:
    """Delete the chosen model. Returns refresh_library(...), the hidden confirm row, status."""
    if not model_path:
        raise ValueError("Choose the model to delete first.")
    name = read_model_info(model_path).name
    delete_model(model_path)
    return (*refresh_library(None), gr.Row(visible=False), f"Deleted '{html.escape(name)}'.")


@ui_errors
def open_in_codes(model_path: str | None) -> tuple[gr.Dropdown, gr.Tabs]:
    """Select the model in the Codes tab and switch to it."""
    if not model_path:
        raise ValueError("Choose a model to open first.")
    read_model_info(model_path)  # a clear message if it vanished or broke meanwhile
    return model_selector_update(prefer=model_path), gr.Tabs(selected=CODES_TAB_ID)

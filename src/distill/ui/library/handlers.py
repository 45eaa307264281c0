"""Library tab handlers: the saved models with their metadata; rename, delete, open."""

from __future__ import annotations

import html
from typing import Any

import gradio as gr
import pandas as pd

from distill.models.persistence import (
    ModelInfo,
    delete_model,
    list_models,
    read_model_info,
    rename_model,
)
from distill.ui.common import (
    display_name,
    model_choices,
    model_selector_update,
    no_models_hint,
    pick_choice,
    ui_errors,
    unreadable_model_files,
)

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
    health = info.codebook_health or {}
    levels = health.get("levels") or []
    if not levels:
        return "not measured"
    used = " · ".join(f"{level.get('utilisation', 0):.0%}" for level in levels)
    warnings = len(health.get("warnings") or [])
    return used + (f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else "")


def table_row(info: ModelInfo) -> list[Any]:
    dataset = info.metadata.dataset
    minutes = dataset.get("total_duration_s")
    return [
        display_name(info),
        info.vqvae_config.get("num_levels"),
        info.vqvae_config.get("codebook_size"),
        dataset.get("num_files", "?"),
        round(minutes / 60, 1) if isinstance(minutes, (int, float)) else "?",
        health_text(info),
        info.metadata.created_at[:16].replace("T", " "),
        round(info.size_bytes / 1e6, 1),
    ]


def library_table() -> pd.DataFrame:
    return pd.DataFrame([table_row(info) for info in list_models()], columns=TABLE_COLUMNS)


def library_note() -> str:
    """Hints under the table: how to get a first model, files that could not be read."""
    notes = [] if list_models() else [no_models_hint()]
    bad = unreadable_model_files()
    if bad:
        notes.append("Could not read (damaged or not a Distill model): " + ", ".join(bad))
    return html.escape("\n\n".join(notes))


def model_details(model_path: str | None) -> str:
    """Markdown details of one model: what it was trained on, for how long, its health."""
    if not model_path:
        return "Choose a model above."
    try:
        info = read_model_info(model_path)
    except ValueError as error:
        return html.escape(str(error))
    training = info.metadata.training
    name = display_name(info)
    lines = [f"**{html.escape(name)}** — {html.escape(str(info.path))}"]
    if training:
        lines.append(
            f"Trained {training.get('steps', '?')} steps in {training.get('elapsed_s', '?')} s; "
            f"best validation loss {training.get('best_val_loss', '?')}."
        )
    lines.append(f"Codebook use per level: {health_text(info)}.")
    warnings = (info.codebook_health or {}).get("warnings", [])
    lines.extend(f"⚠ {html.escape(str(warning))}" for warning in warnings)
    if info.is_demo or info.metadata.read_only:
        lines.append("This model is read-only: it cannot be renamed or deleted.")
    return "\n\n".join(lines)


def refresh_library(selected: str | None = None) -> tuple[pd.DataFrame, gr.Dropdown, str, str]:
    """(table, model dropdown, details, note) read afresh from the models folder."""
    choices = model_choices()
    value = pick_choice(choices, selected)
    dropdown = gr.Dropdown(choices=choices, value=value)
    return library_table(), dropdown, model_details(value), library_note()


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
    info = read_model_info(model_path)
    if info.is_demo or info.metadata.read_only:
        raise ValueError("The bundled demo model is read-only: it cannot be deleted.")
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

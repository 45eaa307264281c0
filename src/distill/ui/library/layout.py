"""The Library tab: every saved model with its metadata; rename, delete, open in Codes."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from distill.ui.common import model_choices, pick_choice
from distill.ui.library.handlers import (
    TABLE_COLUMNS,
    ask_delete,
    cancel_delete,
    confirm_delete,
    hide_confirm,
    library_note,
    library_table,
    model_details,
    model_diagnostics,
    refresh_library,
    rename,
)


@dataclass(frozen=True)
class LibraryTab:
    """What the app wires across tabs."""

    table: gr.Dataframe
    model: gr.Dropdown
    details: gr.Markdown
    note: gr.Markdown
    open_button: gr.Button
    diagnostics: gr.HTML
    changed: list[gr.events.Dependency]  # events after which other tabs refresh their lists

    @property
    def refresh_outputs(self) -> list[gr.components.Component]:
        return [self.table, self.model, self.details, self.note, self.diagnostics]


def build_library_tab() -> LibraryTab:
    """Lay out the Library tab and wire its handlers (call inside a gr.Tab)."""
    table = gr.Dataframe(
        library_table(),
        headers=TABLE_COLUMNS,
        interactive=False,
        elem_id="library-table",
        wrap=True,
    )
    note = gr.Markdown(library_note(), elem_id="library-note")
    choices = model_choices()
    with gr.Row():
        model = gr.Dropdown(
            choices=choices,
            value=pick_choice(choices),
            label="Model",
            elem_id="library-model",
            scale=3,
        )
        refresh = gr.Button("↻ Refresh", size="sm", scale=0, min_width=100)
        open_button = gr.Button("Open in Codes tab", variant="primary", elem_id="library-open")
    details = gr.Markdown(model_details(model.value), elem_id="library-details")
    diagnostics = gr.HTML(model_diagnostics(model.value), elem_id="library-diagnostics")
    with gr.Row():
        new_name = gr.Textbox(label="New name", elem_id="library-new-name", scale=3)
        rename_button = gr.Button("Rename", elem_id="library-rename")
        delete_button = gr.Button("Delete…", variant="stop", elem_id="library-delete")
    with gr.Row(visible=False, elem_id="library-confirm") as confirm_row:
        question = gr.Markdown("")
        confirm = gr.Button("Yes, delete it", variant="stop", elem_id="library-confirm-delete")
        keep = gr.Button("No, keep it", elem_id="library-keep")
    status = gr.Markdown("", elem_id="library-status")

    outputs = [table, model, details, note, diagnostics]
    refresh.click(refresh_library, [model], outputs)
    model.change(model_details, [model], [details]).then(hide_confirm, None, [confirm_row]).then(
        model_diagnostics,
        [model],
        [diagnostics],  # after the rest: the same timing as before
    )
    renamed = rename_button.click(rename, [model, new_name], [*outputs, status])
    delete_button.click(ask_delete, [model], [confirm_row, question])
    keep.click(cancel_delete, None, [confirm_row, status])
    deleted = confirm.click(confirm_delete, [model], [*outputs, confirm_row, status])
    return LibraryTab(table, model, details, note, open_button, diagnostics, [renamed, deleted])

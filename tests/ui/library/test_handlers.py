"""The Library tab's handlers as plain functions (no browser)."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import pytest
from tests.helpers import error_text, make_tiny_model_file

from distill.audio.spectrogram import SpectrogramConfig
from distill.models import persistence
from distill.models.library import update_metadata
from distill.models.persistence import ModelMetadata, read_model_info
from distill.models.records import CodebookHealth, DatasetSummary, LevelHealth, TrainingSummary
from distill.models.vqvae import VQVAEConfig
from distill.ui.library import handlers as library

# --- Library tab -----------------------------------------------------------------------------


def test_library_lists_models_and_unreadable_files(model: Path) -> None:
    (model.parent / "junk.distill").write_bytes(b"junk")
    update_metadata(model, dataset=DatasetSummary(num_files=7, total_duration_s=90.0))
    demo, *mine = library.library_table().to_dict("records")
    assert demo["Model"] == "demo (bundled example)" and demo["Files trained on"] == 36
    assert mine == [
        {
            "Model": "tiny",
            "Levels": 3,
            "Codes per level": 16,
            "Files trained on": 7,
            "Audio (min)": 1.5,
            "Codebook use per level": "not measured",
            "Created": read_model_info(model).metadata.created_at[:16].replace("T", " "),
            "Size (MB)": round(model.stat().st_size / 1e6, 1),
        }
    ]
    note = library.library_note()  # names the file and says why
    assert "Could not read: junk.distill is not a readable Distill model file" in note


def test_library_rename_delete_open(model: Path) -> None:
    make_tiny_model_file(model.parent / "other.distill")
    *_, status = library.rename(str(model), "renamed")
    assert "Renamed 'tiny' to 'renamed'" in status
    renamed = model.with_name("renamed.distill")
    assert renamed.exists() and not model.exists()
    with pytest.raises(gr.Error) as excinfo:
        library.rename(str(renamed), "other")
    assert "already exists" in error_text(excinfo)

    row, question = library.ask_delete(str(renamed))
    assert row.visible is True and "renamed" in question and renamed.exists()
    *_, hidden, status = library.confirm_delete(str(renamed))
    assert hidden.visible is False and not renamed.exists() and "Deleted 'renamed'" in status

    other = str(model.parent / "other.distill")
    dropdown, tabs = library.open_in_codes(other)
    assert dropdown.value == other and tabs.selected == library.CODES_TAB_ID


def test_read_only_models_cannot_be_deleted(
    distill_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = make_tiny_model_file(distill_home / "models" / "locked.distill")
    update_metadata(locked, read_only=True)
    with pytest.raises(gr.Error) as excinfo:
        library.ask_delete(str(locked))
    assert error_text(excinfo) == "The model 'locked' is read-only: it cannot be deleted."
    with pytest.raises(gr.Error) as excinfo:
        library.confirm_delete(str(locked))  # even without asking first
    assert "read-only" in error_text(excinfo) and locked.exists()
    assert "read-only" in library.model_details(str(locked))


def _info(health: CodebookHealth | None, metadata: ModelMetadata) -> persistence.ModelInfo:
    return persistence.ModelInfo(
        Path("x.distill"), metadata, VQVAEConfig(), SpectrogramConfig(), health, 0
    )


def test_health_text_summarises_each_level() -> None:
    levels = (LevelHealth(0, 8, 4, 0.5, 3.0, 4), LevelHealth(1, 8, 1, 0.125, 1.0, 7))
    info = _info(CodebookHealth(levels, ("low use",)), ModelMetadata(name="x"))
    assert library.health_text(info) == "50% · 12% (1 warning)"
    assert library.health_text(_info(None, ModelMetadata(name="x"))) == "not measured"


def test_details_and_row_say_what_the_file_records() -> None:
    training = TrainingSummary(steps=12, elapsed_s=3.5, best_val_loss=0.25)
    info = _info(None, ModelMetadata(name="x", training=training))
    assert library.table_row(info)[:5] == ["x", 4, 128, "?", "?"]
    details = library.model_details_of(info)
    assert "Trained 12 steps in 3.5 s; best validation loss 0.25." in details


def test_diagnostics_show_for_the_demo_and_say_when_not_available(model: Path) -> None:
    demo = library.model_diagnostics(str(persistence.DEMO_MODEL_PATH))
    assert demo.count('class="distill-diag-level"') == 4 and demo.count("<i class=") == 4 * 128
    assert "1 · Structure" in demo and "dB</span>" in demo
    assert "Codebook health was not measured" in library.model_diagnostics(str(model))
    levels = tuple(LevelHealth(i, 16, 4, 0.25, 3.0, 12) for i in range(3))
    update_metadata(model, level_labels=["Low", "Mid", "High"])
    loaded = persistence.load_model(model)
    persistence.save_model(
        model, loaded.model, loaded.spectrogram.config, loaded.metadata, CodebookHealth(levels)
    )
    older = library.model_diagnostics(str(model))
    assert "not available for this model" in older and "<i class=" not in older
    assert 'data-badge="red"' in older and "2 · Mid" in older
    _, _, _, _, panel = library.refresh_library(str(model))
    assert panel == older

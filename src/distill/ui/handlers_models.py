"""Which models exist and how they are named in the app's model selectors."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from distill.models.persistence import ModelInfo, list_models, models_dir

DEMO_LABEL = "demo (bundled example)"


def display_name(info: ModelInfo) -> str:
    """A model's name as the app shows it (the bundled demo says what it is)."""
    return DEMO_LABEL if info.is_demo else info.name


def choice_label(info: ModelInfo) -> str:
    """How a model reads in a dropdown: name, levels and codebook size."""
    config = info.vqvae_config
    name = display_name(info)
    return f"{name} · {config.get('num_levels', '?')} levels × {config.get('codebook_size', '?')}"


def model_choices() -> list[tuple[str, str]]:
    """(label, path) for every readable model, the bundled demo first."""
    return [(choice_label(info), str(info.path)) for info in list_models()]


def pick_choice(choices: list[tuple[str, str]], *preferred: str | None) -> str | None:
    """The first preferred path still among the choices, else the first choice, else None."""
    paths = [path for _, path in choices]
    for candidate in preferred:
        if candidate and candidate in paths:
            return candidate
    return paths[0] if paths else None


def model_selector_update(selected: str | None = None, prefer: str | None = None) -> gr.Dropdown:
    """Fresh choices for a model dropdown, keeping `prefer` or `selected` when they exist."""
    choices = model_choices()
    return gr.Dropdown(choices=choices, value=pick_choice(choices, prefer, selected))


def no_models_hint() -> str:
    return f"No models yet: train one in the Train tab (models are kept in {models_dir()})."


def unreadable_model_files(directory: Path | None = None) -> list[str]:
    """Names of .distill files in the models folder that list_models had to skip."""
    folder = directory or models_dir()
    listed = {info.path.resolve() for info in list_models(folder, include_demo=False)}
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.glob("*.distill") if p.resolve() not in listed)

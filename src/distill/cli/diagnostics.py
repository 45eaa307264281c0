"""How the CLI shows a model: Rich tables of its settings, data and training, and its codebook
diagnostics (badges, contributions and a usage heatmap of shaded characters)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from distill.models.persistence import ModelInfo
    from distill.models.records import CodebookHealth

HEATMAP_WIDTH = 64  # characters per level: K codes are grouped when there are more
SHADES = "░▒▓█"  # a used code's count over the level's most used, in quarters
UNUSED = "·"
BADGE_STYLE = {"green": "bold green", "yellow": "bold yellow", "red": "bold red"}
NOT_AVAILABLE = (
    "Code use per code and level contributions are not available for this model (it was made "
    "before Distill measured them); retrain it to see them."
)


def settings_table(title: str, values: dict[str, Any]) -> Table:
    """Two columns, setting and value, with the keys read as words."""
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_header=False, box=None)
    table.add_column(style="dim")
    table.add_column()
    for key, value in values.items():
        shown = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
        table.add_row(key.replace("_", " "), shown if shown else "-")
    return table


def health_table(health: CodebookHealth, labels: list[str]) -> Table:
    """One row per level: its badge, codes used, perplexity, contribution (reasons: below)."""
    from rich.table import Table

    from distill.training.diagnostics import level_badge

    table = Table(title="Codebook health", title_justify="left")
    for column in ("level", "health", "codes used", "perplexity", "muted: change"):
        table.add_column(column, no_wrap=True)
    for level in health.levels:
        badge = level_badge(level)
        db = level.contribution_db
        table.add_row(
            f"{level.level + 1} {labels[level.level] if level.level < len(labels) else ''}",
            f"[{BADGE_STYLE[badge.colour]}]● {badge.colour}[/]",
            f"{level.used_codes}/{level.codebook_size}",
            f"{level.perplexity:.1f}",
            "-" if db is None else f"{db:.1f} dB",
        )
    return table


def heatmap_lines(health: CodebookHealth, labels: list[str]) -> list[str]:
    """Each level's code use as a row of shaded characters ('·' for a code never used)."""
    from distill.training.diagnostics import bucket_counts, usage_shares

    lines = []
    for level in health.levels:
        cells = usage_shares(bucket_counts(level.code_counts or (), HEATMAP_WIDTH))
        row = "".join(
            UNUSED if share == 0 else SHADES[min(int(share * len(SHADES)), len(SHADES) - 1)]
            for share in cells
        )
        name = labels[level.level] if level.level < len(labels) else ""
        lines.append(f"{level.level + 1} {name:<10} {row}")
    return lines


def print_health(console: Console, health: CodebookHealth, labels: list[str]) -> None:
    """The health table, then the heatmap (or why it is missing), then the warnings."""
    from distill.training.diagnostics import level_badge

    console.print(health_table(health, labels))
    for level in health.levels:  # the reasons, as sentences (a table column would wrap them)
        badge = level_badge(level)
        name = labels[level.level] if level.level < len(labels) else ""
        console.print(f"[{BADGE_STYLE[badge.colour]}]●[/] {level.level + 1} {name}: {badge.reason}")
    if health.has_diagnostics:
        size = health.levels[0].codebook_size if health.levels else 0
        group = -(-size // HEATMAP_WIDTH)
        each = "one code" if group == 1 else f"{group} neighbouring codes"
        console.print(
            f"Code use over the training set (a character is {each}; darker is more often, "
            f"{UNUSED} never):"
        )
        for line in heatmap_lines(health, labels):
            console.print(line, highlight=False)
    else:
        console.print(NOT_AVAILABLE)
    for warning in health.warnings:
        console.print(f"[yellow]warning:[/] {warning}")


def print_model(console: Console, model: ModelInfo) -> None:
    """`distill models info`: the header, then one table per part of the model file."""
    from distill.models.labels import get_level_labels

    metadata = model.metadata
    header = f"[bold]{model.display_name}[/]  ({model.path}, {model.size_bytes / 1e6:.1f} MB)"
    console.print(header, soft_wrap=True)  # a path stays whole, to copy
    console.print(f"created {metadata.created_at}")
    if model.read_only:
        console.print("read-only: it cannot be renamed, changed or deleted")
    console.print(settings_table("Model", model.vqvae_config.to_dict()))
    if metadata.dataset:  # every file name would flood the terminal: the held-out ones suffice
        data = {k: v for k, v in metadata.dataset.to_dict().items() if k != "file_names"}
        console.print(settings_table("Training data", data))
    if metadata.training:
        _print_training(console, model)
    labels = get_level_labels(model.vqvae_config.num_levels, metadata.level_labels)
    if model.codebook_health:
        print_health(console, model.codebook_health, labels)
    else:
        console.print("Codebook health was not measured for this model.")
    prior = model.prior_metadata
    console.print(f"prior: {prior.summary()}" if prior else "prior: no prior (it cannot generate)")


def _print_training(console: Console, model: ModelInfo) -> None:
    """How the model was trained, its setup in words, and its settings as the file records
    them (read as a TrainConfig: the one reader)."""
    from distill.models.records import RecordError
    from distill.training.config import TrainConfig

    training = model.metadata.training
    assert training is not None
    try:  # the rest of the file says what it can, whatever its settings hold
        settings = TrainConfig.from_stored(
            training, model.vqvae_config, model.spectrogram_config
        ).to_stored()
    except RecordError as error:
        settings = {"unreadable": str(error)}
    summary = {k: v for k, v in training.to_dict().items() if k not in ("train_config", "setup")}
    console.print(settings_table("Training", summary))
    setup = training.setup.describe(model.vqvae_config.hidden_channels)  # the setup in words
    console.print(f"trained on {training.device or '?'}: {setup}")
    console.print(settings_table("Training settings", settings))

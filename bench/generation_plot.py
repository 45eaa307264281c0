"""Log-mel images of generated takes beside training files, both as the decoder gives them
(the same decoding for both, no Griffin-Lim): the top row a few training files, the bottom
row a few takes (their first 10 s), one image per collection for bench/README."""

from __future__ import annotations

from pathlib import Path

from generation_stats import Piece

SHOWN = 4
SECONDS_SHOWN = 10.0


def plot_pieces(training: list[Piece], takes: list[Piece], frame_s: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [("training file", _spread(training)), ("generated", _spread(takes))]
    width = max(len(pieces) for _, pieces in rows)
    figure, axes = plt.subplots(2, width, figsize=(4.2 * width, 6), squeeze=False)
    frames = round(SECONDS_SHOWN / frame_s)
    for row, (kind, pieces) in enumerate(rows):
        for column in range(width):
            axis = axes[row][column]
            if column >= len(pieces):
                axis.axis("off")
                continue
            mel = pieces[column].mel[:, :frames]
            axis.imshow(mel, origin="lower", aspect="auto", cmap="magma", vmin=0.0, vmax=1.0)
            seconds = mel.shape[1] * frame_s
            axis.set_title(f"{kind}: {pieces[column].name} ({seconds:.1f} s)", fontsize=8)
            axis.set_xlabel(f"mel frames ({frame_s * 1000:.1f} ms)", fontsize=7)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=80)
    plt.close(figure)


def _spread(pieces: list[Piece]) -> list[Piece]:
    """SHOWN pieces spread evenly over the list (all when fewer)."""
    if len(pieces) <= SHOWN:
        return pieces
    step = len(pieces) / SHOWN
    return [pieces[int(i * step)] for i in range(SHOWN)]

"""The Train tab's loss chart: training and validation loss against time, the kept checkpoint
(the best on validation) marked by a vertical line, and how long is left in words."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from distill.training import TrainProgress

MAX_CHART_POINTS = 400  # older training points are thinned out beyond this
LOSS_COLUMNS = ["seconds", "loss", "curve"]
TRAINING, VALIDATION, BEST = "training", "validation", "best checkpoint"
CURVES = (TRAINING, VALIDATION, BEST)


@dataclass
class LossHistory:
    """Loss points for the chart, (seconds, loss, curve), and where the best checkpoint is."""

    points: list[tuple[float, float, str]] = field(default_factory=list)
    last_val_loss: float | None = None
    best_s: float | None = None  # when the kept checkpoint was taken (seconds into training)

    def add(self, update: TrainProgress) -> None:
        time_s = round(update.elapsed_s, 2)
        if update.phase == "training" and math.isfinite(update.train_loss):
            self.points.append((time_s, update.train_loss, TRAINING))
        # Every report repeats the latest validation loss; a new value is a new validation.
        val_loss = update.val_loss
        if val_loss is not None and math.isfinite(val_loss) and val_loss != self.last_val_loss:
            self.points.append((time_s, val_loss, VALIDATION))
            self.last_val_loss = val_loss
        if update.best_elapsed_s is not None:
            self.best_s = round(update.best_elapsed_s, 2)
        if len(self.points) > MAX_CHART_POINTS:  # thin the older half, keep validations
            old, recent = (
                self.points[: -MAX_CHART_POINTS // 2],
                self.points[-MAX_CHART_POINTS // 2 :],
            )
            old = [p for i, p in enumerate(old) if p[2] == VALIDATION or i % 2 == 0]
            self.points = old + recent

    def frame(self) -> pd.DataFrame | None:
        """The chart's data, or None (an empty chart) before the first point. The best
        checkpoint is a vertical line from the lowest loss drawn to the highest."""
        if not self.points:
            return None
        rows = list(self.points)
        if self.best_s is not None:
            losses = [loss for _, loss, _ in self.points]
            rows += [(self.best_s, min(losses), BEST), (self.best_s, max(losses), BEST)]
        # Gradio's plot fixes its colours to the curves of the first frame it draws, so every
        # frame names all three; a curve with no point yet has one without a loss (not drawn).
        present = {curve for _, _, curve in rows}
        rows += [(rows[0][0], math.nan, c) for c in CURVES if c not in present]
        return pd.DataFrame(rows, columns=LOSS_COLUMNS)


def duration_text(seconds: float) -> str:
    """'45 s', '3 min 20 s', '1 h 05 min': how long, as a person says it."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def eta_text(update: TrainProgress) -> str:
    """'about 3 min 20 s left', or '' while the budget cannot tell yet."""
    eta = update.eta_s
    return "" if eta is None else f"about {duration_text(eta)} left"


def best_text(update: TrainProgress) -> str:
    """Where the kept checkpoint is: 'best so far: 0.4210 at step 300 (1 min 05 s)'."""
    if update.best_val_loss is None or update.best_step is None:
        return ""
    when = "" if update.best_elapsed_s is None else f" ({duration_text(update.best_elapsed_s)})"
    return f"best so far: {update.best_val_loss:.4f} at step {update.best_step}{when}"

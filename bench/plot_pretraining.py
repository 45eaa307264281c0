"""The base model's pretraining curve from its log: training and validation loss against
steps, and the validation loss decoding the first 1, 2 and 4 levels only.

    .venv/bin/python bench/plot_pretraining.py build/base/log.jsonl [MORE.jsonl ...] [--out PNG]

Several logs are one base's schedules in order (a continued base: `pretrain --init`); a
dotted line marks where each later one starts.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from distill.base.pretrain import read_log

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logs", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, default=RESULTS / "base_pretraining.png")
    args = parser.parse_args()
    schedules = [read_log(log) for log in args.logs]  # a later one starts after the one before
    starts = [schedule[0]["step"] for schedule in schedules[1:] if schedule]
    records = [record for schedule in schedules for record in schedule]
    steps = [r["step"] for r in records]
    figure, axis = plt.subplots(figsize=(8, 4))
    trained = [r for r in records if r["train"] is not None]  # the final record may have none
    axis.plot(
        [r["step"] for r in trained],
        [r["train"] for r in trained],
        label="training (mean since the last point)",
    )
    for key, label in (("all", "validation, all 8 levels"), ("levels_4", "first 4 levels"),
                       ("levels_2", "first 2"), ("levels_1", "first 1")):  # fmt: skip
        axis.plot(steps, [r["val"][key] for r in records], label=label)
    for start in starts:
        axis.axvline(start, color="grey", linestyle=":", linewidth=1)
    hours = records[-1]["elapsed_s"] / 3600
    axis.set(
        xlabel="step", ylabel="loss", title=f"Base model pretraining ({hours:.1f} h of training)"
    )
    axis.legend(fontsize=8)
    axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(args.out, dpi=100)
    print(args.out)


if __name__ == "__main__":
    main()

"""Add the codebook diagnostics to the bundled demo model without retraining it:
`python -m distill.demo.diagnostics` (`make demo-diagnostics`). Its weights stay as they are,
so codes files made with it stay valid (their hash covers the weights only)."""

from __future__ import annotations

from distill.demo.sounds import DEMO_SOUNDS_DIR
from distill.models.persistence import DEMO_MODEL_PATH
from distill.training.diagnostics import add_diagnostics


def main() -> None:
    health = add_diagnostics(DEMO_MODEL_PATH, DEMO_SOUNDS_DIR)
    for level in health.levels:
        print(
            f"level {level.level + 1}: {level.used_codes}/{level.codebook_size} codes used, "
            f"muting it changes the decode by {level.contribution_db} dB"
        )


if __name__ == "__main__":
    main()

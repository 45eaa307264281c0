"""Log-mel images of original files next to a model's decode of them (as users get it).

    .venv/bin/python bench/plot_reconstruction.py MODEL FILE [FILE ...] [--out PNG]

Made for looking at what a model keeps and loses (harmonics, transients, noise floor) where
a distance number cannot say it. Default output: bench/results/reconstruction.png.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch

from distill.audio.io import load_audio, to_mono
from distill.inference import decode_grid, encode_grid
from distill.models.persistence import find_model, load_model

RESULTS = Path(__file__).resolve().parent / "results"
MAX_FRAMES = 300  # ~3.2 s of each file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model")
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, default=RESULTS / "reconstruction.png")
    args = parser.parse_args()
    loaded = load_model(find_model(args.model))
    spec = loaded.spectrogram
    figure, axes = plt.subplots(
        len(args.files), 2, figsize=(12, 2.6 * len(args.files)), squeeze=False
    )
    for row, path in enumerate(args.files):
        original = to_mono(load_audio(path, spec.config.sample_rate).waveform)
        decoded = decode_grid(encode_grid(path, loaded), loaded)
        for column, (waveform, what) in enumerate(
            [(original, "original"), (torch.from_numpy(decoded), "model decode")]
        ):
            mel = spec.waveform_to_mel(waveform.reshape(1, 1, -1))[0, 0, :, :MAX_FRAMES]
            axis = axes[row, column]
            axis.imshow(mel.numpy(), origin="lower", aspect="auto", vmin=-1, vmax=1.6, cmap="magma")
            axis.set_title(f"{path.name}: {what}", fontsize=9)
            axis.set_ylabel("mel bin")
    axes[-1, 0].set_xlabel("frame (10.7 ms)")
    axes[-1, 1].set_xlabel("frame (10.7 ms)")
    figure.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(args.out, dpi=56)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

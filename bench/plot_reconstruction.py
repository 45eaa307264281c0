"""Log-mel images of original files next to a model's decode of them (as users get it).

    .venv/bin/python bench/plot_reconstruction.py MODEL FILE [FILE ...] [--before OLD_MODEL]

Made for looking at what a model keeps and loses (harmonics, transients, noise floor) where
a distance number cannot say it. With --before, a third column shows an older model's decode
of the same files, decoded as before issue 10 (pseudo-inverse, 32 iterations, gated-RMS
match: bench_quality.py --before) unless --before-decode-now. Every image uses one fixed
display front end (SpectrogramConfig()), not the models' own, so models with different front
ends are shown alike. Default output: bench/results/reconstruction.png.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch

from bench_quality import BEFORE_ITERATIONS, decoded_as_before
from distill.audio.io import load_audio, to_mono
from distill.audio.spectrogram import AudioSpectrogram
from distill.inference import decode_grid, encode_grid
from distill.models.library import find_model
from distill.models.persistence import load_model

RESULTS = Path(__file__).resolve().parent / "results"
MAX_FRAMES = 300  # ~3.2 s of each file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model")
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--before", default=None, help="an older model, shown in between")
    parser.add_argument(
        "--before-decode-now", action="store_true", help="decode --before as decodes are now"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "reconstruction.png")
    args = parser.parse_args()
    models = [("model decode", load_model(find_model(args.model)), {})]
    if args.before:
        old = load_model(find_model(args.before))
        old_decode: dict = {}
        if not args.before_decode_now:
            old = decoded_as_before(old)
            old_decode = {"num_iterations": BEFORE_ITERATIONS, "match_loudness": True}
        models = [("before", old, old_decode), ("after", models[0][1], {})]
    spec = AudioSpectrogram()  # the display front end, the same for every image
    columns = 1 + len(models)
    figure, axes = plt.subplots(
        len(args.files), columns, figsize=(6 * columns, 2.6 * len(args.files)), squeeze=False
    )
    for row, path in enumerate(args.files):
        original = to_mono(load_audio(path, spec.config.sample_rate).waveform)
        images = [(original, "original")]
        for what, loaded, options in models:
            decoded = decode_grid(encode_grid(path, loaded), loaded, **options)
            images.append((torch.from_numpy(decoded), what))
        for column, (waveform, what) in enumerate(images):
            mel = spec.waveform_to_mel(waveform.reshape(1, 1, -1))[0, 0, :, :MAX_FRAMES]
            axis = axes[row, column]
            axis.imshow(mel.numpy(), origin="lower", aspect="auto", vmin=-1, vmax=1.6, cmap="magma")
            axis.set_title(f"{path.name}: {what}", fontsize=9)
            axis.set_ylabel("mel bin")
    for axis in axes[-1]:
        axis.set_xlabel("frame (10.7 ms)")
    figure.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(args.out, dpi=56)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

"""Log-mel images of original files next to a model's decode of them (as users get it).

    .venv/bin/python bench/plot_reconstruction.py MODEL FILE [FILE ...] [--before OLD_MODEL]

Made for looking at what a model keeps and loses (harmonics, transients, noise floor) where
a distance number cannot say it. With --before, a third column shows an older model's decode
of the same files, decoded as before issue 10 (the encoder's codes, pseudo-inverse, 32
iterations, gated-RMS match: bench_quality.py --before) unless --before-decode-now, or as now
with an inversion setting changed by --before-set NAME=VALUE (e.g. silence_gate_db=0); with
--without-search, another shows the model's decode of its encoder's codes alone (no search).
Every image uses one fixed display front end (SpectrogramConfig()), not the models' own, so
models with different front ends are shown alike. Default output: bench/results/reconstruction.png.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch

from bench_quality import BEFORE_ITERATIONS, decoded_as_before, with_inversion
from distill.audio.io import load_audio, to_mono
from distill.audio.spectrogram import AudioSpectrogram
from distill.inference import decode_grid, encode_sound
from distill.models.library import find_model
from distill.models.persistence import LoadedVQModel, load_model

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
    parser.add_argument(
        "--before-set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="decode --before as now with this inversion setting changed (bench_quality --set)",
    )
    parser.add_argument(
        "--without-search", action="store_true", help="also the model's encoder codes alone"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "reconstruction.png")
    args = parser.parse_args()
    loaded = load_model(find_model(args.model))
    # (title, model, encode options, decode options) per decoded column
    models: list[tuple[str, LoadedVQModel, dict, dict]] = []
    if args.before:
        old = load_model(find_model(args.before))
        if args.before_set:
            models.append(("before", with_inversion(old, args.before_set), {}, {}))
        elif args.before_decode_now:
            models.append(("before", old, {}, {}))
        else:  # decoded as before issue 10: the encoder's codes, the old inversion and level
            old_decode = {"num_iterations": BEFORE_ITERATIONS, "match_loudness": True}
            models.append(("before", decoded_as_before(old), {"refine_steps": 0}, old_decode))
    if args.without_search:
        models.append(("encoder's codes", loaded, {"refine_steps": 0}, {}))
    title = "after" if args.before else "codes searched" if args.without_search else "model decode"
    models.append((title, loaded, {}, {}))
    spec = AudioSpectrogram()  # the display front end, the same for every image
    columns = 1 + len(models)
    figure, axes = plt.subplots(
        len(args.files), columns, figsize=(6 * columns, 2.6 * len(args.files)), squeeze=False
    )
    for row, path in enumerate(args.files):
        original = to_mono(load_audio(path, spec.config.sample_rate).waveform)
        images = [(original, "original")]
        for what, model, encoding, decoding in models:
            grid = encode_sound(path, model, **encoding).grid
            decoded = decode_grid(grid, model, **decoding)
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

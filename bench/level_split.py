"""Where a decode's level goes: the decoder, or the inversion (issue 26, item 5).

    .venv/bin/python bench/level_split.py MODEL CORPUS_DIR [--out FILE]
    .venv/bin/python bench/level_split.py MODEL FILE.wav FILE.wav ... [--out FILE]

For each held-out file of a corpus built by bench/corpus.py (its held_out.txt), or each file
named, encoded and decoded as the ruler does (`training.evaluation.ruler_decode`), three
energy ratios in dB: the decoder's spectrum (the magnitude its inversion is asked for,
through the mel -> linear step for a mel output) against the original's STFT energy;
Griffin-Lim's output against that spectrum; and the two together, the whole file's RMS
change a user hears. The ceiling (the true mel through the same inversion) gets the same two
ratios.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from pathlib import Path

import torch

from corpus import split_corpus
from distill.models.persistence import LoadedVQModel, load_model
from distill.training.evaluation import ruler_decode


def db(ratio: torch.Tensor) -> float:
    return round(10 * math.log10(max(float(ratio), 1e-30)), 2)


def split(loaded: LoadedVQModel, path: Path) -> dict:
    spectrogram = loaded.spectrogram
    ruled = ruler_decode(loaded, path)
    length = ruled.original.shape[-1]
    energy = spectrogram.linear_power((ruled.original * ruled.gain).unsqueeze(0)).sum()
    asked = spectrogram.magnitude(ruled.spectrum).square().sum()
    heard = spectrogram.linear_power(spectrogram.to_waveform(ruled.spectrum, None, length)).sum()
    ceiling_asked = spectrogram.magnitude(ruled.mel).square().sum()
    ceiling_heard = spectrogram.linear_power(spectrogram.to_waveform(ruled.mel, None, length)).sum()
    return {
        "file": path.name,
        "decoder_db": db(asked / energy),
        "inversion_db": db(heard / asked),
        "total_db": db(heard / energy),
        "ceiling_step_db": db(ceiling_asked / energy),
        "ceiling_inversion_db": db(ceiling_heard / ceiling_asked),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model", type=Path)
    parser.add_argument("sources", type=Path, nargs="+", help="a corpus folder, or files")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    torch.set_num_threads(2)
    loaded = load_model(args.model)
    folder = args.sources[0]
    files = split_corpus(folder)[1] if folder.is_dir() else args.sources
    rows = []
    for path in files:
        rows.append(split(loaded, path))
        print(json.dumps(rows[-1]), flush=True)
    keys = [k for k in rows[0] if k != "file"]
    means = {k: round(statistics.mean(r[k] for r in rows), 2) for k in keys}
    print("mean", json.dumps(means))
    if args.out:
        report = {"model": str(args.model), "files": rows, "mean": means}
        args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

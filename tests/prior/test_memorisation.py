"""Memorisation: the longest verbatim run (and its file), and the share of run-collapsed
level-1 phrases found in the training grids beside the held-out files' share."""

from __future__ import annotations

import torch

from distill.models.persistence import load_model
from distill.prior.memorisation import measure_memorisation
from distill.prior.sampling import generate

SPC = 4 * 512 / 48000


def test_a_copied_stretch_is_found_with_its_file(trained_prior):
    files = trained_prior.file_grids()
    name, codes = files[3][0].name, files[3][1]
    copied = codes[20:50]  # 30 columns from the fourth file
    report = measure_memorisation(copied, trained_prior, SPC)
    assert report.longest_run >= 30 and report.source is not None
    assert report.phrase_share == 1.0
    if report.longest_run == 30:
        assert report.source == name
    assert report.longest_run_s == report.longest_run * SPC
    held = report.held_out_phrase_share
    assert held is not None and 0 < held <= 1  # the note files share their moves
    text = report.describe()
    assert f"from {report.source}." in text and "100% of its level-1 phrases (4 codes)" in text
    assert f"(your files it never trained on: {held:.0%})" in text


def test_runs_do_not_cross_from_one_file_into_the_next(trained_prior):
    (_, first), (_, second) = trained_prior.file_grids()[:2]
    joined = torch.cat([first[-5:], second[:5]])  # the end of one file, the start of the next
    report = measure_memorisation(joined, trained_prior, SPC)
    assert report.longest_run < 10


def test_codes_never_seen_copy_nothing(trained_prior):
    unseen = torch.zeros(12, 3, dtype=torch.long)  # level 1 goes down by 1: the notes never do
    unseen[:, 0] = 15 - torch.arange(12)
    unseen[:, 1] = torch.arange(12) % 2
    report = measure_memorisation(unseen, trained_prior, SPC)
    assert report.phrase_share == 0.0
    assert report.longest_run <= 1
    short = measure_memorisation(unseen[:3], trained_prior, SPC)
    assert short.phrase_share is None and "phrases" not in short.describe()


def test_every_result_reports_what_it_copies(prior_model_file):
    loaded = load_model(prior_model_file)
    result = generate(loaded, 2.0, top_k=1)
    report = result.memorisation
    assert report.num_columns == result.grid.num_columns
    assert 0 <= report.longest_run <= report.num_columns
    assert report.phrase_share is not None and 0.0 <= report.phrase_share <= 1.0
    assert report.describe().startswith(("Copies at most", "Copies no column"))

"""Memorisation: the longest verbatim run (and its file) and the share of 4-column n-grams
found in the training grids."""

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
    assert report.ngram_share == 1.0
    if report.longest_run == 30:
        assert report.source == name
    assert report.longest_run_s == report.longest_run * SPC
    assert (
        f"from {report.source}" in report.describe() and "100% of its 4-column" in report.describe()
    )


def test_runs_do_not_cross_from_one_file_into_the_next(trained_prior):
    (_, first), (_, second) = trained_prior.file_grids()[:2]
    joined = torch.cat([first[-5:], second[:5]])  # the end of one file, the start of the next
    report = measure_memorisation(joined, trained_prior, SPC)
    assert report.longest_run < 10


def test_codes_never_seen_copy_nothing(trained_prior):
    unseen = torch.full(
        (12, 3), 15
    )  # the note grids never hold one code for 12 columns on all levels
    unseen[:, 1] = torch.arange(12) % 2
    report = measure_memorisation(unseen, trained_prior, SPC)
    assert report.ngram_share == 0.0
    assert report.longest_run <= 1
    short = measure_memorisation(unseen[:3], trained_prior, SPC)
    assert short.ngram_share is None and "stretches" not in short.describe()


def test_every_result_reports_what_it_copies(prior_model_file):
    loaded = load_model(prior_model_file)
    result = generate(loaded, 2.0, top_k=1)
    report = result.memorisation
    assert report.num_columns == result.grid.num_columns
    assert 0 <= report.longest_run <= report.num_columns
    assert report.ngram_share is not None and 0.0 <= report.ngram_share <= 1.0
    assert report.describe().startswith(("Copies at most", "Copies no column"))

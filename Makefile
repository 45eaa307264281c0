# Distill: `make run` sets up and opens the app; `make test` sets up, runs the gate (ruff, the
# format check, mypy) and then every test. CI (.ci/run) calls `make test`, so it enforces all.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
DEMO_SOUNDS := src/distill/demo/sounds
DEMO_STEPS := 1000

.PHONY: setup run test test-fast check lint bench bench-corpus bench-scale demo-sounds demo-model demo-diagnostics base-model browser clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Debian's Chromium for the browser tests (never `playwright install`: it downloads).
browser:
	@test -x $(CHROMIUM) || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

run: setup
	$(VENV)/bin/distill ui

test: lint browser
	$(PY) -m pytest

# The inner loop: every test that trains nothing (those that train are marked slow, and
# tests/training_marks.py fails one that trains unmarked). `make test` stays the gate.
test-fast: setup browser
	$(PY) -m pytest -m "not slow"

lint: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

# The same gate as `make test` (the name STYLE.md and the README use).
check: test

# Every benchmark (about 5 minutes on a 2-core CPU, 2 of them decoding a 10-minute file), then the table in bench/README.md.
bench: setup
	$(PY) bench/bench_grid.py
	$(PY) bench/bench_edit.py
	$(PY) bench/bench_gestures.py
	$(PY) bench/bench_palette.py
	$(PY) bench/bench_open_file.py
	$(PY) bench/bench_codes.py --long
	$(PY) bench/bench_demo.py
	$(PY) bench/bench_diagnostics.py
	$(PY) bench/bench_training.py $(DEMO_SOUNDS) --steps 100 --out bench/results/training.json
	$(PY) bench/bench_prior.py --model demo --out bench/results/prior.json
	$(PY) bench/report.py

# The quality run: 15 minutes of training on real recordings that Debian packages
# ship (bench/corpus.py says which; it installs nothing), measured on held-out files.
bench-corpus: setup
	$(PY) bench/corpus.py build/corpus
	$(PY) bench/bench_training.py build/corpus --minutes 15 --out bench/results/training_corpus.json
	$(PY) bench/bench_prior.py --corpus build/corpus --minutes 5 --prior-minutes 1.5 \
	  --out bench/results/prior_corpus.json --images bench/results/prior_corpus.png
	$(PY) bench/report.py

# One vs two torchrun training processes, and folder encoding at 1 and 2 jobs (a few
# minutes on 2 cores; bench/README.md, "Bigger machines").
bench-scale: setup
	$(PY) bench/bench_scale.py
	$(PY) bench/report.py

demo-sounds: setup
	$(PY) -m distill.demo.sounds

# The bundled demo model, trained by `distill train` on the demo sounds with a step budget and
# a fixed seed, so the same machine rebuilds the same weights: 1000 steps from scratch (the
# demo's autoencoder predates the base model; the browser tests and benchmarks open it), the
# 250 epochs at which a time budget would stop (under 2 minutes on 2 CPU cores), then its
# prior over codes (`distill train` adds it: up to 1000 steps, early stopping, well under a
# minute). Only the prior was trained again since (`distill train-prior`, seed 0: version 2).
demo-model: setup
	rm -rf build/demo-model
	DISTILL_HOME=build/demo-model $(VENV)/bin/distill train $(DEMO_SOUNDS) --name distill-demo \
	  --steps $(DEMO_STEPS) --seed 0 --device cpu --from-scratch
	cp build/demo-model/models/distill-demo.distill src/distill/demo/demo.distill

# The base model every training starts from (src/distill/models/weights/): render its audio
# from the sources its data card names (Debian's fluidsynth, musescore-general-soundfont-lossless
# and espeak-ng), pretrain it in two schedules (hours on a CPU; a GPU is used when present):
# BASE_STEPS steps at learning rate 1e-3 falling to 1e-4, then that export continued
# (`distill.base.pretrain --init`) to BASE_MORE_STEPS at 5e-4 falling to 3e-5; write the card,
# copy the weights. Resumable: run it again and it goes on from the last checkpoint in
# build/base or build/base-more. BASE_MINUTES=60 stops each sitting of a schedule after an
# hour. The shipped base's first schedule was planned for 8000 steps and stopped at 4900, so
# this reproduces its recipe, not its exact weights (bench/README.md, the base model).
BASE_STEPS := 4900
BASE_MORE_STEPS := 20000
BASE_MINUTES :=
BASE_SITTING = $(if $(BASE_MINUTES),--minutes $(BASE_MINUTES))
base-model: setup
	$(PY) -m distill.base.render build/base-data
	$(PY) -m distill.base.pretrain build/base-data --out build/base --steps $(BASE_STEPS) \
	  $(BASE_SITTING)
	@$(PY) -c "import sys; from pathlib import Path; from distill.base.pretrain import read_log; \
	  sys.exit((read_log(Path('build/base/log.jsonl')) or [{'step': 0}])[-1]['step'] < $(BASE_STEPS))" \
	  || { echo "The first schedule is not finished: run make base-model again."; exit 1; }
	$(PY) -m distill.base.pretrain build/base-data --out build/base-more \
	  --init build/base/base.distill --steps $(BASE_MORE_STEPS) --learning-rate 5e-4 \
	  --final-learning-rate 3e-5 $(BASE_SITTING)
	$(PY) -m distill.base.card build/base-data build/base build/base-more \
	  src/distill/models/weights/DATA_CARD.md
	cp build/base-more/base.distill src/distill/models/weights/base.distill

# The codebook diagnostics (code use, level contributions) of the demo model, its weights kept.
demo-diagnostics: setup
	$(PY) -m distill.demo.diagnostics

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache

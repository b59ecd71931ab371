# Two commands: `make run` (set up, run the pipeline, serve the model) and `make test`.
SHELL := /bin/bash
# .venv's interpreter: the system's own python3.11 when it can make a venv, else the first on PATH.
# Debian's links libpython into the executable and is built with PGO and LTO; a cold `dvc repro`
# (21 interpreter start-ups, DVC's pure-Python YAML) ran about 10% faster with it than with pyenv's
# shared-libpython build (README, Speed). `make PYTHON=...` chooses another.
PYTHON ?= $(or $(firstword $(foreach p,/usr/bin/python3.11 $(shell command -v python3.11 python3),\
	$(shell $(p) -c 'import ensurepip, venv' 2>/dev/null && echo $(p)))),python3.11)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
export BENTOML_DO_NOT_TRACK := true
HOST ?= 127.0.0.1
PORT ?= 3000

.NOTPARALLEL:  # run's steps (port check, pipeline, serve) go in order, even under make -j
.PHONY: setup port-free run pipeline report serve test test-fast lint bench reliability audit container browser-deps clean

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

setup: $(VENV)/.installed  ## create .venv with the pinned dependencies

pipeline: setup  ## compose conf/, reproduce the DVC pipeline, print the results
	scorecast compose
	dvc repro
	scorecast report

report: setup
	scorecast report

run: port-free pipeline serve  ## the main job: pipeline, then serve the model on $(HOST):$(PORT)

port-free: setup  ## refuse a HOST:PORT that bentoml serve cannot use, before the pipeline runs
	@python scripts/port_free.py '$(HOST)' '$(PORT)'

serve: setup port-free  ## serve the packaged model on $(HOST):$(PORT)
	bentoml serve service:ScoreCast --host $(HOST) --port $(PORT)

test: setup browser-deps  ## every test tier (browser tests need Chromium: installed here when possible)
	pytest

test-fast: setup  ## the tests that start no server and run no pipeline (about 40 s)
	pytest -m "not slow and not browser"

lint: setup
	ruff check src tests bench scripts service.py
	ruff format --check src tests bench scripts service.py

bench: setup  ## pipeline and serving benchmarks against the tutorials' baselines (prints tables)
	pip install --quiet -c requirements.lock -r bench/requirements.txt
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || true
	python bench/pipeline.py
	python bench/serve.py
	python bench/coverage.py

reliability: setup  ## fuzzing (3,000 examples an endpoint), 60 s of load at concurrency 32, killed and corrupt runs; prints tables
	SCORECAST_RELIABILITY=full pytest -m reliability tests/reliability tests/e2e/test_repro.py

.venv-audit/.installed: scripts/audit-requirements.txt
	$(PYTHON) -m venv .venv-audit
	.venv-audit/bin/pip install --quiet -r scripts/audit-requirements.txt
	touch $@

audit: .venv-audit/.installed  ## pip-audit the pinned dependencies (own venv); lists findings and what could not be checked
	.venv-audit/bin/python scripts/audit.py requirements.lock

container: setup  ## build the bento into an image with podman and smoke-test it on 127.0.0.1
	bash scripts/container.sh

browser-deps:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		echo "chromium not installed: browser tests will be skipped"

clean:
	rm -rf .scorecast results reports plots metrics.json

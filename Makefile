# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000
# Default sources for `make run`: knowledge/default-sources.yaml (our templates, plus the
# shared eval corpus when it sits beside the checkout). Override: make run SOURCES="path ...".
SOURCES ?= --defaults

.PHONY: run test install install-dev lint typecheck pytest ingest serve bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[dev]"
	touch $(STAMP) $@

install: $(STAMP)
install-dev: $(DEV_STAMP)

ingest: $(STAMP)
	$(BIN)/regelrett ingest $(SOURCES)

serve: $(STAMP)
	$(BIN)/regelrett serve --host $(HOST) --port $(PORT)

run: $(STAMP)
	$(BIN)/regelrett ingest $(SOURCES) || echo "Some sources failed to ingest (see the table above); serving the rest."
	$(BIN)/regelrett serve --host $(HOST) --port $(PORT)

lint: $(DEV_STAMP)
	$(BIN)/ruff check assistant ingest evals tests
	$(BIN)/ruff format --check assistant ingest evals tests

typecheck: $(DEV_STAMP)
	$(BIN)/mypy assistant ingest

pytest: $(DEV_STAMP)
	$(BIN)/pytest

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/regelrett bench ingest $(SOURCES)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

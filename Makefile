# Two commands for a fresh machine (see README.md):
#   make        set everything up in .venv and run the main job
#   make test   lint, format-check and run the whole test suite
# Other targets: bench (speed against PyTorch), demo, constraints, clean.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: all setup demo test lint bench constraints clean

all: demo

# The venv is rebuilt when the dependency declarations change.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

setup: $(STAMP)

demo: setup
	$(BIN)/python -m mlpbook.demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest

# PyTorch goes into a separate venv: it is never a dependency of the book.
BENCH_VENV := .bench-venv
$(BENCH_VENV)/.installed-stamp: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade "pip>=24"
	$(BENCH_VENV)/bin/python -m pip install --quiet -c constraints.txt -e . torch==2.13.0
	touch $@

bench: $(BENCH_VENV)/.installed-stamp
	$(BENCH_VENV)/bin/python bench/train_step.py

# Re-pin constraints.txt to what is installed now (after changing pyproject.toml).
constraints: setup
	{ echo "# Exact versions the project is tested with (pip install -c constraints.txt)."; \
	  echo "# Regenerate with: make constraints"; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -vi '^mlpbook'; } > constraints.txt

clean:
	rm -rf $(VENV) $(BENCH_VENV) _build .pytest_cache .ruff_cache

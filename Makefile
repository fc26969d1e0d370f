# Two commands for a fresh machine (see README.md):
#   make        set everything up (.venv, web assets, Chromium) and build the book
#   make test   lint, format-check, build the book from scratch and run every test (on as
#               many pytest-xdist workers as cores, a file per worker)
# Other targets: book, student, kits, bench, bench-pages, bench-grading, demo, constraints, clean.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# CI builds from scratch; locally `make book` reuses the execution cache.
BOOK_FLAGS ?=

.PHONY: all setup demo book student kits test lint bench bench-pages bench-grading constraints clean

all: book

# The venv is rebuilt when the dependency declarations change.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 > /dev/null
	touch $@

setup: $(STAMP)
	@bash tools/setup_system.sh
	$(BIN)/python tools/fetch_assets.py

demo: setup
	$(BIN)/python -m mlpbook.demo

# Student versions of the graded notebooks, generated from solutions/ by nbgrader.
student: setup
	$(BIN)/python autograder/release.py

# The student kit of every graded notebook (chapters/NN_*/<assignment>_kit.zip: the student
# notebook, the mlpbook wheel, requirements.txt, README.txt), linked from its exercise page.
kits: student
	$(BIN)/python autograder/release.py --kits

book: setup student kits
	$(BIN)/jupyter-book build . -W -n --keep-going $(BOOK_FLAGS)
	@echo "The book is built: open $(CURDIR)/_build/html/index.html"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	rm -rf _build
	$(MAKE) book BOOK_FLAGS=--all
	$(BIN)/python -m pytest -n auto --dist loadfile

# PyTorch goes into a separate venv: it is never a dependency of the book.
BENCH_VENV := .bench-venv
$(BENCH_VENV)/.installed-stamp: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade "pip>=24"
	$(BENCH_VENV)/bin/python -m pip install --quiet -c constraints.txt -e . torch==2.13.0
	touch $@

bench: $(BENCH_VENV)/.installed-stamp
	$(BENCH_VENV)/bin/python bench/train_step.py

# course-grade against sequential `nbgrader autograde` on a generated class of 60.
bench-pages: setup
	$(BIN)/python bench/pages.py

bench-grading: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python bench/grading.py

# Re-pin constraints.txt to what is installed now (after changing pyproject.toml).
constraints: $(STAMP)
	{ echo "# Exact versions the project is tested with (pip install -c constraints.txt)."; \
	  echo "# Regenerate with: make constraints"; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -vi '^mlpbook'; } > constraints.txt

clean:
	rm -rf $(VENV) $(BENCH_VENV) _build .pytest_cache .ruff_cache
	rm -f chapters/*/*_kit.zip

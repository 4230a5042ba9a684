# One entry point for readers and maintainers. `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
JUPYTER_PORT ?= 8888
JB_STRICT := -W -n --keep-going
PIP_VERSION := 26.3

# torch: the book runs on the CPU, so on Linux the CPU build is installed (PyPI's default
# Linux wheel is the multi-gigabyte CUDA build). `make book TORCH=cuda` installs PyPI's
# default build instead, for readers with an NVIDIA GPU (on a fresh .venv: delete .venv
# to switch). macOS and Windows wheels on PyPI are CPU builds already.
TORCH ?= cpu
TORCH_VERSION := $(shell sed -n 's/^torch==\([^ ;#]*\).*/\1/p' requirements.txt)
ifeq ($(TORCH)-$(shell uname -s),cpu-Linux)
TORCH_INDEX := --index-url https://download.pytorch.org/whl/cpu
endif

.PHONY: help venv data book robust test test-fast lint serve live clean bench
.DEFAULT_GOAL := help

help:
	@echo "make book    set up .venv if needed, fetch the corpus, build the book into _build/html"
	@echo "             (the pages execute side by side, one per core, JOBS=n to choose;"
	@echo "             TORCH=cuda: install the CUDA build of torch instead of the CPU one)"
	@echo "make robust  the robustness build: every page again with RNNBOOK_SEED_OFFSET=1000"
	@echo "             and ATEN_CPU_CAPABILITY=default (other seeds, plain kernels); fails on"
	@echo "             a failing cell, lists moved glued values in artifacts/robust/moved.csv"
	@echo "make test    set up .venv with the test tools if needed, then run every test"
	@echo "             (the strict build and the robustness build included)"
	@echo "make test-fast  the tests without the book builds and the browser (under a minute)"
	@echo "make lint    ruff over code/, tests/, bench/, _ext/, tools/ (part of make test)"
	@echo "make serve   serve _build/html on http://127.0.0.1:$(PORT)"
	@echo "make live    serve the book with Live Code on a Jupyter server on this computer"
	@echo "make data    obtain the corpus (python -m rnnbook fetch-data)"
	@echo "make bench   run the benchmark suite and print one table"
	@echo "make clean   remove _build and the execution cache"
	@echo "RNNBOOK_SEED_OFFSET=n make book   run every seed of the book shifted by n (default 0)"

# The virtual environment is (re)installed whenever requirements or the package metadata
# change. torch first, alone, from the index chosen above; then everything else, pinned.
$(BIN)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet --no-deps $(TORCH_INDEX) torch==$(TORCH_VERSION)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed requirements-test.txt
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

venv: $(BIN)/.installed

# The corpus, before any page runs: without it (and without network) stop here, with a
# short message naming RNNBOOK_DATA_DIR and the URL.
data: venv
	@$(BIN)/python -m rnnbook fetch-data

# tools/execute_book.py executes the pages side by side (JOBS at a time, default one
# per core; one thread each) into the execution cache; jupyter-book then renders from
# it. The cache is keyed on cell sources only; _ext/cache_guard.py clears it when the
# package, the library versions, RNNBOOK_SEED_OFFSET or the kernel set change.
JOBS ?=
book: data
	$(BIN)/python tools/execute_book.py $(if $(JOBS),--jobs $(JOBS))
	$(BIN)/jupyter-book build . $(JB_STRICT)
	@echo "Built: _build/html/index.html"

# Every page again with other seeds and PyTorch's plain kernels, into _build/robust
# (execution only); compared with the main build's cache in _build, whose missing
# pages are executed first. Part of `make test` (tests/test_robust.py).
robust: data
	$(BIN)/python tools/robust.py $(if $(JOBS),--jobs $(JOBS))

test: lint data
	$(BIN)/python -m pytest

# ruff (pinned in requirements-test.txt) at 88 columns, configured in pyproject.toml:
# the package code that the pages include fits the page.
lint: $(BIN)/.installed-test
	$(BIN)/ruff check code tests bench _ext tools

# For contributors: everything but the book builds (strict and robust) and the browser.
test-fast: $(BIN)/.installed-test data
	$(BIN)/python -m pytest -m "not book and not robust and not browser" -q

serve:
	@test -f _build/html/index.html || { echo "Nothing to serve: run 'make book' first."; exit 1; }
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

# Live Code without Binder: a Jupyter server on 127.0.0.1:$(JUPYTER_PORT) (random token,
# requests accepted only from the book's address) plus the built book; prints the link.
live: venv
	@test -f _build/html/index.html || $(MAKE) book
	$(BIN)/python tools/live.py --port $(PORT) --jupyter-port $(JUPYTER_PORT)

bench: venv
	$(BIN)/python bench/run_all.py

clean:
	rm -rf _build

# One entry point for readers and maintainers. `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
JUPYTER_PORT ?= 8888
JB_STRICT := -W -n --keep-going

.PHONY: help venv book test serve live clean bench
.DEFAULT_GOAL := help

help:
	@echo "make book    set up .venv if needed, then build the book into _build/html"
	@echo "make test    set up .venv if needed, then run every test (strict clean build included)"
	@echo "make serve   serve _build/html on http://127.0.0.1:$(PORT)"
	@echo "make live    serve the book with Live Code on a Jupyter server on this computer"
	@echo "make bench   run the benchmark suite and print one table"
	@echo "make clean   remove _build and the execution cache"

# The virtual environment is (re)installed whenever requirements or the package metadata change.
$(BIN)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

venv: $(BIN)/.installed

# The execution cache is keyed on cell sources only; _ext/cache_guard.py (a Sphinx
# extension) clears it when the package changes, so no page shows stale outputs.
book: venv
	$(BIN)/jupyter-book build . $(JB_STRICT)
	@echo "Built: _build/html/index.html"

test: venv
	$(BIN)/python -m pytest

serve:
	@test -f _build/html/index.html || { echo "Nothing to serve: run 'make book' first."; exit 1; }
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

# Live Code without Binder: a Jupyter server on 127.0.0.1:$(JUPYTER_PORT) (random token,
# requests accepted only from the book's address) plus the built book; prints the link.
live: venv
	@test -f _build/html/index.html || $(MAKE) book
	$(BIN)/python _ext/live.py --port $(PORT) --jupyter-port $(JUPYTER_PORT)

bench: venv
	$(BIN)/python bench/run_all.py

clean:
	rm -rf _build

# The README's two commands:  `make run`  and  `make test`.
# Both create .venv from scratch on a fresh machine (only Python 3.11 and the package registries needed).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test build serve setup lint clean bench

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

build: setup
	$(VENV)/bin/kg build

serve: setup
	$(VENV)/bin/kg serve

# Main job: build the graph from the bundled corpus, then serve it on 127.0.0.1:5000.
run: setup
	$(VENV)/bin/kg build
	$(VENV)/bin/kg serve

lint: setup
	$(VENV)/bin/ruff check kg tests bench

# Whole test suite (what .ci/run calls).
test: setup
	$(VENV)/bin/ruff check kg tests bench
	$(PY) -m pytest -q

bench: setup
	$(PY) -m pip install -q -e ".[test,bench]"
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) output/* build *.egg-info

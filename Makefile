# Two commands for a new user: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test setup test-deps lint typecheck clean

$(BIN)/govgraph: pyproject.toml setup.py
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

setup: $(BIN)/govgraph

demo: setup  ## build the demo graph into govgraph.db and serve it on http://127.0.0.1:8000
	$(BIN)/govgraph demo

test-deps: setup  ## system packages the tests need (headless Chromium; Java and Maven for Neo4j)
	bash tools/install-test-deps.sh

test: test-deps  ## set up everything and run every test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .

typecheck: setup  ## mypy over api/, graph/, loaders/ and govgraph/ (settings in pyproject.toml)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) govgraph.db govgraph.db-wal govgraph.db-shm

# Chainward: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.base: requirements/base.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements/base.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.dev: requirements/dev.lock $(VENV)/.base
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.lock
	touch $@

run: $(VENV)/.base
	$(BIN)/chainward demo
	PORT=$(PORT) $(BIN)/chainward serve

test: $(VENV)/.dev
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench

# Re-pin dependencies (needs `uv` on PATH); commit the resulting lock files.
lock:
	cd requirements && uv pip compile --generate-hashes --python-version 3.11 base.in -o base.lock
	cd requirements && uv pip compile --generate-hashes --python-version 3.11 dev.in -o dev.lock

clean:
	rm -rf $(VENV) staticfiles

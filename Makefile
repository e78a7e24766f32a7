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

# Re-pin dependencies (needs `uv` on PATH); commit the resulting lock files. pyproject.toml holds
# the one list of dependencies (extras `build` and `test`); the lock files add hashes.
lock:
	cd requirements && uv pip compile --generate-hashes --python-version 3.11 ../pyproject.toml --extra build -o base.lock
	cd requirements && uv pip compile --generate-hashes --python-version 3.11 ../pyproject.toml --extra build --extra test -o dev.lock

clean:
	rm -rf $(VENV) staticfiles

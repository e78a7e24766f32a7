# Chainward: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The lock files list every package with its hash, so pip installs them as listed (--no-deps)
# and does not resolve again: a resolver asked for `fonttools[woff]>=…` by weasyprint looks past
# the locked fonttools to the newest release, whose hash the lock cannot hold. `pip check`
# proves the locked set satisfies every requirement.
PIP_LOCKED := $(BIN)/pip install --quiet --disable-pip-version-check --no-deps --require-hashes

$(VENV)/.base: requirements/base.lock pyproject.toml | $(BIN)/python
	$(PIP_LOCKED) -r requirements/base.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/pip check
	touch $@

$(VENV)/.dev: requirements/dev.lock $(VENV)/.base
	$(PIP_LOCKED) -r requirements/dev.lock
	$(BIN)/pip check
	touch $@

# Data served from pinned npm packages (package.json, package-lock.json with their integrity
# hashes), never committed: Natural Earth country outlines for the map (world-atlas).
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

run: $(VENV)/.base node_modules/.installed
	$(BIN)/chainward demo
	PORT=$(PORT) $(BIN)/chainward serve

test: $(VENV)/.dev node_modules/.installed
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
	rm -rf $(VENV) staticfiles node_modules

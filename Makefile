# keyclusters: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/keyclusters
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev lint format messages clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the pinned requirements or the package metadata change.
$(VENV)/.base-installed: requirements/base.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-installed: requirements/dev.txt $(VENV)/.base-installed
	$(BIN)/pip install --quiet -r requirements/dev.txt
	touch $@

install: $(VENV)/.base-installed

install-dev: $(VENV)/.dev-installed

run: install
	KEYCLUSTERS_DEV=1 $(BIN)/keyclusters demo
	KEYCLUSTERS_DEV=1 $(BIN)/keyclusters serve --dev --host $(HOST) --port $(PORT)

# Static checks first (ruff, the import contracts of pyproject.toml, mypy on the domain), then
# the pytest runs side by side: the whole suite on SQLite and on PostgreSQL, and the tests
# marked `concurrency` on a SQLite file (keyclusters/devtools/suites.py; logs in var/test-logs).
# With CI=true, a PostgreSQL that does not answer at PG_URL is a failure.
test: install-dev
	bash scripts/system-packages.sh
	bash tests/browser/install-browser.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/mypy
	$(BIN)/python -m keyclusters.devtools.suites --pg-url "$(PG_URL)" -- $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/mypy

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install-dev
	cd keyclusters && ../$(BIN)/keyclusters makemessages -l pl -l en --no-obsolete
	$(BIN)/python -m keyclusters.devtools.messages

bench: install-dev
	$(BIN)/python bench/import_members.py

clean:
	rm -rf $(VENV) var/keyclusters.sqlite3

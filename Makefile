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

test: install-dev
	bash scripts/system-packages.sh
	bash tests/browser/install-browser.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@echo "== pytest on SQLite =="
	DATABASE_URL=sqlite:///:memory: $(BIN)/pytest -q
	@if $(BIN)/python -m keyclusters.devtools.pg_available "$(PG_URL)"; then \
		echo "== pytest on PostgreSQL =="; \
		DATABASE_URL="$(PG_URL)" $(BIN)/pytest -q --create-db || exit 1; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not reachable at $(PG_URL); CI requires it." >&2; exit 1; \
	else \
		echo "PostgreSQL is not reachable at $(PG_URL): ran the suite on SQLite only." >&2; \
	fi

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

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

# The two commands a new user needs: `make run` and `make test`. Everything else is for
# working on the project. Needs only Python 3.11+ (with venv) and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
DEMO_AGENDA := projects/demo/some-conceptual-alignment-research-projects.md
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run serve test lint fmt check check-config audit lock clean bench bench-sweep bench-slow-clients backup restore

help:
	@echo "make run    set up on SQLite, load the demo agenda, serve http://$(HOST):$(PORT)"
	@echo "make test   run the test suite (PostgreSQL when DATABASE_URL is set)"
	@echo "make serve  the production setup in the foreground on http://$(HOST):$(PORT) (see README)"
	@echo "make bench  every page under load, small and large boards (PostgreSQL, wrk)"
	@echo "make bench-sweep   how the sweep scales (100 and 10,000 claims)"
	@echo "make bench-slow-clients   slow clients against each app server setup"
	@echo "make backup [FILE=...] | restore FILE=...   back up the database, restore into an empty one"
	@echo "make lint | fmt | check (deploy checks, migrations, dependency audit) | audit | lock | clean"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the declared or pinned dependencies change.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

run: export DEBUG ?= true
# The local admin reaches the admin with a password alone; STAFF_MFA_REQUIRED=true to try the rule.
run: export STAFF_MFA_REQUIRED ?= false
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) rerender_markdown
	$(MANAGE) import_agenda $(DEMO_AGENDA)
	$(MANAGE) ensure_local_admin --url http://$(HOST):$(PORT)/
	@# The sweep (reminders, dormancy, digests, retries) runs beside the server, once a minute.
	$(MANAGE) sweep --every 60 > var/sweep.log 2>&1 & sweeper=$$!; \
	trap 'kill $$sweeper 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST):$(PORT)

# Production, in the foreground: migrate, collect static files, then the app server (granian),
# the task worker and the sweep; Ctrl-C stops them all. Settings come from the environment
# (SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, CACHE_URL, EMAIL_URL: see the README).
serve: export DEBUG ?= false
serve: export TASKS_BACKEND ?= django_tasks_db.DatabaseBackend
serve: install
	exec $(MANAGE) serve --host $(HOST) --port $(PORT)

# Two workers by default, each with a test database of its own; TEST_WORKERS=0 runs in one
# process (as does `.venv/bin/pytest` alone), TEST_WORKERS=auto on every core.
TEST_WORKERS ?= 2
test: install
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every kind of page under load from wrk, on a small and a large board, each in a database of
# its own beside DATABASE_URL's (PostgreSQL); a table, and reports in var/bench/.
bench: install
	$(BIN)/python bench/pages.py $(BENCH_ARGS)

# How the sweep scales, at 100 and 10,000 claims, on a throwaway database beside
# DATABASE_URL's (PostgreSQL) or in var/ (SQLite).
bench-sweep: install
	$(BIN)/python bench/sweep.py

# Connections that trickle their headers against gunicorn (sync, gthread), uvicorn's WSGI
# adapter, granian and `make serve`, with and without nginx in front (when installed).
bench-slow-clients: install
	$(BIN)/python bench/slow_clients.py $(BENCH_ARGS)

# A consistent backup of DATABASE_URL's database (or var/db.sqlite3) into var/backups/, or
# FILE; it prints the path. `make restore FILE=...` restores one into an empty database.
backup: install
	$(MANAGE) backup $(FILE)

restore: install
	@test -n "$(FILE)" || { echo "Say which backup: make restore FILE=var/backups/..."; exit 2; }
	$(MANAGE) restore $(FILE)

# `check --deploy` under the environment of a production deploy (several app servers, so a
# shared Redis cache for the rate limits: the check only reads the setting, it connects to
# nothing), no missing migrations, and no known vulnerability in a pinned dependency.
check: check-config audit

check-config: install
	DEBUG=true $(MANAGE) makemigrations --check --dry-run
	DEBUG=false SECRET_KEY=$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))") \
	ALLOWED_HOSTS=board.example.org DATABASE_URL=$${DATABASE_URL:-sqlite:///:memory:} \
	EMAIL_URL=smtp+tls://board@mail.example.org:587 CACHE_URL=$${CACHE_URL:-redis://127.0.0.1:6379/0} \
	$(MANAGE) check --deploy --fail-level WARNING

# Known vulnerabilities in any pinned dependency, from PyPI's advisory data. --strict fails
# when a package could not be looked up, so an audit that could not look does not pass;
# AUDIT_STRICT= still fails on every vulnerability found but only warns about lookups.
AUDIT_STRICT ?= --strict
audit: install
	$(BIN)/pip-audit $(AUDIT_STRICT) --no-deps --disable-pip -r constraints.txt

# After changing dependencies in pyproject.toml: pin what they resolve to today.
lock:
	rm -rf $(VENV)/.lock && $(PYTHON) -m venv $(VENV)/.lock
	$(VENV)/.lock/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(VENV)/.lock/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	{ sed -n '1,3p' constraints.txt; $(VENV)/.lock/bin/python -m pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt && rm -rf $(VENV)/.lock

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache *.egg-info

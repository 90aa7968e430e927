# Udsyn: `make demo` and `make test` work from a fresh clone on Debian 12.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UDSYN := $(VENV)/bin/udsyn
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
SEEDS := data/reference/dk-municipalities.yaml $(sort $(wildcard data/seed/*.yaml))
VENDOR := udsyn/static/vendor

.PHONY: help setup system venv assets messages idp demo test lint typecheck migrations-check \
        test-sqlite test-postgres test-browser bench bench-import bench-form audit clean

help:
	@echo "make demo   - set up, load the three municipalities' seed data and serve on http://127.0.0.1:$(PORT),"
	@echo "              with one background worker (udsyn worker) beside the server, stopped with it"
	@echo "make test   - set up and run every check (ruff, mypy, migrations, tests on SQLite and PostgreSQL, browser)"
	@echo "make bench  - measure pages, reports, import and export at national scale on SQLite and PostgreSQL, and"
	@echo "              load-test gunicorn on PostgreSQL; results in docs/benchmarks.md (about 45 minutes)"
	@echo "make bench-import - import 5,000 rows through the web while 20 clients browse, on SQLite and PostgreSQL"
	@echo "make audit  - check the installed Python and npm packages against known advisories (pip-audit and"
	@echo "              npm audit when they answer, else the snapshot in data/advisories/); says which it used"
	@echo "make bench-form - 200 sends of the public inquiry form in bursts from 20 clients behind the trusted"
	@echo "              proxy, on SQLite and PostgreSQL; checks the hourly limit holds (about 2 minutes each)"

# The steps that fetch packages (pip, and npm for the assets) wait mostly on the network: they run side by side.
setup: system
	$(MAKE) --no-print-directory -j3 venv assets
	$(MAKE) --no-print-directory messages

system:
	@bash scripts/setup-system.sh

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip "setuptools>=78.1.1"
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

assets: $(VENDOR)/.installed
$(VENDOR)/.installed: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/dkfds $(VENDOR)/htmx $(VENDOR)/axe
	cp -r frontend/node_modules/dkfds/dist/css frontend/node_modules/dkfds/dist/fonts \
	      frontend/node_modules/dkfds/dist/img frontend/node_modules/dkfds/dist/js $(VENDOR)/dkfds/
	cp frontend/node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp frontend/node_modules/axe-core/axe.min.js $(VENDOR)/axe/
	touch $@

# The test-only identity providers of the single sign-on tests (tests/test_sso.py): oidc-provider under node.
IDP_OIDC := tests/idp/oidc
idp: $(IDP_OIDC)/node_modules/.installed
$(IDP_OIDC)/node_modules/.installed: $(IDP_OIDC)/package-lock.json
	cd $(IDP_OIDC) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

messages: $(VENV)/.installed
	$(UDSYN) compilemessages -v 0

demo: setup
	$(UDSYN) migrate --noinput -v 0
	$(UDSYN) import $(SEEDS)
	$(UDSYN) create_demo_users
	@echo "Serving on http://127.0.0.1:$(PORT)/ (English: http://127.0.0.1:$(PORT)/en/), with one worker"
	bash scripts/serve-with-worker.sh $(UDSYN) 127.0.0.1:$(PORT)

# The set-up steps side by side (the test identity provider's npm install too), then the static checks side by
# side (mypy takes longest; ruff, import-linter and the migrations check run beside it), then the suites.
test: system
	$(MAKE) --no-print-directory -j3 venv assets idp
	$(MAKE) --no-print-directory messages
	$(MAKE) --no-print-directory -j2 --output-sync=target typecheck lint migrations-check
	$(MAKE) --no-print-directory test-sqlite test-postgres test-browser

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy udsyn

migrations-check: $(VENV)/.installed
	$(UDSYN) makemigrations --check --dry-run

# The suite runs in parallel with pytest-xdist, one worker per core (each with its own test database);
# tests that share a module-scoped fixture stay in one worker (tests/conftest.py). XDIST= runs it serially.
XDIST ?= -n auto --dist loadgroup

test-sqlite: idp
	$(VENV)/bin/pytest -m "not browser" -q $(XDIST)

test-postgres: idp
	@if $(PY) scripts/pg_answers.py "$(PG_URL)"; then \
	  echo "PostgreSQL answers at $(PG_URL): running the suite on it"; \
	  DATABASE_URL="$(PG_URL)" $(VENV)/bin/pytest -m "not browser" -q $(XDIST); \
	else echo "No PostgreSQL at $(PG_URL): skipping the PostgreSQL run"; fi

test-browser: idp
	$(VENV)/bin/pytest -m browser -q

# Benchmarks at national scale (issue 7): a generated set of 98 municipalities, kept between runs in
# var/bench/ (SQLite) and the database udsyn_bench (PostgreSQL). BENCH_FRESH=1 generates them anew.
BENCH_SQLITE := sqlite:///$(CURDIR)/var/bench/national.sqlite3
BENCH_PG := $(PG_URL:/test=/udsyn_bench)
LOAD_DURATION ?= 5m

bench: setup $(VENV)/.bench
	mkdir -p var/bench
	@if [ -n "$(BENCH_FRESH)" ]; then rm -f var/bench/national.sqlite3; fi
	cd benchmarks && DATABASE_URL="$(BENCH_SQLITE)" ../$(PY) national.py --write ../docs/benchmarks.md
	@if $(PY) scripts/pg_answers.py "$(PG_URL)"; then \
	  $(PY) scripts/pg_createdb.py "$(BENCH_PG)" $(if $(BENCH_FRESH),--fresh,) && \
	  (cd benchmarks && DATABASE_URL="$(BENCH_PG)" ../$(PY) national.py --write ../docs/benchmarks.md) && \
	  DATABASE_URL="$(BENCH_PG)" $(UDSYN) create_demo_users > /dev/null && \
	  (cd benchmarks && ../$(PY) load.py --database-url "$(BENCH_PG)" --duration $(LOAD_DURATION) \
	     --write ../docs/benchmarks.md); \
	else echo "No PostgreSQL at $(PG_URL): measured on SQLite only, no load test"; fi

# Issue 16: a 5,000-row table import through the web (check, then import) while 20 clients browse, on a fresh
# SQLite database and on the PostgreSQL database udsyn_bench_import (dropped and made anew); about 30 minutes.
BENCH_IMPORT_PG := $(PG_URL:/test=/udsyn_bench_import)

bench-import: setup $(VENV)/.bench
	cd benchmarks && ../$(PY) import_under_load.py --write ../docs/benchmarks.md
	@if $(PY) scripts/pg_answers.py "$(PG_URL)"; then \
	  cd benchmarks && ../$(PY) import_under_load.py --database-url "$(BENCH_IMPORT_PG)" --write ../docs/benchmarks.md; \
	else echo "No PostgreSQL at $(PG_URL): measured on SQLite only"; fi

# Issue 17: the public inquiry form under bursts (200 sends, 20 clients through X-Forwarded-For from a trusted
# proxy) on a fresh SQLite database and on the PostgreSQL database udsyn_bench_form (dropped and made anew).
BENCH_FORM_PG := $(PG_URL:/test=/udsyn_bench_form)

bench-form: setup $(VENV)/.bench
	cd benchmarks && ../$(PY) public_form.py --write ../docs/benchmarks.md
	@if $(PY) scripts/pg_answers.py "$(PG_URL)"; then \
	  cd benchmarks && ../$(PY) public_form.py --database-url "$(BENCH_FORM_PG)" --write ../docs/benchmarks.md; \
	else echo "No PostgreSQL at $(PG_URL): measured on SQLite only"; fi

$(VENV)/.bench: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	touch $@

clean:
	rm -rf $(VENV) $(VENDOR) frontend/node_modules $(IDP_OIDC)/node_modules var

# The dependency audit (docs/operations.md#dependency-audit): pip-audit and npm audit when their services
# answer (short timeouts), else the advisory snapshot kept in data/advisories/ (scripts/refresh-advisories.py
# refreshes it). Not part of `make test`: its answer changes with the outside world, not with the code.
audit: venv $(VENV)/.audit
	$(PY) scripts/audit.py
$(VENV)/.audit: pyproject.toml
	$(PY) -m pip install --quiet -e ".[audit]" || echo "pip-audit could not be installed: the snapshot will be used"
	touch $@

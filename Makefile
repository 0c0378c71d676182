# Grant Finder: `make run` to try it, `make test` to check it. See README.md.
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast screenshots chromium lint migrations-check typecheck serve clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@echo "==> Python: creating .venv and installing the pinned requirements (first run, or after they change)"
	test -x $(PY) || "$$(bin/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Each step says what it does; on a fresh clone the first takes longest (a new PostgreSQL and
# every migration: about 25 s here, most of it dj-stripe's tables).
run: $(VENV)/.installed
	@echo "==> 1/5 Database: starting the embedded PostgreSQL in var/pgdata (unless DATABASE_URL is set), applying migrations"
	DJANGO_DEBUG=true $(MANAGE) migrate --no-input
	@echo "==> 2/5 Catalog: the sample opportunities (grants/demo/catalog.xml, fictional, labelled as sample data)"
	DJANGO_DEBUG=true $(MANAGE) sync_grants --source demo --no-alerts
	@echo "==> 2/5 Catalog: also real California Grants Portal opportunities (a 2025-06-16 snapshot, labelled with their source)"
	DJANGO_DEBUG=true $(MANAGE) sync_grants --source ca-portal grants/demo/ca_portal_2025-06-16.json --no-alerts
	@echo "==> 3/5 Funders: real IRS 990-PF returns (funders/demo/returns)"
	DJANGO_DEBUG=true $(MANAGE) sync_funders --source irs-990pf funders/demo/returns
	@echo "==> 4/5 Demo accounts: a grant seeker with a profile and grants scored against it, and a staff user"
	DJANGO_DEBUG=true $(MANAGE) load_demo_data
	@echo "==> 5/5 Serving http://$(HOST):$(PORT)/ with a background worker for search runs (Ctrl+C stops both)"
	DJANGO_DEBUG=true $(MANAGE) db_worker & worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
		DJANGO_DEBUG=true $(MANAGE) runserver $(HOST):$(PORT)

# The production stack locally (gunicorn + db_worker + the periodic commands, production
# settings over plain HTTP on loopback): see bin/serve and README.md "Deployment".
serve: $(VENV)/.installed
	GUNICORN_BIND=$(HOST):$(PORT) bin/serve

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: $(VENV)/.installed
	DJANGO_DEBUG=true $(MANAGE) makemigrations --check --dry-run

# mypy with django-stubs over the apps (pyproject.toml [tool.mypy]); the plugin loads the settings.
typecheck: $(VENV)/.installed
	DJANGO_DEBUG=true $(VENV)/bin/mypy

# Chromium first: without it the browser tests would fail after minutes of the rest.
test: chromium lint migrations-check typecheck
	$(VENV)/bin/pytest

# The edit loop: the suite without the browser, migration and ops tests. `make test` still runs all.
test-fast: $(VENV)/.installed
	$(VENV)/bin/pytest -m "not browser and not migrations" --ignore=tests/ops

# Refreshes the README's screenshots (docs/screenshots/) on purpose; `make test` writes to var/.
screenshots: chromium $(VENV)/.installed
	SCREENSHOTS_DIR=docs/screenshots $(VENV)/bin/pytest -m browser

# Debian's Chromium for the browser tests: found, installed, or one line saying how (bin/find-chromium).
chromium:
	@bin/find-chromium

clean:
	rm -rf $(VENV) staticfiles

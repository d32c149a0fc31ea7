# 廉政风险防范管理系统 — the two commands are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
DEV_ENV := DJANGO_DEBUG=1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install system-packages demo serve test test-fast e2e lint format messages bench loadtest clean

## Shared install step: Debian packages that are missing, the virtualenv and the pinned Python packages.
install: system-packages $(VENV)/.installed

system-packages:
	@bash scripts/install-system-packages.sh --with-browser

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -r requirements-dev.txt
	touch $@

## Install, migrate a SQLite database, load the demo data and serve http://127.0.0.1:8000
demo: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

serve:
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

## Install and run the whole suite (SQLite, tasks in-process; browser tests in headless Chromium).
test: install
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest -n 2 -m "not e2e" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Regenerate the English catalogue and compile it (both files are committed).
messages: install
	$(DEV_ENV) $(PY) manage.py makemessages -l en --no-location --ignore=.venv --ignore=static/vendor
	$(DEV_ENV) $(PY) manage.py compilemessages -l en --ignore=.venv

## Page benchmark (1,000 and 20,000 posts, SQLite and PostgreSQL when reachable) and export benchmark → docs/benchmarks.md
bench: install
	$(PY) -m benchmarks $(BENCH_ARGS)

## 50 logged-in users against gunicorn + PostgreSQL (127.0.0.1:5432) for up to 3 minutes → docs/benchmarks.md
loadtest: install
	$(PY) scripts/loadtest.py $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles .pytest_cache

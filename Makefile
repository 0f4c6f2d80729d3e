# Pulse: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PG_URL ?= postgres://postgres@127.0.0.1:5432/pulse
TEST_DATABASE_URL ?= $(PG_URL)
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/pulse_bench

.PHONY: run serve-prod test lint bench install chromium clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# axe-core for the browser tests' accessibility checks (npm registry, pinned by package-lock.json).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Embedded mode (SQLite, tasks in-process) unless DATABASE_URL / REDIS_URL are set;
# with REDIS_URL a real Celery worker and beat run beside the web server.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py load_demo
	@echo "Open http://127.0.0.1:8000/ (Ctrl-C stops everything)"
	@if [ -n "$$REDIS_URL" ]; then \
	  trap 'kill 0' EXIT; \
	  $(VENV)/bin/celery -A config worker --beat --loglevel=INFO --concurrency=2 & \
	  $(PY) manage.py runserver 127.0.0.1:8000; \
	else \
	  $(PY) manage.py runserver 127.0.0.1:8000; \
	fi

# The production topology on this machine: gunicorn (WEB_CONCURRENCY workers), a Celery worker and
# beat, run by honcho from the Procfile, with production settings, against the local PostgreSQL and
# Redis, on loopback only. DEMO=1 loads the demo organisation first. A SECRET_KEY is made once and
# kept in .secret_key (mode 600) unless the environment gives one.
SERVE_ENV = DJANGO_SETTINGS_MODULE=config.settings.production PATH="$(CURDIR)/$(VENV)/bin:$$PATH" \
  DATABASE_URL="$${DATABASE_URL:-$(PG_URL)}" REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/0}" \
  SECRET_KEY="$${SECRET_KEY:-$$(cat .secret_key)}" ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
  SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-false}" BIND="$${BIND:-127.0.0.1:8000}"
serve-prod: install
	@test -n "$$SECRET_KEY" -o -s .secret_key || (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n=+/' > .secret_key)
	@if [ -z "$$DATABASE_URL" ]; then psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'pulse'" \
	  | grep -q 1 || createdb -h 127.0.0.1 -U postgres pulse; fi
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	@if [ -n "$(DEMO)" ]; then $(SERVE_ENV) $(PY) manage.py load_demo; fi
	@echo "Open http://$${BIND:-127.0.0.1:8000}/ (Ctrl-C stops every process)"
	$(SERVE_ENV) $(VENV)/bin/honcho -f Procfile start web worker beat

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The whole suite against the real PostgreSQL and Redis of this machine (never mocks).
test: install chromium node_modules/.installed
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=lint-only-$$(head -c 32 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
	  ALLOWED_HOSTS=pulse.example.org $(PY) manage.py check --deploy --fail-level WARNING

# Generates 100,000, 300,000 and 1,000,000 responses once, a database each (about 8 minutes), then
# times them; see bench/aggregate.py.
bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/aggregate.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/heatmap.py
	$(PY) bench/sentiment.py
	$(PY) bench/scrub.py
	$(PY) bench/submit.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3

# Schemathesis against our own OpenAPI schema, every endpoint, with valid admin and read keys:
# no 5xx, every response as the schema declares it (issue 4).
.PHONY: fuzz
fuzz: install
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest tests/api/fuzz_api.py -q -p no:cacheprovider

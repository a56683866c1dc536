# Grid Academy — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: install system-packages run serve-prod test test-fast e2e migrate messages compilemessages seed worker lint format check-deploy clean bench-exam-day

# The SCORM runtime (scorm-again, pinned in package.json) built into static files for
# courses/scorm from what the npm install below fetched; the folder is not committed.
SCORM_VENDOR := courses/static/courses/scorm/vendor
SCORM_RUNTIME := $(SCORM_VENDOR)/.built
SCORM_FILES := $(foreach f,scorm12 scorm2004 cross-frame-api cross-frame-lms,$(f).min.js $(f).min.js.map)

install: system-packages $(STAMP) $(NODE_STAMP) $(SCORM_RUNTIME)

# The Debian packages in deploy/debian-packages.txt: installed when root with apt-get, otherwise
# stops here with the exact command (before the virtualenv is made).
system-packages:
	@sh deploy/system-packages.sh

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[test,bench]"
	touch $(STAMP)

# The npm packages in package.json (the OpenID provider the single sign-on tests start, the SCORM
# runtime), pinned there; no lock file is written (.npmrc).
$(NODE_STAMP): package.json
	npm install --no-package-lock --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

$(SCORM_RUNTIME): $(NODE_STAMP)
	mkdir -p $(SCORM_VENDOR)
	for file in $(SCORM_FILES); do cp node_modules/scorm-again/dist/$$file $(SCORM_VENDOR)/; done
	cp node_modules/scorm-again/LICENSE $(SCORM_VENDOR)/LICENSE.scorm-again
	touch $(SCORM_RUNTIME)

# Local commands run with DEBUG on unless the environment says otherwise.
DEV := DEBUG=$${DEBUG:-1}

migrate: install
	$(DEV) $(PY) manage.py migrate --noinput

compilemessages: install
	$(PY) manage.py compilemessages --ignore=.venv --verbosity 0

seed: migrate
	$(DEV) $(PY) manage.py seed_demo

# The task worker for the configured backend: RQ when REDIS_URL is set, else the database one.
WORKER := if [ -n "$$REDIS_URL" ]; then exec $(PY) manage.py rqworker --job-class django_tasks_rq.Job default; \
	else exec $(PY) manage.py db_worker --queue-name "*"; fi

# Development server plus the background task worker and the scheduler; Ctrl-C stops them all.
run: install compilemessages migrate seed
	$(DEV) sh -c '$(WORKER)' & worker=$$!; \
	$(DEV) $(PY) manage.py run_scheduler & scheduler=$$!; \
	trap "kill $$worker $$scheduler 2>/dev/null" EXIT INT TERM; \
	$(DEV) $(PY) manage.py runserver $(HOST):$(PORT)

# Production-style serving: gunicorn (lms/gunicorn.conf.py) with static files from whitenoise.
# Needs SECRET_KEY and ALLOWED_HOSTS; set SECURE_SSL_REDIRECT=0 when there is no TLS proxy in front.
serve-prod: install compilemessages
	DEBUG=0 $(PY) manage.py migrate --noinput
	DEBUG=0 $(PY) manage.py collectstatic --noinput --verbosity 0
	DEBUG=0 $(VENV)/bin/gunicorn -c lms/gunicorn.conf.py lms.wsgi

worker: install
	$(DEV) sh -c '$(WORKER)'

# Every test, on every core (pytest-xdist; TEST_WORKERS=0 runs them in this one process).
# TEST_TODAY=YYYY-MM-DD moves the clock to that date for the whole run (tests/clock.py).
TEST_WORKERS ?= auto
test: install compilemessages
	TESTING=1 $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Everything but the browser tests.
test-fast: install compilemessages
	$(PY) -m pytest -n $(TEST_WORKERS) -m "not e2e" $(PYTEST_ARGS)

e2e: install compilemessages
	$(PY) -m pytest -m e2e $(PYTEST_ARGS)

# Exam-day load benchmark on PostgreSQL + Redis with the production server configuration
# (docs/performance.md): `make bench-exam-day N=500 BENCH_ARGS="--kill-worker"`.
N ?= 100
BENCH_ARGS ?=
bench-exam-day: install compilemessages
	$(PY) bench/exam_day.py --users $(N) $(BENCH_ARGS)

APPS := courses assessments drills careers

# Refresh the translation catalogues after changing source strings: locale/ holds the platform's
# (lms and shared templates), each domain app keeps its own in <app>/locale/.
messages: install
	$(DEV) $(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=tests \
		--ignore=bench $(foreach app,$(APPS),--ignore=$(app))
	for app in $(APPS); do \
		mkdir -p $$app/locale/zh_Hans/LC_MESSAGES; \
		(cd $$app && $(DEV) ../$(PY) ../manage.py makemessages -l zh_Hans --no-obsolete); \
	done

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

check-deploy: install
	DEBUG=0 SECRET_KEY=$$($(PY) -c "import secrets;print(secrets.token_urlsafe(50))") \
	ALLOWED_HOSTS=academy.example.com $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules db.sqlite3 media static_collected .pytest-db

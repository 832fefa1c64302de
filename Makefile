# The two commands: `make run` (demo portal) and `make test` (whole suite on PostgreSQL + Redis, and beside it
# the suite without browser and worker tests on SQLite, the embedded default of `make run`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/soc_harm
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test test-postgres test-sqlite venv venv-test chromium demo worker clean bench bench-scale

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed requirements-test.txt
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

venv: $(BIN)/.installed
venv-test: $(BIN)/.installed-test

# Debian's Chromium for the browser tests; never a browser download.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installing Debian's chromium"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# Demo mode: DEBUG on and demo users, unless the environment says otherwise.
demo: venv
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py load_demo

run: demo
	@if [ -n "$$REDIS_URL" ]; then \
		DEBUG=$${DEBUG-1} $(BIN)/celery -A portal worker --beat --loglevel=INFO --concurrency=2 & \
		echo "Celery worker started on $$REDIS_URL"; \
	fi; \
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py demo_logins --url http://$(HOST):$(PORT)/; \
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Both runs always run, side by side (one is mostly waiting on PostgreSQL and Redis, the other on the
# CPU); each one's output is printed whole when both are done. Either one failing fails `make test`.
test: venv-test chromium
	@dir=$$(mktemp -d); \
	$(MAKE) --no-print-directory test-postgres > $$dir/postgres.log 2>&1 & postgres=$$!; \
	$(MAKE) --no-print-directory test-sqlite > $$dir/sqlite.log 2>&1 & sqlite=$$!; \
	status=0; wait $$postgres || status=1; wait $$sqlite || status=1; \
	cat $$dir/postgres.log $$dir/sqlite.log; rm -rf $$dir; \
	exit $$status

# The replica is the test database's mirror (a second connection); tests/test_replica.py turns its reads on.
test-postgres: venv-test
	DATABASE_URL=$${DATABASE_URL-$(TEST_DATABASE_URL)} DATABASE_REPLICA_URL=$${DATABASE_URL-$(TEST_DATABASE_URL)} \
		REPLICA_READS=0 REDIS_URL=$${REDIS_URL-$(TEST_REDIS_URL)} \
		SECRET_KEY=$${SECRET_KEY-test-only-secret-key} $(BIN)/python -m pytest $(PYTEST_ARGS)

# No REDIS_URL: tasks run in-process, so tests that need a real worker are left out, and browsers too.
test-sqlite: venv-test
	@echo "SQLite, tasks in-process: the suite without browser and worker tests"; \
	dir=$$(mktemp -d); \
	env -u REDIS_URL DATABASE_URL=sqlite:///$$dir/db.sqlite3 SECRET_KEY=$${SECRET_KEY-test-only-secret-key} \
		$(BIN)/python -m pytest -m "not browser and not worker" $(PYTEST_ARGS); \
	status=$$?; rm -rf $$dir; exit $$status

bench: venv-test
	DATABASE_URL=$${DATABASE_URL-$(TEST_DATABASE_URL)} $(BIN)/python bench/ingest.py
	DATABASE_URL=$${DATABASE_URL-$(TEST_DATABASE_URL)} $(BIN)/python bench/recompute.py
	DATABASE_URL=$${DATABASE_URL-$(TEST_DATABASE_URL)} $(BIN)/python bench/pages.py

# The recompute and page benchmarks at 10 million records (a region of several forces over several
# years); compare with `make bench` at 1 million. Needs about 40 GB free disk and an hour here.
SCALE_RECORDS ?= 10000000
bench-scale: venv-test
	DATABASE_URL=$${DATABASE_URL-$(TEST_DATABASE_URL)} $(BIN)/python bench/recompute.py --records $(SCALE_RECORDS)
	DATABASE_URL=$${DATABASE_URL-$(TEST_DATABASE_URL)} $(BIN)/python bench/pages.py --records $(SCALE_RECORDS)

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles test-artifacts

# Qiao — the two commands: `make demo` and `make test`. Both install what they need.
SHELL := /bin/bash
PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
PORT := $(or $(QIAO_PORT),8000)
SCALE ?= S
DATABASE ?= sqlite
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: demo test install lint soak unit e2e bench bench-deps serve browser-deps messages clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==0.13.9"

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --all-groups --quiet
	touch $@

install: $(VENV)/.installed

## make demo: install, migrate var/qiao.sqlite3, load demo data once, start the web server
## and the task worker (manage.py run_huey, log in var/huey.log), both with the demo settings
## (qiao.settings.demo: DEBUG off, its secret key in var/secret_key); Ctrl-C stops both. Only
## this PC can open it unless QIAO_HOST names an address to listen on (this PC's LAN address, or
## 0.0.0.0): see the README for what that implies. The steps are `qiao demo` (src/qiao/__main__.py).
demo: export DJANGO_SETTINGS_MODULE := qiao.settings.demo
demo: install
	$(PY) -m qiao demo --port $(PORT)

## make test: lint, the whole suite on SQLite, again on PostgreSQL when
## QIAO_TEST_DATABASE_URL is set, browser tests included.
test: install browser-deps lint
	$(PY) manage.py makemigrations --check --dry-run -v0
	@# The first pass is the SQLite one even when the PostgreSQL URL is set (as in .ci/run).
	env -u QIAO_TEST_DATABASE_URL $(PY) -m pytest -q -n 2 --dist loadfile
	@if [ -n "$$QIAO_TEST_DATABASE_URL" ]; then \
		echo "== the suite again on $$QIAO_TEST_DATABASE_URL"; \
		$(PY) -m pytest -q -n 2 --dist loadfile -m "not e2e"; \
	fi

## make lint: ruff; the layers of docs/architecture.md (import-linter, contracts in
## pyproject.toml); types of core, org, approvals and notify (mypy with django-stubs).
lint: install
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

## make soak: the checks too long for every CI run (CHECKS "Where they run"). C18 in full:
## 1,000 reminders, the sending worker SIGKILLed three times — on SQLite, and on PostgreSQL
## when QIAO_TEST_DATABASE_URL is set.
soak: install
	env -u QIAO_TEST_DATABASE_URL NOTIFY_C18_SCALE=1000 NOTIFY_C18_KILLS=3 \
		$(PY) -m pytest -q -p no:cacheprovider tests/notify/test_worker_killed.py
	@if [ -n "$$QIAO_TEST_DATABASE_URL" ]; then \
		NOTIFY_C18_SCALE=1000 NOTIFY_C18_KILLS=3 \
		$(PY) -m pytest -q -p no:cacheprovider tests/notify/test_worker_killed.py; \
	fi

## Browser tests need Debian's chromium and CJK fonts, the PostgreSQL backup tests pg_dump and
## pg_restore (postgresql-client); installed here when missing.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
			|| [ ! -x /usr/bin/pg_dump ] || [ ! -x /usr/bin/pg_restore ]; then \
		echo "Installing chromium, fonts-noto-cjk and postgresql-client with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk postgresql-client >/dev/null; \
	fi

## The served benchmark's load generator: Debian's wrk; installed here when missing.
bench-deps:
	@if ! command -v wrk >/dev/null; then \
		echo "Installing wrk with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	fi

## make bench SCALE=S|M|L [DATABASE=sqlite|postgres] [BENCH_DATABASE_URL=postgres://…/]
##            [BENCH_ARGS="--only list --explain"] [BENCH_ARGS=--served]:
## generate data at that scale into its own database (var/bench-<scale>.sqlite3, or
## qiao_bench_<scale> on the PostgreSQL server, default 127.0.0.1:5432), kept and reused while
## scale, seed and generator version match (a marker table, qiao_bench_meta); measure the
## customer list, its searches, the customer page and the API's list and detail; write
## var/bench-<scale>-<db>.json. `make bench BENCH_ARGS=--summary` compares the saved reports.
## --served: the same requests again as served, gunicorn with the production settings on
## 127.0.0.1 and the load generator wrk (Debian's, installed here when missing) at 1 and 4
## connections. Not part of `make test`. See docs/benchmarks.md.
bench: install $(if $(findstring --served,$(BENCH_ARGS)),bench-deps)
	$(PY) -m tests.perf.bench --scale $(SCALE) --database $(DATABASE) \
		$(if $(BENCH_DATABASE_URL),--database-url "$(BENCH_DATABASE_URL)") $(BENCH_ARGS)

## Recompile translations after editing src/qiao/locale/*/LC_MESSAGES/django.po
messages: install
	cd src/qiao && ../../$(PY) ../../manage.py makemessages -l zh_Hans --no-obsolete && ../../$(PY) ../../manage.py compilemessages

clean:
	rm -rf $(VENV) $(TOOLS) var/static var/test*.sqlite3*

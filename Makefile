# The two set-up commands: `make demo` and `make test`. Each creates .venv and installs itself.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install engine messages demo examples browser axe test check lint format bench bench-web bench-dashboard bench-ingest clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The engine compiled to C with mypyc (trueup/rating/native.py), built again when one of its
# modules changes. Until it is built, or once a module is edited, the engine runs interpreted, to
# the same results. A C compiler and Python's headers are installed when missing.
ENGINE := trueup/rating/compiled/manifest.json
HEADERS := import pathlib, sys, sysconfig; \
	sys.exit(not pathlib.Path(sysconfig.get_paths()["include"], "Python.h").exists())
$(ENGINE): $(STAMP) $(wildcard trueup/rating/*.py trueup/rating/*/*.py)
	@command -v cc >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq gcc; }
	@$(BIN)/python -c '$(HEADERS)' || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-dev; }
	@echo "Compiling the engine (mypyc) into trueup/rating/compiled: about a minute"
	@mkdir -p build && $(BIN)/python -c 'from trueup.rating import native; native.build()' \
		> build/engine.log 2>&1 || { tail -n 40 build/engine.log; exit 1; }

engine: $(ENGINE)

# The Spanish catalogues (trueup/<app>/locale) compiled for gettext; Debian's gettext is
# installed when msgfmt is missing. `make strings` gathers new strings into the catalogues.
messages: $(STAMP)
	@command -v msgfmt >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq gettext; }
	@if ls -d trueup/*/locale >/dev/null 2>&1; then cd trueup && \
		TRUEUP_DEBUG=1 ../$(BIN)/trueup compilemessages --ignore '__pycache__' >/dev/null; fi

strings: $(STAMP)
	@for app in $$(ls -d trueup/*/locale | xargs -n1 dirname); do \
		(cd $$app && TRUEUP_DEBUG=1 ../../$(BIN)/trueup makemessages -l es --no-obsolete >/dev/null) || exit 1; \
	done

# The demo: a book of business in a local SQLite file, served at http://127.0.0.1:8000/. DEBUG is
# on, which also lets it run with the public demo key. Staff are not asked for a second factor
# unless `make demo TRUEUP_STAFF_2FA=1`.
TRUEUP_STAFF_2FA ?= 0
DEMO_ENV := TRUEUP_DEBUG=1 TRUEUP_STAFF_2FA=$(TRUEUP_STAFF_2FA)
demo: messages engine
	$(DEMO_ENV) $(BIN)/trueup migrate --noinput
	$(DEMO_ENV) $(BIN)/trueup load_demo_book
	@echo "Serving TrueUp at http://127.0.0.1:8000/ (log in with a user above; Ctrl-C stops)"
	@echo "Background work: a database worker and the scheduler run beside the server"
	@# The worker and the scheduler run in the background and are stopped with the server.
	@$(DEMO_ENV) $(BIN)/trueup db_worker --no-reload --queue-name '*' & worker=$$!; \
	$(DEMO_ENV) $(BIN)/trueup run_scheduler & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null; wait' EXIT INT TERM; \
	$(DEMO_ENV) $(BIN)/trueup runserver 127.0.0.1:8000

# Every example worksheet rated, with its explanation.
examples: engine
	@for f in examples/*.json; do \
		echo "== $$f"; \
		$(BIN)/trueup rate --explain "$$f" || exit 1; \
		echo; \
	done

# Debian's chromium for the browser tests; a test tool never downloads a browser of its own.
browser:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

# axe-core from npm, injected by the browser tests to check the portal's accessibility.
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(AXE)

axe: $(AXE)

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The whole suite on SQLite with the compiled engine, the engine's own tests again on its Python
# modules, then the database-backed apps again on PostgreSQL.
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test

test: check messages browser axe engine
	$(BIN)/pytest
	TRUEUP_ENGINE=python $(BIN)/pytest tests/rating
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest tests/background tests/core tests/accounts tests/audits tests/reference tests/payroll tests/portal tests/billing tests/letters tests/reporting tests/queues tests/notifications tests/practices tests/endorsements tests/renewals tests/premium_reports tests/anomalies

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: engine
	$(BIN)/python bench/engine.py

bench-web: engine
	$(BIN)/python bench/web.py

bench-dashboard: engine
	$(BIN)/python bench/dashboard.py

bench-ingest: engine
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis trueup/rating/compiled build

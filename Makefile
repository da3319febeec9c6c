# The two set-up commands: `make demo` and `make test`. Each creates .venv and installs itself.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test check lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Until the web app exists, the demo rates every example worksheet and prints its explanation.
demo: $(STAMP)
	@for f in examples/*.json; do \
		echo "== $$f"; \
		$(BIN)/trueup rate --explain "$$f" || exit 1; \
		echo; \
	done

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The whole suite on SQLite, then the database-backed apps again on PostgreSQL.
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test

test: check
	$(BIN)/pytest
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest trueup/accounts trueup/policies trueup/audits

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

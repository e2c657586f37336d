# The two commands of the README: `make run` and `make test`. Each installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
PG_ADMIN_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test test-sqlite test-postgres install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## Serve the app with demo data on SQLite at http://127.0.0.1:5000
run: install
	$(BIN)/flask --app app epeople init-db --demo
	$(BIN)/flask --app app run --host 127.0.0.1 --port 5000

## The whole test suite, on SQLite and then on PostgreSQL ($(PG_ADMIN_URL))
test: test-sqlite test-postgres

test-sqlite: install
	EPEOPLE_TEST_DATABASE=sqlite $(BIN)/python -m pytest -n 2 -q

test-postgres: install
	EPEOPLE_TEST_DATABASE=$(PG_ADMIN_URL) $(BIN)/python -m pytest -n 2 -q

clean:
	rm -rf $(VENV) instance .pytest_cache

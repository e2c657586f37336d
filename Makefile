# The two commands of the README: `make run` and `make test`. Each installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
PG_ADMIN_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# Browser tests (tests/browser/): Debian's chromium, driven by Playwright (PyPI, in the test
# extras), and axe-core from npm (package-lock.json) in node_modules/.
CHROMIUM := /usr/bin/chromium
NODE_STAMP := node_modules/.installed-$(shell cat package.json package-lock.json 2>/dev/null | sha256sum | cut -c1-12)
# The admin diagram editor and viewer (app/admin/static/build/, git-ignored): built with esbuild
# from node_modules/ by `make install`, again whenever a source, .bpmnlintrc or the lock changes.
ADMIN_STATIC := app/admin/static
BUNDLE := $(ADMIN_STATIC)/build/.built
# Chart.js for the statistics pages, copied from node_modules/ by `make install` (git-ignored).
CHART_JS := app/stats/static/vendor/chart.umd.min.js
BUNDLE_SOURCES := $(ADMIN_STATIC)/build.mjs .bpmnlintrc $(wildcard $(ADMIN_STATIC)/src/*.* $(ADMIN_STATIC)/src/*/*.*)
# EPEOPLE_SKIP_BROWSER=1 (the tests then skip the browser tests) does not install chromium
# (node_modules/ is installed all the same: `make install` builds the admin bundles from it).
BROWSER_DEPS := $(if $(filter 1,$(EPEOPLE_SKIP_BROWSER)),,install-browser)

.PHONY: run test test-sqlite test-postgres install install-browser clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP) $(BUNDLE) $(CHART_JS)

## What the browser tests need besides Python: chromium (apt, as root) and axe-core (npm)
install-browser: $(CHROMIUM) $(NODE_STAMP)

# Not root: say so and go on; the browser tests then fail with the same advice
# (EPEOPLE_SKIP_BROWSER=1 skips them instead).
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "*** $(CHROMIUM) is missing and this is not root: run 'sudo apt-get install -y chromium'." >&2; \
	  echo "*** Until then the browser tests FAIL; EPEOPLE_SKIP_BROWSER=1 skips them." >&2; \
	fi

$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
	  echo "*** npm is missing: the diagram editor cannot be built, bpmnlint and axe-core are not installed." >&2; \
	  echo "*** Install Node.js 20+ and npm ('apt-get install -y nodejs npm')." >&2; \
	fi

## Chart.js for the statistics pages (app/stats/), copied from node_modules/ (git-ignored)
$(CHART_JS): $(NODE_STAMP)
	@if [ -f node_modules/chart.js/dist/chart.umd.min.js ]; then \
	  mkdir -p $(@D) && cp node_modules/chart.js/dist/chart.umd.min.js $@; \
	else \
	  echo "*** node_modules/chart.js is missing: the statistics pages show tables without charts." >&2; \
	fi

## The admin bundles (editor, viewer); without Node the rest of the app still runs
$(BUNDLE): $(NODE_STAMP) $(BUNDLE_SOURCES)
	@if [ -d node_modules/esbuild ] && command -v node >/dev/null 2>&1; then \
	  node $(ADMIN_STATIC)/build.mjs && touch $@; \
	else \
	  echo "*** node_modules/ is missing: the diagram editor is not built, so its pages cannot work." >&2; \
	fi

## Serve the app with demo data on SQLite at http://127.0.0.1:5000
run: install
	$(BIN)/flask --app app epeople init-db --demo
	$(BIN)/flask --app app run --host 127.0.0.1 --port 5000

## The whole test suite, on SQLite and then on PostgreSQL ($(PG_ADMIN_URL))
test: test-sqlite test-postgres

test-sqlite: install $(BROWSER_DEPS)
	EPEOPLE_TEST_DATABASE=sqlite $(BIN)/python -m pytest -n 2 -q

test-postgres: install $(BROWSER_DEPS)
	EPEOPLE_TEST_DATABASE=$(PG_ADMIN_URL) $(BIN)/python -m pytest -n 2 -q

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules $(ADMIN_STATIC)/build

## Translations (app/translations/, app/i18n.py): the ar and fr catalogs (.po) are in git; their
## .mo are compiled here, git-ignored, again whenever a .po changes. `make translations`
## re-extracts the sources (babel.cfg) into messages.pot and merges it into the catalogs:
## then translate what is new or fuzzy (tests/i18n fails until every entry is translated).
PO_FILES := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
BABEL_EXTRACT := -F babel.cfg --add-location=file --project=epeople --version=0.1.0 \
	--copyright-holder="the epeople authors" -o app/translations/messages.pot .

.PHONY: compile-translations translations
install: compile-translations

compile-translations: $(MO_FILES)

app/translations/%/LC_MESSAGES/messages.mo: app/translations/%/LC_MESSAGES/messages.po | $(STAMP)
	$(BIN)/pybabel compile --statistics -d app/translations -D messages -l $*

translations: | $(STAMP)
	$(BIN)/pybabel extract $(BABEL_EXTRACT)
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations -D messages -w 100 \
	  --ignore-obsolete --no-fuzzy-matching

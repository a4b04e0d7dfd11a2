# The only commands a newcomer needs. `make demo` runs Reef; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo serve test test-sqlite test-browser lint format typecheck bench bench-pages screenshots clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  ## Reef on SQLite and 40 reference agents on a fast clock (no other service needed)
	$(BIN)/reef demo

serve: $(STAMP)
	$(BIN)/reef serve

# Tests run in parallel processes (pytest-xdist), one test file per process at a time: many tests
# wait on real servers, browsers and agent loops, so four processes keep two cores busy (three left them a third idle).
TEST_PROCESSES ?= 4

test: $(STAMP)  ## Lint, then the whole suite on SQLite and PostgreSQL (and Redis)
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist loadfile --durations=15

test-sqlite: $(STAMP)  ## Quick local run on SQLite only
	REEF_TEST_DATABASES=sqlite $(BIN)/pytest -n $(TEST_PROCESSES) --dist loadfile

test-browser: $(STAMP)  ## Only the browser tests (headless Debian Chromium: apt-get install chromium)
	$(BIN)/pytest -m browser tests/web/browser

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)  ## The load benchmark (docs/performance.md); e.g. BENCH_ARGS="--scenario hot --workers 2"
	$(BIN)/python -m bench.heartbeat $(BENCH_ARGS)

bench-pages: $(STAMP)  ## Page render times (docs/performance.md, "Pages")
	$(BIN)/python -m bench.pages $(BENCH_ARGS)

screenshots: $(STAMP)  ## Regenerate docs/screenshots/*.png (needs Chromium)
	$(BIN)/python -m tests.web.browser.screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache

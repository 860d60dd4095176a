# The two commands of the README: `make run` and `make test`.
# Installs come from the lock files (requirements.lock, requirements-dev.lock), which pin
# every package with its hashes; `make lock` recomputes them from the ranges in pyproject.toml.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SOURCES := app bot core handlers jobs storage views tests bench
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat pyproject.toml requirements-dev.lock | cksum | cut -d' ' -f1)

.PHONY: run test lint lock clean bench bench-nation install

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The locks hold hashes, so pip checks every file it installs; the project itself (no hash)
# is installed by a second pip call, without dependencies.
$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(DEV_STAMP): $(BIN)/python pyproject.toml requirements-dev.lock
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@ $(STAMP)

# What a server needs (docs/deploy.md): the virtual environment with the locked packages.
install: $(STAMP)

run: $(STAMP)
	$(BIN)/tthc-bot db upgrade
	$(BIN)/tthc-bot demo --if-empty
	$(BIN)/tthc-bot run

lint: $(DEV_STAMP)
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# The checkers run as tests (tests/test_lint.py), spread with the others over one worker
# per core and one more (the suite waits on processes and servers as much as it computes).
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: $(DEV_STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal --durations=10

# Benchmarks on generated data tiers (bench/generate.py): bench/results.json and
# docs/benchmarks.md. They report figures and never fail; not part of `make test`.
bench: $(DEV_STAMP)
	$(BIN)/python -m bench.run

# The nation tier (34 provinces, 3,400 units, 2 million dossiers) on PostgreSQL: a database
# per history length (bench_nation_30, bench_nation_365), generated the first time (a year
# takes a while).
NATION_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/bench_nation
NATION_DAYS ?= 30,365
bench-nation: $(DEV_STAMP)
	$(BIN)/python -m bench.run --tier nation --days $(NATION_DAYS) --url $(NATION_URL)

lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile -q --generate-hashes --strip-extras --no-emit-index-url \
		--no-emit-find-links -o requirements.lock pyproject.toml
	$(BIN)/pip-compile -q --generate-hashes --strip-extras --no-emit-index-url \
		--no-emit-find-links --extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) data out .pytest_cache .mypy_cache .ruff_cache

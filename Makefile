# Two commands for a fresh clone:  `make run` (install, then run the pipeline on data/raw)
# and `make test` (install, then lint and run the test suite).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run ui extract docs test lint bench lock clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

run: install
	$(BIN)/disclosure build

ui: install
	$(BIN)/disclosure ui

extract: install
	$(BIN)/disclosure extract

docs: install
	$(BIN)/disclosure dbt docs generate

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/extract_bench.py

# Re-resolve the pinned set after changing dependencies in pyproject.toml.
lock: install
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	{ echo "# The exact set tested together (Python 3.11, linux x86_64). Regenerate with: make lock"; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v '^disclosure'; } > requirements.lock

clean:
	rm -rf $(VENV) data/lake data/warehouse.duckdb data/.build .dagster_home dbt_project/target dbt_project/logs .pytest_cache .ruff_cache

# Two commands for a fresh clone:  `make run` (install, then run the pipeline on data/raw)
# and `make test` (install, then lint and run the fast test suite; `make test-full` runs all of it).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run ui extract docs test test-full lint browser bench lock regions clean check-spark lock-spark

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

# sqlfluff's dbt templater compiles the project with the env vars a build sets (pipelines/dbt_lint.py).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pipelines.dbt_lint

# The report site's tests open its pages in a real browser: Debian's Chromium (driven by Playwright
# from the venv, never a downloaded browser) and CJK fonts so Chinese text renders in screenshots.
# Installed only when missing; without root or apt-get it only says so and the browser tests skip.
BROWSER_PKGS ?= chromium fonts-noto-cjk
APT_INSTALL  := DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends

browser:
	@missing=; for p in $(BROWSER_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then \
	  echo "browser: no apt-get, not installing$$missing; the browser tests will be skipped" >&2; exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "browser: not root, not installing$$missing; the browser tests will be skipped" \
	       "(to run them: sudo $(APT_INSTALL)$$missing)" >&2; exit 0; fi; \
	echo "browser: installing$$missing (apt-get)"; \
	$(APT_INSTALL)$$missing >/dev/null 2>&1 \
	  || { apt-get update -q >/dev/null && $(APT_INSTALL)$$missing >/dev/null; }

# The fast suite (about 2 minutes): what to run while working. test-full adds the slow tests
# (round trips over the generator's variants, warehouse builds, Dagster runs, the browser).
test: lint browser
	$(BIN)/pytest -m "not slow and not roundtrip"

test-full: lint browser
	$(BIN)/pytest

# 10k generated reports: cold, then after adding 1 and changing 1% (see README for 100k).
bench: install
	$(BIN)/python bench/pipeline_bench.py --reports 10000

# Rebuild dbt_project/seeds/regions.csv from the Ministry of Civil Affairs' tables in the pinned
# dev packages (see README, "Regions"); the result is committed, so runs never need the packages.
regions: install
	$(BIN)/python -m pipelines.reference.regions

# Re-resolve the pinned set after changing dependencies in pyproject.toml.
lock: install
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	{ echo "# The exact set tested together (Python 3.11, linux x86_64). Regenerate with: make lock"; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v '^disclosure'; } > requirements.lock

# The dbt project must stay portable: build it on a second engine, Spark in local mode (dbt-spark,
# method session: in-process, needs Java 17), and show that it computes the same marts as DuckDB.
# Its own venv keeps PySpark out of the main install. Over the lake of the seed corpus and 20
# generated reports (rule failures and blank cells among them; extracted under data/.build/spark,
# with Spark's metastore and tables): `dbt build` (seeds, models, data and unit
# tests) on DuckDB and on Spark, then every mart and dimension compared row for row
# (pipelines/warehouse_compare.py). Then one report changes, as a revised edition would: an
# incremental Spark build must give the same marts as a DuckDB build from scratch.
SPARK_VENV  ?= .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed
SPARK_BUILD := $(CURDIR)/data/.build/spark
COMPARE      = $(BIN)/python -m pipelines.warehouse_compare
SPARK_DBT    = $(SPARK_VENV)/bin/python -m pipelines.warehouse_compare spark-build --lake $(SPARK_BUILD)/lake \
               --export $(SPARK_BUILD)/export --build-dir $(SPARK_BUILD)
# Spark's own log lines and the JSON records PySpark logs for each failed statement stay in the log file.
SPARK_LOG    = { grep -v -e '^{' -e '^WARNING' -e 'log4j' -e 'setLogLevel' -e 'log level' $(SPARK_BUILD)/spark-build.out | tail -60; exit 1; }

$(SPARK_STAMP): requirements-spark.lock
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-spark.lock
	touch $(SPARK_STAMP)

check-spark: install $(SPARK_STAMP)
	@command -v java >/dev/null || { echo "check-spark: no java on PATH; Spark needs Java 17" >&2; exit 1; }
	rm -rf $(SPARK_BUILD) && mkdir -p $(SPARK_BUILD) && cp -r data/raw $(SPARK_BUILD)/raw
	$(BIN)/disclosure generate --n 20 --seed 5 --out $(SPARK_BUILD)/raw/generated --truth-out $(SPARK_BUILD)/truth > /dev/null
	$(BIN)/disclosure extract --raw $(SPARK_BUILD)/raw --lake $(SPARK_BUILD)/lake | tail -1
	$(COMPARE) duckdb-build --lake $(SPARK_BUILD)/lake --database $(SPARK_BUILD)/duckdb.duckdb
	$(SPARK_DBT) --full-refresh > $(SPARK_BUILD)/spark-build.out 2>&1 || $(SPARK_LOG)
	@grep '^spark-build:' $(SPARK_BUILD)/spark-build.out
	$(COMPARE) compare $(SPARK_BUILD)/duckdb.duckdb $(SPARK_BUILD)/export
	$(COMPARE) change-report $(SPARK_BUILD)/raw
	$(BIN)/disclosure extract --raw $(SPARK_BUILD)/raw --lake $(SPARK_BUILD)/lake | tail -1
	$(COMPARE) duckdb-build --lake $(SPARK_BUILD)/lake --database $(SPARK_BUILD)/duckdb.duckdb
	$(SPARK_DBT) > $(SPARK_BUILD)/spark-build.out 2>&1 || $(SPARK_LOG)
	@grep '^spark-build:' $(SPARK_BUILD)/spark-build.out
	$(COMPARE) compare $(SPARK_BUILD)/duckdb.duckdb $(SPARK_BUILD)/export --labels duckdb-full spark-incremental

lock-spark: $(SPARK_STAMP)
	{ echo "# The second dbt engine (Spark local mode) for 'make check-spark'; only dbt and its adapters."; \
	  echo "# Regenerate with: make lock-spark"; \
	  $(SPARK_VENV)/bin/python -m pip freeze --exclude-editable; } > requirements-spark.lock

clean:
	rm -rf $(VENV) $(SPARK_VENV) data/lake data/warehouse.duckdb data/.build .dagster_home dbt_project/target dbt_project/logs .pytest_cache .ruff_cache

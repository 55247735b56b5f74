# Two commands for a fresh clone:  `make run` (install, then run the pipeline on data/raw)
# and `make test` (install, then lint and run the test suite).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run ui extract docs test lint browser bench lock regions clean check-spark lock-spark

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

test: lint browser
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

# The dbt project must stay portable: compile it for a second engine, Spark in local mode
# (dbt-spark, method session: in-process, needs Java 17). Its own venv keeps PySpark out of the
# main install. Compiling renders every model, test and unit test for Spark; Spark starts only to
# look up relations, so its metastore files go under data/.build/spark, not the project.
SPARK_VENV  ?= .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed
SPARK_BUILD := $(CURDIR)/data/.build/spark

$(SPARK_STAMP): requirements-spark.lock
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-spark.lock
	touch $(SPARK_STAMP)

check-spark: $(SPARK_STAMP)
	@command -v java >/dev/null || { echo "check-spark: no java on PATH; Spark needs Java 17" >&2; exit 1; }
	mkdir -p $(SPARK_BUILD)
	cd $(SPARK_BUILD) && DISCLOSURE_LAKE_DIR=$(CURDIR)/data/lake DISCLOSURE_DBT_DATABASE=unused \
	  $(CURDIR)/$(SPARK_VENV)/bin/dbt --quiet compile --target spark \
	  --project-dir $(CURDIR)/dbt_project --profiles-dir $(CURDIR)/dbt_project \
	  --target-path $(SPARK_BUILD)/target --log-path $(SPARK_BUILD)/logs > $(SPARK_BUILD)/compile.out 2>&1 \
	  || { tail -40 $(SPARK_BUILD)/compile.out; exit 1; }
	@$(SPARK_VENV)/bin/python -c "import collections, json; r = json.load(open('$(SPARK_BUILD)/target/run_results.json'))['results']; n = collections.Counter(x['unique_id'].split('.')[0] for x in r if x['status'] == 'success'); print('check-spark: compiled for Spark:', ', '.join(f'{v} {k}s' for k, v in sorted(n.items())))"

lock-spark: $(SPARK_STAMP)
	{ echo "# The second dbt engine (Spark local mode) for 'make check-spark'; only dbt and its adapters."; \
	  echo "# Regenerate with: make lock-spark"; \
	  $(SPARK_VENV)/bin/python -m pip freeze --exclude-editable; } > requirements-spark.lock

clean:
	rm -rf $(VENV) $(SPARK_VENV) data/lake data/warehouse.duckdb data/.build .dagster_home dbt_project/target dbt_project/logs .pytest_cache .ruff_cache

"""Absolute paths of the project, computed once.

Everything else (the CLI, dbt through env vars, Dagster) takes its folders from here. Each can
be moved with an environment variable, e.g. to run the pipeline on another corpus.
"""

from __future__ import annotations

import os
from pathlib import Path


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


PROJECT_ROOT = _env_path("DISCLOSURE_HOME", Path(__file__).resolve().parents[1])
DATA_DIR = _env_path("DISCLOSURE_DATA_DIR", PROJECT_ROOT / "data")
RAW_DIR = _env_path("DISCLOSURE_RAW_DIR", DATA_DIR / "raw")
LAKE_DIR = _env_path("DISCLOSURE_LAKE_DIR", DATA_DIR / "lake")
WAREHOUSE_PATH = _env_path("DISCLOSURE_WAREHOUSE_PATH", DATA_DIR / "warehouse.duckdb")  # the published file
SITE_DIR = _env_path("DISCLOSURE_SITE_DIR", DATA_DIR / "site")  # the static report site (disclosure report)
BUILD_DIR = _env_path("DISCLOSURE_BUILD_DIR", DATA_DIR / ".build")  # warehouses being built
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DAGSTER_HOME = _env_path("DAGSTER_HOME", PROJECT_ROOT / ".dagster_home")

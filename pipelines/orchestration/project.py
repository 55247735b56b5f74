"""The dbt project as Dagster sees it, and its manifest.

`@dbt_assets` needs `target/manifest.json` when the definitions load, so `ensure_manifest`
runs `dbt parse` whenever the manifest is missing or older than the project's files. It runs
from `defs()` (not at import), from `disclosure build` and from the tests.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pipelines import paths
from pipelines.warehouse import dbt_env, run_dbt

_PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "seeds", "macros", "tests")


def manifest_path() -> Path:
    return paths.DBT_PROJECT_DIR / "target" / "manifest.json"


def _newest_source_mtime() -> float:
    newest = 0.0
    for part in _PROJECT_PARTS:
        path = paths.DBT_PROJECT_DIR / part
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        newest = max([newest, *(p.stat().st_mtime for p in files)])
    return newest


def ensure_manifest() -> Path:
    """Parse the dbt project if its manifest is missing or stale; returns the manifest path."""
    for key, value in dbt_env().items():
        os.environ.setdefault(key, value)  # the profile and sources render env vars at parse
    manifest = manifest_path()
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime():
        outcome = run_dbt(["parse"], quiet=True)
        if not outcome.success or not manifest.exists():
            raise RuntimeError("dbt parse failed: " + "; ".join(outcome.failures))
    return manifest


@lru_cache(maxsize=1)
def dbt_project():  # -> dagster_dbt.DbtProject (imported lazily: it is slow to import)
    from dagster_dbt import DbtProject

    ensure_manifest()
    return DbtProject(project_dir=paths.DBT_PROJECT_DIR, profiles_dir=paths.DBT_PROJECT_DIR)

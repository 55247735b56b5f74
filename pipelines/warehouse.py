"""Build the DuckDB warehouse from the lake with dbt, in-process.

dbt reads its paths from environment variables (absolute, from `pipelines.paths`), so the same
project serves the CLI, the tests and Dagster without relative-path surprises.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipelines import paths


@dataclass(frozen=True)
class DbtOutcome:
    success: bool
    failures: list[str]  # "<status> <node>: <message>" for every node that did not pass
    warnings: list[str]
    # (node name, seconds) for every node dbt ran, slowest first: what a build spent its time on.
    timings: list[tuple[str, float]] = field(default_factory=list)


def dbt_env(lake_dir: Path | None = None, database: Path | None = None) -> dict[str, str]:
    """The environment dbt's profile and sources read: the lake, and the DuckDB file to build."""
    return {
        "DISCLOSURE_LAKE_DIR": str((lake_dir or paths.LAKE_DIR).resolve()),
        "DISCLOSURE_DBT_DATABASE": str((database or paths.WAREHOUSE_PATH).resolve()),
        "DBT_PROFILES_DIR": str(paths.DBT_PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


_PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "seeds", "macros", "tests")
_ENGINE = ("dbt-core", "dbt-duckdb", "duckdb")


def project_hash() -> str:
    """A hash of the dbt project's files, of the engine's versions and of the parser's version: a
    published warehouse built from other SQL, by another dbt or DuckDB, or from a lake another
    parser wrote, is not continued incrementally. (The incremental facts rebuild a report only
    when its bytes, agency, year or edition changed; a new parser re-reads every report's cells
    from the same bytes, so its first build must be a full one.)"""
    from pipelines.extract.lake import PARSER_VERSION

    digest = hashlib.sha256()
    for package in _ENGINE:
        digest.update(f"{package}=={importlib.metadata.version(package)}\0".encode())
    digest.update(f"parser=={PARSER_VERSION}\0".encode())
    for part in _PROJECT_PARTS:
        path = paths.DBT_PROJECT_DIR / part
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            digest.update(file.relative_to(paths.DBT_PROJECT_DIR).as_posix().encode() + b"\0")
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def start_build(build: Path, published: Path, full_refresh: bool = False) -> bool:
    """Prepare the file a build writes into; True when the build continues incrementally.

    Incremental: a copy of the published warehouse, when it was built by the same dbt project
    (its `warehouse_build` row says so). Otherwise a fresh file and a full build.
    """
    from pipelines.publish import connect_read_only

    build.unlink(missing_ok=True)
    build.with_name(build.name + ".wal").unlink(missing_ok=True)
    if full_refresh or not published.exists():
        return False
    try:
        with connect_read_only(published) as con:
            built_by = con.execute("select dbt_project_hash from main.warehouse_build").fetchone()[0]
    except Exception:  # an older warehouse, without the row: build afresh
        return False
    if built_by != project_hash():
        return False
    build.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(published, build)
    return True


# What an incremental build leaves out. It continues a published warehouse built by the same
# project hash (start_build), so the seeds' tables already hold the seed files, and the unit tests
# already passed on this very SQL and engine: loading and running them again proves nothing new
# (about 2 s of an add-one-report build). Data tests, seeds' included, still run.
_INCREMENTAL_EXCLUDES = ("--exclude-resource-type", "seed", "unit_test")


def build_args(incremental: bool) -> list[str]:
    """The `dbt build` arguments for a build that continues a published warehouse or starts afresh."""
    return ["build", *_INCREMENTAL_EXCLUDES] if incremental else ["build", "--full-refresh"]


def _release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open after a run.

    dbt-duckdb holds one process-wide connection between invocations; left open, it blocks
    other connections to the file in this process (and the file's lock for other processes).
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV
    if env is not None:
        try:
            env.close()
        finally:
            DuckDBConnectionManager.close_all_connections()


def run_dbt(
    args: Sequence[str],
    *,
    lake_dir: Path | None = None,
    database: Path | None = None,
    strict: bool | None = None,
    quiet: bool = False,
) -> DbtOutcome:
    """Run one dbt command (e.g. ["build"]) against the given lake and warehouse file.

    `strict=True` makes the reports' own arithmetic (R1–R4) fail the build.
    """
    from dbt.cli.main import dbtRunner  # heavy: imported only when dbt is run

    from pipelines.textreuse.lake import ensure_table

    os.environ.update(dbt_env(lake_dir, database))
    Path(os.environ["DISCLOSURE_DBT_DATABASE"]).parent.mkdir(parents=True, exist_ok=True)
    if Path(os.environ["DISCLOSURE_LAKE_DIR"]).is_dir():
        # the similarity step's table, empty where it never ran (dbt's source needs a file)
        ensure_table(Path(os.environ["DISCLOSURE_LAKE_DIR"]))
    cli = [*args, "--project-dir", str(paths.DBT_PROJECT_DIR)]
    if strict is not None:
        cli += ["--vars", json.dumps({"strict_reconciliation": strict})]
    elif args and not args[0].startswith("-") and not any(a == "--vars" or a.startswith("--vars=") for a in args):
        # The project's default, spelled out: dbt re-parses the whole project (seconds) when the
        # command-line vars differ from the last command's, so every non-strict command (a build,
        # `disclosure dbt …`, the orchestration's `dbt parse`) passes the same ones.
        cli += ["--vars", json.dumps({"strict_reconciliation": False})]
    if quiet:
        cli = ["--quiet", *cli]
    try:
        result = dbtRunner().invoke(cli)
    finally:
        _release_duckdb()
    failures: list[str] = []
    warnings: list[str] = []
    timings: list[tuple[str, float]] = []
    for node in getattr(result.result, "results", None) or []:
        timings.append((node.node.name, float(node.execution_time or 0.0)))
        status = str(node.status)
        line = f"{status} {node.node.name}: {node.message or ''}".strip()
        if status in ("error", "fail", "runtime error"):
            failures.append(line)
        elif status == "warn":
            warnings.append(line)
    if result.exception is not None:
        failures.append(f"dbt error: {result.exception}")
    timings.sort(key=lambda pair: -pair[1])
    return DbtOutcome(success=bool(result.success), failures=failures, warnings=warnings, timings=timings)

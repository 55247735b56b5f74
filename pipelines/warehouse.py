"""Build the DuckDB warehouse from the lake with dbt.

Every dbt invocation gets its paths as dbt vars on its own command line (`dbt_command`): the
lake and the DuckDB file (absolute, from `pipelines.paths` unless given), and runs one way,
through dagster-dbt's `DbtCliResource` (`dbt_resource`): in Dagster's assets, the CLI, the
manifest's preparer and the tests alike. No caller changes the process's environment for dbt to
find its files. The one exception is the Spark check (`warehouse_compare.spark_build`), which runs
dbt in-process in its own venv: it exports the marts with the Spark session dbt built them in.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines import paths

if TYPE_CHECKING:
    from dagster_dbt import DbtCliResource, DbtProject


@dataclass(frozen=True)
class DbtResult:
    success: bool
    failures: list[str]  # "<status> <node>: <message>" for every node that did not pass
    warnings: list[str]
    # (node name, seconds) for every node dbt ran, slowest first: what a build spent its time on.
    timings: list[tuple[str, float]] = field(default_factory=list)


def dbt_vars(lake_dir: Path | None = None, database: Path | None = None, strict: bool = False) -> dict[str, Any]:
    """What the profile and the sources read (`var('lake_dir')`, `var('database_path')`), and whether
    the reports' own arithmetic (R1–R4) fails the build."""
    return {
        "database_path": str((database or paths.WAREHOUSE_PATH).resolve()),
        "lake_dir": str((lake_dir or paths.LAKE_DIR).resolve()),
        "strict_reconciliation": strict,
    }


def dbt_command(
    args: Sequence[str], *, lake_dir: Path | None = None, database: Path | None = None, strict: bool | None = None
) -> list[str]:
    """The dbt command line for `args` (e.g. ["build"]): the project, its profile and the vars.

    Vars given in `args` (`--vars '{...}'`) are kept, over the defaults. Every command passes the
    same vars for the same paths: dbt re-parses the whole project (seconds) when they differ from
    the last command's.
    """
    args, given = _split_vars(args)
    dbt_vars_ = dbt_vars(lake_dir, database) | given
    if strict is not None:
        dbt_vars_["strict_reconciliation"] = strict
    project = ["--project-dir", str(paths.DBT_PROJECT_DIR), "--profiles-dir", str(paths.DBT_PROJECT_DIR)]
    return [*args, *project, "--vars", json.dumps(dbt_vars_, sort_keys=True, ensure_ascii=False)]


def _split_vars(args: Sequence[str]) -> tuple[list[str], dict[str, Any]]:
    """`args` without their `--vars`, and those vars (YAML, as dbt reads them)."""
    import yaml

    rest: list[str] = []
    given: dict[str, Any] = {}
    items = iter(args)
    for arg in items:
        if arg == "--vars" or arg.startswith("--vars="):
            text = arg.partition("=")[2] if "=" in arg else next(items, "")
            given |= yaml.safe_load(text) or {}
        else:
            rest.append(arg)
    return rest, given


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
    from pipelines.publish import connect_read_only, one_row

    build.unlink(missing_ok=True)
    build.with_name(build.name + ".wal").unlink(missing_ok=True)
    if full_refresh or not published.exists():
        return False
    try:
        with connect_read_only(published) as con:
            (built_by,) = one_row(con, "select dbt_project_hash from main.warehouse_build")
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


def dbt_resource(project: str | DbtProject | None = None, quiet: bool = False) -> DbtCliResource:
    """The one way dbt runs here: dagster-dbt's CLI resource, this environment's `dbt` in a
    subprocess (which holds the DuckDB file's lock only while it runs). Dagster's assets, the
    CLI, the manifest's preparer and the tests all use it."""
    from dagster_dbt import DbtCliResource

    return DbtCliResource(
        project_dir=project or str(paths.DBT_PROJECT_DIR),
        profiles_dir=str(paths.DBT_PROJECT_DIR),
        dbt_executable=str(Path(sys.executable).with_name("dbt")),  # beside this interpreter, not on PATH
        global_config_flags=["--quiet"] if quiet else [],
    )


def run_dbt(
    args: Sequence[str],
    *,
    lake_dir: Path | None = None,
    database: Path | None = None,
    strict: bool | None = None,
    quiet: bool = False,
    target_path: Path | None = None,
) -> DbtResult:
    """Run one dbt command (e.g. ["build"]) against the given lake and warehouse file, outside
    Dagster: its log goes to stdout, its nodes' results come from `run_results.json`.

    `strict=True` makes the reports' own arithmetic (R1–R4) fail the build.
    """
    from pipelines.textreuse.lake import ensure_table

    if not args or args[0].startswith("-"):  # `--help`, `--version`: dbt's own text, no project to run
        exit_code = subprocess.call([str(Path(sys.executable).with_name("dbt")), *args])
        return DbtResult(success=exit_code == 0, failures=[], warnings=[])
    cli = dbt_command(args, lake_dir=lake_dir, database=database, strict=strict)
    (database or paths.WAREHOUSE_PATH).resolve().parent.mkdir(parents=True, exist_ok=True)
    lake = (lake_dir or paths.LAKE_DIR).resolve()
    if lake.is_dir():
        ensure_table(lake)  # the similarity step's table, empty where it never ran (dbt's source needs a file)
    target = target_path or paths.DBT_PROJECT_DIR / "target"
    target.mkdir(parents=True, exist_ok=True)
    run_results = target / "run_results.json"
    run_results.unlink(missing_ok=True)  # not the last command's: some commands write none
    invocation = dbt_resource(quiet=quiet).cli(cli, raise_on_error=False, target_path=target)
    errors = [event.raw_event["info"]["msg"] for event in invocation.stream_raw_events() if _is_error(event.raw_event)]
    success = invocation.is_successful()
    nodes = json.loads(run_results.read_text(encoding="utf-8"))["results"] if run_results.exists() else []
    failures: list[str] = []
    warnings: list[str] = []
    timings: list[tuple[str, float]] = []
    for node in nodes:
        name = _node_name(node["unique_id"])
        timings.append((name, float(node.get("execution_time") or 0.0)))
        status = node["status"]
        line = f"{status} {name}: {node.get('message') or ''}".strip()
        if status in ("error", "fail", "runtime error"):
            failures.append(line)
        elif status == "warn":
            warnings.append(line)
    if not success and not failures:  # dbt stopped before any node: a project or profile error
        failures.append("dbt error: " + ("; ".join(errors) or f"exit code {invocation.process.returncode}"))
    timings.sort(key=lambda pair: -pair[1])
    return DbtResult(success=success, failures=failures, warnings=warnings, timings=timings)


def _is_error(raw_event: dict[str, Any]) -> bool:
    return raw_event.get("info", {}).get("level") == "error"


def _node_name(unique_id: str) -> str:
    """A node's name from its id: `model.<project>.<name>`, `test.<project>.<name>.<hash>`,
    `unit_test.<project>.<model>.<name>`."""
    parts = unique_id.split(".")
    return parts[3] if parts[0] == "unit_test" and len(parts) > 3 else parts[2] if len(parts) > 2 else unique_id

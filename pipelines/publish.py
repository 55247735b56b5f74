"""Publish a freshly built warehouse so readers are never blocked nor shown a half-built one.

The pipeline builds into a new DuckDB file; `publish` makes it self-contained (the staging and
intermediate views over the live lake are dropped: what remains reads only its own tables;
the intermediate tables stay, for the next incremental build),
exports the dimensions and marts of the `main` schema to `<lake>/marts/*.parquet` (the large
`fct_` tables stay in the warehouse; the lake holds their cells), checkpoints and closes it,
then renames it over the published file. A reader holding the old file keeps its snapshot,
a new connection sees the new one, and a build that failed never reaches this step.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

import duckdb

# Schemas whose views read the lake's Parquet files (live files): dropped at publishing; their
# tables (the incremental working tables of `intermediate`) stay for the next build.
_VIEW_SCHEMAS = ("staging", "intermediate")
# DuckDB's storage version number for files DuckDB 1.0 and later can read.
DUCKDB_V1_STORAGE = 64


@dataclass(frozen=True)
class Published:
    path: Path
    size_bytes: int
    tables: dict[str, int]  # table name -> rows, for the main schema
    marts_dir: Path


def connect_read_only(path: os.PathLike[str]) -> duckdb.DuckDBPyConnection:
    """A read-only connection that sees the file as published now.

    `duckdb.connect(path)` reuses a database instance this process already has open for the
    path, which still holds the previous (renamed-over) file; attaching the file to a fresh
    in-memory instance does not.
    """
    con = duckdb.connect()
    escaped = os.fspath(path).replace("'", "''")
    con.execute(f"attach '{escaped}' as warehouse (read_only)")
    con.execute("use warehouse")
    return con


def storage_version(path: Path) -> int:
    """The storage version in a DuckDB file's header (64 = readable by DuckDB 1.x)."""
    with path.open("rb") as handle:
        header = handle.read(20)
    if header[8:12] != b"DUCK":
        raise ValueError(f"{path} is not a DuckDB database")
    return struct.unpack("<Q", header[12:20])[0]


def _export_marts(con: duckdb.DuckDBPyConnection, tables: list[str], marts_dir: Path) -> None:
    marts_dir.mkdir(parents=True, exist_ok=True)
    for table in tables:
        target = marts_dir / f"{table}.parquet"
        tmp = marts_dir / f".{table}.parquet.{os.getpid()}.tmp"
        con.execute(f"copy main.\"{table}\" to '{tmp}' (format parquet, compression zstd)")
        os.replace(tmp, target)
    keep = {f"{t}.parquet" for t in tables}
    for stale in marts_dir.glob("*.parquet"):
        if stale.name not in keep:
            stale.unlink()


def publish(build_file: Path, published: Path, marts_dir: Path, dbt_project_hash: str = "") -> Published:
    """Make `build_file` the published warehouse (atomic rename) and export its tables.

    Records `main.warehouse_build` (when, from which dbt project) so the next build can continue
    incrementally from this file.
    """
    con = duckdb.connect(str(build_file))
    try:
        for schema, view in con.execute(
            "select schema_name, view_name from duckdb_views() where not internal and schema_name in (?, ?)",
            list(_VIEW_SCHEMAS),
        ).fetchall():
            con.execute(f'drop view "{schema}"."{view}"')
        con.execute(
            "create or replace table main.warehouse_build as "
            "select cast(current_timestamp as timestamp) as built_at, ? as dbt_project_hash, "
            "(select count(*) from main.dim_report) as report_count",
            [dbt_project_hash],
        )
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'main' order by table_name"
            ).fetchall()
        ]
        counts = {t: con.execute(f'select count(*) from main."{t}"').fetchone()[0] for t in tables}
        _export_marts(con, [t for t in tables if not t.startswith("fct_")], marts_dir)
        con.execute("checkpoint")
    finally:
        con.close()
    published.parent.mkdir(parents=True, exist_ok=True)
    os.replace(build_file, published)
    return Published(published, published.stat().st_size, counts, marts_dir)

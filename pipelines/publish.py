"""Publish a freshly built warehouse so readers are never blocked nor shown a half-built one.

The pipeline builds into a new DuckDB file; `publish` makes it self-contained (the staging and
intermediate views over the live lake are dropped: what remains reads only its own tables;
the intermediate tables stay, for the next incremental build),
exports the dimensions and marts of the `main` schema to `<lake>/marts/*.parquet` (the large
`fct_` tables stay in the warehouse; the lake holds their cells; a file whose table did not change
since it was written is kept as it is), checkpoints and closes it,
then renames it over the published file. A reader holding the old file keeps its snapshot,
a new connection sees the new one, and a build that failed never reaches this step.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

# Schemas whose views read the lake's Parquet files (live files): dropped at publishing; their
# tables (the incremental working tables of `intermediate`) stay for the next build.
_VIEW_SCHEMAS = ("staging", "intermediate")
# DuckDB's storage version number for files DuckDB 1.0 and later can read.
DUCKDB_V1_STORAGE = 64


@dataclass(frozen=True)
class PublishResult:
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


def one_row(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> tuple[Any, ...]:
    """The row of a query that always returns one (an aggregate without `group by`, a `copy`)."""
    row = con.execute(sql, params or []).fetchone()
    if row is None:
        raise RuntimeError(f"no row from: {sql}")
    return row


def storage_version(path: Path) -> int:
    """The storage version in a DuckDB file's header (64 = readable by DuckDB 1.x)."""
    with path.open("rb") as handle:
        header = handle.read(20)
    if header[8:12] != b"DUCK":
        raise ValueError(f"{path} is not a DuckDB database")
    return struct.unpack("<Q", header[12:20])[0]


_EXPORT_OPTIONS = "format parquet, compression zstd"
# Beside the exported files: for each, the fingerprint of the relation it was exported from, and
# the file's size and modification time as written (see _export_marts).
FINGERPRINTS = ".fingerprints.json"


def _quoted(schema: str, name: str) -> str:
    return '"{}"."{}"'.format(schema.replace('"', '""'), name.replace('"', '""'))


class _Fingerprints:
    """Cheap content fingerprints of the warehouse's relations, computed once each.

    A table's: its columns (names and types) and the count and sum of a 64-bit hash of every row
    (order-free; a changed, added or removed row changes the sum, short of a 64-bit collision).
    A view's: its SQL and the fingerprints of every relation whose name its SQL mentions, so
    it changes whenever anything the view reads changes (hashing the view's own rows would cost
    as much as exporting them: `reconciliation_results` formats a message per row).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.relations = {
            (schema, name): (kind, sql)
            for schema, name, kind, sql in con.execute(
                "select schema_name, table_name, 'table', null from duckdb_tables() where not internal "
                "union all select schema_name, view_name, 'view', sql from duckdb_views() where not internal"
            ).fetchall()
        }
        self._done: dict[tuple[str, str], str] = {}

    def of(self, schema: str, name: str, seen: frozenset[tuple[str, str]] = frozenset()) -> str:
        key = (schema, name)
        if key not in self._done:
            kind, sql = self.relations[key]
            columns = self.con.execute(
                "select column_name, data_type from duckdb_columns() where schema_name = ? and table_name = ? "
                "order by column_index",
                [schema, name],
            ).fetchall()
            parts: list[object] = [kind, columns]
            if kind == "table":
                rows, hashed = one_row(
                    self.con,
                    "select count(*), sum(hash(_fingerprinted_row)) "
                    f"from {_quoted(schema, name)} as _fingerprinted_row",
                )
                parts += [rows, str(hashed)]
            else:
                words = set(re.findall(r"\w+", sql.lower()))
                read = sorted(k for k in self.relations if k[1].lower() in words and k != key and k not in seen)
                parts += [sql, [(k, self.of(*k, seen=seen | {key})) for k in read]]
            self._done[key] = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()
        return self._done[key]


@dataclass
class _Exports:
    """Mart files written beside their place, moved in only when the whole publish has worked."""

    marts_dir: Path
    tables: list[str]
    rows: dict[str, int]
    moves: list[tuple[Path, Path]]  # (temporary file, its place)

    def commit(self) -> None:
        for tmp, target in self.moves:
            os.replace(tmp, target)
        keep = {f"{t}.parquet" for t in self.tables}
        for stale in self.marts_dir.glob("*.parquet"):
            if stale.name not in keep:
                stale.unlink()

    def discard(self) -> None:
        for tmp, _ in self.moves:
            tmp.unlink(missing_ok=True)


def _export_marts(con: duckdb.DuckDBPyConnection, tables: list[str], marts_dir: Path, exports: _Exports) -> None:
    """Export each table or view of `main` in `tables` to `<marts_dir>/<name>.parquet`, beside its
    place (`exports` moves them in, and has their row counts).

    A file is exported again only when what it was exported from changed: its fingerprint, kept
    in `.fingerprints.json` with the file's size and modification time as written, must equal the
    relation's now, and the file must still be the one written. Anything else (a changed relation,
    an export interrupted before the record was written, a file touched since) exports it again;
    files of relations no longer in `main` are removed. So the folder always holds, for every
    relation, the file of its current content.
    """
    marts_dir.mkdir(parents=True, exist_ok=True)
    record_path = marts_dir / FINGERPRINTS
    try:
        recorded = json.loads(record_path.read_text())
    except (OSError, ValueError):
        recorded = {}
    fingerprints = _Fingerprints(con)
    record: dict[str, dict[str, Any]] = {}
    for table in tables:
        target = marts_dir / f"{table}.parquet"
        fingerprint = hashlib.sha256(
            json.dumps([_EXPORT_OPTIONS, duckdb.__version__, fingerprints.of("main", table)]).encode()
        ).hexdigest()
        entry = recorded.get(table) if isinstance(recorded, dict) else None
        previous: dict[str, Any] = entry if isinstance(entry, dict) else {}
        try:
            stat = target.stat()
            written = [previous.get("size"), previous.get("mtime_ns")] == [stat.st_size, stat.st_mtime_ns]
        except OSError:
            written = False
        if written and previous.get("fingerprint") == fingerprint and isinstance(previous.get("rows"), int):
            record[table] = previous
        else:
            tmp = marts_dir / f".{table}.parquet.{os.getpid()}.tmp"
            exports.moves.append((tmp, target))
            escaped = str(tmp).replace("'", "''")
            exported = one_row(con, f"copy main.\"{table}\" to '{escaped}' ({_EXPORT_OPTIONS})")[0]
            stat = tmp.stat()  # a rename keeps both
            record[table] = {
                "fingerprint": fingerprint,
                "rows": exported,
                "size": stat.st_size,
                "mtime_ns": stat.st_mtime_ns,
            }
        exports.rows[table] = record[table]["rows"]
    tmp = marts_dir / f".{FINGERPRINTS}.{os.getpid()}.tmp"
    exports.moves.append((tmp, record_path))
    tmp.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


class PublishError(OSError):
    """The warehouse could not be published (a full disk, say); the published one is unchanged."""


def publish(build_file: Path, published: Path, marts_dir: Path, dbt_project_hash: str = "") -> PublishResult:
    """Make `build_file` the published warehouse (atomic rename) and export its tables.

    Records `main.warehouse_build` (when, from which dbt project) so the next build can continue
    incrementally from this file.
    """
    exports = _Exports(marts_dir, [], {}, [])
    try:
        con = duckdb.connect(str(build_file))
        try:
            counts = _finish(con, marts_dir, dbt_project_hash, exports)
        finally:
            con.close()
        published.parent.mkdir(parents=True, exist_ok=True)
        exports.commit()
        os.replace(build_file, published)
    except (OSError, duckdb.IOException) as exc:
        exports.discard()
        raise PublishError(
            f"cannot publish the warehouse to {published} ({exc}): the published warehouse and marts are unchanged"
        ) from exc
    return PublishResult(published, published.stat().st_size, counts, marts_dir)


def _finish(
    con: duckdb.DuckDBPyConnection, marts_dir: Path, dbt_project_hash: str, exports: _Exports
) -> dict[str, int]:
    """Make the build self-contained, record it, export its marts beside their place; its row counts."""
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
    exports.tables = [t for t in tables if not t.startswith("fct_")]
    _export_marts(con, exports.tables, marts_dir, exports)
    counts = dict(exports.rows)
    for table in tables:  # the facts: tables, whose row count DuckDB keeps
        if table not in counts:
            counts[table] = one_row(con, f'select count(*) from main."{table}"')[0]
    con.execute("checkpoint")
    return {t: counts[t] for t in tables}

"""The lake: five Parquet tables partitioned by report year, and the manifest of raw files.

Layout (hive partitioning, read by DuckDB and polars alike; a report without a year goes to
`report_year=__HIVE_DEFAULT_PARTITION__`, read as null; within a year, 16 buckets by the
report id's first hex digit, so a change rewrites a sixteenth of a year):

    <lake>/_manifest.parquet                                         one row per raw file seen
    <lake>/<table>/report_year=<YYYY>/bucket=<0-15>/part-0.parquet   reports, report_cells,
                                                                      report_findings, report_sections,
                                                                      report_narrative_facts

    <lake>/_checksums.parquet                                        size and sha256 of every partition file

Schemas are explicit so an empty partition is still typed. Rows are sorted by stable keys, so a
partition's bytes depend only on its reports: an incremental run and a cold run write the same
files. A run writes every file it changes beside its place first (`write_pending`) and renames
them all into place only once all are written (`commit`), the manifest last: a disk that fills
up, or any error while writing, leaves the lake as the last run left it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.extract.findings import REJECTED
from pipelines.extract.read.batch import CELLS_COLUMNS, FINDINGS_COLUMNS, SECTIONS_COLUMNS, ParsedBatch, ParsedDoc
from pipelines.extract.read.narrative import FACTS_COLUMNS

PARSER_VERSION = "8"
YEAR_COLUMN = "report_year"
BUCKET_COLUMN = "bucket"
NO_YEAR = "__HIVE_DEFAULT_PARTITION__"  # the partition of reports whose year is unknown
MANIFEST = "_manifest.parquet"

REPORTS_SCHEMA = pl.Schema(
    {
        "report_id": pl.String(),
        "source_path": pl.String(),
        "sha256": pl.String(),
        "size_bytes": pl.Int64(),
        "file_modified_at": pl.Datetime("us", "UTC"),
        "format": pl.String(),
        "encoding": pl.String(),
        "script": pl.String(),
        "agency": pl.String(),
        "agency_as_written": pl.String(),
        "agency_key": pl.String(),
        "agency_name": pl.String(),
        "region_code": pl.String(),
        "agency_level": pl.String(),
        "agency_kind": pl.String(),
        "government_key": pl.String(),
        "government_name": pl.String(),
        "published_on": pl.Date(),
        "published_on_line": pl.Int32(),
        "index_number": pl.String(),
        "title": pl.String(),
        "title_line": pl.Int32(),
        "template": pl.String(),
        "n_cells": pl.Int32(),
        "n_findings": pl.Int32(),
        "status": pl.String(),
        "parser_version": pl.String(),
    }
)


def _keyed(columns: pl.Schema) -> pl.Schema:
    """A batch frame's columns, keyed by report instead of by position in the batch."""
    return pl.Schema({"report_id": pl.String(), **{k: v for k, v in columns.items() if k != "doc"}})


CELLS_SCHEMA = _keyed(CELLS_COLUMNS)
FINDINGS_SCHEMA = _keyed(FINDINGS_COLUMNS)
SECTIONS_SCHEMA = _keyed(SECTIONS_COLUMNS)
NARRATIVE_FACTS_SCHEMA = _keyed(FACTS_COLUMNS)
SCHEMAS = {
    "reports": REPORTS_SCHEMA,
    "report_cells": CELLS_SCHEMA,
    "report_findings": FINDINGS_SCHEMA,
    "report_sections": SECTIONS_SCHEMA,
    "report_narrative_facts": NARRATIVE_FACTS_SCHEMA,
}
SORT_KEYS = {
    "reports": ["source_path"],
    "report_cells": ["report_id", "cell_no"],
    "report_findings": ["report_id", "finding_no"],
    "report_sections": ["report_id", "section_no"],
    "report_narrative_facts": ["report_id", "fact_no"],
}
MANIFEST_SCHEMA = pl.Schema(
    {
        "source_path": pl.String,
        "size_bytes": pl.Int64,
        "mtime_ns": pl.Int64,
        "sha256": pl.String,
        "report_id": pl.String,
        YEAR_COLUMN: pl.Int32,
        "parser_version": pl.String,
        "status": pl.String,
        "n_cells": pl.Int32,
        "n_findings": pl.Int32,
        "n_sections": pl.Int32,
        "n_facts": pl.Int32,
    }
)


@dataclass(frozen=True)
class SourceFile:
    """Where a report came from: the facts about its bytes that the parser does not see."""

    report_id: str
    source_path: str  # relative to the raw folder, with forward slashes
    sha256: str
    size_bytes: int
    modified_at: dt.datetime | None = None  # the file's modification time (orders revised editions)
    mtime_ns: int | None = None


def bucket_of(report_id: str) -> int:
    """One of 16 buckets within a year, from the id's first hex digit: a change rewrites one
    sixteenth of a year, not all of it."""
    return int(report_id[0], 16) if report_id[:1] in "0123456789abcdef" else 0


def _report_row(src: SourceFile, rep: ParsedDoc, n_cells: int, n_findings: int) -> dict:
    m = rep.meta
    status = rep.status
    z = m.resolution if status != REJECTED else None
    return {
        "report_id": src.report_id,
        "source_path": src.source_path,
        "sha256": src.sha256,
        "size_bytes": src.size_bytes,
        "file_modified_at": src.modified_at,
        "format": rep.format,
        "encoding": rep.encoding,
        "script": rep.script,
        "agency": m.agency,
        "agency_as_written": m.agency_as_written,
        "agency_key": z.agency_key if z else None,
        "agency_name": z.agency_name if z else None,
        "region_code": z.region_code if z else None,
        "agency_level": z.level if z else None,
        "agency_kind": z.kind if z else None,
        "government_key": z.government_key if z else None,
        "government_name": z.government_name if z else None,
        "published_on": m.published_on,
        "published_on_line": m.published_on_line,
        "index_number": m.index_number,
        "title": m.title,
        "title_line": m.title_line,
        "template": rep.template,
        "n_cells": n_cells,
        "n_findings": n_findings,
        "status": status,
        "parser_version": PARSER_VERSION,
        YEAR_COLUMN: m.report_year,
    }


def lake_frames(batch: ParsedBatch, sources: list[SourceFile]) -> dict[str, pl.DataFrame]:
    """The lake's tables, with `report_year` and `bucket`, for a parsed batch (its documents'
    sources in order)."""
    ids = pl.DataFrame(
        {
            "doc": pl.Series(range(len(sources)), dtype=pl.UInt32),
            "report_id": [s.report_id for s in sources],
            YEAR_COLUMN: pl.Series([d.meta.report_year for d in batch.docs], dtype=pl.Int32),
        }
    )
    counts = {
        name: dict(frame.group_by("doc").len().iter_rows())
        for name, frame in (("cells", batch.cells), ("findings", batch.findings))
    }
    rows = [
        _report_row(src, doc, counts["cells"].get(i, 0), counts["findings"].get(i, 0))
        for i, (src, doc) in enumerate(zip(sources, batch.docs, strict=True))
    ]
    reports = pl.DataFrame(rows, schema={**REPORTS_SCHEMA, YEAR_COLUMN: pl.Int32}, orient="row")
    sections_of = dict(batch.sections.group_by("doc").len().iter_rows())
    facts_of = dict(batch.facts.group_by("doc").len().iter_rows())
    reports = reports.with_columns(
        n_sections=pl.Series([sections_of.get(i, 0) for i in range(len(rows))], dtype=pl.Int32),
        n_facts=pl.Series([facts_of.get(i, 0) for i in range(len(rows))], dtype=pl.Int32),
    )

    def keyed(frame: pl.DataFrame, schema: pl.Schema) -> pl.DataFrame:
        return frame.join(ids, on="doc").select([*schema, YEAR_COLUMN])

    cells = keyed(batch.cells, CELLS_SCHEMA)
    findings = keyed(batch.findings, FINDINGS_SCHEMA)
    sections = keyed(batch.sections, SECTIONS_SCHEMA)
    facts = keyed(batch.facts, NARRATIVE_FACTS_SCHEMA)
    frames = {
        "reports": reports,
        "report_cells": cells,
        "report_findings": findings,
        "report_sections": sections,
        "report_narrative_facts": facts,
    }
    bucket = (
        pl.col("report_id")
        .str.slice(0, 1)
        .replace_strict({c: int(c, 16) for c in "0123456789abcdef"}, default=0, return_dtype=pl.Int8)
    )
    return {name: frame.with_columns(bucket=bucket) for name, frame in frames.items()}


def partition_dir(lake_dir: Path, table: str, year: int | None, bucket: int) -> Path:
    return lake_dir / table / f"{YEAR_COLUMN}={NO_YEAR if year is None else year}" / f"{BUCKET_COLUMN}={bucket}"


def write_atomic(frame: pl.DataFrame, path: Path) -> None:
    """Write Parquet to a temporary file beside `path`, then rename it into place."""
    commit([write_pending(frame, path)])


@dataclass(frozen=True)
class Pending:
    """A file written beside its place and not yet in it (`tmp` None: the file is to go)."""

    path: Path
    tmp: Path | None


def write_pending(frame: pl.DataFrame, path: Path) -> Pending:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        frame.write_parquet(tmp, compression="zstd", statistics=True)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Pending(path, tmp)


def commit(pending: list[Pending]) -> None:
    """Move written files into place and remove emptied ones (renames need no space)."""
    for item in pending:
        if item.tmp is not None:
            os.replace(item.tmp, item.path)
            continue
        item.path.unlink(missing_ok=True)
        for parent in (item.path.parent, item.path.parent.parent):
            with contextlib.suppress(OSError):  # another partition of the folder may still be there
                if not any(parent.iterdir()):
                    parent.rmdir()


def discard(pending: list[Pending]) -> None:
    for item in pending:
        if item.tmp is not None:
            item.tmp.unlink(missing_ok=True)


def read_partition(lake_dir: Path, table: str, year: int | None, bucket: int) -> pl.DataFrame:
    path = partition_dir(lake_dir, table, year, bucket) / "part-0.parquet"
    if path.exists():
        return pl.read_parquet(path)
    return pl.DataFrame(schema=SCHEMAS[table])


def write_partition(
    kept: pl.DataFrame, fresh: pl.DataFrame | None, lake_dir: Path, table: str, year: int | None, bucket: int
) -> Pending:
    """Write one partition of one table beside its place: the rows `kept` from its file (sorted,
    as read) merged with the `fresh` ones, in key order, without the partition columns. Merging
    two sorted runs is linear; sorting a whole partition again cost half of a 1%-change run's
    writing at 100k reports. An emptied partition is to be removed, except the no-year one of
    bucket 0, kept so readers always find a file."""
    path = partition_dir(lake_dir, table, year, bucket) / "part-0.parquet"
    columns, keys = list(SCHEMAS[table]), SORT_KEYS[table]
    frame = kept.select(columns).cast(SCHEMAS[table])
    if fresh is not None and fresh.height:
        fresh = fresh.select(columns).cast(SCHEMAS[table]).sort(keys)
        frame = frame.merge_sorted(fresh, key=keys) if frame.height else fresh
    frame = frame.rechunk()
    if frame.height == 0 and (year is not None or bucket != 0):
        return Pending(path, None)
    return write_pending(frame, path)


def read_table(lake_dir: Path, table: str) -> pl.DataFrame:
    """A whole lake table with its `report_year` (for tests, checks and small lakes)."""
    folder = lake_dir / table
    if not folder.exists():
        return pl.DataFrame(schema={**SCHEMAS[table], YEAR_COLUMN: pl.Int32})
    frame = pl.read_parquet(folder, hive_partitioning=True, hive_schema={YEAR_COLUMN: pl.Int32, BUCKET_COLUMN: pl.Int8})
    return frame.drop(BUCKET_COLUMN).sort(SORT_KEYS[table])


def read_manifest(lake_dir: Path) -> pl.DataFrame:
    path = lake_dir / MANIFEST
    return pl.read_parquet(path) if path.exists() else pl.DataFrame(schema=MANIFEST_SCHEMA)


def write_manifest(frame: pl.DataFrame, lake_dir: Path) -> Pending:
    """The manifest, written beside its place: committed last, after the partitions."""
    return write_pending(frame.select(list(MANIFEST_SCHEMA)).sort("source_path").rechunk(), lake_dir / MANIFEST)

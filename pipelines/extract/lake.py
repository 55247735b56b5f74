"""The lake: four Parquet tables partitioned by report year, and the manifest of raw files.

Layout (hive partitioning, read by DuckDB and polars alike; a report without a year goes to
`report_year=__HIVE_DEFAULT_PARTITION__`, read as null):

    <lake>/_manifest.parquet                              one row per raw file seen
    <lake>/<table>/report_year=<YYYY>/part-0.parquet      reports, report_cells, report_findings,
                                                           report_sections

Schemas are explicit so an empty partition is still typed. Every file is written atomically
(temporary file, then rename) and sorted by stable keys, so a partition's bytes depend only on
its reports: an incremental run and a cold run write the same files.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.extract.report import Report
from pipelines.extract.template import TEMPLATE_2019, TEMPLATE_2021, expected_cells

PARSER_VERSION = "3"
YEAR_COLUMN = "report_year"
NO_YEAR = "__HIVE_DEFAULT_PARTITION__"  # the partition of reports whose year is unknown
MANIFEST = "_manifest.parquet"

REPORTS_SCHEMA = {
    "report_id": pl.String,
    "source_path": pl.String,
    "sha256": pl.String,
    "size_bytes": pl.Int64,
    "file_modified_at": pl.Datetime("us", "UTC"),
    "format": pl.String,
    "encoding": pl.String,
    "script": pl.String,
    "agency": pl.String,
    "agency_as_written": pl.String,
    "published_on": pl.Date,
    "published_on_line": pl.Int32,
    "index_number": pl.String,
    "title": pl.String,
    "title_line": pl.Int32,
    "template": pl.String,
    "n_cells": pl.Int32,
    "n_findings": pl.Int32,
    "status": pl.String,
    "parser_version": pl.String,
}
CELLS_SCHEMA = {
    "report_id": pl.String,
    "cell_no": pl.Int32,
    "table_key": pl.String,
    "row_key": pl.String,
    "column_key": pl.String,
    "value": pl.Float64,
    "text": pl.String,
    "line": pl.Int32,
}
FINDINGS_SCHEMA = {
    "report_id": pl.String,
    "finding_no": pl.Int32,
    "code": pl.String,
    "severity": pl.String,
    "line": pl.Int32,
    "table_key": pl.String,
    "row_key": pl.String,
    "column_key": pl.String,
    "message": pl.String,
}
SECTIONS_SCHEMA = {
    "report_id": pl.String,
    "section_no": pl.Int32,
    "heading": pl.String,
    "line": pl.Int32,
    "text": pl.String,
}
SCHEMAS = {
    "reports": REPORTS_SCHEMA,
    "report_cells": CELLS_SCHEMA,
    "report_findings": FINDINGS_SCHEMA,
    "report_sections": SECTIONS_SCHEMA,
}
SORT_KEYS = {
    "reports": ["source_path"],
    "report_cells": ["report_id", "cell_no"],
    "report_findings": ["report_id", "finding_no"],
    "report_sections": ["report_id", "section_no"],
}
MANIFEST_SCHEMA = {
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
}

# Every cell key either template can print, numbered once: cells travel as small integers.
CELL_KEYS: tuple[tuple[str, str, str], ...] = tuple(
    dict.fromkeys([*expected_cells(TEMPLATE_2021), *expected_cells(TEMPLATE_2019)])
)
_KEY_INDEX = {key: k for k, key in enumerate(CELL_KEYS)}


@dataclass(frozen=True)
class SourceFile:
    """Where a report came from: the facts about its bytes that the parser does not see."""

    report_id: str
    source_path: str  # relative to the raw folder, with forward slashes
    sha256: str
    size_bytes: int
    modified_at: dt.datetime | None = None  # the file's modification time (orders revised editions)
    mtime_ns: int | None = None


@dataclass
class ReportRows:
    """One report, flattened for the lake: compact, cheap to send between processes."""

    year: int | None
    report: dict[str, object]
    cell_keys: list[int] = field(default_factory=list)
    cell_values: list[float | None] = field(default_factory=list)
    cell_texts: list[str] = field(default_factory=list)
    cell_lines: list[int] = field(default_factory=list)
    findings: list[tuple[object, ...]] = field(default_factory=list)
    sections: list[tuple[object, ...]] = field(default_factory=list)


def report_rows(src: SourceFile, rep: Report) -> ReportRows:
    m = rep.meta
    rows = ReportRows(
        year=m.report_year,
        report={
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
            "published_on": m.published_on,
            "published_on_line": m.published_on_line,
            "index_number": m.index_number,
            "title": m.title,
            "title_line": m.title_line,
            "template": rep.template,
            "n_cells": len(rep.cells),
            "n_findings": len(rep.findings),
            "status": rep.status,
            "parser_version": PARSER_VERSION,
        },
    )
    for c in rep.cells:
        rows.cell_keys.append(_KEY_INDEX[(c.table, c.row, c.column)])
        rows.cell_values.append(None if c.value is None else float(c.value))
        rows.cell_texts.append(c.text)
        rows.cell_lines.append(c.line)
    rows.findings = [
        (k, f.code, f.severity, f.line, f.table, f.row, f.column, f.message) for k, f in enumerate(rep.findings, 1)
    ]
    rows.sections = [(s.number, s.heading, s.line, s.text) for s in rep.sections]
    return rows


def build_frames(batch: Iterable[ReportRows]) -> dict[str, pl.DataFrame]:
    """The four tables for a batch of reports (any years), plus a `report_year` column."""
    batch = list(batch)
    reports = pl.DataFrame([r.report for r in batch], schema=REPORTS_SCHEMA, orient="row")
    reports = reports.with_columns(pl.Series(YEAR_COLUMN, [r.year for r in batch], dtype=pl.Int32))
    report_ids = [r.report["report_id"] for r in batch]
    years = [r.year for r in batch]

    counts = [len(r.cell_keys) for r in batch]
    # the index of each cell's report (a report with no cells yields a null, dropped)
    owner = pl.Series(range(len(batch)), dtype=pl.UInt32).repeat_by(pl.Series(counts)).explode().drop_nulls()
    keys = pl.Series("k", [k for r in batch for k in r.cell_keys], dtype=pl.UInt32)
    cells = pl.DataFrame(
        {
            "report_id": pl.Series(report_ids, dtype=pl.String).gather(owner),
            "cell_no": [n for c in counts for n in range(1, c + 1)],
            "table_key": pl.Series([t for t, _, _ in CELL_KEYS]).gather(keys),
            "row_key": pl.Series([r for _, r, _ in CELL_KEYS]).gather(keys),
            "column_key": pl.Series([c for _, _, c in CELL_KEYS]).gather(keys),
            "value": [v for r in batch for v in r.cell_values],
            "text": [t for r in batch for t in r.cell_texts],
            "line": [n for r in batch for n in r.cell_lines],
            YEAR_COLUMN: pl.Series(years, dtype=pl.Int32).gather(owner),
        },
        schema={**CELLS_SCHEMA, YEAR_COLUMN: pl.Int32},
    )
    findings = pl.DataFrame(
        [(rid, *f, y) for rid, y, r in zip(report_ids, years, batch, strict=True) for f in r.findings],
        schema={**FINDINGS_SCHEMA, YEAR_COLUMN: pl.Int32},
        orient="row",
    )
    sections = pl.DataFrame(
        [(rid, *s, y) for rid, y, r in zip(report_ids, years, batch, strict=True) for s in r.sections],
        schema={**SECTIONS_SCHEMA, YEAR_COLUMN: pl.Int32},
        orient="row",
    )
    return {"reports": reports, "report_cells": cells, "report_findings": findings, "report_sections": sections}


def partition_dir(lake_dir: Path, table: str, year: int | None) -> Path:
    return lake_dir / table / f"{YEAR_COLUMN}={NO_YEAR if year is None else year}"


def write_atomic(frame: pl.DataFrame, path: Path) -> None:
    """Write Parquet to a temporary file beside `path`, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        frame.write_parquet(tmp, compression="zstd", statistics=True)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_partition(lake_dir: Path, table: str, year: int | None) -> pl.DataFrame:
    path = partition_dir(lake_dir, table, year) / "part-0.parquet"
    if path.exists():
        return pl.read_parquet(path)
    return pl.DataFrame(schema=SCHEMAS[table])


def write_partition(frame: pl.DataFrame, lake_dir: Path, table: str, year: int | None) -> Path | None:
    """Write one year of one table (sorted, without the partition column); an empty year of a
    known year is removed, while the no-year partition always exists so readers find a file."""
    folder = partition_dir(lake_dir, table, year)
    path = folder / "part-0.parquet"
    frame = frame.select(list(SCHEMAS[table])).sort(SORT_KEYS[table]).rechunk()
    if frame.height == 0 and year is not None:
        path.unlink(missing_ok=True)
        if folder.exists() and not any(folder.iterdir()):
            folder.rmdir()
        return None
    write_atomic(frame, path)
    return path


def read_table(lake_dir: Path, table: str) -> pl.DataFrame:
    """A whole lake table with its `report_year` (for tests, checks and small lakes)."""
    folder = lake_dir / table
    if not folder.exists():
        return pl.DataFrame(schema={**SCHEMAS[table], YEAR_COLUMN: pl.Int32})
    frame = pl.read_parquet(folder, hive_partitioning=True, hive_schema={YEAR_COLUMN: pl.Int32})
    return frame.sort(SORT_KEYS[table])


def read_manifest(lake_dir: Path) -> pl.DataFrame:
    path = lake_dir / MANIFEST
    return pl.read_parquet(path) if path.exists() else pl.DataFrame(schema=MANIFEST_SCHEMA)


def write_manifest(frame: pl.DataFrame, lake_dir: Path) -> None:
    write_atomic(frame.select(list(MANIFEST_SCHEMA)).sort("source_path").rechunk(), lake_dir / MANIFEST)

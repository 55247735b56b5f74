"""The lake's four Parquet tables: their schemas, and building and writing them with polars.

Schemas are explicit so an empty batch still writes typed, readable files. Writes are atomic
(temporary file in the same folder, then `os.replace`), and rows are ordered by source path
and template order, so the same raw folder always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.extract.report import Report

PARSER_VERSION = "2"

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
    "report_year": pl.Int32,
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


@dataclass(frozen=True)
class SourceFile:
    """Where a report came from: the facts about its bytes that the parser does not see."""

    report_id: str
    source_path: str  # relative to the raw folder, with forward slashes
    sha256: str
    size_bytes: int
    modified_at: dt.datetime | None = None  # the file's modification time (orders revised editions)


def build_tables(parsed: list[tuple[SourceFile, Report]]) -> dict[str, pl.DataFrame]:
    """The four lake tables for a batch of parsed reports (in the order given)."""
    reports: list[dict[str, object]] = []
    cells: list[tuple[object, ...]] = []
    findings: list[tuple[object, ...]] = []
    sections: list[tuple[object, ...]] = []
    for src, rep in parsed:
        m = rep.meta
        reports.append(
            {
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
                "report_year": m.report_year,
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
            }
        )
        rid = src.report_id
        cells += [
            (rid, c.table, c.row, c.column, None if c.value is None else float(c.value), c.text, c.line)
            for c in rep.cells
        ]
        findings += [
            (rid, k, f.code, f.severity, f.line, f.table, f.row, f.column, f.message)
            for k, f in enumerate(rep.findings, start=1)
        ]
        sections += [(rid, s.number, s.heading, s.line, s.text) for s in rep.sections]
    return {
        "reports": pl.DataFrame(reports, schema=REPORTS_SCHEMA, orient="row"),
        "report_cells": pl.DataFrame(cells, schema=CELLS_SCHEMA, orient="row"),
        "report_findings": pl.DataFrame(findings, schema=FINDINGS_SCHEMA, orient="row"),
        "report_sections": pl.DataFrame(sections, schema=SECTIONS_SCHEMA, orient="row"),
    }


def write_atomic(frame: pl.DataFrame, path: Path) -> None:
    """Write Parquet to a temporary file beside `path`, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        frame.write_parquet(tmp, compression="zstd", statistics=True)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_lake(tables: dict[str, pl.DataFrame], lake_dir: Path) -> dict[str, Path]:
    """Write every table as `<lake_dir>/<name>.parquet`; returns the paths written."""
    written = {}
    for name, frame in tables.items():
        path = lake_dir / f"{name}.parquet"
        write_atomic(frame, path)
        written[name] = path
    return written

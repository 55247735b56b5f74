"""One report as an object: what `disclosure parse`, the tests and the generator's round trip
see. It is a view of a parsed batch: a single file goes the batch's way (open_document, then
parse_documents), as a batch of one, and its values are the batch's, made exact (int, or
Decimal for amounts).

Pure: no file system access.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from pipelines.extract.findings import OK, Finding
from pipelines.extract.read.batch import ParsedBatch, parse_documents
from pipelines.extract.read.document import Document, open_document
from pipelines.extract.read.formats import TEXT
from pipelines.extract.read.metadata import Metadata
from pipelines.extract.read.tables import ParsedCell
from pipelines.extract.template import TEMPLATE_2021, expected_cells


@dataclass(frozen=True)
class SectionRecord:
    number: int
    heading: str | None
    line: int
    text: str


@dataclass(frozen=True)
class StatedFact:
    """A number the narrative states about a measure of the tables (see narrative.py)."""

    section: int
    measure: str
    value: int | float
    unit: str
    is_approximate: bool
    line: int | None
    phrase: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "measure": self.measure,
            "value": self.value,
            "unit": self.unit,
            "is_approximate": self.is_approximate,
            "line": self.line,
            "phrase": self.phrase,
        }


@dataclass
class Report:
    source: str
    format: str = TEXT
    encoding: str | None = None
    script: str | None = None
    template: str | None = None
    meta: Metadata = field(default_factory=Metadata)
    cells: list[ParsedCell] = field(default_factory=list)
    sections: list[SectionRecord] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    narrative_facts: list[StatedFact] = field(default_factory=list)
    status: str = OK

    def tables(self) -> dict[str, dict[str, dict[str, int | Decimal | None]]]:
        """Every template cell, nested table → row → column; null where absent or blank."""
        nested: dict[str, dict[str, dict[str, int | Decimal | None]]] = {}
        for table, row, column in expected_cells(self.template or TEMPLATE_2021):
            nested.setdefault(table, {}).setdefault(row, {})[column] = None
        for c in self.cells:
            nested.setdefault(c.table, {}).setdefault(c.row, {})[c.column] = c.value
        return nested

    def as_json(self) -> dict[str, Any]:
        m = self.meta
        return {
            "source": self.source,
            "status": self.status,
            "agency": m.agency,
            "agency_as_written": m.agency_as_written,
            "agency_resolved": None
            if m.resolution is None
            else {
                "key": m.resolution.agency_key,
                "name": m.resolution.agency_name,
                "region_code": m.resolution.region_code,
                "level": m.resolution.level,
                "kind": m.resolution.kind,
                "government_key": m.resolution.government_key,
                "government_name": m.resolution.government_name,
            },
            "report_year": m.report_year,
            "published_on": m.published_on.isoformat() if m.published_on else None,
            "index_number": m.index_number,
            "title": m.title,
            "script": self.script,
            "format": self.format,
            "encoding": self.encoding,
            "template": self.template,
            "tables": self.tables(),
            "findings": [f.as_dict() for f in self.findings],
            "narrative_facts": [f.as_dict() for f in self.narrative_facts],
        }


def parse_bytes(data: bytes, source: str) -> Report:
    """Parse a report file of any supported format (text, HTML, DOCX, PDF)."""
    return reports(parse_documents([open_document(data, source)]))[0]


def parse_text(text: str, source: str) -> Report:
    return reports(parse_documents([Document(source, text)]))[0]


def reports(batch: ParsedBatch) -> list[Report]:
    """The batch's reports as objects, values exact (int, or Decimal for amounts)."""
    cells = _by_doc(batch.cells)
    findings = _by_doc(batch.findings)
    sections = _by_doc(batch.sections)
    facts = _by_doc(batch.facts)
    out = []
    for i, doc in enumerate(batch.docs):
        out.append(
            Report(
                source=doc.source,
                format=doc.format,
                encoding=doc.encoding,
                script=doc.script,
                template=doc.template,
                meta=doc.meta,
                cells=[_cell(c) for c in cells.get(i, [])],
                sections=[
                    SectionRecord(s["section_no"], s["heading"], s["line"], s["text"]) for s in sections.get(i, [])
                ],
                findings=[
                    Finding(f["code"], f["message"], f["line"], f["table_key"], f["row_key"], f["column_key"])
                    for f in findings.get(i, [])
                ],
                narrative_facts=[_stated(f) for f in facts.get(i, [])],
                status=doc.status,
            )
        )
    return out


def _stated(row: dict[str, Any]) -> StatedFact:
    value = row["value"]
    exact: int | float = int(value) if float(value).is_integer() else value
    return StatedFact(
        row["section_no"], row["measure_key"], exact, row["unit"], row["is_approximate"], row["line"], row["phrase"]
    )


def _by_doc(frame: pl.DataFrame) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in frame.iter_rows(named=True):
        grouped.setdefault(row["doc"], []).append(row)
    return grouped


_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _exact(value: float, text: str | None) -> int | Decimal:
    """The batch's float as the exact number it was read from: an int, or the decimal as the
    cell wrote it (so 1,234.50 keeps its scale); the shortest round-tripping decimal when the
    text holds no matching number. Amounts have at most a dozen digits, well within the 15
    significant digits a double holds exactly."""
    if value.is_integer():
        return int(value)
    shortest = Decimal(repr(value))
    for token in _NUMBER.findall(text or ""):
        written = Decimal(token.replace(",", ""))
        if written == shortest:
            return written
    return shortest


def _cell(row: dict[str, Any]) -> ParsedCell:
    """A cell with its exact value; null where the batch left it null (blank, unreadable, or
    two readers disagreeing)."""
    value = None if row["value"] is None else _exact(row["value"], row["text"])
    return ParsedCell(row["table_key"], row["row_key"], row["column_key"], value, row["text"], row["line"])

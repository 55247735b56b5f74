"""Parse one report: bytes or text in, a `Report` out (metadata, cells, sections, findings).

Pure: no file system access. `parse_bytes` is what the extraction step and the CLI call.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from pipelines.extract.cells import split_cells
from pipelines.extract.findings import Finding, status_of
from pipelines.extract.formats import TEXT, convert
from pipelines.extract.lines import source_lines
from pipelines.extract.metadata import Metadata, read_metadata
from pipelines.extract.normalize import TRADITIONAL, detect_script, label_key
from pipelines.extract.sections import SectionSpan, find_sections, section_text
from pipelines.extract.tables import (
    ParsedCell,
    read_active_disclosure,
    read_requests,
    read_review_litigation,
)
from pipelines.extract.template import TEMPLATE_2019, TEMPLATE_2019_MARKS, TEMPLATE_2021, expected_cells

_READERS = {
    2: ("active_disclosure", read_active_disclosure),
    3: ("requests", read_requests),
    4: ("review_litigation", read_review_litigation),
}
_ORDER = {
    template: {cell: k for k, cell in enumerate(expected_cells(template))}
    for template in (TEMPLATE_2021, TEMPLATE_2019)
}


@dataclass(frozen=True)
class SectionRecord:
    number: int
    heading: str | None
    line: int
    text: str


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

    @property
    def status(self) -> str:
        return status_of(self.findings)

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
        }


def parse_bytes(data: bytes, source: str) -> Report:
    """Parse a report file of any supported format (text, HTML, DOCX, PDF)."""
    converted = convert(data)
    if converted.text is None:
        return Report(
            source=source, format=converted.format, encoding=converted.encoding, findings=list(converted.findings)
        )
    report = parse_text(converted.text, source)
    report.format, report.encoding = converted.format, converted.encoding
    report.findings[:0] = converted.findings
    if converted.line_map is not None:
        _to_source_lines(report, converted.line_map)
    return report


def _to_source_lines(report: Report, line_map: tuple[int, ...]) -> None:
    """Renumber every line reference from the converted text to the source file's lines."""

    def source(line: int | None) -> int | None:
        return line_map[line - 1] if line is not None and 0 < line <= len(line_map) else line

    report.cells = [replace(c, line=source(c.line)) for c in report.cells]
    report.findings = [replace(f, line=source(f.line)) for f in report.findings]
    report.sections = [replace(s, line=source(s.line)) for s in report.sections]
    report.meta.title_line = source(report.meta.title_line)
    report.meta.published_on_line = source(report.meta.published_on_line)


def parse_text(text: str, source: str) -> Report:
    report = Report(source=source)
    lines = source_lines(text)
    report.script = detect_script(text)
    spans, section_findings = find_sections(lines)
    by_number = {s.number: s for s in spans}
    report.meta = read_metadata(lines, by_number[0].end, report.script == TRADITIONAL)
    report.template = _template(lines, by_number)
    report.sections = [SectionRecord(s.number, s.heading, s.line, section_text(lines, s)) for s in spans]

    cells: list[ParsedCell] = []
    table_findings: list[Finding] = []
    for number, (table, reader) in _READERS.items():
        span = _region(number, spans)
        stream = split_cells(lines, span.start, span.end)
        found, findings = reader(stream, by_number.get(number, span).line, report.template)
        if not found and not any(f.code == "row_cell_count" for f in findings):
            findings = [Finding("table_missing", f"table '{table}' not found", line=span.line, table=table)]
        cells += found
        table_findings += findings

    if not cells and not (by_number.keys() & {2, 3, 4}):
        report.findings = [Finding("not_a_report", "no section heading or table of the template was found")]
        return report
    order = _ORDER[report.template]
    report.cells = sorted(cells, key=lambda c: order.get((c.table, c.row, c.column), len(order)))
    report.findings = report.meta.findings + section_findings + table_findings
    return report


def _region(number: int, spans: list[SectionSpan]) -> SectionSpan:
    """The section's own span, or the nearest earlier one (which then runs over the table)."""
    earlier = [s for s in spans if s.number <= number]
    return max(earlier, key=lambda s: s.number)


def _template(lines: list[str], by_number: dict[int, SectionSpan]) -> str:
    span = by_number.get(2)
    region = lines[span.start : span.end] if span else lines
    keys = "".join(label_key(line) for line in region if line.strip())
    return TEMPLATE_2019 if any(mark in keys for mark in TEMPLATE_2019_MARKS) else TEMPLATE_2021

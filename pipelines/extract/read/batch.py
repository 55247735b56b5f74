"""Parse many reports at once: line and cell work vectorised with polars.

This is the parser's driver. Per report, Python only cleans the text, picks its section
headings out of a handful of candidate lines and reads its title and dates (metadata.py).
Everything that touches every line or every cell runs as polars expressions over the whole
batch: the text as frames (structure.py), table regions split into cells in their layout
(layouts/), the tables read through one plan per shape (tables_by_plan.py). Reports the fast
reader could not read in full are read again from their layout (fallback.py), and the
narrative's stated numbers are read last (narrative.py). A single report is a batch of one
(report.py); a document with no text is a report with its findings and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import polars as pl

from pipelines.extract.findings import CODES, OK, Finding, status_of
from pipelines.extract.read.document import Document
from pipelines.extract.read.fallback import second_reading
from pipelines.extract.read.layouts import split_cells
from pipelines.extract.read.lines import clean_text
from pipelines.extract.read.metadata import Metadata, read_metadata
from pipelines.extract.read.narrative import FACTS_COLUMNS, facts_frame
from pipelines.extract.read.normalize import TRADITIONAL, detect_script
from pipelines.extract.read.sections import SectionSpan
from pipelines.extract.read.structure import line_frame, section_spans, section_texts, table_regions, templates_of
from pipelines.extract.read.tables_by_plan import TABLE_FINDINGS, cell_findings, read_tables
from pipelines.extract.template import TEMPLATE_2019, TEMPLATE_2021, expected_cells

_ORDER = {t: {cell: k for k, cell in enumerate(expected_cells(t))} for t in (TEMPLATE_2021, TEMPLATE_2019)}
_NOT_A_REPORT = "no section heading or table of the template was found"


@dataclass(frozen=True)
class ParsedDoc:
    """What the parse knows of one report beside its frames: its form, template, metadata, status."""

    source: str
    format: str
    encoding: str | None
    script: str | None
    template: str | None
    meta: Metadata
    spans: list[SectionSpan]
    status: str = OK


@dataclass(frozen=True)
class ParsedBatch:
    """A batch of parsed reports: per report facts, and its cells, findings and sections as
    frames keyed by `doc` (the report's position in the batch)."""

    docs: list[ParsedDoc]
    cells: pl.DataFrame  # doc, cell_no, table_key, row_key, column_key, value, text, line
    findings: pl.DataFrame  # doc, finding_no, code, severity, line, table_key, row_key, column_key, message
    sections: pl.DataFrame  # doc, section_no, heading, line, text
    # doc, fact_no, section_no, measure_key, value, unit, is_approximate, line, phrase
    facts: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=FACTS_COLUMNS))


# The batch's frames; `doc` is the report's position in the batch (the lake keys them by report_id)
FINDINGS_COLUMNS = pl.Schema(
    {
        "doc": pl.UInt32,
        "finding_no": pl.Int32,
        "code": pl.String,
        "severity": pl.String,
        "line": pl.Int32,
        "table_key": pl.String,
        "row_key": pl.String,
        "column_key": pl.String,
        "message": pl.String,
    }
)
CELLS_COLUMNS = pl.Schema(
    {
        "doc": pl.UInt32,
        "cell_no": pl.Int32,
        "table_key": pl.String,
        "row_key": pl.String,
        "column_key": pl.String,
        "value": pl.Float64,
        "text": pl.String,
        "line": pl.Int32,
    }
)
SECTIONS_COLUMNS = pl.Schema(
    {"doc": pl.UInt32, "section_no": pl.Int32, "heading": pl.String, "line": pl.Int32, "text": pl.String}
)


def parse_documents(documents: Sequence[Document]) -> ParsedBatch:
    """Parse a batch of documents, those with no text included; each report's status is
    decided last, from all of its findings."""
    readable = [i for i, d in enumerate(documents) if d.text is not None]
    batch = _parse_texts([documents[i] for i in readable]) if readable else _empty()
    if len(readable) < len(documents):
        batch = _with_textless(documents, readable, batch)
    codes = dict(batch.findings.group_by("doc").agg("code").iter_rows())
    docs = [replace(d, status=status_of(codes.get(i, []))) for i, d in enumerate(batch.docs)]
    return replace(batch, docs=docs)


def _parse_texts(documents: Sequence[Document]) -> ParsedBatch:
    """Parse documents that have a text (see the module's docstring for what runs where)."""
    texts = [clean_text(d.text or "") for d in documents]
    lines = line_frame(texts)
    spans, section_findings = section_spans(lines, len(texts))
    templates = templates_of(lines, spans)
    docs: list[ParsedDoc] = []
    for document, text, found, template in zip(documents, texts, spans, templates, strict=True):
        script = detect_script(document.text or "")
        meta = read_metadata(text.split("\n"), found[0].end, script == TRADITIONAL)
        docs.append(ParsedDoc(document.source, document.format, document.encoding, script, template, meta, found))
    sections = section_texts(lines, spans)
    regions = table_regions(spans, templates)
    parsed, structural = read_tables(split_cells(lines, regions), regions)

    reports = set(parsed["doc"].unique().to_list()) | {
        i for i, d in enumerate(docs) if any(s.number in (2, 3, 4) for s in d.spans)
    }
    prefix: list[tuple] = []
    for i, (document, doc) in enumerate(zip(documents, docs, strict=True)):
        groups = [(-3, document.findings), (-2, doc.meta.findings), (-1, section_findings[i])]
        if i not in reports:  # nothing of the template at all
            groups = [(-3, document.findings), (-1, [Finding("not_a_report", _NOT_A_REPORT)])]
        for group, group_findings in groups:
            prefix += [
                (i, group, n, f.code, f.message, f.line, f.table, f.row, f.column) for n, f in enumerate(group_findings)
            ]
    findings = pl.concat(
        [
            pl.DataFrame(prefix, schema=TABLE_FINDINGS, orient="row"),
            structural.cast(TABLE_FINDINGS).select(list(TABLE_FINDINGS)),
            cell_findings(parsed),
        ]
    )
    not_reports = [i for i in range(len(docs)) if i not in reports]
    if not_reports:  # a file that is no report: nothing about tables it does not have
        findings = findings.filter((pl.col("table_no") < 0) | ~pl.col("doc").is_in(not_reports))
    findings = findings.sort("doc", "table_no", "event").with_columns(
        finding_no=pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over("doc"),
        severity=pl.col("code").replace_strict({code: sev for code, (sev, _) in CODES.items()}),
    )
    first = ParsedBatch(docs, _ordered_cells(parsed, docs), findings.select(list(FINDINGS_COLUMNS)), sections)
    batch = second_reading(documents, _to_source_lines(documents, first))
    facts = facts_frame(
        texts,
        [d.line_map for d in documents],
        [d.meta.report_year for d in batch.docs],
        [d.script == TRADITIONAL for d in batch.docs],
        batch.sections,
    )
    return replace(batch, facts=facts)


def _empty() -> ParsedBatch:
    return ParsedBatch(
        [],
        pl.DataFrame(schema=CELLS_COLUMNS),
        pl.DataFrame(schema=FINDINGS_COLUMNS),
        pl.DataFrame(schema=SECTIONS_COLUMNS),
    )


def _with_textless(documents: Sequence[Document], readable: list[int], parsed: ParsedBatch) -> ParsedBatch:
    """The batch of every document: the parsed ones at their positions, and a report with only
    its findings for each document that has no text."""
    position = pl.DataFrame(
        {"at": pl.Series(range(len(readable)), dtype=pl.UInt32), "to": pl.Series(readable, dtype=pl.UInt32)}
    )

    def moved(frame: pl.DataFrame) -> pl.DataFrame:
        columns = frame.columns
        return frame.join(position, left_on="doc", right_on="at").drop("doc").rename({"to": "doc"}).select(columns)

    by_position = dict(zip(readable, parsed.docs, strict=True))
    docs, rows = [], []
    for i, d in enumerate(documents):
        if i in by_position:
            docs.append(by_position[i])
            continue
        docs.append(ParsedDoc(d.source, d.format, d.encoding, None, None, Metadata(), []))
        rows += [
            (i, n, f.code, f.severity, f.line, f.table, f.row, f.column, f.message) for n, f in enumerate(d.findings, 1)
        ]
    findings = pl.concat([moved(parsed.findings), pl.DataFrame(rows, schema=FINDINGS_COLUMNS, orient="row")])
    return ParsedBatch(
        docs,
        moved(parsed.cells),
        findings.sort("doc", "finding_no"),
        moved(parsed.sections),
        moved(parsed.facts),
    )


def _ordered_cells(parsed: pl.DataFrame, docs: list[ParsedDoc]) -> pl.DataFrame:
    """Cells in the template's printed order, numbered per report."""
    order = pl.DataFrame(
        [(t, *cell, k) for t, cells in _ORDER.items() for cell, k in cells.items()],
        schema={
            "template": pl.String,
            "table_key": pl.String,
            "row_key": pl.String,
            "column_key": pl.String,
            "order": pl.Int32,
        },
        orient="row",
    )
    templates = pl.DataFrame(
        {"doc": pl.Series(range(len(docs)), dtype=pl.UInt32), "template": [d.template for d in docs]}
    )
    cells = parsed.join(templates, on="doc").join(
        order, on=["template", "table_key", "row_key", "column_key"], how="left"
    )
    cells = cells.sort("doc", "order").with_columns(cell_no=pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over("doc"))
    return cells.select(*CELLS_COLUMNS)


def _to_source_lines(documents: Sequence[Document], batch: ParsedBatch) -> ParsedBatch:
    """Line numbers of converted documents (HTML) point into the source file, not the text."""
    mapped = [(i, d.line_map) for i, d in enumerate(documents) if d.line_map]
    if not mapped:
        return batch
    sizes = pl.Series([len(line_map) for _, line_map in mapped], dtype=pl.Int64)
    mapping = pl.DataFrame(
        {
            "doc": pl.Series([i for i, _ in mapped], dtype=pl.UInt32).repeat_by(sizes).explode(),
            "line": pl.int_ranges(1, sizes + 1, dtype=pl.Int32, eager=True).explode(),
            "source_line": pl.Series([n for _, line_map in mapped for n in line_map], dtype=pl.Int32),
        }
    )

    def remap(frame: pl.DataFrame) -> pl.DataFrame:
        columns = frame.columns
        frame = frame.join(mapping, on=["doc", "line"], how="left", maintain_order="left")
        return frame.with_columns(pl.coalesce("source_line", "line").alias("line")).select(columns)

    def source_line(line: int | None, line_map: tuple[int, ...]) -> int | None:
        return line_map[line - 1] if line is not None and 0 < line <= len(line_map) else line

    docs = list(batch.docs)
    for i, line_map in mapped:
        meta = docs[i].meta
        meta = replace(
            meta,
            title_line=source_line(meta.title_line, line_map),
            published_on_line=source_line(meta.published_on_line, line_map),
        )
        docs[i] = replace(docs[i], meta=meta)
    return ParsedBatch(docs, remap(batch.cells), remap(batch.findings), remap(batch.sections))

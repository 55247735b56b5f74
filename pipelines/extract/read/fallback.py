"""A second reading for the reports the fast reader could not read in full.

The vectorised reader (batch.py) is exact and fast on reports whose tables keep their cells
beside their labels, which is most of them. A report it could not read completely (a table or
a row missing, a row with the wrong number of cells, no table at all) is read again by the
real-report reader (align/) from its layout: the format's own structure where it has one
(HTML and Markdown tables as grids, PDF geometry), its text otherwise. Table by table, the
reading with more values wins; where the two readers disagree on a cell, it is left null with
a finding. Either way, every value still has its source line, and every miss a finding.

Pure: documents and their first reading in, the merged reading out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import polars as pl

from pipelines.extract.findings import CODES, ERROR, Finding
from pipelines.extract.read.align import Aligned, align
from pipelines.extract.read.formats import HTML
from pipelines.extract.read.layout import Layout
from pipelines.extract.read.sections import inline_sections, missing_sections
from pipelines.extract.template import SECTIONS, TABLES, expected_cells

# Findings of the fast reader that say a table was not read in full.
INCOMPLETE = frozenset({"table_missing", "row_missing", "row_cell_count", "not_a_report"})
_DROPPED_WHEN_FOUND = frozenset({"not_a_report"})


def needs_second_reading(findings: pl.DataFrame) -> list[int]:
    """The documents (batch positions) whose first reading left a table incomplete."""
    if findings.is_empty():
        return []
    return sorted(findings.filter(pl.col("code").is_in(list(INCOMPLETE)))["doc"].unique().to_list())


def layout_of(document) -> Layout:  # document: batch.Document
    """The document's layout: kept from its conversion (PDF, DOCX), rebuilt from the page's
    markup (HTML), or read off its text (plain text, Markdown)."""
    if document.layout is not None:
        return document.layout
    if document.format == HTML and document.data is not None:
        from pipelines.extract.read.formats.html import html_layout

        return html_layout(document.data)
    from pipelines.extract.read.formats.plain import text_layout

    return text_layout(document.text)


def _count(cells: Sequence[tuple], table: str) -> int:
    return sum(1 for c in cells if c[0] == table and c[3] is not None)


_DOUBTS = frozenset({"row_cell_count", "cell_ambiguous"})  # the second reading saw a row and doubts it


def merge(template: str, first_cells: pl.DataFrame, first_findings: pl.DataFrame, second: Aligned):
    """The merged reading of one document: (template, cell rows, finding rows, replaced tables).

    Cell rows are (table, row, column, value, text, line); finding rows are Findings. A table is
    taken from the second reading when it has more values there (or as many, with fewer
    errors). Either way, no value survives a doubt: a cell the two readers read differently is
    null with a `reading_conflict` finding, and so is a cell the first reader read in a row the
    second found inconsistent (its printed values fit no cut, or fit several): in a report the
    first reader could not read in full, a value one reader doubts is not kept.
    """
    first = [
        (r["table_key"], r["row_key"], r["column_key"], r["value"], r["text"], r["line"])
        for r in first_cells.iter_rows(named=True)
    ]
    second_cells = [
        (c.table, c.row, c.column, None if c.value is None else float(c.value), c.text, c.line) for c in second.cells
    ]
    switch_template = second.template != template and bool(second.tables)
    first_errors = [r["table_key"] for r in first_findings.iter_rows(named=True) if CODES[r["code"]][0] == ERROR]
    second_errors = [f.table for f in second.findings if f.severity == ERROR]

    def quality(cells: Sequence[tuple], errors: list[str | None], table: str) -> tuple[int, int]:
        """More values first; with as many, fewer errors (a row the first reader could not align)."""
        return _count(cells, table), -errors.count(table)

    replaced = (
        set(TABLES)
        if switch_template
        else {t for t in TABLES if quality(second_cells, second_errors, t) > quality(first, first_errors, t)}
    )
    findings: list[Finding] = []
    for row in first_findings.iter_rows(named=True):
        if row["table_key"] in replaced or (row["code"] in _DROPPED_WHEN_FOUND and second.tables):
            continue
        findings.append(
            Finding(row["code"], row["message"], row["line"], row["table_key"], row["row_key"], row["column_key"])
        )
    findings += [f for f in second.findings if f.table in replaced]
    values = {
        "first": {(t, r, c): v for t, r, c, v, _, _ in first if v is not None},
        "second": {(t, r, c): v for t, r, c, v, _, _ in second_cells if v is not None},
    }
    doubted = {(f.table, f.row) for f in second.findings if f.code in _DOUBTS} if not switch_template else set()
    cells: list[tuple] = []
    for reader, rows in (("first", first), ("second", second_cells)):
        other = values["second" if reader == "first" else "first"]
        for t, r, c, v, text, line in rows:
            if (t in replaced) != (reader == "second"):
                continue
            elsewhere = other.get((t, r, c))
            if v is not None and elsewhere is not None and abs(elsewhere - v) > 1e-9:
                message = f"{t}.{r}.{c}: read as {v:g} by one reader and as {elsewhere:g} by the other; kept null"
                findings.append(Finding("reading_conflict", message, line, t, r, c))
                v = None
            elif v is not None and reader == "first" and (t, r) in doubted:
                message = (
                    f"{t}.{r}.{c}: read as {v:g} beside its label, but the row's printed values do not read "
                    "as one row of the template (see the row's other findings); kept null"
                )
                findings.append(Finding("reading_conflict", message, line, t, r, c))
                v = None
            cells.append((t, r, c, v, text, line))
    return (second.template if switch_template else template), cells, findings, replaced


def _metadata_findings(document, meta) -> list[Finding]:  # document: batch.Document, meta: Metadata
    """The metadata findings (title, agency, year, dates) of a document the first reading took
    for no report, which kept only `not_a_report`: the second reading found its tables, so they
    are the report's again, their lines in the source file as every other finding's."""
    line_map = document.line_map
    out = []
    for f in meta.findings:
        line = f.line
        if line_map and line is not None and 0 < line <= len(line_map):
            line = line_map[line - 1]
        out.append(Finding(f.code, f.message, line, f.table, f.row, f.column))
    return out


def second_reading(documents: Sequence, batch):  # -> batch.ParsedBatch
    """The batch with every incomplete report read again and merged (see the module's docstring)."""
    todo = needs_second_reading(batch.findings)
    if not todo:
        return batch
    cells_by_doc = batch.cells.partition_by("doc", as_dict=True)
    findings_by_doc = batch.findings.partition_by("doc", as_dict=True)
    new_cells: list[tuple] = []
    new_findings: list[tuple] = []
    new_sections: list[tuple] = []
    headings = dict(batch.sections.filter(pl.col("section_no") > 0).group_by("doc").len().iter_rows())
    done: set[int] = set()
    docs = list(batch.docs)
    for i in todo:
        document, doc = documents[i], batch.docs[i]
        second = align(layout_of(document), document.text, None)
        empty_cells = batch.cells.clear()
        empty_findings = batch.findings.clear()
        first_findings = findings_by_doc.get((i,), empty_findings)
        not_a_report = "not_a_report" in first_findings["code"].to_list()
        template, cells, findings, replaced = merge(
            doc.template, cells_by_doc.get((i,), empty_cells), first_findings, second
        )
        if not replaced:
            continue
        docs[i] = replace(doc, template=template)
        if not_a_report:  # the first reading withheld the report's title, agency and date findings
            findings[len(document.findings) : len(document.findings)] = _metadata_findings(document, doc.meta)
        found = inline_sections(document.text)  # headings inside lines (an archiver's body)
        on_lines, inside = headings.get(i, 0), len(found) - 1
        if (on_lines == 0 and inside >= 3) or (inside == len(SECTIONS) > on_lines):
            new_sections += [(i, *section) for section in found]
            findings = [f for f in findings if f.code != "section_missing"] + missing_sections(
                {number for number, *_ in found}
            )
        order = {cell: k for k, cell in enumerate(expected_cells(template))}
        cells.sort(key=lambda c: order.get(c[:3], len(order)))
        new_cells += [(i, n, *c) for n, c in enumerate(cells, 1)]
        new_findings += [
            (i, n, f.code, CODES[f.code][0], f.line, f.table, f.row, f.column, f.message)
            for n, f in enumerate(findings, 1)
        ]
        done.add(i)
    keep_cells = batch.cells.filter(~pl.col("doc").is_in(list(done)))
    keep_findings = batch.findings.filter(~pl.col("doc").is_in(list(done)))
    cells = pl.concat([keep_cells, pl.DataFrame(new_cells, schema=batch.cells.schema, orient="row")])
    findings = pl.concat([keep_findings, pl.DataFrame(new_findings, schema=batch.findings.schema, orient="row")])
    sections = batch.sections
    if new_sections:
        replaced_sections = list({row[0] for row in new_sections})
        sections = pl.concat(
            [
                sections.filter(~pl.col("doc").is_in(replaced_sections)),
                pl.DataFrame(new_sections, schema=sections.schema, orient="row"),
            ]
        ).sort("doc", "section_no")
    return replace(
        batch,
        docs=docs,
        cells=cells.sort("doc", "cell_no"),
        findings=findings.sort("doc", "finding_no"),
        sections=sections,
    )

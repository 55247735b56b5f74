"""A batch's text as frames: one row per line, each report's sections, its template, its table regions.

Heading candidates are found vectorised and picked in order in Python (sections.py); the
template is told by a column label only the 2019 template prints in table 2's region.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from pipelines.extract.findings import Finding
from pipelines.extract.read.distinct import map_distinct
from pipelines.extract.read.normalize import label_key
from pipelines.extract.read.plans import READERS
from pipelines.extract.read.sections import SectionSpan, heading_number, select_headings
from pipelines.extract.template import TEMPLATE_2019, TEMPLATE_2019_MARKS, TEMPLATE_2021

Spans = list[list[SectionSpan]]  # per report in the batch, its sections in order


def line_frame(texts: list[str]) -> pl.DataFrame:
    """One row per line of every report: doc, no (0-based), line, stripped, tab, blank."""
    frame = pl.DataFrame({"doc": pl.Series(range(len(texts)), dtype=pl.UInt32), "line": texts})
    frame = frame.with_columns(pl.col("line").str.split("\n"))
    frame = frame.with_columns(no=pl.int_ranges(pl.col("line").list.len(), dtype=pl.Int32)).explode("line", "no")
    return frame.with_columns(
        stripped=pl.col("line").str.strip_chars(),
        tab=pl.col("line").str.starts_with("\t"),
    ).with_columns(blank=pl.col("stripped") == "")


def section_spans(lines: pl.DataFrame, n: int) -> tuple[Spans, list[list[Finding]]]:
    """Section spans per report: candidates found vectorised, picked in order in Python."""
    candidates = lines.filter(~pl.col("blank") & (pl.col("stripped").str.len_chars() <= 40))
    numbers = map_distinct(candidates["stripped"], heading_number, pl.Int8)
    hits = candidates.select("doc", "no", "stripped").with_columns(section=numbers).drop_nulls("section")
    by_doc: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for doc, no, stripped, section in hits.iter_rows():
        by_doc[doc].append((no, section, stripped))
    counts = lines.group_by("doc").agg(pl.col("no").max() + 1).sort("doc")["no"].to_list() if n else []
    spans, findings = [], []
    for doc in range(n):
        found, missing = select_headings(by_doc.get(doc, []), counts[doc])
        spans.append(found)
        findings.append(missing)
    return spans, findings


def templates_of(lines: pl.DataFrame, spans: Spans) -> list[str]:
    """Each report's template: 2019 when table 2's region prints a column label only the 2019
    template has, 2021 otherwise."""
    bounds = []
    for i, found in enumerate(spans):
        span = next((s for s in found if s.number == 2), None)
        bounds.append((i, span.start if span else 0, span.end if span else 1 << 30))
    frame = pl.DataFrame(bounds, schema={"doc": pl.UInt32, "start": pl.Int32, "end": pl.Int32}, orient="row")
    region = lines.join(frame, on="doc").filter(
        (pl.col("no") >= pl.col("start")) & (pl.col("no") < pl.col("end")) & ~pl.col("blank")
    )
    keys = region.with_columns(key=map_distinct(region["line"], label_key, pl.String))
    joined = keys.group_by("doc").agg(pl.col("key").str.join(""))
    marks = pl.lit(False)
    for mark in TEMPLATE_2019_MARKS:
        marks = marks | pl.col("key").str.contains(mark, literal=True)
    of_2019 = set(joined.filter(marks)["doc"].to_list())
    return [TEMPLATE_2019 if i in of_2019 else TEMPLATE_2021 for i in range(len(spans))]


def _spans_frame(spans: Spans) -> pl.DataFrame:
    rows = [(i, s.number, s.heading, s.line, s.start, s.end) for i, found in enumerate(spans) for s in found]
    schema = {"doc": pl.UInt32, "section_no": pl.Int32, "heading": pl.String, "line": pl.Int32}
    return pl.DataFrame(rows, schema={**schema, "start": pl.Int32, "end": pl.Int32}, orient="row")


def section_texts(lines: pl.DataFrame, spans: Spans) -> pl.DataFrame:
    """Each section's text: its lines joined, blank ends trimmed (heading lines belong to none)."""
    spans_frame = _spans_frame(spans)
    tagged = (
        lines.select("doc", "no", "line")
        .sort("doc", "no")
        .join_asof(
            spans_frame.select("doc", "start", "section_no").sort("doc", "start"),
            left_on="no",
            right_on="start",
            by="doc",
            check_sortedness=False,  # both sides sorted just above
        )
    )
    tagged = tagged.join(spans_frame.select("doc", "section_no", "end"), on=["doc", "section_no"]).filter(
        pl.col("no") < pl.col("end")
    )
    texts = tagged.group_by("doc", "section_no").agg(pl.col("line").sort_by("no").str.join("\n").alias("text"))
    out = spans_frame.join(texts, on=["doc", "section_no"], how="left")
    out = out.with_columns(pl.col("text").fill_null("").str.strip_chars())
    return out.select("doc", "section_no", "heading", "line", "text").sort("doc", "section_no")


def table_regions(spans: Spans, templates: list[str]) -> pl.DataFrame:
    """Where each table is read: its section, or the nearest earlier one when its heading is
    missing (the table then runs on in that section)."""
    rows = []
    for i, (found, template) in enumerate(zip(spans, templates, strict=True)):
        for number in READERS:
            span = max((s for s in found if s.number <= number), key=lambda s: s.number)
            rows.append((i, number, span.number, span.start, span.end, span.line, template))
    schema = {
        "doc": pl.UInt32,
        "table_no": pl.Int8,
        "section_no": pl.Int32,
        "start": pl.Int32,
        "end": pl.Int32,
        "heading_line": pl.Int32,
        "template": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")

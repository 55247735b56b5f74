"""Parse many reports at once: line and cell work vectorised with polars.

This is the parser. Per report, Python only cleans the text, picks its section headings out of
a handful of candidate lines and reads its title and dates (metadata.py). Everything that
touches every line or every cell runs as polars expressions over the whole batch: splitting
table regions into cells in whichever layout they use, the tables' shapes, their values. Label
matching runs once per distinct label text, value reading once per distinct cell text, and the
table readers (tables.py) once per distinct table shape (plans.py). A single report is parsed
as a batch of one (report.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import polars as pl

from pipelines.extract.findings import CODES, Finding
from pipelines.extract.read.cells import Cell, CellStream
from pipelines.extract.read.fallback import second_reading
from pipelines.extract.read.layout import Layout
from pipelines.extract.read.lines import clean_text
from pipelines.extract.read.metadata import Metadata, read_metadata
from pipelines.extract.read.narrative import FACTS_COLUMNS, facts_frame
from pipelines.extract.read.normalize import (
    BLANK,
    NUMBER,
    TRADITIONAL,
    detect_script,
    is_value_like,
    label_key,
    read_value,
)
from pipelines.extract.read.plans import EMPTY, HEADING, LABEL, READERS, STRAY, VALUE, CellEvent, plan_for
from pipelines.extract.read.sections import SectionSpan, heading_number, select_headings
from pipelines.extract.read.tables import is_stray_value
from pipelines.extract.template import (
    DECIMAL_CELLS,
    SIGNED_COLUMNS,
    TEMPLATE_2019,
    TEMPLATE_2019_MARKS,
    TEMPLATE_2021,
    expected_cells,
)

_SEPARATOR = r"^\s*:?-{3,}:?\s*$"
_BR = r"(?i)<br\s*/?>"
_ORDER = {t: {cell: k for k, cell in enumerate(expected_cells(t))} for t in (TEMPLATE_2021, TEMPLATE_2019)}
TAB, PIPE, SPACED, LINES, PARAGRAPH = "tab", "pipe", "spaced", "lines", "paragraph"


@dataclass(frozen=True)
class Document:
    """A report's text, ready to parse, and what its conversion already knows."""

    source: str
    text: str
    format: str = "text"
    encoding: str | None = None
    line_map: tuple[int, ...] | None = None  # source line of each text line, when converted
    findings: tuple[Finding, ...] = ()
    layout: Layout | None = None  # the format's structure, where its conversion kept it (PDF)
    data: bytes | None = None  # the page's bytes (HTML), to rebuild its layout if ever needed


@dataclass
class DocResult:
    source: str
    format: str
    encoding: str | None
    script: str
    template: str
    meta: Metadata
    spans: list[SectionSpan]


@dataclass
class ParsedBatch:
    """A batch of parsed reports: per report facts, and its cells, findings and sections as
    frames keyed by `doc` (the report's position in the batch)."""

    docs: list[DocResult]
    cells: pl.DataFrame  # doc, cell_no, table_key, row_key, column_key, value, text, line
    findings: pl.DataFrame  # doc, finding_no, code, severity, line, table_key, row_key, column_key, message
    sections: pl.DataFrame  # doc, section_no, heading, line, text
    # doc, fact_no, section_no, measure_key, value, unit, is_approximate, line, phrase
    facts: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=FACTS_COLUMNS))
    extra: dict[int, list[Finding]] = field(default_factory=dict)


# --- per distinct text: Python, cached ----------------------------------------------------


@lru_cache(maxsize=262144)
def _value(text: str, decimal: bool, signed: bool) -> tuple[str, float | None, str]:
    read = read_value(text, decimal, signed)
    return read.kind, None if read.value is None else float(read.value), read.reason


def _map(series: pl.Series, function, dtype: pl.DataType) -> pl.Series:
    """Apply a Python function once per distinct value of a column."""
    uniques = series.unique()
    mapping = pl.DataFrame({"k": uniques, "v": pl.Series([function(u) for u in uniques], dtype=dtype)})
    return series.to_frame("k").join(mapping, on="k", how="left", maintain_order="left")["v"]


def _text_facts(texts: pl.Series) -> pl.DataFrame:
    """What the table readers ask of a cell's text, once per distinct text: is it value-like,
    a stray value (a page number), and its label key."""
    uniques = texts.unique().to_list()
    return pl.DataFrame(
        {
            "text": uniques,
            "value_like": [is_value_like(t) for t in uniques],
            "stray": [is_stray_value(t) for t in uniques],
            "key": [label_key(t) for t in uniques],
        },
        schema={"text": pl.String, "value_like": pl.Boolean, "stray": pl.Boolean, "key": pl.String},
    )


# --- the batch ----------------------------------------------------------------------------


def parse_documents(documents: Sequence[Document]) -> ParsedBatch:
    """Parse a batch of reports (see the module's docstring for what runs where)."""
    texts = [clean_text(d.text) for d in documents]
    lines = _lines(texts)
    spans_by_doc, section_findings = _sections(lines, len(texts))
    docs: list[DocResult] = []
    for i, (doc, text) in enumerate(zip(documents, texts, strict=True)):
        script = detect_script(doc.text)
        meta = read_metadata(text.split("\n"), spans_by_doc[i][0].end, script == TRADITIONAL)
        docs.append(DocResult(doc.source, doc.format, doc.encoding, script, TEMPLATE_2021, meta, spans_by_doc[i]))
    _templates(lines, docs)
    sections = _section_texts(lines, docs)
    regions = _regions(docs)
    parsed, structural = _read_tables(_cells(lines, regions), regions)

    reports = set(parsed["doc"].unique().to_list()) | {
        i for i, d in enumerate(docs) if any(s.number in (2, 3, 4) for s in d.spans)
    }
    prefix: list[tuple] = []
    for i, (document, doc) in enumerate(zip(documents, docs, strict=True)):
        groups = [(-3, document.findings), (-2, doc.meta.findings), (-1, section_findings[i])]
        if i not in reports:  # nothing of the template at all
            groups = [(-3, document.findings), (-1, [Finding("not_a_report", _NOT_A_REPORT)])]
        for group, findings in groups:
            prefix += [
                (i, group, n, f.code, f.message, f.line, f.table, f.row, f.column) for n, f in enumerate(findings)
            ]
    findings = pl.concat(
        [
            pl.DataFrame(prefix, schema=_TABLE_FINDINGS, orient="row"),
            structural.cast(_TABLE_FINDINGS).select(list(_TABLE_FINDINGS)),
            _cell_findings(parsed),
        ]
    )
    not_reports = [i for i in range(len(docs)) if i not in reports]
    if not_reports:  # a file that is no report: nothing about tables it does not have
        findings = findings.filter((pl.col("table_no") < 0) | ~pl.col("doc").is_in(not_reports))
    findings = findings.sort("doc", "table_no", "event").with_columns(
        finding_no=pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over("doc"),
        severity=pl.col("code").replace_strict({code: sev for code, (sev, _) in CODES.items()}),
    )
    cells = _ordered_cells(parsed, docs)
    result = ParsedBatch(docs, cells, findings.select(list(_FINDINGS)), sections)
    batch = second_reading(documents, _to_source_lines(documents, result))
    batch.facts = facts_frame(
        texts,
        [d.line_map for d in documents],
        [d.meta.report_year for d in batch.docs],
        [d.script == TRADITIONAL for d in batch.docs],
        batch.sections,
    )
    return batch


_NOT_A_REPORT = "no section heading or table of the template was found"


def _ordered_cells(parsed: pl.DataFrame, docs: list[DocResult]) -> pl.DataFrame:
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
    return cells.select("doc", "cell_no", "table_key", "row_key", "column_key", "value", "text", "line")


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

    for i, d in enumerate(documents):
        if d.line_map:
            meta, size = batch.docs[i].meta, len(d.line_map)
            for name in ("title_line", "published_on_line"):
                line = getattr(meta, name)
                if line is not None and 0 < line <= size:
                    setattr(meta, name, d.line_map[line - 1])
    return ParsedBatch(batch.docs, remap(batch.cells), remap(batch.findings), remap(batch.sections))


def split_region(lines: list[str]) -> CellStream:
    """The cells of one table region's lines, as the readers see them (for tests and tools)."""
    frame = _lines(["\n".join(lines)])
    regions = pl.DataFrame(
        {"doc": [0], "table_no": [2], "start": [0], "end": [len(lines)]},
        schema={"doc": pl.UInt32, "table_no": pl.Int8, "start": pl.Int32, "end": pl.Int32},
    )
    cells = _cells(frame, regions).sort("k")
    layout = cells["layout"][0] if cells.height else PARAGRAPH
    found = tuple(
        Cell(text, line, row_start) for text, line, row_start in cells.select("text", "line", "row_start").iter_rows()
    )
    return CellStream(found, rows_known=layout in (TAB, PIPE, SPACED), rows_wrap=layout == SPACED)


def _lines(texts: list[str]) -> pl.DataFrame:
    """One row per line of every report: doc, no (0-based), line, stripped, tab, blank."""
    frame = pl.DataFrame({"doc": pl.Series(range(len(texts)), dtype=pl.UInt32), "line": texts})
    frame = frame.with_columns(pl.col("line").str.split("\n"))
    frame = frame.with_columns(no=pl.int_ranges(pl.col("line").list.len(), dtype=pl.Int32)).explode("line", "no")
    return frame.with_columns(
        stripped=pl.col("line").str.strip_chars(),
        tab=pl.col("line").str.starts_with("\t"),
    ).with_columns(blank=pl.col("stripped") == "")


def _sections(lines: pl.DataFrame, n: int) -> tuple[list[list[SectionSpan]], list[list[Finding]]]:
    """Section spans per report: candidates found vectorised, picked in order in Python."""
    candidates = lines.filter(~pl.col("blank") & (pl.col("stripped").str.len_chars() <= 40))
    numbers = _map(candidates["stripped"], heading_number, pl.Int8)
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


def _templates(lines: pl.DataFrame, docs: list[DocResult]) -> None:
    """2019 when table 2's region prints a column label only the 2019 template has."""
    bounds = []
    for i, d in enumerate(docs):
        span = next((s for s in d.spans if s.number == 2), None)
        bounds.append((i, span.start if span else 0, span.end if span else 1 << 30))
    frame = pl.DataFrame(bounds, schema={"doc": pl.UInt32, "start": pl.Int32, "end": pl.Int32}, orient="row")
    region = lines.join(frame, on="doc").filter(
        (pl.col("no") >= pl.col("start")) & (pl.col("no") < pl.col("end")) & ~pl.col("blank")
    )
    keys = region.with_columns(key=_map(region["line"], label_key, pl.String))
    joined = keys.group_by("doc").agg(pl.col("key").str.join(""))
    marks = pl.lit(False)
    for mark in TEMPLATE_2019_MARKS:
        marks = marks | pl.col("key").str.contains(mark, literal=True)
    for doc in joined.filter(marks)["doc"].to_list():
        docs[doc].template = TEMPLATE_2019


def _spans_frame(docs: list[DocResult]) -> pl.DataFrame:
    rows = [(i, s.number, s.heading, s.line, s.start, s.end) for i, d in enumerate(docs) for s in d.spans]
    schema = {"doc": pl.UInt32, "section_no": pl.Int32, "heading": pl.String, "line": pl.Int32}
    return pl.DataFrame(rows, schema={**schema, "start": pl.Int32, "end": pl.Int32}, orient="row")


def _section_texts(lines: pl.DataFrame, docs: list[DocResult]) -> pl.DataFrame:
    """Each section's text: its lines joined, blank ends trimmed (heading lines belong to none)."""
    spans = _spans_frame(docs)
    tagged = (
        lines.select("doc", "no", "line")
        .sort("doc", "no")
        .join_asof(
            spans.select("doc", "start", "section_no").sort("doc", "start"),
            left_on="no",
            right_on="start",
            by="doc",
            check_sortedness=False,  # both sides sorted just above
        )
    )
    tagged = tagged.join(spans.select("doc", "section_no", "end"), on=["doc", "section_no"]).filter(
        pl.col("no") < pl.col("end")
    )
    texts = tagged.group_by("doc", "section_no").agg(pl.col("line").sort_by("no").str.join("\n").alias("text"))
    out = spans.join(texts, on=["doc", "section_no"], how="left")
    out = out.with_columns(pl.col("text").fill_null("").str.strip_chars())
    return out.select("doc", "section_no", "heading", "line", "text").sort("doc", "section_no")


def _regions(docs: list[DocResult]) -> pl.DataFrame:
    """Where each table is read: its section, or the nearest earlier one when its heading is
    missing (the table then runs on in that section)."""
    rows = []
    for i, d in enumerate(docs):
        for number in READERS:
            span = max((s for s in d.spans if s.number <= number), key=lambda s: s.number)
            rows.append((i, number, span.number, span.start, span.end, span.line, d.template))
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


def _cells(lines: pl.DataFrame, regions: pl.DataFrame) -> pl.DataFrame:
    """Every table region split into cells in its layout: doc, table_no, k, text, line, row_start."""
    region_lines = (
        lines.join(regions.select("doc", "table_no", "start", "end"), on="doc")
        .filter((pl.col("no") >= pl.col("start")) & (pl.col("no") < pl.col("end")))
        .sort("doc", "table_no", "no")
    )
    group = ["doc", "table_no"]
    region_lines = region_lines.with_columns(content=pl.col("tab") | ~pl.col("blank"))
    tokens = _spaced_rows(region_lines)
    region_lines = region_lines.join(tokens, on=["doc", "table_no", "no"], how="left").with_columns(
        pl.col("spaced_row").fill_null(False)
    )
    layouts = region_lines.group_by(group).agg(
        content=pl.col("content").sum(),
        tabbed=(pl.col("content") & pl.col("tab")).sum(),
        piped=(pl.col("content") & pl.col("line").str.strip_chars_start().str.starts_with("|")).sum(),
        spaced=(pl.col("content") & pl.col("spaced_row")).sum(),
        size=pl.len(),
    )
    layouts = layouts.with_columns(
        layout=pl.when(pl.col("tabbed") * 2 > pl.col("content"))
        .then(pl.lit(TAB))
        .when(pl.col("piped") * 2 > pl.col("content"))
        .then(pl.lit(PIPE))
        .when((pl.col("spaced") > 0) & (pl.col("spaced") * 5 >= pl.col("content")))
        .then(pl.lit(SPACED))
        .when((pl.col("size") - pl.col("content")) * 5 < pl.col("content"))
        .then(pl.lit(LINES))
        .otherwise(pl.lit(PARAGRAPH))
    ).filter(pl.col("content") > 0)
    region_lines = region_lines.join(layouts.select(*group, "layout"), on=group)
    parts = [
        _tab_cells(region_lines.filter(pl.col("layout") == TAB)),
        _paragraph_cells(region_lines.filter(pl.col("layout") == PARAGRAPH)),
        _line_cells(region_lines.filter(pl.col("layout") == LINES)),
        _pipe_cells(region_lines.filter(pl.col("layout") == PIPE)),
        _spaced_cells(region_lines.filter(pl.col("layout") == SPACED)),
    ]
    cells = pl.concat([p for p in parts if p.height], how="vertical") if any(p.height for p in parts) else _EMPTY_CELLS
    cells = cells.sort("doc", "table_no", "line", "part").with_columns(
        k=pl.int_range(pl.len(), dtype=pl.Int32).over(group)
    )
    return cells.join(layouts.select(*group, "layout"), on=group).select(
        "doc", "table_no", "k", "text", "line", "row_start", "layout"
    )


_EMPTY_CELLS = pl.DataFrame(
    schema={
        "doc": pl.UInt32,
        "table_no": pl.Int8,
        "text": pl.String,
        "line": pl.Int32,
        "part": pl.Int32,
        "row_start": pl.Boolean,
    }
)


def _spaced_rows(region_lines: pl.DataFrame) -> pl.DataFrame:
    """Lines that are a row of cells ending in values (`规章 0 0 0`): cells.py's rule."""
    spaced = region_lines.filter(pl.col("content") & pl.col("stripped").str.contains(r"\s"))
    tokens = spaced.select("doc", "table_no", "no", token=pl.col("stripped").str.extract_all(r"\S+")).explode("token")
    tokens = tokens.with_columns(value=_map(tokens["token"], is_value_like, pl.Boolean))
    per_line = tokens.group_by("doc", "table_no", "no").agg(
        n=pl.len(), values=pl.col("value").sum(), last=pl.col("value").last()
    )
    return per_line.select(
        "doc",
        "table_no",
        "no",
        spaced_row=(pl.col("n") >= 2) & (pl.col("last") | ((pl.col("n") >= 3) & (pl.col("values") * 2 > pl.col("n")))),
    )


def _group_start() -> pl.Expr:
    """True on the first line of each table region (lines sorted by doc, table, line)."""
    return (pl.col("doc") != pl.col("doc").shift(1)) | (pl.col("table_no") != pl.col("table_no").shift(1))


def _cum_in_group(expr: pl.Expr, first: pl.Expr) -> pl.Expr:
    """A cumulative sum restarting at each region (no window function: cheaper on sorted rows)."""
    total = expr.cast(pl.Int32).cum_sum()
    return total - pl.when(first).then(total - expr.cast(pl.Int32)).forward_fill()


_TRAILING_BLANK_LINES = r"(?:\n[^\S\n]*)+$"


def _tab_cells(lines: pl.DataFrame) -> pl.DataFrame:
    """A tab starts a cell; a line without one continues the cell above (across blank lines);
    a blank line before a tab line starts a new table row."""
    if lines.is_empty():
        return _EMPTY_CELLS
    pure_blank = ~pl.col("tab") & pl.col("blank")
    lines = lines.with_columns(first=_group_start().fill_null(True))
    lines = lines.with_columns(
        start=pl.col("tab") | (pl.col("content") & (_cum_in_group(pl.col("content"), pl.col("first")) == 1)),
        after_blank=pl.when(pl.col("first")).then(True).otherwise(pure_blank.shift(1)),
    )
    lines = lines.with_columns(cell=pl.col("start").cast(pl.Int32).cum_sum()).filter(
        _cum_in_group(pl.col("start"), pl.col("first")) > 0
    )
    piece = pl.when(pl.col("start") & pl.col("tab")).then(pl.col("line").str.slice(1)).otherwise(pl.col("line"))
    lines = lines.with_columns(piece=piece, row_start=pl.col("after_blank") | ~pl.col("tab"))
    # most cells are one line: only cells with continuation lines need grouping
    continued = lines.filter(pl.col("content") & ~pl.col("start"))["cell"].unique()
    single = lines.filter(pl.col("start") & ~pl.col("cell").is_in(continued.implode()))
    single = single.select(
        "doc",
        "table_no",
        text="piece",
        line=(pl.col("no") + 1).cast(pl.Int32),
        part=pl.lit(0, dtype=pl.Int32),
        row_start="row_start",
    )
    multi = lines.filter(pl.col("cell").is_in(continued.implode()))
    multi = multi.with_columns(later=pl.when(pl.col("content") & ~pl.col("start")).then(pl.col("no")))
    multi = multi.group_by("cell", maintain_order=True).agg(
        pl.col("doc").first(),
        pl.col("table_no").first(),
        text=pl.col("piece").str.join("\n").str.replace(_TRAILING_BLANK_LINES, ""),
        first=pl.col("no").first(),
        head=pl.col("piece").first(),
        next_content=pl.col("later").drop_nulls().first(),
        row_start=pl.col("row_start").first(),
    )
    head_blank = pl.col("head").str.strip_chars() == ""
    line = pl.when(head_blank & pl.col("next_content").is_not_null()).then(pl.col("next_content"))
    multi = multi.select(
        "doc",
        "table_no",
        "text",
        line=(line.otherwise(pl.col("first")) + 1).cast(pl.Int32),
        part=pl.lit(0, dtype=pl.Int32),
        row_start="row_start",
    )
    return pl.concat([single, multi])


def _paragraph_cells(lines: pl.DataFrame) -> pl.DataFrame:
    """Runs of non-blank lines, one cell each."""
    if lines.is_empty():
        return _EMPTY_CELLS
    first = _group_start().fill_null(True)
    lines = lines.with_columns(start=~pl.col("blank") & (first | pl.col("blank").shift(1)))
    lines = lines.with_columns(cell=pl.col("start").cast(pl.Int32).cum_sum()).filter(~pl.col("blank"))
    continued = lines.filter(~pl.col("start"))["cell"].unique()
    single = lines.filter(~pl.col("cell").is_in(continued.implode())).select("doc", "table_no", text="line", first="no")
    multi = lines.filter(pl.col("cell").is_in(continued.implode()))
    multi = multi.group_by("cell", maintain_order=True).agg(
        pl.col("doc").first(),
        pl.col("table_no").first(),
        text=pl.col("line").str.join("\n"),
        first=pl.col("no").first(),
    )
    cells = pl.concat([single, multi.select("doc", "table_no", "text", "first")])
    return cells.select(
        "doc",
        "table_no",
        "text",
        line=(pl.col("first") + 1).cast(pl.Int32),
        part=pl.lit(0, dtype=pl.Int32),
        row_start=pl.lit(True),
    )


def _line_cells(lines: pl.DataFrame) -> pl.DataFrame:
    """Cells packed one per line."""
    return lines.filter(pl.col("content")).select(
        "doc",
        "table_no",
        text="line",
        line=(pl.col("no") + 1).cast(pl.Int32),
        part=pl.lit(0, dtype=pl.Int32),
        row_start=pl.lit(True),
    )


def _pipe_cells(lines: pl.DataFrame) -> pl.DataFrame:
    """Markdown rows: the cells between `|`; separator rows dropped; `<br>` breaks a cell."""
    rows = lines.filter(pl.col("content"))
    plain = rows.filter(~pl.col("stripped").str.starts_with("|")).select(
        "doc",
        "table_no",
        text="stripped",
        line=(pl.col("no") + 1).cast(pl.Int32),
        part=pl.lit(0, dtype=pl.Int32),
        row_start=pl.lit(True),
    )
    piped = rows.filter(pl.col("stripped").str.starts_with("|")).select(
        "doc", "table_no", "no", parts=pl.col("stripped").str.strip_chars("|").str.split("|")
    )
    piped = piped.filter(~pl.col("parts").list.eval(pl.element().str.contains(_SEPARATOR)).list.all())
    piped = piped.with_columns(part=pl.int_ranges(pl.col("parts").list.len(), dtype=pl.Int32)).explode("parts", "part")
    cells = piped.select(
        "doc",
        "table_no",
        text=pl.col("parts").str.replace_all(_BR, "\n"),
        line=(pl.col("no") + 1).cast(pl.Int32),
        part="part",
        row_start=pl.col("part") == 0,
    )
    return pl.concat([plain, cells])


def _spaced_cells(lines: pl.DataFrame) -> pl.DataFrame:
    """Rows of whitespace-separated cells."""
    rows = lines.filter(pl.col("content")).select(
        "doc", "table_no", "no", tokens=pl.col("stripped").str.extract_all(r"\S+")
    )
    rows = rows.filter(pl.col("tokens").list.len() > 0)
    rows = rows.with_columns(part=pl.int_ranges(pl.col("tokens").list.len(), dtype=pl.Int32)).explode("tokens", "part")
    return rows.select(
        "doc",
        "table_no",
        text="tokens",
        line=(pl.col("no") + 1).cast(pl.Int32),
        part="part",
        row_start=pl.col("part") == 0,
    )


# --- tables: plans per shape, values per text ----------------------------------------------

_PLAN_CELLS = {
    "plan": pl.Int32,
    "event": pl.Int32,
    "k": pl.Int32,
    "table_key": pl.String,
    "row_key": pl.String,
    "column_key": pl.String,
}
_PLAN_FINDINGS = {
    "plan": pl.Int32,
    "event": pl.Int32,
    "code": pl.String,
    "message": pl.String,
    "ref": pl.Int32,  # HEADING, or the index of the cell whose line the finding points at
    "table_key": pl.String,
    "row_key": pl.String,
    "column_key": pl.String,
}


def _plans(cells: pl.DataFrame, tables: pl.DataFrame, shape: pl.Expr) -> pl.DataFrame:
    """Each table's plan for the cell shapes `shape` gives: (doc, table_no, plan, counts_match)."""
    group = ["doc", "table_no"]
    shaped = cells.with_columns(shape=shape)
    signatures = shaped.group_by(group).agg(
        key=(pl.col("row_start").cast(pl.Int8).cast(pl.String) + pl.col("shape")).str.join("\x1f"),
    )
    tables = tables.join(signatures, on=group, how="left").with_columns(pl.col("key").fill_null(""))
    distinct = tables.unique(["table_no", "template", "layout", "key"], keep="first", maintain_order=True)
    shapes = shaped.join(distinct.select(group), on=group).group_by(group).agg(pl.col("shape"), pl.col("row_start"))
    shapes_of = {(d, t): (sh, rs) for d, t, sh, rs in shapes.iter_rows()}
    rows = []
    for doc, table, template, layout, key in distinct.select(*group, "template", "layout", "key").iter_rows():
        sh, rs = shapes_of.get((doc, table), ([], []))
        plan = plan_for(
            table, template, layout in (TAB, PIPE, SPACED), layout == SPACED, tuple(zip(sh, rs, strict=True))
        )
        rows.append((table, template, layout, key, _plan_id(plan), plan.counts_match))
    ids = pl.DataFrame(
        rows,
        schema={
            "table_no": pl.Int8,
            "template": pl.String,
            "layout": pl.String,
            "key": pl.String,
            "plan": pl.Int32,
            "counts_match": pl.Boolean,
        },
        orient="row",
    )
    return tables.join(ids, on=["table_no", "template", "layout", "key"]).select(*group, "plan", "counts_match")


_PLAN_IDS: dict[object, int] = {}
_PLANS: list[object] = []


def _plan_id(plan) -> int:
    """A small integer per distinct plan (plans are immutable and hashable)."""
    if plan not in _PLAN_IDS:
        _PLAN_IDS[plan] = len(_PLANS)
        _PLANS.append(plan)
    return _PLAN_IDS[plan]


def _read_tables(cells: pl.DataFrame, regions: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each table read through the plan of its shape.

    Returns the parsed cells (doc, table_no, event, keys, text, line, kind, value, reason) and
    the tables' structural findings (doc, table_no, event, code, message, line, keys).
    A table is planned first with empty and filled value cells alike (one plan serves every
    pattern of blanks); only where a row's cell count is off does the finer shape decide.
    """
    group = ["doc", "table_no"]
    # a label's shape is its label key: the readers see labels only through their keys, so
    # Traditional, full-width or re-spaced forms of one label share a plan
    cells = cells.join(_text_facts(cells["text"]), on="text", how="left").sort("doc", "table_no", "k")
    label = pl.when(pl.col("stray")).then(pl.lit(STRAY)).otherwise(pl.lit(LABEL) + pl.col("key"))
    coarse = pl.when(pl.col("value_like")).then(pl.lit(VALUE)).otherwise(label)
    fine = (
        pl.when(pl.col("value_like") & (pl.col("text").str.strip_chars() == "")).then(pl.lit(EMPTY)).otherwise(coarse)
    )
    layouts = cells.group_by(group).agg(pl.col("layout").first())
    tables = regions.select(*group, "heading_line", "template").join(layouts, on=group, how="left")
    tables = tables.with_columns(pl.col("layout").fill_null(PARAGRAPH))
    planned = _plans(cells, tables.select(*group, "template", "layout"), coarse)
    refine = planned.filter(~pl.col("counts_match")).select(group)
    if refine.height:
        finer = _plans(
            cells.join(refine, on=group), tables.join(refine, on=group).select(*group, "template", "layout"), fine
        )
        planned = pl.concat([planned.join(refine, on=group, how="anti"), finer])
    tables = tables.join(planned.select(*group, "plan"), on=group)

    plan_cells, plan_findings = [], []
    for plan_id in tables["plan"].unique().to_list():
        for n, event in enumerate(_PLANS[plan_id].events):
            if isinstance(event, CellEvent):
                plan_cells.append((plan_id, n, event.index, event.table, event.row, event.column))
            else:
                ref = HEADING if event.line == HEADING else event.line - 1
                plan_findings.append((plan_id, n, event.code, event.message, ref, event.table, event.row, event.column))
    plan_cells_frame = pl.DataFrame(plan_cells, schema=_PLAN_CELLS, orient="row")
    plan_findings_frame = pl.DataFrame(plan_findings, schema=_PLAN_FINDINGS, orient="row")

    # every table gets its plan: cells joined to their real text, values read per distinct text
    located = tables.select(*group, "plan", "heading_line")
    parsed = (
        located.join(plan_cells_frame, on="plan")
        .join(cells.select(*group, "k", "text", "line"), on=[*group, "k"], how="left")
        .with_columns(
            decimal=pl.concat_str("table_key", "row_key", "column_key", separator=".").is_in(
                [".".join(c) for c in DECIMAL_CELLS]
            ),
            signed=pl.col("column_key").is_in(list(SIGNED_COLUMNS)),
        )
    )
    reads = _map(
        parsed.select(pl.struct("text", "decimal", "signed").alias("s"))["s"],
        lambda s: dict(zip(("kind", "value", "reason"), _value(s["text"], s["decimal"], s["signed"]), strict=True)),
        pl.Struct({"kind": pl.String, "value": pl.Float64, "reason": pl.String}),
    )
    parsed = parsed.with_columns(reads.alias("read")).unnest("read")
    cell_lines = cells.select(*group, pl.col("k").alias("ref"), pl.col("line").alias("cell_line"))
    structural = (
        located.join(plan_findings_frame, on="plan")
        .join(cell_lines, on=[*group, "ref"], how="left")
        .with_columns(line=pl.when(pl.col("ref") == HEADING).then("heading_line").otherwise("cell_line"))
        .select(*group, "event", "code", "message", "line", "table_key", "row_key", "column_key")
    )
    return parsed, structural


def _cell_findings(parsed: pl.DataFrame) -> pl.DataFrame:
    """cell_blank, cell_unreadable and amount_in_yuan, worded as the table readers word them."""
    rows = []
    for doc, table_no, event, kind, table, row, column, text, line, reason in (
        parsed.filter((pl.col("kind") != NUMBER) | (pl.col("reason") != ""))
        .select("doc", "table_no", "event", "kind", "table_key", "row_key", "column_key", "text", "line", "reason")
        .iter_rows()
    ):
        where = f"{table}.{row}.{column}"
        if kind == BLANK:
            code, message = "cell_blank", f"{where} is blank ({text.strip()!r}); kept as null, not 0"
        elif kind == NUMBER:
            code, message = "amount_in_yuan", f"{where}: {reason}"
        else:
            code, message = "cell_unreadable", f"{where} holds {text.strip()!r}: {reason}; kept as null"
        rows.append((doc, table_no, event, code, message, line, table, row, column))
    return pl.DataFrame(rows, schema=_TABLE_FINDINGS, orient="row")


_TABLE_FINDINGS = {
    "doc": pl.UInt32,
    "table_no": pl.Int8,
    "event": pl.Int32,
    "code": pl.String,
    "message": pl.String,
    "line": pl.Int32,
    "table_key": pl.String,
    "row_key": pl.String,
    "column_key": pl.String,
}
_FINDINGS = {
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

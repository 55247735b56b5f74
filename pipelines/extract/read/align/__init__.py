"""The real-report reader: a report's layout aligned onto the template, whatever its format.

Reports as agencies publish them keep their numbers in the template's order, but not always
beside their labels: a PDF's text wraps a label over three lines with the numbers on the middle
one, prints vertical group labels one character per line, or (in reading order) sets labels far
from their numbers; an archiver glues every cell to the next; a converter breaks a table into
pieces and drops labels. This reader takes the layout (layout.py) as tokens (tokens.py) and:

1. finds each table's region from the section headings (or the tables' own first labels);
2. groups the values into *segments* (values with no label between them, on one printed row, or
   on consecutive one-value lines) and reads each as rows of the table's width, cutting glued
   digit runs where the template's arithmetic allows (arithmetic.py);
3. aligns those rows onto the template's rows as a sequence alignment: order is a strong signal
   (rows come in template order), labels are evidence (labels.py), and a row the labels do not
   place is placed by its position between rows they do;
4. decides each cell only where every reading that is as good as the best agrees on it. Where
   two readings satisfy every rule and the evidence, the cell is left null with a finding that
   names the candidates. A number the narrative states may settle such a choice.

Modules: regions.py (where each table stands), segments.py (values as printed), rows.py
(rows and their alignment), cells.py (cells and findings), and one reader per table:
active.py, requests.py, review.py.

Pure: a layout and the report's text in, cells and findings out (tables.ParsedCell, Finding).
"""

from __future__ import annotations

from pipelines.extract.findings import Finding
from pipelines.extract.read.align.active import narrative_counts, read_active
from pipelines.extract.read.align.cells import Aligned
from pipelines.extract.read.align.regions import regions
from pipelines.extract.read.align.requests import read_requests
from pipelines.extract.read.align.review import read_review
from pipelines.extract.read.align.segments import glued_region, segments
from pipelines.extract.read.layout import Layout
from pipelines.extract.read.normalize import label_key
from pipelines.extract.read.tables import is_stray_value
from pipelines.extract.read.tokens import LABEL, Token, tokens_of
from pipelines.extract.template import (
    ACTIVE,
    REQUESTS,
    REVIEW,
    TEMPLATE_2019,
    TEMPLATE_2019_MARKS,
    TEMPLATE_2021,
)

__all__ = ["Aligned", "align", "narrative_counts", "regions"]


def detect_template(tokens: list[Token], span: tuple[int, int] | None) -> str:
    if span is None:
        return TEMPLATE_2021
    keys = "".join(label_key(t.text) for t in tokens[span[0] : span[1]] if t.kind == LABEL)
    return TEMPLATE_2019 if any(mark in keys for mark in TEMPLATE_2019_MARKS) else TEMPLATE_2021


def align(layout: Layout, narrative: str = "", template: str | None = None) -> Aligned:
    """Read the three tables of a report's layout (see the module docstring)."""
    tokens = tokens_of(layout, is_stray_value)
    spans = regions(tokens)
    template = template or detect_template(tokens, spans.get(ACTIVE))
    out = Aligned(template, tables=set(spans))
    # text that lost its cells' separators (an archiver's) shows it across its tables
    glued = bool(spans) and glued_region(
        segments(tokens, min(s[0] for s in spans.values()), max(s[1] for s in spans.values()))
    )
    if ACTIVE in spans:
        read_active(tokens, spans[ACTIVE], template, narrative, glued, out)
    else:
        out.findings.append(Finding("table_missing", f"table '{ACTIVE}' not found", table=ACTIVE))
    if REQUESTS in spans:
        read_requests(tokens, spans[REQUESTS], template, glued, out)
    else:
        out.findings.append(Finding("table_missing", f"table '{REQUESTS}' not found", table=REQUESTS))
    if REVIEW in spans:
        read_review(tokens, spans[REVIEW], glued, out)
    else:
        out.findings.append(Finding("table_missing", f"table '{REVIEW}' not found", table=REVIEW))
    return out

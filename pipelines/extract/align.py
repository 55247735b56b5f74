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

Pure: a layout and the report's text in, cells and findings out (tables.ParsedCell, Finding).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise, permutations

from pipelines.extract import arithmetic
from pipelines.extract.arithmetic import Reading
from pipelines.extract.findings import Finding
from pipelines.extract.labels import NONE, STRONG, WEAK, names_rows, run_evidence
from pipelines.extract.layout import Layout
from pipelines.extract.normalize import BLANK, NUMBER, label_key, read_value
from pipelines.extract.tables import ParsedCell, is_stray_value
from pipelines.extract.template import (
    DECIMAL_CELLS,
    OTHER_PROCESSING,
    OTHER_PROCESSING_PARTS,
    REQUEST_COLUMNS,
    REVIEW_GROUPS,
    REVIEW_RESULTS,
    SECTIONS,
    SIGNED_COLUMNS,
    TEMPLATE_2019,
    TEMPLATE_2019_MARKS,
    TEMPLATE_2021,
    Row,
    active_layout,
    request_rows,
)
from pipelines.extract.tokens import LABEL, Token, tokens_of

ACTIVE, REQUESTS, REVIEW = "active_disclosure", "requests", "review_litigation"
_TIE = 1e-9
_LABEL_WEIGHT = 4.0  # how much a row's own label outweighs order in the alignment
_LOOSE_WEIGHT = 0.5  # loose label lines above a row only break ties: they never outweigh order
_RUN_LIMIT = 8  # labels looked at before a segment


@dataclass
class Aligned:
    """What the reader made of one report."""

    template: str
    cells: list[ParsedCell] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    tables: set[str] = field(default_factory=set)  # tables whose region was found


@dataclass
class Segment:
    values: list[Token]
    run: list[Token]  # the labels printed just before the values (closest last)
    # the run is the row's own label: on the row of its first value, or just before values
    # printed one per line; otherwise it is loose lines above (a converter's or a PDF's text)
    own: bool = True


@dataclass
class Observed:
    """A row as printed: its possible readings (one per cell text), where its cells are."""

    options: list[Reading]
    lines: tuple[int, ...]
    run: list[str]
    line: int
    own: bool = True  # the run is the row's own label (see Segment.own)
    evidence: list[float] = field(default_factory=list)
    printed: str = ""  # the values as printed, when they were cut (glued digits)

    @property
    def best(self) -> float:
        return max(self.evidence, default=NONE)


# --- regions ---------------------------------------------------------------------------------

_HEADINGS = {s.number: s.heading for s in SECTIONS}
_REVIEW_WORDS = "行政复议行政诉讼未经复议直接起诉复议后起诉结果维持纠正其他尚未审结总计"


def _heading_at(token: Token, number: int) -> bool:
    key = label_key(token.text)
    heading = _HEADINGS[number]
    if key.startswith(heading):
        return True
    if number == 4:  # a misspelt 4th heading (`行政法复议`) still names both proceedings
        return key.startswith("政府信息公开行政") and "复议" in key[:14] and "诉讼" in key[:16]
    return False


def _first(tokens: list[Token], start: int, predicate) -> int | None:
    for k in range(start, len(tokens)):
        if tokens[k].kind == LABEL and predicate(tokens[k]):
            return k
    return None


def regions(tokens: list[Token]) -> dict[str, tuple[int, int]]:
    """Token ranges of the three tables: from their section headings, or, where a heading is
    missing, from the table's own first label."""

    def key_has(*words: str):
        return lambda t: any(w in label_key(t.text) for w in words)

    start2 = _first(tokens, 0, lambda t: _heading_at(t, 2))
    if start2 is None:
        start2 = _first(tokens, 0, key_has("第二十条"))
    after2 = start2 if start2 is not None else 0
    start3 = _first(tokens, after2, lambda t: _heading_at(t, 3))
    if start3 is None:
        start3 = _first(tokens, after2, key_has("本年新收"))
    after3 = start3 if start3 is not None else after2
    start4 = _first(tokens, after3, lambda t: _heading_at(t, 4))
    if start4 is None:
        start4 = _first(tokens, after3, key_has("行政复议"))
    after4 = start4 if start4 is not None else after3
    end = _first(tokens, after4 + 1, lambda t: _heading_at(t, 5) or _heading_at(t, 6))
    end = len(tokens) if end is None else end
    out: dict[str, tuple[int, int]] = {}
    if start2 is not None:
        out[ACTIVE] = (start2, start3 if start3 is not None else (start4 if start4 is not None else end))
    if start3 is not None:
        out[REQUESTS] = (start3, start4 if start4 is not None else end)
    if start4 is not None:
        out[REVIEW] = (start4, end)
    return out


# --- segments ----------------------------------------------------------------------------------


def segments(tokens: list[Token], lo: int, hi: int) -> list[Segment]:
    """Values with no label between them, on one printed row, or on consecutive lines that
    each hold one value (text in reading order: one cell per line)."""
    per_row: dict[int, int] = {}
    for t in tokens[lo:hi]:
        per_row[t.row] = per_row.get(t.row, 0) + 1
    out: list[Segment] = []
    current: Segment | None = None
    for k in range(lo, hi):
        t = tokens[k]
        if t.kind == LABEL:
            current = None
            continue
        prev = tokens[k - 1] if k > lo else None
        joined = (
            current is not None
            and prev is not None
            and (prev.row == t.row or (per_row[prev.row] == 1 and per_row[t.row] == 1))
        )
        if joined:
            current.values.append(t)
            continue
        run: list[Token] = []
        j = k - 1
        while j >= lo and tokens[j].kind == LABEL and len(run) < _RUN_LIMIT:
            if t.grid is not None and tokens[j].row != t.row and run and tokens[j].grid == t.grid:
                break  # a grid row's own labels, and loose lines above it; not the row above
            run.insert(0, tokens[j])
            j -= 1
        own = per_row[t.row] == 1
        if run and run[-1].row == t.row:
            own = True
        current = Segment([t], run, own)
        out.append(current)
    return out


def _drop_fillers(values: list[Token], width: int, trailing_first: bool) -> list[Token]:
    """Empty grid cells beyond the row's width (a converter pads rows to the widest)."""
    values = list(values)
    for end in (-1, 0) if trailing_first else (0, -1):
        while len(values) > width and values[end].cell and not values[end].text:
            values.pop(end)
    return values


def _cell_lines(values: list[Token], reading: Reading) -> tuple[int, ...]:
    """The source line of each cell of a reading (a glued run's cells share its line)."""
    lines: list[int] = []
    k = 0
    for token in values:
        taken = ""
        while k < len(reading) and (not taken or taken != token.text) and len(taken) < len(token.text or "x"):
            taken += reading[k]
            lines.append(token.line)
            k += 1
            if not token.text:
                break
    lines += [values[-1].line] * (len(reading) - len(lines))
    return tuple(lines[: len(reading)])


# --- table 3 --------------------------------------------------------------------------------


def _centre(token: Token) -> float | None:
    return None if token.x is None else token.x + len(token.text) / 2


def _positions(seg: Segment, width: int) -> list[float] | None:
    """The centres of a full row's values, when each value stands on its own on one line."""
    values = seg.values
    if len(values) != width or values[0].grid is not None or len({t.row for t in values}) != 1:
        return None
    xs = [t.x for t in values]
    if None in xs or len(set(xs)) != width:
        return None
    return [_centre(t) for t in values]


def column_model(segs: list[Segment], k: int, width: int) -> list[float] | None:
    """Where the columns stand around segment `k` (text with positions: a PDF's text,
    `pdftotext -layout`): the positions of the nearest full rows above and below, when they
    agree (a page break may shift the whole table); either one where only it exists."""
    near = []
    for step in (-1, 1):
        j = k + step
        while 0 <= j < len(segs):
            if (found := _positions(segs[j], width)) is not None:
                near.append(found)
                break
            j += step
    if not near:
        return None
    if len(near) == 2 and any(abs(a - b) > 1.5 for a, b in zip(*near, strict=True)):
        return None
    model = near[0]
    return model if all(a < b for a, b in pairwise(model)) else None


def _by_columns(values: list[Token], model: list[float]) -> Reading | None:
    """A short row placed by position: each value in the column it stands under, the columns
    left without one blank (a blank cell printed as nothing). None unless every value stands
    clearly under its own column, in order."""
    gaps = [b - a for a, b in pairwise(model)]
    tolerance = min(gaps) / 2
    cells = [""] * len(model)
    last = -1
    for token in values:
        centre = _centre(token)
        if centre is None:
            return None
        c = min(range(len(model)), key=lambda k: abs(model[k] - centre))
        if abs(model[c] - centre) >= tolerance or c <= last:
            return None
        cells[c] = token.text
        last = c
    return tuple(cells)


def glued_region(segs: list[Segment]) -> bool:
    """Text whose cells lost their separators (an archiver's): most segments show glued digits."""
    showing = sum(1 for seg in segs if any(t.glued for t in seg.values))
    return showing >= 2 and showing * 3 >= len(segs)


def _may_cut(seg: Segment, region_glued: bool) -> bool:
    """Digits are cut into cells only where they show they were glued, or the whole region
    does: in text whose cells keep their gaps, a short row means a blank, never glue."""
    return region_glued or any(t.glued for t in seg.values)


def _observe(seg: Segment, width: int, rule, model: list[float] | None = None, may_cut: bool = True) -> list[Observed]:
    """A segment as printed rows of `width` cells: one, several, a glued one, one with blanks
    placed by position, or unreadable."""
    values = _drop_fillers(seg.values, width, trailing_first=False)
    texts = [t.text for t in values]
    run = [t.text for t in seg.run]
    first = values[0].line
    n = len(texts)
    if n == width:
        return [Observed([tuple(texts)], tuple(t.line for t in values), run, first, seg.own)]
    if n > width and n % width == 0:
        rows = [values[k : k + width] for k in range(0, n, width)]
        if len({t.row for t in values}) > 1:  # one cell per line: maybe printed column by column
            k = n // width
            by_columns = [[values[c * k + r] for c in range(width)] for r in range(k)]
            holds = [sum(rule(tuple(t.text for t in r)) for r in rs) for rs in (rows, by_columns)]
            if holds[1] > holds[0]:
                rows = by_columns
        return [
            Observed([tuple(t.text for t in r)], tuple(t.line for t in r), run if i == 0 else [], r[0].line, seg.own)
            for i, r in enumerate(rows)
        ]
    if may_cut and any(arithmetic.splittable(t) for t in texts) and n < width:
        options = arithmetic.readings(texts, width, rule)
        if options:
            lines = _cell_lines(values, options[0])
            return [Observed(options, lines, run, first, seg.own, printed=" ".join(texts))]
    if model is not None and n < width and len({t.row for t in values}) == 1:
        placed = _by_columns(values, model)
        if placed is not None:
            return [Observed([placed], (first,) * width, run, first, seg.own)]
    return [Observed([], tuple(t.line for t in values), run, first, seg.own)]


def _align(observed: list[Observed], count: int) -> tuple[float, list[list[int | None]]]:
    """Monotone alignment of observed rows onto `count` template rows.

    Returns the best score and, for each template row, the observed rows (or None: the row
    absent) that some best-scoring alignment gives it.
    """
    m, n = len(observed), count
    neg = float("-inf")

    def score(i: int, j: int) -> float:
        o = observed[i]
        weight = _LABEL_WEIGHT if o.own else _LOOSE_WEIGHT
        s = (1.0 if o.options else 0.5) + weight * (o.evidence[j] - o.best)
        return s if s > 0 else neg

    fwd = [[0.0] * (n + 1) for _ in range(m + 1)]
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            fwd[i][j] = max(fwd[i - 1][j], fwd[i][j - 1], fwd[i - 1][j - 1] + score(i - 1, j - 1))
    bwd = [[0.0] * (n + 2) for _ in range(m + 2)]
    for i in range(m, 0, -1):
        for j in range(n, 0, -1):
            bwd[i][j] = max(bwd[i + 1][j], bwd[i][j + 1], bwd[i + 1][j + 1] + score(i - 1, j - 1))
    best = fwd[m][n]
    choices: list[list[int | None]] = []
    for j in range(1, n + 1):
        here: list[int | None] = [
            i - 1 for i in range(1, m + 1) if fwd[i - 1][j - 1] + score(i - 1, j - 1) + bwd[i + 1][j + 1] >= best - _TIE
        ]
        if max(fwd[i][j - 1] + bwd[i + 1][j + 1] for i in range(0, m + 1)) >= best - _TIE:
            here.append(None)
        choices.append(here)
    return best, choices


def _request_sequences(template: str) -> list[tuple[Row, ...]]:
    rows = request_rows(template)
    if template == TEMPLATE_2019:
        return [rows]
    combined = tuple(r for r in rows if r.key not in OTHER_PROCESSING_PARTS[1:])
    combined = tuple(OTHER_PROCESSING if r.key == OTHER_PROCESSING_PARTS[0] else r for r in combined)
    return [rows, combined]


def read_requests(tokens: list[Token], span: tuple[int, int], template: str, out: Aligned) -> None:
    width = len(REQUEST_COLUMNS)
    every = tuple({r.key: r for seq in _request_sequences(template) for r in seq}.values())
    observed: list[Observed] = []
    unplaced: list[str] = []
    segs = segments(tokens, *span)
    glued = glued_region(segs)
    for k, seg in enumerate(segs):
        model = column_model(segs, k, width) if len(seg.values) < width else None
        rows = _observe(seg, width, arithmetic.sums_to_last, model, _may_cut(seg, glued))
        for o in rows:
            o.evidence = run_evidence(o.run, every)
            if not o.own and len(names_rows(o.run, every)) > 1:
                o.evidence = [NONE] * len(every)  # loose lines naming several rows: a label block
        labelled = any(o.own and o.best >= STRONG for o in rows)
        if not labelled and all(not o.options for o in rows):
            unplaced += [t.text for t in seg.values if t.text]
            continue
        observed += rows
    if not observed:
        return
    best_score, best_rows, best_choices = float("-inf"), (), []
    for seq in _request_sequences(template):
        index = [every.index(r) for r in seq]
        view = [replace(o, evidence=[o.evidence[k] for k in index]) for o in observed]
        score, choices = _align(view, len(seq))
        if score > best_score + _TIE:
            best_score, best_rows, best_choices = score, seq, choices
    _place(REQUESTS, best_rows, REQUEST_COLUMNS, observed, best_choices, out)
    if any(r.key == "other_processing" for r in best_rows) and template != TEMPLATE_2019:
        out.findings.append(
            Finding(
                "other_processing_combined",
                "（六）其他处理 is printed as one row; its three sub-rows are left null",
                table=REQUESTS,
                row="other_processing",
            )
        )
    if unplaced:
        out.findings.append(
            Finding(
                "values_unplaced", f"{REQUESTS}: numbers that fit no row: {' '.join(unplaced[:20])}", table=REQUESTS
            )
        )


def _place(
    table: str,
    rows: tuple[Row, ...],
    columns: tuple[str, ...],
    observed: list[Observed],
    choices: list[list[int | None]],
    out: Aligned,
) -> None:
    """Cells from an alignment: decided rows read, ambiguous cells null with their candidates,
    glued rows settled by the column rules (R1, R3) where their row sums left a choice."""
    options: dict[str, list[Reading]] = {}
    where: dict[str, Observed] = {}
    for j, row in enumerate(rows):
        here = choices[j]
        if here == [None]:
            out.findings.append(
                Finding("row_missing", f"{table}: row '{row.label}' not found", table=table, row=row.key)
            )
            continue
        if len(here) == 1:
            o = observed[here[0]]
            where[row.key] = o
            if not o.options:
                out.findings.append(
                    Finding(
                        "row_cell_count",
                        f"{table}.{row.key}: {len(o.lines)} values where the template has {len(columns)}, and no cut "
                        "of them satisfies the template's rules; values left null",
                        line=o.line,
                        table=table,
                        row=row.key,
                    )
                )
                continue
            options[row.key] = o.options
            if not o.own or o.best < WEAK:
                out.findings.append(
                    Finding(
                        "row_placed_by_order",
                        f"{table}.{row.key}: no label beside its numbers; placed by its position among the rows",
                        line=o.line,
                        table=table,
                        row=row.key,
                    )
                )
            continue
        # several observed rows (or none) fit this template row equally well
        texts: list[Reading | None] = []
        for i in here:
            texts.append(None if i is None or len(observed[i].options) != 1 else observed[i].options[0])
        line = next((observed[i].line for i in here if i is not None), None)
        for c, column in enumerate(columns):
            values = {t[c] if t is not None else None for t in texts}
            if len(values) == 1 and None not in values and all(i is not None for i in here):
                o = observed[here[0]]
                _cell(table, row.key, column, texts[0][c], o.lines[c], out)
            else:
                shown = " / ".join("absent" if v is None else repr(v) for v in sorted(values, key=str))
                out.findings.append(
                    Finding(
                        "cell_ambiguous",
                        f"{table}.{row.key}.{column}: the rows around it fit more than one way ({shown}); kept null",
                        line=line,
                        table=table,
                        row=row.key,
                        column=column,
                    )
                )
    if table == REQUESTS:
        results = [
            r.key for r in rows if r.key not in ("new_received", "carried_over", "total_handled", "carried_forward")
        ]
        decided, undecided = arithmetic.decide(
            options, lambda t: arithmetic.column_rules_hold(t, results, len(columns))
        )
    else:
        decided, undecided = (
            {k: v[0] for k, v in options.items() if len(v) == 1},
            {k: v for k, v in options.items() if len(v) > 1},
        )
    for row_key, reading in decided.items():
        o = where[row_key]
        if o.printed:
            out.findings.append(
                Finding(
                    "cells_split_by_rules",
                    f"{table}.{row_key}: glued digits {o.printed} read as {' | '.join(reading)} "
                    "(the only cut the template's rules allow)",
                    line=o.line,
                    table=table,
                    row=row_key,
                )
            )
        for c, column in enumerate(columns):
            _cell(table, row_key, column, reading[c], o.lines[c], out)
    for row_key, readings in undecided.items():
        _ambiguous(table, row_key, columns, readings, where[row_key], out)


def _ambiguous(
    table: str, row: str, columns: Sequence[str], readings: list[Reading], o: Observed, out: Aligned
) -> None:
    """Cells on which the surviving readings agree are read; the others are null, named."""
    for c, column in enumerate(columns):
        values = sorted({r[c] for r in readings}, key=lambda v: (len(v), v))
        if len(values) == 1:
            _cell(table, row, column, values[0], o.lines[c], out)
            continue
        shown = ", ".join(values[:6]) + (f" … ({len(values)} in all)" if len(values) > 6 else "")
        out.findings.append(
            Finding(
                "cell_ambiguous",
                f"{table}.{row}.{column}: the printed digits cut {len(readings)} ways that satisfy every rule "
                f"(this cell {shown}); kept null",
                line=o.line,
                table=table,
                row=row,
                column=column,
            )
        )


def _cell(table: str, row: str, column: str, text: str, line: int, out: Aligned) -> None:
    decimal = (table, row, column) in DECIMAL_CELLS
    read = read_value(text, decimal, column in SIGNED_COLUMNS)
    if read.kind == BLANK:
        out.findings.append(
            Finding(
                "cell_blank",
                f"{table}.{row}.{column} is blank ({text.strip()!r}); kept as null, not 0",
                line=line,
                table=table,
                row=row,
                column=column,
            )
        )
    elif read.kind != NUMBER:
        out.findings.append(
            Finding(
                "cell_unreadable",
                f"{table}.{row}.{column} holds {text.strip()!r}: {read.reason}; kept as null",
                line=line,
                table=table,
                row=row,
                column=column,
            )
        )
    out.cells.append(ParsedCell(table, row, column, read.value, text, line))


# --- table 2 ----------------------------------------------------------------------------------

_NARRATIVE_ROWS = (("normative_documents", "规范性文件"), ("rules", "规章"))
_NARRATIVE_COLUMNS = (
    ("in_force", ("现行有效",)),
    ("repealed", ("废止",)),
    ("issued", ("制发", "制定", "印发", "出台")),
)
_CLAUSE = re.compile(r"[^，,。；;：:]+")
_COUNT = re.compile(r"(\d+)\s*(?:件|个|部)")


def narrative_counts(text: str) -> dict[tuple[str, str], int]:
    """Numbers the narrative states for table 2's document rows (`现行有效行政规范性文件698件`,
    `本年度制发的规范性文件88件`): one clause naming one row and one measure, and a count."""
    found: dict[tuple[str, str], int] = {}
    for clause in _CLAUSE.findall(text):
        rows = [key for key, word in _NARRATIVE_ROWS if word in clause]
        columns = [key for key, words in _NARRATIVE_COLUMNS if any(w in clause for w in words)]
        counts = _COUNT.findall(clause)
        if len(rows) == 1 and len(columns) == 1 and len(counts) == 1:
            found.setdefault((rows[0], columns[0]), int(counts[0]))
    return found


def read_active(tokens: list[Token], span: tuple[int, int], template: str, narrative: str, out: Aligned) -> None:
    rows, columns = active_layout(template)
    stated = narrative_counts(narrative)
    seen: set[str] = set()
    segs = segments(tokens, *span)
    glued = glued_region(segs)
    for seg in segs:
        evidence = run_evidence([t.text for t in seg.run], rows)
        best = max(evidence)
        if best < STRONG or evidence.count(best) > 1:
            continue
        row = rows[evidence.index(best)]
        if row.key in seen:
            out.findings.append(
                Finding(
                    "row_duplicate",
                    f"{ACTIVE}: row '{row.label}' appears again; the first is kept",
                    line=seg.values[0].line,
                    table=ACTIVE,
                    row=row.key,
                )
            )
            continue
        seen.add(row.key)
        cols = columns[row.key]
        values = _drop_fillers(seg.values, len(cols), trailing_first=True)
        texts = [t.text for t in values]
        o = Observed([], tuple(t.line for t in values), [], values[0].line)
        if len(texts) == len(cols):
            o.options = [tuple(texts)]
        elif len(texts) < len(cols) and _may_cut(seg, glued) and any(arithmetic.splittable(t) for t in texts):
            o.options = arithmetic.readings(texts, len(cols)) or []
            o.printed = " ".join(texts)
            o.lines = _cell_lines(values, o.options[0]) if o.options else o.lines
        if not o.options or len(o.lines) != len(cols):
            out.findings.append(
                Finding(
                    "row_cell_count",
                    f"{ACTIVE}.{row.key}: {len(texts)} values where the template has {len(cols)}; values left null",
                    line=o.line,
                    table=ACTIVE,
                    row=row.key,
                )
            )
            continue
        if len(o.options) > 1:
            settled = [
                r
                for r in o.options
                if all(stated.get((row.key, col)) in (None, arithmetic.count(r[c])) for c, col in enumerate(cols))
            ]
            if len(settled) == 1 and len(settled) < len(o.options):
                statement = ", ".join(f"{col} {stated[(row.key, col)]}" for col in cols if (row.key, col) in stated)
                out.findings.append(
                    Finding(
                        "value_from_narrative",
                        f"{ACTIVE}.{row.key}: glued digits {''.join(texts)} cut {len(o.options)} ways; the "
                        f"narrative states {statement}, which leaves {' | '.join(settled[0])}",
                        line=o.line,
                        table=ACTIVE,
                        row=row.key,
                    )
                )
                o.options = settled
        if len(o.options) == 1:
            if o.printed:
                out.findings.append(
                    Finding(
                        "cells_split_by_rules",
                        f"{ACTIVE}.{row.key}: glued digits {''.join(texts)} read as {' | '.join(o.options[0])}",
                        line=o.line,
                        table=ACTIVE,
                        row=row.key,
                    )
                )
            for c, col in enumerate(cols):
                _cell(ACTIVE, row.key, col, o.options[0][c], o.lines[c], out)
        else:
            _ambiguous(ACTIVE, row.key, cols, o.options, o, out)
    for row in rows:
        if row.key not in seen:
            out.findings.append(
                Finding("row_missing", f"{ACTIVE}: row '{row.label}' not found", table=ACTIVE, row=row.key)
            )


# --- table 4 ----------------------------------------------------------------------------------

_GROUP_WORDS = (
    ("litigation_after_review", "复议后起诉"),
    ("litigation_direct", "直接起诉"),
    ("administrative_review", "行政复议"),
)


def _named_groups(labels: list[Token]) -> set[str]:
    """The proceedings a run of header labels names (复议后起诉 is not 行政复议)."""
    text = label_key("".join(t.text for t in labels))
    named: set[str] = set()
    for group, word in _GROUP_WORDS:
        if word in text:
            named.add(group)
            text = text.replace(word, "")
    return named


def _review_vocabulary(token: Token) -> bool:
    key = label_key(token.text)
    return bool(key) and all(ch in _REVIEW_WORDS for ch in key)


def read_review(tokens: list[Token], span: tuple[int, int], out: Aligned) -> None:
    lo, hi = span
    width = len(REVIEW_GROUPS) * len(REVIEW_RESULTS)
    blocks: list[Segment] = []
    previous = lo
    for seg in segments(tokens, lo, hi):
        # every label since the previous block: the header words printed above this block
        seg.run = [t for t in tokens[previous : seg.values[0].seq] if t.kind == LABEL]
        if blocks and any(not _review_vocabulary(t) for t in seg.run):
            break  # narrative after the table
        blocks.append(seg)
        previous = seg.values[-1].seq + 1
    values = [t for b in blocks for t in b.values]
    if not values:
        out.findings.append(Finding("table_missing", f"table '{REVIEW}' not found", table=REVIEW))
        return
    rule = arithmetic.groups_sum(len(REVIEW_RESULTS))
    cells = [(g, r) for g in REVIEW_GROUPS for r in REVIEW_RESULTS]
    values = _drop_fillers(values, width, trailing_first=False)
    texts = [t.text for t in values]
    if len(texts) == width:
        reading = tuple(texts)
        if not rule(reading) and len(blocks) > 1:
            reordered = _reorder(blocks, rule)
            if reordered is not None:
                reading, values = reordered
                out.findings.append(
                    Finding(
                        "values_reordered",
                        f"{REVIEW}: the values are printed out of order (in blocks between header words); placed "
                        "by R4 and the proceeding named above each block",
                        line=values[0].line,
                        table=REVIEW,
                    )
                )
            else:
                for g, r in cells:
                    out.findings.append(
                        Finding(
                            "cell_ambiguous",
                            f"{REVIEW}.{g}.{r}: values printed out of order, and more than one order satisfies R4; "
                            "kept null",
                            line=values[0].line,
                            table=REVIEW,
                            row=g,
                            column=r,
                        )
                    )
                return
        for (g, r), text, token in zip(cells, reading, values, strict=True):
            _cell(REVIEW, g, r, text, token.line, out)
        return
    if (
        len(texts) < width
        and any(_may_cut(b, glued_region(blocks)) for b in blocks)
        and any(arithmetic.splittable(t) for t in texts)
    ):
        options = arithmetic.readings(texts, width, rule)
        if options:
            o = Observed(options, _cell_lines(values, options[0]), [], values[0].line, printed=" ".join(texts))
            by_group = [tuple(opt[k : k + 5] for k in range(0, width, 5)) for opt in options]
            for gi, group in enumerate(REVIEW_GROUPS):
                group_options = sorted({b[gi] for b in by_group})
                lines = o.lines[gi * 5 : gi * 5 + 5]
                og = Observed(group_options, lines, [], o.line)
                if len(group_options) == 1:
                    for r, text, line in zip(REVIEW_RESULTS, group_options[0], lines, strict=True):
                        _cell(REVIEW, group, r, text, line, out)
                else:
                    _ambiguous(REVIEW, group, REVIEW_RESULTS, group_options, og, out)
            return
    out.findings.append(
        Finding(
            "row_cell_count",
            f"table 4 has {len(texts)} values after its header where the template has {width}; values left null",
            line=values[0].line,
            table=REVIEW,
        )
    )


def _reorder(blocks: list[Segment], rule) -> tuple[Reading, list[Token]] | None:
    """Table 4 printed in blocks out of order (text in reading order): among the block orders
    whose values satisfy R4, the one the header labels above each block support best (a block
    under `复议后起诉` belongs to that proceeding), then the one closest to the printed order.
    Only a single best order is taken."""
    if len(blocks) > 7:
        return None
    size = len(REVIEW_RESULTS)
    named = [_named_groups(b.run) for b in blocks]
    scored: list[tuple[float, int, tuple[int, ...]]] = []
    for order in permutations(range(len(blocks))):
        reading = tuple(t.text for k in order for t in blocks[k].values)
        if not rule(reading):
            continue
        support = 0.0
        position = 0
        for k in order:
            groups = {REVIEW_GROUPS[(position + i) // size] for i in range(len(blocks[k].values))}
            if named[k]:
                support += (1 if groups & named[k] else -1) / len(named[k])
            position += len(blocks[k].values)
        inversions = sum(1 for a in range(len(order)) for b in range(a + 1, len(order)) if order[a] > order[b])
        scored.append((support, -inversions, order))
    if not scored:
        return None
    scored.sort(reverse=True)
    best = scored[0]
    rivals = {
        tuple(t.text for k in order for t in blocks[k].values)
        for support, inv, order in scored
        if (support, inv) == best[:2]
    }
    if len(rivals) > 1:
        return None
    tokens = [t for k in best[2] for t in blocks[k].values]
    return tuple(t.text for t in tokens), tokens


# --- the whole report -------------------------------------------------------------------------


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
    if ACTIVE in spans:
        read_active(tokens, spans[ACTIVE], template, narrative, out)
    else:
        out.findings.append(Finding("table_missing", f"table '{ACTIVE}' not found", table=ACTIVE))
    if REQUESTS in spans:
        read_requests(tokens, spans[REQUESTS], template, out)
    else:
        out.findings.append(Finding("table_missing", f"table '{REQUESTS}' not found", table=REQUESTS))
    if REVIEW in spans:
        read_review(tokens, spans[REVIEW], out)
    else:
        out.findings.append(Finding("table_missing", f"table '{REVIEW}' not found", table=REVIEW))
    return out

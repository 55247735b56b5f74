"""Table 2, 主动公开政府信息情况: six rows of one to three cells (eight in the 2019 template).

Its rows are short and their labels distinctive, so each segment goes to the row its own label
names. No arithmetic binds a row's cells, so a glued run that cuts more than one way stays
null, unless the narrative states one of its numbers (`现行有效行政规范性文件698件`).
"""

from __future__ import annotations

import re

from pipelines.extract.findings import Finding
from pipelines.extract.read import arithmetic
from pipelines.extract.read.align.cells import Aligned, ambiguous, cell
from pipelines.extract.read.align.rows import Observed
from pipelines.extract.read.align.segments import cell_lines, drop_fillers, may_cut, segments
from pipelines.extract.read.labels import STRONG, run_evidence
from pipelines.extract.read.normalize import fold, to_simplified
from pipelines.extract.read.tokens import Token
from pipelines.extract.template import ACTIVE, SIGNED_COLUMNS, active_layout

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


def read_active(
    tokens: list[Token], span: tuple[int, int], template: str, narrative: str, glued: bool, out: Aligned
) -> None:
    rows, columns = active_layout(template)
    stated: dict[tuple[str, str], int] | None = None  # read from the narrative when first needed
    seen: set[str] = set()
    segs = segments(tokens, *span)
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
        values = drop_fillers(seg.values, len(cols), trailing_first=True)
        texts = [t.text for t in values]
        o = Observed([], tuple(t.line for t in values), [], values[0].line)
        if len(texts) == len(cols):
            o.options = [tuple(texts)]
        elif len(texts) < len(cols) and may_cut(seg, glued) and any(arithmetic.splittable(t) for t in texts):
            signed = [col in SIGNED_COLUMNS for col in cols]
            o.options = arithmetic.readings(texts, len(cols), arithmetic.signs_fit(signed)) or []
            o.printed = " ".join(texts)
            o.lines = cell_lines(values, o.options[0]) if o.options else o.lines
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
            if stated is None:
                stated = narrative_counts(to_simplified(fold(narrative)))
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
                cell(ACTIVE, row.key, col, o.options[0][c], o.lines[c], out)
        else:
            ambiguous(ACTIVE, row.key, cols, o.options, o, out)
    for row in rows:
        if row.key not in seen:
            out.findings.append(
                Finding("row_missing", f"{ACTIVE}: row '{row.label}' not found", table=ACTIVE, row=row.key)
            )

"""Table 3, 收到和处理政府信息公开申请情况: 25 rows × 7 columns (23 in the 2019 template).

Every segment of the region is read as rows of seven cells; rows are aligned onto the
template's sequence (and onto the 2021 sequence with （六）其他处理 as one row, where a report
prints it so), and the better alignment is placed.
"""

from __future__ import annotations

from dataclasses import replace

from pipelines.extract.findings import Finding
from pipelines.extract.read import arithmetic
from pipelines.extract.read.align.cells import Aligned, place
from pipelines.extract.read.align.rows import TIE, Observed, align_rows, observe
from pipelines.extract.read.align.segments import column_model, may_cut, segments
from pipelines.extract.read.labels import CERTAIN, NONE, STRONG, run_evidence
from pipelines.extract.read.tokens import Token
from pipelines.extract.template import (
    OTHER_PROCESSING,
    OTHER_PROCESSING_PARTS,
    REQUEST_COLUMNS,
    REQUESTS,
    TEMPLATE_2019,
    Row,
    request_rows,
)


def _request_sequences(template: str) -> list[tuple[Row, ...]]:
    rows = request_rows(template)
    if template == TEMPLATE_2019:
        return [rows]
    combined = tuple(r for r in rows if r.key not in OTHER_PROCESSING_PARTS[1:])
    combined = tuple(OTHER_PROCESSING if r.key == OTHER_PROCESSING_PARTS[0] else r for r in combined)
    return [rows, combined]


def read_requests(tokens: list[Token], span: tuple[int, int], template: str, glued: bool, out: Aligned) -> None:
    width = len(REQUEST_COLUMNS)
    every = tuple({r.key: r for seq in _request_sequences(template) for r in seq}.values())
    observed: list[Observed] = []
    unplaced: list[str] = []
    segs = segments(tokens, *span)
    for k, seg in enumerate(segs):
        run = [t.text for t in seg.run]
        evidence = run_evidence(run, every)
        best = max(evidence)
        labelled = seg.own and best >= STRONG and evidence.count(best) == 1
        if not labelled and all(not t.text for t in seg.values):
            continue  # empty cells with no label of their own: a header's padding, not a row
        model = column_model(segs, k, width) if len(seg.values) < width else None
        rows = observe(seg, width, arithmetic.sums_to_last, model, may_cut(seg, glued), labelled)
        for o in rows:
            o.evidence = evidence if o.run else [NONE] * len(every)
        if all(not o.options for o in rows) and not (labelled and best == CERTAIN):
            # values that read as no row: a row only where its own label names it for certain
            unplaced += [t.text for t in seg.values if t.text]
            continue
        observed += rows
    if not observed:
        return
    best_score = float("-inf")
    best_rows: tuple[Row, ...] = ()
    best_choices: list[list[int | None]] = []
    for seq in _request_sequences(template):
        index = [every.index(r) for r in seq]
        view = [replace(o, evidence=[o.evidence[k] for k in index]) for o in observed]
        score, choices = align_rows(view, len(seq))
        if score > best_score + TIE:
            best_score, best_rows, best_choices = score, seq, choices
    place(REQUESTS, best_rows, REQUEST_COLUMNS, observed, best_choices, out)
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

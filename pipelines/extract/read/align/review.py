"""Table 4, 政府信息公开行政复议、行政诉讼情况: three proceedings × five results, one row.

The fifteen values follow a two-level header. Printed in order they are read in order; glued,
they are cut so that each proceeding sums to its 总计 (R4); printed in blocks out of order
(text in reading order), the blocks are ordered by R4 and by the proceeding named above each.
"""

from __future__ import annotations

from itertools import permutations

from pipelines.extract.findings import Finding
from pipelines.extract.read import arithmetic
from pipelines.extract.read.align.cells import Aligned, ambiguous, cell
from pipelines.extract.read.align.rows import Observed
from pipelines.extract.read.align.segments import Segment, cell_lines, drop_fillers, may_cut, segments
from pipelines.extract.read.arithmetic import Reading
from pipelines.extract.read.normalize import label_key
from pipelines.extract.read.tokens import LABEL, Token
from pipelines.extract.template import REVIEW, REVIEW_GROUPS, REVIEW_RESULTS

_REVIEW_WORDS = "行政复议行政诉讼未经复议直接起诉复议后起诉结果维持纠正其他尚未审结总计"


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


def read_review(tokens: list[Token], span: tuple[int, int], glued: bool, out: Aligned) -> None:
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
    values = drop_fillers(values, width, trailing_first=False)
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
                            f"{REVIEW}.{g}.{r}: values printed in blocks out of order, and no single order of the "
                            "blocks satisfies R4 and their header labels best; kept null",
                            line=values[0].line,
                            table=REVIEW,
                            row=g,
                            column=r,
                        )
                    )
                return
        for (g, r), text, token in zip(cells, reading, values, strict=True):
            cell(REVIEW, g, r, text, token.line, out)
        return
    if len(texts) < width and any(may_cut(b, glued) for b in blocks) and any(arithmetic.splittable(t) for t in texts):
        options = arithmetic.readings(texts, width, rule, group=len(REVIEW_RESULTS))
        if options:
            o = Observed(options, cell_lines(values, options[0]), [], values[0].line, printed=" ".join(texts))
            by_group = [tuple(opt[k : k + 5] for k in range(0, width, 5)) for opt in options]
            for gi, group in enumerate(REVIEW_GROUPS):
                group_options = sorted({b[gi] for b in by_group})
                lines = o.lines[gi * 5 : gi * 5 + 5]
                og = Observed(group_options, lines, [], o.line)
                if len(group_options) == 1:
                    for r, text, line in zip(REVIEW_RESULTS, group_options[0], lines, strict=True):
                        cell(REVIEW, group, r, text, line, out)
                else:
                    ambiguous(REVIEW, group, REVIEW_RESULTS, group_options, og, out)
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
    Only a single best order is taken: None when several tie, or when none satisfies R4 (then
    the blocks' order is unknown, whatever the report's own sums)."""
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

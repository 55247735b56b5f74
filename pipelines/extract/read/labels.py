"""How strongly a printed label names a template row: the aligner's evidence.

Real labels are wrapped (`1、申请人无正当理由逾期不补` / `正、行政机关…`), truncated (`5.要求行政机关
确认或重新出`), misspelt, glued to a header (`…对外公开总数量规章`) or led by a vertical group
label (`本 2.其他法律…`). A label is compared with a row in two ways: the row's signature (a
short fragment only that row carries) inside the label's key, which is certain; or, failing
that, how much of the label is a piece of the row's full printed label, which is evidence
graded by how much of the label it explains. Scores are levels (1, 0.75, 0.5, 0), so that equal
evidence ties exactly and the aligner can tell "no evidence either way" from "weakly more".

Pure functions, cached per distinct label key.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from functools import lru_cache

from pipelines.extract.read.normalize import label_key
from pipelines.extract.template import Row

CERTAIN, STRONG, WEAK, NONE = 1.0, 0.75, 0.5, 0.0

# Full printed labels where template.py abbreviates them (for the graded comparison).
FULL_LABELS: dict[str, str] = {
    "other_overdue_correction": "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_unpaid_fee": "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "partially_granted": "部分公开（区分处理的，只计这一情形，不计其他情形）",
}
# A short exact label (规章, 其他, 总计) may follow a table header in glued text: `…件数规章`.
_HEADER_ENDINGS = ("数量", "件数", "数")


@lru_cache(maxsize=512)
def full_key(row: Row) -> str:
    return label_key(FULL_LABELS.get(row.key, row.label))


def _certain(key: str, row: Row) -> bool:
    for sig in row.signatures:
        if not row.exact:
            if sig in key:
                return True
        elif key == sig or (key.endswith(sig) and key[: -len(sig)].endswith(_HEADER_ENDINGS)):
            return True
    return False


@lru_cache(maxsize=262144)
def match(key: str, row: Row) -> float:
    """Evidence that a label (its key) names `row`: CERTAIN, STRONG, WEAK or NONE."""
    if not key:
        return NONE
    if _certain(key, row):
        return CERTAIN
    if row.exact or len(key) < 4:
        return NONE  # short labels (其他, 总计) and short pieces decide nothing by resemblance
    full = full_key(row)
    matched = sum(block.size for block in SequenceMatcher(None, key, full, autojunk=False).get_matching_blocks())
    share = matched / len(key)
    if matched >= 4 and share >= 0.85 and (matched >= 6 or matched / len(full) >= 0.5):
        return STRONG
    if matched >= 4 and share >= 0.7:
        return WEAK
    return NONE


def run_evidence(run: list[str], rows: tuple[Row, ...], depth: int = 3) -> list[float]:
    """Evidence for each of `rows` from the labels printed just before a row's values (closest
    last). The closest label alone decides when it is certain of a row; otherwise it is joined
    with the one or two before it (a label wrapped over lines), each join counting a little
    less, and each row takes its best score."""
    best = [NONE] * len(rows)
    for k in range(1, min(depth, len(run)) + 1):
        key = label_key("".join(run[-k:]))
        scores = [match(key, row) for row in rows]
        if k == 1 and CERTAIN in scores:
            return scores
        decay = 1.0 - 0.05 * (k - 1)
        best = [max(b, s * decay) for b, s in zip(best, scores, strict=True)]
    return best

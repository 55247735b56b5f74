"""Where each table of a report stands in its token stream.

From the section headings (`二、主动公开政府信息情况`, inline in glued text too, misspelt ones
tolerated), or, where a heading is missing, from the table's own first label (`第二十条`,
`本年新收`, `行政复议`). A table runs to the next table's start; the last one to section 五 or 六.
"""

from __future__ import annotations

from pipelines.extract.read.normalize import label_key
from pipelines.extract.read.tokens import LABEL, Token
from pipelines.extract.template import ACTIVE, REQUESTS, REVIEW, SECTIONS

_HEADINGS = {s.number: s.heading for s in SECTIONS}


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

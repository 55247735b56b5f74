"""Numbers the narrative states about the tables' measures (收到申请 N 件, 行政复议 N 件, …).

Why: evaluators compare what a report says with what its tables print (rule R7); real reports
often disagree with themselves. The wordings are data (`reference/narrative_wordings.csv`): a
measure key, a regular expression with `{n}` where the number stands (or `{zero}` for a
wording that states none, 未收到申请), and an example the tests read it on.

A fact is read only from text about the report's own year. Reading goes sentence by sentence
(。；) and clause by clause (，：); from a comparison (较上年增加 …) or a mention of another
year (2023年…, 去年…) to the end of its sentence, numbers are about another year and are not
taken. `上年结转` (carried over into this year) and `结转至2026年` (carried into the next) are
this year's figures and are exempt. Outcome wordings (其中结果维持 N 件) belong to the
proceeding (行政复议 or 行政诉讼) last named in the same sentence, and are dropped without one.
"""

from __future__ import annotations

import bisect
import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import polars as pl

from pipelines.extract.read.normalize import to_simplified

WORDINGS_CSV = Path(__file__).resolve().parents[2] / "reference" / "narrative_wordings.csv"

# A number as narratives write it: digits (3119, 3,119, 0.12) or Chinese numerals (十七), an
# optional 余/多 (approximate), then its unit.
_NUMBER = r"(?P<number>\d[\d,，]*(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+)\s*(?P<approx>余|多)?\s*"
_COUNT_UNITS = r"(?P<unit>件|条|起|个|项|宗)"
_MONEY_UNITS = r"(?P<unit>万元|元)"
_MONEY_MEASURES = frozenset({"fees_charged"})
_PROCEEDINGS = (("行政复议", "reviews"), ("行政诉讼", "lawsuits"))
_SENTENCE_END = re.compile(r"[。；;！!？?]")
_CLAUSE_END = re.compile(r"[，,：:]")
_COMPARISON = re.compile(
    r"较上一?年|比上一?年|较去年|比去年|同比|环比|上年同期|与上一?年度?相比|[较比]\d{4}年|与\d{4}年相比"
)
_OTHER_YEAR_WORD = re.compile(r"(?:上一?年度?|去年)(?!度?结转)")
_MAY_STATE = re.compile(r"[\d一二两三四五六七八九十未无没]")  # a number, or a wording that states none
_YEAR = re.compile(r"(?<![\d至到])(?P<year>(?:19|20)\d{2})\s*年")


@dataclass(frozen=True)
class Wording:
    measure_key: str
    pattern: re.Pattern[str]
    example: str
    example_value: Decimal


@dataclass(frozen=True)
class NarrativeFact:
    measure_key: str
    value: float
    unit: str  # 元 for money (万元 converted), else the count's unit as written (件, 条, 起 …)
    is_approximate: bool  # written with 余/多: at least this many
    line: int  # 1-based, in the numbering of the lines given to `read_facts`
    phrase: str  # the words matched, as written (line breaks removed)


@cache
def wordings() -> tuple[Wording, ...]:
    """The wordings of `narrative_wordings.csv`, compiled, in file order (earlier wins a number)."""
    out = []
    with WORDINGS_CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            units = _MONEY_UNITS if row["measure_key"] in _MONEY_MEASURES else _COUNT_UNITS
            # a leading `{n}` takes no leading spaces: the search would try them at every position
            number = _NUMBER + units
            pattern = row["pattern"]
            pattern = number + pattern[3:] if pattern.startswith("{n}") else pattern
            pattern = pattern.replace("{n}", r"\s*" + number).replace("{zero}", "(?P<zero>)")
            out.append(Wording(row["measure_key"], re.compile(pattern), row["example"], Decimal(row["example_value"])))
    return tuple(out)


_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_SCALES = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int | None:
    """`十七` → 17, `一百零五` → 105, `三千二百` → 3200, `两万` → 20000; None if not a number."""
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in "零〇" and (section or total) and digit is None:  # 一百零五: a placeholder
            continue
        if ch in _DIGITS:
            if digit is not None:  # `一二` is no number
                return None
            digit = _DIGITS[ch]
        elif ch in _SCALES:
            section += (1 if digit is None else digit) * _SCALES[ch]
            digit = None
        elif ch == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def _value(number: str, unit: str) -> Decimal | None:
    if number[0].isdigit():
        value = Decimal(number.replace(",", "").replace("，", ""))
    else:
        read = chinese_number(number)
        if read is None:
            return None
        value = Decimal(read)
    return value * 10000 if unit == "万元" else value


def _about_other_year(clause: str, report_year: int | None) -> int | None:
    """Where in `clause` text about another year begins (None if nowhere)."""
    marks = [m.start() for m in (_COMPARISON.search(clause), _OTHER_YEAR_WORD.search(clause)) if m]
    if report_year is not None:
        marks += [m.start() for m in _YEAR.finditer(clause) if int(m["year"]) != report_year]
    return min(marks) if marks else None


def _mentions_this_year(clause: str, report_year: int | None) -> bool:
    return report_year is not None and any(int(m["year"]) == report_year for m in _YEAR.finditer(clause))


def read_facts(lines: Sequence[str], report_year: int | None) -> list[NarrativeFact]:
    """The facts stated in a narrative block (a section's lines), in text order.

    Lines are joined without their breaks, since PDFs and CMS pages break a phrase anywhere
    (`答\\n复 3050 件`, `申请\\n154\\n件`). Each wording is searched over the whole block (no
    wording spans a 。 or ；), and only the sentences holding a match are read for their year."""
    parts = [line.strip() for line in lines]
    text = "".join(parts)
    if not _MAY_STATE.search(text):
        return []
    taken: dict[int, tuple[Wording, re.Match[str]]] = {}
    for wording in wordings():
        for m in wording.pattern.finditer(text):
            key = m.start("number") if "number" in m.groupdict() and m["number"] is not None else m.start()
            taken.setdefault(key, (wording, m))
    if not taken:
        return []
    starts, offset = [], 0
    for part in parts:
        starts.append(offset)
        offset += len(part)
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    excluded: dict[int, list[tuple[int, int]]] = {}  # per sentence: spans about another year
    facts = []
    for key in sorted(taken):
        wording, m = taken[key]
        k = bisect.bisect_right(ends, key)
        begin = ends[k - 1] if k else 0
        if k not in excluded:
            excluded[k] = _other_year_spans(text[begin : ends[k] if k < len(ends) else len(text)], report_year)
        if any(lo <= key - begin < hi for lo, hi in excluded[k]):
            continue
        measure = wording.measure_key
        if measure.startswith("proceeding_"):
            position, prefix = max((text.rfind(word, begin, m.start()), prefix) for word, prefix in _PROCEEDINGS)
            if position < 0:
                continue
            measure = f"{prefix}_{measure.removeprefix('proceeding_')}"
        if m.groupdict().get("zero") is not None:
            value, unit, approximate = Decimal(0), "元" if measure in _MONEY_MEASURES else "件", False
        else:
            read = _value(m["number"], m["unit"])
            if read is None:
                continue
            value, unit, approximate = read, "元" if m["unit"] == "万元" else m["unit"], m["approx"] is not None
        line = bisect.bisect_right(starts, key) - 1
        facts.append(NarrativeFact(measure, float(value), unit, approximate, line + 1, m.group(0).strip()))
    return facts


def _other_year_spans(sentence: str, report_year: int | None) -> list[tuple[int, int]]:
    """Spans of a sentence about another year: from a comparison or another year's mention to
    the sentence's end, or to a later clause that names the report's year again."""
    excluded: list[tuple[int, int]] = []
    other_from: int | None = None
    clause_start = 0
    for clause_match in [*_CLAUSE_END.finditer(sentence), None]:
        clause_end = clause_match.end() if clause_match else len(sentence)
        clause = sentence[clause_start:clause_end]
        if other_from is not None and _mentions_this_year(clause, report_year):
            excluded.append((other_from, clause_start))
            other_from = None
        if other_from is None:
            at = _about_other_year(clause, report_year)
            if at is not None:
                other_from = clause_start + at
        clause_start = clause_end
    if other_from is not None:
        excluded.append((other_from, len(sentence)))
    return excluded


NARRATIVE_SECTIONS = (1, 5, 6)  # 总体情况, 存在的主要问题及改进情况, 其他需要报告的事项
FACTS_COLUMNS = pl.Schema(
    {
        "doc": pl.UInt32,
        "fact_no": pl.Int32,
        "section_no": pl.Int32,
        "measure_key": pl.String,
        "value": pl.Float64,
        "unit": pl.String,
        "is_approximate": pl.Boolean,
        "line": pl.Int32,
        "phrase": pl.String,
    }
)


def facts_frame(
    texts: Sequence[str],
    line_maps: Sequence[tuple[int, ...] | None],
    years: Sequence[int | None],
    traditional: Sequence[bool],
    sections: pl.DataFrame,
) -> pl.DataFrame:
    """The facts of a batch's narrative sections (`sections`: doc, section_no, text), one row
    each, numbered per report in text order. A fact's line is found by locating its section's
    text in the report's text (`texts`, the text the sections were cut from), then mapped to the
    source file's line where the text was converted (`line_maps`); null if it cannot be located."""
    rows: list[tuple] = []
    narrative = sections.filter(pl.col("section_no").is_in(NARRATIVE_SECTIONS) & (pl.col("text") != ""))
    for (doc,), part in narrative.sort("doc", "section_no").group_by("doc", maintain_order=True):
        text, line_map = texts[doc], line_maps[doc]
        cursor, fact_no = 0, 0
        for section_no, section_text in part.select("section_no", "text").iter_rows():
            found = text.find(section_text, cursor)
            first_line = text.count("\n", 0, found) + 1 if found >= 0 else None
            cursor = found + len(section_text) if found >= 0 else cursor
            lines = section_text.split("\n")
            if traditional[doc]:
                lines = [to_simplified(line) for line in lines]
            for fact in read_facts(lines, years[doc]):
                line = None if first_line is None else first_line + fact.line - 1
                if line is not None and line_map:
                    line = line_map[line - 1] if line <= len(line_map) else None
                fact_no += 1
                fact_row = (fact.measure_key, fact.value, fact.unit, fact.is_approximate, line, fact.phrase)
                rows.append((doc, fact_no, section_no, *fact_row))
    return pl.DataFrame(rows, schema=FACTS_COLUMNS, orient="row")

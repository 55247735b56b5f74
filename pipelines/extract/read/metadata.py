"""Who published the report, for which year, when: read from the title and portal headers.

Titles are split over lines (`杭州市临安区经济和信息化局` / `2021年政府信息公开工作年度报告`),
preceded by portal headers (`索引號:`, `發布單位:`, `公開日期:`) and name the agency as the
report does: `余杭区商务局` stays so (the warehouse resolves it to its full name).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache

from pipelines import paths
from pipelines.extract.findings import Finding
from pipelines.extract.read.agency import Resolution, resolve
from pipelines.extract.read.lines import is_blank
from pipelines.extract.read.normalize import fold, to_simplified
from pipelines.reference.regions import load_regions

_PORTAL_KEYS = (
    "索引号", "公开方式", "文号", "发文字号", "公开日期", "发布时间", "发布日期", "成文日期",
    "发布单位", "发布机构", "主题分类", "时间", "来源", "浏览次数", "信息来源", "生成日期",
    # a web archiver's header lines (标题: …, 栏目: …, 原文链接: …)
    "标题", "栏目", "原文链接", "本地目录", "页面链接", "所属机构", "发文机关",
)  # fmt: skip
_PORTAL_LINE = re.compile(r"^(?:" + "|".join(_PORTAL_KEYS) + r")[:：]")
# An archiver's or a portal's title line, and the publisher it names.
_TITLE_HEADER = re.compile(r"^(?:标题|文章标题|名称)[:：](?P<title>.+)$")
_PUBLISHER_HEADER = re.compile(r"(?:发布机构|发布单位|所属机构|发文机关|信息来源|来源)[:：](?P<name>[^\s:：]{2,40})")
# Lines that are markup or dividers, never the title: `# ` headings keep their text.
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s*")
_DIVIDER = re.compile(r"^[=\-_*~]{3,}.*[=\-_*~]{3,}$|^正文$")
_MAX_TITLE = 60  # characters: a longer line is a sentence, not a title
# ... unless it is one clause ending as a title ends: a long name with its full form in brackets,
# `…地方志办公室(…地方志编纂委员会办公室)2020年政府信息公开工作年度报告`
_LONG_TITLE = re.compile(r"^(?=.{61,120}$)[^，,。；;：:]+(?:政府信息公开|政务公开)工作年度报告$")
_TITLE_TAIL = 12  # characters: the most a title's wrapped tail line holds (`度报告`, `年度报告`)
# The agency as the narrative names it: `2025年，平潭综合实验区坚持…` (a page fragment with no
# title). The name ends as agency names end (`_agency_endings`) and a verb follows it; pronouns
# (我市, 本机关, 全区) are not names.
_NAME_CHAR = r"[^\s，,。；;：:“”《》()（）、的]"
_NARRATIVE_OPENING = r"(?:^|[。\s])(?:19|20)\d{2}\s*年度?[，,]\s*"
_NARRATIVE_VERB = r"(?=坚持|深入|认真|全面|紧紧|紧密|按照|围绕|在|以|持续|进一步|严格|积极|始终|聚焦)"
# How agency names end besides the names and abbreviations of department_names.csv and
# special_zones.csv: governments, offices, committees, divisions, institutions.
_GENERIC_ENDINGS = (
    "人民政府", "政府", "办公厅", "办公室", "办事处", "委员会", "管委会", "局", "委", "办", "厅", "署",
    "中心", "馆", "院", "所", "站", "处", "实验区", "新区", "开发区", "合作区", "区", "市", "县", "旗",
    "镇", "乡", "街道", "州", "盟",
)  # fmt: skip
_PRONOUN = re.compile(r"^(?:我|本|全)")  # 我市, 本机关, 全区; but 本溪市, 全椒县 are places
_TITLE_MARK = re.compile(r"(?:政府信息公开|政务公开).{0,6}报告|年度报告")
_YEAR_IN_TITLE = re.compile(r"^(?P<agency>.*?)(?:关于|關於)?(?P<year>(?:19|20)\d{2})年度?")
_YEAR_FIRST = re.compile(
    r"^(?:(?:19|20)\d{2})年度?(?P<agency>(?!度)[^\s]{2,}?)(?:政府信息公开|政府信息公開|政务公开|政務公開)"
)
# Portal navigation ("您当前的位置：首页 > 政务公开 > …年度报告") is never the title.
_BREADCRUMB = re.compile(r"当前的?位置|您的位置|首页\s*[>›»]|[>›»].*[>›»]")
_HEADER_DATE = re.compile(
    r"(?:发布时间|发布日期|公开日期|成文日期)[:：]?(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})"
)
_TIME_DATE = re.compile(r"^时间[:：](?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})")
_SIGNATURE_DATE = re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日$")
_CN_NUM = "[一二三四五六七八九十]{1,3}"
_CN_SIGNATURE_DATE = re.compile(rf"^(?P<y>[〇零一二三四五六七八九]{{4}})年(?P<m>{_CN_NUM})月(?P<d>{_CN_NUM})日$")
_INDEX_NUMBER = re.compile(r"索引号[:：](?P<index>[^\s:：]+?)(?=公开方式|文号|发布|$|\s)")
_PERIOD_YEAR = re.compile(r"统计期限?(?:为|自|是|从)?(?P<year>(?:19|20)\d{2})年")
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}

_TAIL_LINES = 25  # a signature date sits in the last lines of the report


@dataclass
class Metadata:
    title: str | None = None
    title_line: int | None = None
    agency_as_written: str | None = None
    agency: str | None = None
    report_year: int | None = None
    published_on: dt.date | None = None
    published_on_line: int | None = None
    index_number: str | None = None
    findings: list[Finding] = field(default_factory=list)
    resolution: Resolution | None = None  # the agency resolved to its region, level and kind


def _cn_number(text: str) -> int:
    """Chinese numerals as used in dates: `二〇二二` → 2022, `十二` → 12, `二十` → 20."""
    if len(text) == 4 and "十" not in text:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)
    return _CN_DIGITS[text]


def _date(y: int, m: int, d: int, line: int, findings: list[Finding]) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        findings.append(Finding("date_invalid", f"'{y}-{m}-{d}' is not a calendar date", line=line))
        return None


def _find_title(preamble: list[tuple[int, str, str]]) -> tuple[int, str, str] | None:
    """(line, title as written, title in Simplified), joining a title split over two lines."""
    for k, (line, raw, simple) in enumerate(preamble):
        if not _TITLE_MARK.search(simple) and k + 1 < len(preamble) and len(preamble[k + 1][2]) <= _TITLE_TAIL:
            # a title wrapped inside a word: `…政府信息公开工作年` / `度报告`
            _, next_raw, next_simple = preamble[k + 1]
            if _TITLE_MARK.search(simple + next_simple) and not _TITLE_MARK.search(next_simple):
                line, raw, simple = line, raw + next_raw, simple + next_simple
        if not _TITLE_MARK.search(simple) or _BREADCRUMB.search(simple):
            continue
        head = _YEAR_IN_TITLE.match(simple)
        if head and head.group("agency"):
            return line, raw, simple
        if _YEAR_FIRST.match(simple):
            return line, raw, simple
        if k > 0 and not _BREADCRUMB.search(preamble[k - 1][2]):  # agency (and maybe year) above
            prev_line, prev_raw, prev_simple = preamble[k - 1]
            return prev_line, prev_raw + raw, prev_simple + simple
        return line, raw, simple
    return None


def read_metadata(lines: list[str], preamble_end: int, script_traditional: bool) -> Metadata:
    """Title, agency, year, publish date and index number of one report."""
    meta = Metadata()

    def simple(text: str) -> str:
        text = fold(text)
        return to_simplified(text) if script_traditional else text

    head = [(i + 1, fold(raw), simple(raw)) for i, raw in enumerate(lines[: max(preamble_end, 1)])]
    head = [(line, _MARKDOWN_HEADING.sub("", raw), _MARKDOWN_HEADING.sub("", text)) for line, raw, text in head]
    head = [h for h in head if h[1] and not _DIVIDER.match(h[2])]
    body_head = [
        h
        for h in head
        if not _PORTAL_LINE.match(h[2]) and (len(h[2]) <= _MAX_TITLE or _LONG_TITLE.match(h[2])) and "。" not in h[2]
    ]
    titled = next(((line, m) for line, _raw, text in head if (m := _TITLE_HEADER.match(text))), None)
    if titled is not None:  # an archiver's `标题:` line names the title outright
        line, m = titled
        body_head = [(line, m.group("title"), m.group("title"))]

    for line, _raw, text in head:
        if meta.index_number is None and (m := _INDEX_NUMBER.search(text)):
            meta.index_number = m.group("index")
        if meta.published_on is None and (m := _HEADER_DATE.search(text) or _TIME_DATE.match(text)):
            meta.published_on = _date(int(m["y"]), int(m["m"]), int(m["d"]), line, meta.findings)
            meta.published_on_line = line if meta.published_on else None

    title = _find_title(body_head)
    if title:
        meta.title_line, written, simplified = title
        meta.title = written
        m = _YEAR_IN_TITLE.match(written)
        if m and m.group("agency"):
            meta.agency_as_written = m.group("agency")
            meta.report_year = int(m.group("year"))
        elif m2 := _YEAR_FIRST.match(simplified):
            year = _YEAR_IN_TITLE.match(simplified)
            start = m2.start("agency")
            meta.agency_as_written = written[start : start + len(m2.group("agency"))]
            meta.report_year = int(year.group("year")) if year else None
    if not meta.agency_as_written:
        _agency_elsewhere(lines, head, simple, meta)
    if meta.agency_as_written and meta.agency is None:  # Simplified text stays as it is: t2s makes 乾县 干县
        meta.agency = to_simplified(meta.agency_as_written) if script_traditional else meta.agency_as_written
    elif not meta.agency_as_written:
        meta.findings.append(
            Finding("agency_not_found", "no title naming the agency before the first section", line=meta.title_line)
        )

    period = _statistics_period(lines, simple)
    if meta.report_year is None and period:
        meta.report_year = period[0]
        meta.findings.append(
            Finding("year_from_period", f"report year {period[0]} taken from the statistics period", line=period[1])
        )
    elif meta.report_year is None:
        message = "no year in the title nor a statistics period"
        meta.findings.append(Finding("year_not_found", message, line=meta.title_line))
    elif period and period[0] != meta.report_year:
        meta.findings.append(
            Finding(
                "year_mismatch",
                f"title says {meta.report_year}, statistics period says {period[0]}",
                line=period[1],
            )
        )

    if meta.published_on is None:
        _signature_date(lines, meta)
    context = _context(lines)
    meta.resolution = resolve(meta.agency, meta.report_year, to_simplified(context) if script_traditional else context)
    meta.findings += meta.resolution.findings
    return meta


_CONTEXT_CHARS = 6000


def _context(lines: list[str]) -> str:
    """What settles an agency's place when its name leaves it open: the report's head (title,
    portal headers, the opening paragraphs) and tail (the signature)."""
    head = "\n".join(lines[:80])[:_CONTEXT_CHARS]
    tail = "\n".join(lines[-_TAIL_LINES:]) if len(lines) > 80 else ""
    return head + "\n" + tail


@cache
def _agency_endings() -> tuple[str, ...]:
    """How an agency's name may end, read once: the generic endings, and the names and
    abbreviations of departments and special zones (府办, 台办, 人防办, 研究室, 档案馆, 行署) that
    end in none of them; longest first."""
    seeds = paths.DBT_PROJECT_DIR / "seeds"
    names = set(_GENERIC_ENDINGS)
    for seed in ("department_names.csv", "special_zones.csv"):
        with (seeds / seed).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                names.update(n for n in (row["name"], *(row["forms"] or "").split("|")) if n)
    # an ending another ending already ends covers nothing more: the verb after it anchors the name
    kept = {n for n in names if not any(n != e and n.endswith(e) for e in names)}
    return tuple(sorted(kept, key=lambda n: (-len(n), n)))


@cache
def _narrative_agency() -> re.Pattern[str]:
    endings = "|".join(re.escape(e) for e in _agency_endings())
    return re.compile(
        rf"{_NARRATIVE_OPENING}(?P<agency>(?={_NAME_CHAR}{{3}}){_NAME_CHAR}{{0,30}}?(?:{endings})){_NARRATIVE_VERB}"
    )


@cache
def _places_like_pronouns() -> tuple[str, ...]:
    """Division names opening as a pronoun does (本溪市, 全椒县, 全州): names, not 本/全 + a level."""
    return tuple(
        name
        for region in load_regions()
        for name in (region.name, region.short_name)
        if name and len(name) >= 2 and _PRONOUN.match(name)
    )


def _is_pronoun(name: str) -> bool:
    return bool(_PRONOUN.match(name)) and not name.startswith(_places_like_pronouns())


def _agency_elsewhere(lines: list[str], head: list[tuple[int, str, str]], simple, meta: Metadata) -> None:
    """With no title naming it, the agency a portal header names as publisher, or the one the
    narrative names at its start (`2025年，平潭综合实验区坚持…`), with a finding saying so. The
    name is matched in Simplified; as written, it is the same characters of the line as printed."""
    for line, raw, text in head:
        if (m := _PUBLISHER_HEADER.search(text)) and not _is_pronoun(m.group("name")):
            _take_agency(meta, raw, text, m, "name")
            meta.findings.append(
                Finding("agency_from_text", f"agency '{m.group('name')}' taken from the page's publisher line", line)
            )
            return
    for i, raw in enumerate(lines[:400]):
        if "年" not in raw:
            continue
        text = simple(raw)
        for m in _narrative_agency().finditer(text):
            if not _is_pronoun(m.group("agency")):
                _take_agency(meta, fold(raw), text, m, "agency")
                meta.findings.append(
                    Finding(
                        "agency_from_text",
                        f"no title; agency '{m.group('agency')}' taken from the narrative's opening words",
                        i + 1,
                    )
                )
                return


def _take_agency(meta: Metadata, raw: str, text: str, m: re.Match[str], group: str) -> None:
    """The agency matched in `text` (the line in Simplified): that, and as written the same span
    of `raw` (the line as printed) when the conversion kept the line's length."""
    meta.agency = m.group(group)
    meta.agency_as_written = raw[m.start(group) : m.end(group)] if len(raw) == len(text) else meta.agency


def _statistics_period(lines: list[str], simple) -> tuple[int, int] | None:
    """(year, line) of the statistics period (`统计期限自2023年1月1日起`), where stated."""
    for i, raw in enumerate(lines):  # the cheap test first: this scans every line
        if ("统计期" in raw or "統計期" in raw) and (m := _PERIOD_YEAR.search(simple(raw))):
            return int(m.group("year")), i + 1
    return None


def _signature_date(lines: list[str], meta: Metadata) -> None:
    """The date under the signature: the last line that is only a date, near the end."""
    tail = []
    seen = 0
    for i in range(len(lines) - 1, -1, -1):
        if not is_blank(lines[i]):
            seen += 1
            if "年" in lines[i] and len(lines[i]) < 60:  # both date forms need 年; fold the few that have it
                tail.append((i, fold(lines[i])))
            if seen == _TAIL_LINES:
                break
    for i, text in tail:
        if m := _SIGNATURE_DATE.match(text):
            y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
        elif m := _CN_SIGNATURE_DATE.match(text):
            y, mo, d = _cn_number(m["y"]), _cn_number(m["m"]), _cn_number(m["d"])
        else:
            continue
        meta.published_on = _date(y, mo, d, i + 1, meta.findings)
        meta.published_on_line = i + 1 if meta.published_on else None
        return
    meta.findings.append(Finding("publish_date_not_found", "no publish date header and no signature date"))

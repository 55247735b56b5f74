"""The words around the tables: title, portal header, narrative sections, signature.

Phrased like real reports (the seeds), varied by the rng so that no two reports share their
text, and kept clear of what a parser could take for a heading or a table label.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from random import Random

from pipelines.generate import phrases
from pipelines.generate.agencies import Agency

TITLE_SUFFIX = "政府信息公开工作年度报告"


def title_lines(agency_name: str, year: int, two_lines: bool, rng: Random) -> tuple[tuple[str, ...], bool]:
    """The title as printed (one or two lines), and whether a blank line separates the two."""
    year_word = rng.choice((f"{year}年", f"{year}年度"))
    if not two_lines:
        return (f"{agency_name}{year_word}{TITLE_SUFFIX}",), False
    if rng.random() < 0.6:  # seed 001: agency / year + title
        return (agency_name, f"{year_word}{TITLE_SUFFIX}"), rng.random() < 0.3
    return (f"{agency_name}{year}年度", TITLE_SUFFIX), rng.random() < 0.6  # seed 004


def index_number(year: int, rng: Random, region_code: str = "330110") -> str:
    """A portal index number: organisation code / year-serial (`330110000/2023-12345`)."""
    region = f"{region_code}000"  # the agency's GB/T 2260 code, zero-padded
    organisation = rng.choice((region, str(rng.randint(10**8, 10**9 - 1))))
    return f"{organisation}/{year + 1}-{rng.randint(1, 99_999):05d}"


def portal_lines(agency: Agency, index: str, date: dt.date, rng: Random) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Portal header lines before the title, and any printed under it (seed 003)."""
    sep = rng.choice((": ", "：", ":"))
    date_key = rng.choice(("发布时间", "发布日期", "公开日期"))
    iso = date.isoformat()
    before = [f"索引号{sep}{index} 公开方式{sep}主动公开"]
    publisher = rng.choice((agency.short_name, agency.full_name))  # portals print either
    if rng.random() < 0.5:
        before.append(f"文号{sep}{date_key}{sep}{iso}")
        before.append(f"发布单位{sep}{publisher} 主题分类{sep}其他")
    else:
        before.append(f"发布单位{sep}{publisher}")
        before.append(f"{date_key}{sep}{iso}")
    after: tuple[str, ...] = ()
    if rng.random() < 0.3:
        clock = f"{rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}"
        after = (f"时间:{iso} {clock}      来源:{agency.full_name}      浏览次数:",)
    return tuple(before), after


def publish_date(agency: Agency, year: int, rng: Random) -> dt.date:
    """Departments publish by 31 January, governments by 31 March; some are late: a department
    in about one report in twenty, up to seven weeks, and a government in about one in twelve,
    up to six weeks (report_timeliness must find them all)."""
    start = dt.date(year + 1, 1, 8)
    last = 80 if agency.is_government else (22 if rng.random() < 0.85 else 70)
    published = start + dt.timedelta(days=rng.randint(0, last))
    if agency.is_government:
        # a stream of its own, so that every other draw of the report stays as it was
        late = Random(f"late:{agency.full_name}:{published.isoformat()}")
        if late.random() < 0.08:
            published = dt.date(year + 1, 3, 31) + dt.timedelta(days=late.randint(1, 42))
    return published


def signature_lines(agency: Agency, date: dt.date, rng: Random, chinese_numerals: bool) -> tuple[str, ...]:
    indent = " " * rng.choice((0, 0, 26, 40))
    day = _cn_date(date) if chinese_numerals else f"{date.year}年{date.month}月{date.day}日"
    return (f"{indent}{agency.full_name}", f"{indent}{day}")


_CN = "〇一二三四五六七八九"


def _cn_number(n: int) -> str:
    if n < 10:
        return _CN[n]
    tens, units = divmod(n, 10)
    return f"{_CN[tens] if tens > 1 else ''}十{_CN[units] if units else ''}"


def _cn_date(date: dt.date) -> str:
    """`二〇二三年一月二十日`, as some signature blocks print it."""
    return f"{''.join(_CN[int(d)] for d in str(date.year))}年{_cn_number(date.month)}月{_cn_number(date.day)}日"


def page_number_line(rng: Random, bare: bool = True) -> str:
    """`- 6 -`, `-4-`, `第4页`, or a bare `6` (only at the end: inside a table a bare number
    cannot be told from a cell's value)."""
    n = rng.randint(3, 9)
    forms = [f"- {n} -", f"-{n}-", f"— {n} —", f"第{n}页"] + ([str(n)] if bare else [])
    return rng.choice(forms)


_OVERVIEW_OPENERS = (
    "{year}年，{short}认真贯彻落实《中华人民共和国政府信息公开条例》，紧密结合省、市有关工作要点，"
    "严格执行政务公开、信息公开制度要求，及时准确做好主动公开、依申请公开和政务新媒体运营工作。",
    "{year}年，{short}在上级政务公开主管部门的指导下，坚持以公开为常态、不公开为例外，"
    "持续深化政府信息公开工作，切实保障人民群众的知情权、参与权、表达权和监督权。",
    "根据《中华人民共和国政府信息公开条例》规定，现向社会公布{year}年度本机关政府信息公开工作报告。",
)
_SUBSECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "主动公开",
        (
            "{year}年{short}通过政府门户网站主动公开各类政府信息{items}条，其中政策文件{docs}件、政策解读{readings}条，"
            "做到应公开尽公开。",
            "全年通过门户网站和政务新媒体主动公开信息{items}条，及时发布工作动态、财政预决算、重点领域信息，"
            "公开内容全面、准确。",
        ),
    ),
    (
        "依申请公开",
        (
            "{year}年，{short}共收到政府信息公开申请{requests}件，均在法定期限内答复，未发生逾期答复情况。",
            "规范政府信息公开申请办理工作，完善受理、登记、审核、答复、归档等流程。本年度新收政府信息公开申请{requests}件。",
        ),
    ),
    (
        "政府信息管理",
        (
            "严格落实信息发布“三审三校”制度，公开信息发布前进行保密审查，确保公开内容准确规范；"
            "符合主动公开条件的依申请公开信息及时转为主动公开。",
            "由办公室牵头落实政府信息管理工作，严格履行一岗双责制，做到主要负责人亲自过问，分管负责人直接负责。",
        ),
    ),
    (
        "政府信息公开平台建设",
        (
            "依托政府门户网站和“{place}发布”微信公众号，全年发布信息{posts}条，阅读量超过{reads}万人次。",
            "不独立设置政府信息公开平台，按照上级部门要求在统一平台进行信息发布和栏目维护。",
        ),
    ),
    (
        "监督保障",
        (
            "将政府信息公开工作纳入年度工作考核，主动接受社会监督。本年度未发生政府信息公开工作责任追究情况。",
            "健全政府信息公开工作机制，加强日常监督检查，积极开展社会评议，切实保证政府信息公开工作顺利开展。",
        ),
    ),
)
_NO_REQUESTS = ("{year}年，{short}未收到政府信息公开申请，无因政府信息公开工作被申请行政复议或提起行政诉讼的情况。",)
_PERIOD = (
    "本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。如对本报告有任何疑问，"
    "请与{full}办公室联系（电话：0571-{phone}）。"
)
_PROBLEMS = (
    "{year}年，{short}政府信息公开工作取得了一定成效，但仍存在一些不足：一是公开内容的深度和广度有待拓展；"
    "二是政策解读形式还不够丰富。",
    "下一步，{short}将进一步拓宽信息公开渠道，提升政策解读质量，加强业务培训，不断提高政府信息公开工作水平。",
    "对照上级要求和群众期待，信息公开的及时性、规范性仍需加强。{next_year}年将健全工作机制，强化审核把关，"
    "推动政府信息公开工作提质增效。",
)
_OTHER_MATTERS = (
    "本单位{year}年未收取信息处理费。",
    "本年度无收取政府信息处理费的情况，无其他需要报告的事项。",
    "{year}年度{short}未收取信息处理费，无其他需要报告事项。",
)


def _fill(text: str, fields: dict[str, object]) -> str:
    return text.format(**fields)


# The sub-sections of section 一, in order, and the slots of the phrase bank the narrative draws.
SUBSECTIONS = tuple(heading for heading, _texts in _SUBSECTIONS)
OVERVIEW_SLOTS = ("opener", *SUBSECTIONS)
PROBLEM_SLOTS = ("problems",)
SLOTS_OF_SECTION = {1: OVERVIEW_SLOTS, 5: PROBLEM_SLOTS}  # the sections a copier can copy


@dataclass(frozen=True)
class NarrativePlan:
    """The narrative's wording: the recipes of every slot's sentences and the numbers they state.

    Drawn from a stream of its own (`Random(f"narrative:{rng_seed}")`), so the report's other
    draws (values, layout) are those of the main stream as before. A copier's plan keeps the
    source's recipes (see `copy_plan`) and is filled with the copier's own names and numbers.
    """

    sentences: Mapping[str, tuple[phrases.Recipe, ...]]
    numbers: Mapping[str, int]


def draw_plan(rng: Random) -> NarrativePlan:
    slots = (*OVERVIEW_SLOTS, *PROBLEM_SLOTS)
    sentences = {slot: phrases.draw_sentences(slot, rng) for slot in slots}
    return NarrativePlan(sentences, phrases.number_fields(rng))


def copy_plan(
    own: NarrativePlan, source: NarrativePlan, sections: Sequence[int], edit_share: float, rng: Random
) -> tuple[NarrativePlan, dict[int, tuple[int, int]]]:
    """`own` with the sentences of `sections` (1 and/or 5) copied from `source`, a share of them
    (`edit_share`, rounded) replaced by fresh ones; the numbers stay the copier's own. Also
    returns, per section, (sentences replaced, sentences in all)."""
    sentences = dict(own.sentences)
    edits: dict[int, tuple[int, int]] = {}
    for section in sections:
        slots = SLOTS_OF_SECTION[section]
        places = [(slot, k) for slot in slots for k in range(len(source.sentences[slot]))]
        replaced = set(rng.sample(places, k=int(edit_share * len(places))))  # at most the share
        for slot in slots:
            sentences[slot] = tuple(
                phrases.draw_recipe(slot, rng) if (slot, k) in replaced else recipe
                for k, recipe in enumerate(source.sentences[slot])
            )
        edits[section] = (len(replaced), len(places))
    return NarrativePlan(sentences, own.numbers), edits


def _paragraph(plan: NarrativePlan, slot: str, fields: dict[str, object], facts: Sequence[str] = ()) -> str:
    """A slot's sentences, then its fact sentences (numbers a copier would not copy), in order."""
    return "".join(phrases.sentence(r, fields) for r in plan.sentences[slot]) + "".join(facts)


def overview(
    agency: Agency,
    year: int,
    requests: int,
    rng: Random,
    numbered: bool,
    contact: str = "",
    *,
    plan: NarrativePlan | None = None,
    facts: Mapping[str, Sequence[str]] | None = None,
) -> list[tuple[str, str]]:
    """Section 一's body: (kind, text) with kind `sub` for a sub-heading, `p` for a paragraph;
    `contact` is who the closing sentence sends questions to (the full name, or 本机关).

    `plan` is the wording (drawn from the agency and year when not given); `facts` are sentences
    keyed by sub-section heading (主动公开, 依申请公开, …) appended, in order, to that
    sub-section's paragraph. The sentence stating the requests received (收到政府信息公开申请
    {requests}件) is the first fact of 依申请公开. The draws from `rng` are the ones the former
    two-choice wording made, so the rest of a report's stream is unchanged."""
    plan = plan or draw_plan(Random(f"narrative:{agency.full_name}:{year}"))
    facts = facts or {}
    fields = _fields(agency, year, rng) | {"requests": requests} | dict(plan.numbers)
    fields["full"] = contact or agency.full_name
    rng.choice(_OVERVIEW_OPENERS)  # the former opener's draw
    out: list[tuple[str, str]] = [("p", _paragraph(plan, "opener", fields, facts.get("opener", ())))]
    for k, (heading, texts) in enumerate(_SUBSECTIONS):
        if heading == "依申请公开" and not requests:
            texts = _NO_REQUESTS
        enumerator = f"（{'一二三四五'[k]}）"
        suffix = rng.choice(("", "", "情况")) if heading != "政府信息公开平台建设" else ""
        drop = not numbered and rng.random() < 0.4
        out.append(("sub", f"{'' if drop else enumerator}{heading}{suffix}"))
        former = _fill(rng.choice(texts), fields)  # the former wording's draw
        own_facts = [former] if heading == "依申请公开" else []
        out.append(("p", _paragraph(plan, heading, fields, [*own_facts, *facts.get(heading, ())])))
    out.append(("p", _fill(_PERIOD, fields)))
    return out


def problems(
    agency: Agency, year: int, rng: Random, *, plan: NarrativePlan | None = None, facts: Sequence[str] = ()
) -> list[str]:
    """Section 五: the shortcomings, then what comes next; `facts` end the last paragraph."""
    plan = plan or draw_plan(Random(f"narrative:{agency.full_name}:{year}"))
    fields = _fields(agency, year, rng) | dict(plan.numbers)
    rng.choice(_PROBLEMS[1:])  # the former wording's draw
    recipes = plan.sentences["problems"]
    half = (len(recipes) + 1) // 2
    first = NarrativePlan({"a": recipes[:half], "b": recipes[half:]}, plan.numbers)
    return [_paragraph(first, "a", fields), _paragraph(first, "b", fields, facts)]


def other_matters(agency: Agency, year: int, rng: Random, *, facts: Sequence[str] = ()) -> list[str]:
    return [_fill(rng.choice(_OTHER_MATTERS), _fields(agency, year, rng)) + "".join(facts)]


def _fields(agency: Agency, year: int, rng: Random) -> dict[str, object]:
    items = rng.randint(20, 1200)
    return {
        "year": year,
        "next_year": year + 1,
        "short": rng.choice((agency.short_name, "我局" if agency.unit.endswith("局") else agency.short_name)),
        "full": agency.full_name,
        "items": items,
        "docs": rng.randint(0, 30),
        "readings": rng.randint(0, 15),
        "posts": rng.randint(50, 900),
        "reads": rng.randint(1, 40),
        "place": agency.place_short,
        "phone": f"{rng.randint(80_000_000, 89_999_999)}",
    }


def site_name(agency: Agency) -> str:
    """The portal a report is published on: its government's site."""
    return agency.site_name

"""Narrative facts: each wording on its example, numbers in Chinese numerals and 万元, text about
another year left alone, source lines; the real reports of ../shared/realworld hand-checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from samples import RAW, ROOT, SEED_NAMES

from pipelines.extract.read.narrative import chinese_number, read_facts, wordings
from pipelines.extract.read.report import Report, parse_bytes

REAL = ROOT.parent / "shared" / "realworld" / "raw"
S000, S001, S002, S003, S004 = SEED_NAMES


def _facts(text: str, year: int | None = 2024) -> list[tuple[str, float]]:
    return [(f.measure_key, f.value) for f in read_facts(text.split("\n"), year)]


@pytest.mark.parametrize("wording", wordings(), ids=lambda w: f"{w.measure_key}:{w.example[:12]}")
def test_each_wording_reads_its_example(wording) -> None:
    """Every wording of narrative_wordings.csv, one by one: its example gives its measure (an
    outcome wording, the proceeding's) and value."""
    year = re.search(r"(20\d\d)\s*年", wording.example)
    facts = read_facts([wording.example], int(year.group(1)) if year else 2024)
    suffix = wording.measure_key.removeprefix("proceeding_")
    matching = [f for f in facts if f.measure_key.endswith(suffix) and f.value == float(wording.example_value)]
    assert matching, (wording.example, facts)


@pytest.mark.parametrize(
    ("text", "value"),
    [("十七", 17), ("十", 10), ("二十", 20), ("一百零五", 105), ("三千二百", 3200), ("两万", 20000), ("〇", 0)],
)
def test_chinese_numerals(text: str, value: int) -> None:
    assert chinese_number(text) == value


def test_not_a_chinese_number() -> None:
    assert chinese_number("一二") is None
    assert chinese_number("十四五规划") is None


def test_units_are_converted() -> None:
    assert _facts("本年度共收取信息处理费1.5万元。") == [("fees_charged", 15000.0)]
    assert _facts("共收到政府信息公开申请十七件，均已办结。") == [("requests_received", 17.0)]
    assert _facts("共收到政府信息公开申请1,204件。") == [("requests_received", 1204.0)]


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        # a comparison is about another year from where it begins
        ("2024年共收到政府信息公开申请120件，较上年增加5件。", [("requests_received", 120.0)]),
        ("与上年相比，收到政府信息公开申请减少5件。", []),
        ("收到政府信息公开申请120件，同比增长20件。", [("requests_received", 120.0)]),
        # a sentence on another year, then one on this year
        ("2023年共收到政府信息公开申请98件。2024年共收到政府信息公开申请120件。", [("requests_received", 120.0)]),
        ("去年收到政府信息公开申请98件。", []),
        ("上一年度行政复议3件。", []),
        # back to the report's year within the sentence
        ("2023年行政复议3件，2024年行政复议5件。", [("reviews_total", 5.0)]),
        # carried over from last year and into next year are this year's figures
        ("上年结转政府信息公开申请2件。", [("requests_carried_over", 2.0)]),
        ("上年度结转申请3件。", [("requests_carried_over", 3.0)]),
        ("结转至2025年继续办理4件。", [("requests_carried_forward", 4.0)]),
        ("本报告所列数据的统计期限自2024年1月1日起至2024年12月31日止。", []),
    ],
)
def test_text_about_another_year_gives_no_fact(text: str, facts: list) -> None:
    assert _facts(text, 2024) == facts


def test_categories_and_outcomes_are_not_totals() -> None:
    """`其他主动公开信息 978 条` is a category, `同意公开答复 9 件` an outcome, not what was handled."""
    assert _facts("全年主动公开信息1168条，其中其他主动公开信息978条。") == [("active_disclosed", 1168.0)]
    assert _facts("所有办结的申请中同意公开答复9件，不予公开答复2件。") == []


def test_outcomes_follow_the_proceeding_named_before_them() -> None:
    text = "行政复议 3 件，其中结果维持 2 件，尚未审结 1 件；行政诉讼 1 件，其中结果纠正 1 件。"
    assert _facts(text) == [
        ("reviews_total", 3.0),
        ("reviews_upheld", 2.0),
        ("reviews_pending", 1.0),
        ("lawsuits_total", 1.0),
        ("lawsuits_corrected", 1.0),
    ]
    assert _facts("其中结果维持 2 件。") == []  # no proceeding named: dropped, not guessed


def test_a_number_broken_over_lines_is_read_on_its_line() -> None:
    facts = read_facts(["2025年，全区共收到政府信息公开申请", "154", "件，共办结", "148", "件。"], 2025)
    assert [(f.measure_key, f.value, f.line) for f in facts] == [
        ("requests_received", 154.0, 2),
        ("requests_handled", 148.0, 4),
    ]
    approximate = read_facts(["主动公开各类政", "府信息 5500 余条。"], 2024)
    assert [(f.measure_key, f.value, f.is_approximate, f.line) for f in approximate] == [
        ("active_disclosed", 5500.0, True, 2)
    ]


def _stated(report: Report) -> list[tuple[int, str, int | float, int | None]]:
    return [(f.section, f.measure, f.value, f.line) for f in report.narrative_facts]


def test_the_seeds_narrative_facts() -> None:
    """Hand-checked against the five seeds' text (003 is in Traditional characters)."""
    got = {name: _stated(parse_bytes((RAW / name).read_bytes(), name)) for name in SEED_NAMES}
    assert got == {
        S000: [(1, "requests_received", 0, 10), (6, "fees_charged", 0, 421)],  # 本年度未收到依申请公开件
        S001: [(1, "requests_received", 1, 11), (6, "fees_charged", 0, 401)],  # 共收到依申请公开1件
        S002: [(1, "requests_received", 7, 10), (6, "fees_charged", 0, 616)],  # 收到公民、法人…申请7件
        S003: [(1, "active_disclosed", 1168, 13), (1, "requests_received", 1, 17), (6, "fees_charged", 0, 618)],
        S004: [(1, "requests_received", 0, 14), (6, "fees_charged", 0, 427)],  # 未受理依申请公开申请件
    }


# Hand-checked against each file's text: (measure, value, source line).
_HUAIAN = [
    ("active_disclosed", 5500),  # 主动公开各类政府信息 5500 余条
    ("rules_issued", 1),  # 新增公开市政府规章 1 件
    ("requests_received", 3119),  # 受理政府信息公开申请 3119 件
    ("requests_handled", 3050),  # 答复 3050 件
    ("requests_carried_over", 34),  # 含上年度结转申请 34 件
    ("requests_carried_forward", 103),  # 另有 103 件顺延到下年度答复
    ("reviews_total", 351),
    ("reviews_upheld", 72),
    ("reviews_corrected", 64),
    ("reviews_other", 178),
    ("reviews_pending", 37),
    ("lawsuits_total", 46),
    ("lawsuits_upheld", 25),
    ("lawsuits_corrected", 5),
    ("lawsuits_other", 9),
    ("lawsuits_pending", 7),
    ("fees_charged", 3940),  # 收取政府信息公开信息处理费 3940 元
]
REAL_FACTS = {
    "huaian-2024.pdftotext.txt": list(
        zip(_HUAIAN, [17, 17, 30, 31, 31, 31, 32, 33, 33, 33, 34, 34, 34, 35, 35, 35, 686], strict=True)
    ),
    "huaian-2024.pdftotext-layout.txt": list(
        zip(_HUAIAN, [18, 18, 31, 32, 32, 32, 33, 34, 34, 34, 35, 35, 35, 36, 36, 36, 241], strict=True)
    ),
    "huaian-2024.pdf": list(
        zip(_HUAIAN, [16, 16, 27, 28, 28, 28, 29, 30, 30, 30, 31, 31, 31, 32, 32, 32, 121], strict=True)
    ),
    # the archiver's body is one line (10): 共公布政府信息2599条, not 其他应主动公开政府信息856条
    "pingtan-2019.archive.txt": [(("active_disclosed", 2599), 10)],
    "pingtan-2022.archive.txt": [
        (("active_disclosed", 14571), 10),
        (("normative_documents_in_force", 698), 10),  # the value its glued table leaves undecidable
        (("normative_documents_issued", 88), 10),
        (("requests_received", 75), 10),  # new_received 74 + carried_over 1
        (("lawsuits_total", 1), 10),
        (("reviews_total", 2), 10),
        (("fees_charged", 0), 10),  # 无收取信息处理费
    ],
    # a CMS fragment on one line; 结转至2026年 6 件 is this year's carried_forward
    "pingtan-2025.cms.html": [
        (("active_disclosed", 7700), 1),
        (("requests_received", 154), 1),
        (("requests_handled", 148), 1),
        (("requests_carried_forward", 6), 1),
        (("reviews_total", 36), 1),
        (("lawsuits_total", 9), 1),
        (("fees_charged", 0), 1),
    ],
    # 同意公开答复 9 件 … are outcomes, not requests handled
    "shanghai-stcsm-2024.converted.md": [
        (("reviews_total", 1), 19),  # 有 1 件涉及政府信息公开工作的行政复议
        (("lawsuits_total", 0), 21),  # 涉及的行政诉讼数为 0 件
        (("active_disclosed", 393), 32),  # 当年发布政府信息 393 件
        (("requests_received", 34), 42),
        (("requests_carried_over", 2), 43),
        (("requests_carried_forward", 1), 46),  # 转下一年度办理答复的有 1 件
    ],
}


@pytest.mark.parametrize("name", sorted(REAL_FACTS))
def test_real_reports_narrative_facts(name: str) -> None:
    if not (REAL / name).exists():
        pytest.skip(f"the real-report dev set is not here ({REAL})")
    report = parse_bytes((REAL / name).read_bytes(), name)
    got = [((f.measure, f.value), f.line) for f in report.narrative_facts]
    assert got == REAL_FACTS[name]


def test_a_file_without_narrative_has_no_facts(tmp_path: Path) -> None:
    assert parse_bytes("一、总体情况\n\n二、主动公开政府信息情况\n".encode(), "x.txt").narrative_facts == []

"""Real reports as agencies and archives publish them: the dev set in ../shared/realworld.

Those files are third-party publications kept outside the project: the tests read them from
there and skip, saying why, where they are absent (a user's fresh clone has no ../shared).
Every cell is compared with its hand-checked value the way ../shared/realworld/score.py scores
it, with one thing stricter: a cell the text alone cannot settle (`undecidable_from_text`)
counts as right when it holds the true value, or when it is null *with a finding on it*.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.extract.read.report import Report, parse_bytes

ROOT = Path(__file__).resolve().parents[1]
REALWORLD = ROOT.parent / "shared" / "realworld"
EXPECTED = sorted((REALWORLD / "expected").glob("*.json")) if REALWORLD.exists() else []

needs_dev_set = pytest.mark.skipif(
    not EXPECTED, reason=f"the real-report dev set is not here ({REALWORLD}): it lives beside the project, not in it"
)


def _cells(tables: dict, prefix: str = ""):
    for key, value in tables.items():
        if isinstance(value, dict):
            yield from _cells(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _value(report: Report, key: str):
    table, row, column = key.split(".")
    return report.tables().get(table, {}).get(row, {}).get(column)


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-9


def _parse(name: str) -> Report:
    return parse_bytes((REALWORLD / "raw" / name).read_bytes(), name)


def _expected(name: str) -> dict:
    return json.loads((REALWORLD / "expected" / f"{name}.json").read_text(encoding="utf-8"))


def score(report: Report, expected: dict) -> tuple[list[str], list[str]]:
    """(misses, wrong numbers) of a parsed report against its hand-checked values."""
    lenient = set(expected.get("undecidable_from_text", []))
    flagged = {f"{f.table}.{f.row}.{f.column}" for f in report.findings}
    misses, wrong = [], []
    for key, want in _cells(expected["tables"]):
        have = _value(report, key)
        if _same(have, want) or (have is None and key in lenient and key in flagged):
            continue
        (misses if have is None else wrong).append(f"{key}: parsed {have}, expected {want}")
    return misses, wrong


@needs_dev_set
@pytest.mark.parametrize("path", EXPECTED, ids=lambda p: p.name.removesuffix(".json"))
def test_every_cell_of_a_real_report_is_right(path: Path) -> None:
    expected = json.loads(path.read_text(encoding="utf-8"))
    report = _parse(expected["file"])
    misses, wrong = score(report, expected)
    assert wrong == [], f"wrong numbers: {wrong}"
    assert misses == [], f"{len(misses)} cells missed: {misses[:10]}"
    assert report.meta.report_year == expected["report_year"]
    assert report.template == expected["template"]
    assert report.status != "rejected"


_NOISE = re.compile(r"[:：#|=]|标题|发布|来源|正文|^\d")


@needs_dev_set
@pytest.mark.parametrize("path", EXPECTED, ids=lambda p: p.name.removesuffix(".json"))
def test_a_real_reports_agency_is_a_name_free_of_header_and_markdown_noise(path: Path) -> None:
    expected = json.loads(path.read_text(encoding="utf-8"))
    agency = _parse(expected["file"]).meta.agency
    assert agency and not _NOISE.search(agency), agency
    # the agency the hand-checked metadata names, or its own short form (上海市科委)
    assert agency in expected["agency"] or expected["agency"].startswith(agency[:2]), (agency, expected["agency"])


# --- the classes of real publishing, each on the real file that shows it ----------------------


def _findings(report: Report, code: str) -> list:
    return [f for f in report.findings if f.code == code]


@needs_dev_set
def test_cms_html_fragment_on_one_line_is_read_as_a_page_with_tables() -> None:
    report = _parse("pingtan-2025.cms.html")
    assert report.format == "html"
    tables = report.tables()
    assert tables["active_disclosure"]["administrative_fees"]["amount"] == Decimal("4166.241619")
    assert tables["requests"]["carried_forward"] == {
        "natural_person": 4,
        "commercial_enterprise": 2,
        "research_institution": 0,
        "social_welfare_org": 0,
        "legal_service_org": 0,
        "other_org": 0,
        "total": 6,
    }
    assert report.meta.agency == "平潭综合实验区" and _findings(report, "agency_from_text")


@needs_dev_set
def test_archiver_glued_text_is_cut_into_cells_by_the_template_arithmetic() -> None:
    report = _parse("pingtan-2022.archive.txt")
    tables = report.tables()
    # `一、本年新收政府信息公开申请数量 713000074`: the only cut whose 总计 is the sum of its row
    assert list(tables["requests"]["new_received"].values()) == [71, 3, 0, 0, 0, 0, 74]
    # `00000005.属于三类…`: the digit before the label is the label's own number
    assert list(tables["requests"]["denied_internal_affairs"].values()) == [1, 0, 0, 0, 0, 0, 1]
    # `8855698` cuts 15 ways; the narrative states 88 issued and 698 in force, which leaves one
    assert tables["active_disclosure"]["normative_documents"] == {"issued": 88, "repealed": 55, "in_force": 698}
    assert [f.row for f in _findings(report, "value_from_narrative")] == ["normative_documents"]
    assert (report.meta.agency, report.meta.report_year, str(report.meta.published_on)) == (
        "平潭综合实验区",
        2022,
        "2023-02-20",
    )


@needs_dev_set
def test_archiver_glued_text_leaves_undecidable_cuts_null_and_names_the_candidates() -> None:
    report = _parse("pingtan-2019.archive.txt")
    ambiguous = {(f.row, f.column): f.message for f in _findings(report, "cell_ambiguous")}
    assert report.tables()["active_disclosure"]["normative_documents"]["produced"] is None
    assert "89" in ambiguous[("normative_documents", "produced")]  # `898989` is 89 | 89 | 89, or 8 | 98 | 989 …
    fees = report.tables()["active_disclosure"]["administrative_fees"]
    assert fees == {"items_last_year": None, "items_change": None}  # `350`: 3 | 50 or 35 | 0
    assert report.template == "2019"
    assert list(report.tables()["requests"]["total_handled"].values()) == [23, 0, 0, 0, 0, 0, 23]


@needs_dev_set
def test_pdftotext_layout_wrapped_labels_vertical_groups_and_footers_inside_tables() -> None:
    report = _parse("huaian-2024.pdftotext-layout.txt")
    requests = report.tables()["requests"]
    # `1、申请人无正当理由逾期不补` / `正、…  67 3 0 0 1 0 71` / `息公开申请`
    assert list(requests["other_overdue_correction"].values()) == [67, 3, 0, 0, 1, 0, 71]
    # `（四）无` / `-4-` / `法提供  2.没有现成信息需要另行制作  11 …`: a page break inside the group
    assert list(requests["unavailable_needs_creation"].values()) == [11, 0, 0, 0, 0, 0, 11]
    # the row beside the vertical `（五）不 / 予处理`, its label wrapped around its numbers
    assert list(requests["not_processed_confirmation"].values()) == [1, 0, 0, 0, 0, 0, 1]
    review = report.tables()["review_litigation"]
    assert list(review["litigation_after_review"].values()) == [12, 1, 1, 6, 20]


@needs_dev_set
def test_pdftotext_reading_order_labels_far_from_their_numbers_and_blocks_out_of_order() -> None:
    report = _parse("huaian-2024.pdftotext.txt")
    requests = report.tables()["requests"]
    # `（一）予以公开` is printed after the numbers of three later rows: placed by order
    assert list(requests["granted"].values()) == [1288, 21, 0, 0, 50, 3, 1362]
    assert "granted" in {f.row for f in _findings(report, "row_placed_by_order")}
    review = report.tables()["review_litigation"]
    assert list(review["administrative_review"].values()) == [72, 64, 178, 37, 351]
    assert list(review["litigation_direct"].values()) == [13, 4, 8, 1, 26]
    assert list(review["litigation_after_review"].values()) == [12, 1, 1, 6, 20]
    assert _findings(report, "values_reordered")


@needs_dev_set
def test_converter_markdown_broken_pipe_tables_loose_labels_and_rows_without_labels() -> None:
    report = _parse("shanghai-stcsm-2024.converted.md")
    requests = report.tables()["requests"]
    assert list(requests["new_received"].values()) == [32, 2, 0, 0, 0, 0, 34]  # under a garbage header row
    assert list(requests["denied_internal_affairs"].values()) == [1, 0, 0, 0, 0, 0, 1]  # no label of its own
    assert list(requests["unavailable_not_held"].values()) == [4, 0, 0, 0, 0, 0, 4]
    assert list(requests["other_overdue_correction"].values()) == [8, 2, 0, 0, 0, 0, 10]
    # `| 四、结转下年度继续办理 | 1 | 0 | 0 | 0 | 0 | 0 |  |`: the empty 总计 is a blank, not 0
    assert requests["carried_forward"]["total"] is None
    assert ("carried_forward", "total") in {(f.row, f.column) for f in _findings(report, "cell_blank")}
    assert report.tables()["active_disclosure"]["normative_documents"] == {"issued": 13, "repealed": 0, "in_force": 55}


@needs_dev_set
def test_pdf_tables_read_from_the_page_geometry() -> None:
    report = _parse("huaian-2024.pdf")
    assert report.format == "pdf"
    tables = report.tables()
    assert list(tables["requests"]["total_handled"].values()) == [2932, 53, 0, 0, 61, 4, 3050]
    assert list(tables["review_litigation"]["litigation_direct"].values()) == [13, 4, 8, 1, 26]
    assert tables["active_disclosure"]["administrative_penalty"]["decisions"] == 3985758


@needs_dev_set
def test_archiver_text_keeps_its_sections_though_their_headings_stand_inside_one_line() -> None:
    report = _parse("pingtan-2022.archive.txt")
    sections = {s.number: s for s in report.sections}
    assert sorted(sections) == [0, 1, 2, 3, 4, 5, 6]
    assert sections[4].heading == "四、政府信息公开行政法复议、行政诉讼情况"  # misspelt as published
    assert sections[6].text == "2022年，无收取信息处理费情况。"
    assert sections[1].text.startswith("2022年，平潭综合实验区坚持")


# --- damage: whatever a real report loses, no number read is a wrong one -------------------------

_DAMAGED = (
    "huaian-2024.pdftotext-layout.txt",
    "huaian-2024.pdftotext.txt",
    "pingtan-2022.archive.txt",
    "pingtan-2019.archive.txt",
    "shanghai-stcsm-2024.converted.md",
)
_DIGITS = re.compile(r"\d+")


def _damage(text: str, seed: int) -> str:
    """A real report with a few lines lost, page numbers added, a value blanked or a Chinese
    character dropped: what conversions and archivers do (no digit is changed or added)."""
    from random import Random

    rng = Random(seed)
    lines = text.split("\n")
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        op = rng.choice(("drop", "stray", "blank", "char"))
        if op == "drop":
            del lines[i]
        elif op == "stray":
            lines.insert(i, rng.choice(("-3-", "第 2 页", "  - 4 -  ", "\f")))
        elif op == "blank" and (found := list(_DIGITS.finditer(lines[i]))):
            m = rng.choice(found)
            lines[i] = lines[i][: m.start()] + " " * len(m.group()) + lines[i][m.end() :]
        elif op == "char" and (places := [k for k, ch in enumerate(lines[i]) if "\u4e00" <= ch <= "\u9fff"]):
            k = rng.choice(places)
            lines[i] = lines[i][:k] + lines[i][k + 1 :]
    return "\n".join(lines)


@needs_dev_set
@pytest.mark.parametrize("name", _DAMAGED)
@pytest.mark.parametrize("seed", range(12))
def test_a_damaged_real_report_gives_no_wrong_number(name: str, seed: int) -> None:
    """Lost and stray lines, blanked values: cells may go null (with findings), never wrong."""
    damaged = _damage((REALWORLD / "raw" / name).read_text(encoding="utf-8"), seed)
    report = parse_bytes(damaged.encode(), name)
    expected = _expected(name)
    wrong = [
        f"{key}: parsed {_value(report, key)}, expected {want}"
        for key, want in _cells(expected["tables"])
        if want is not None and _value(report, key) is not None and not _same(_value(report, key), want)
    ]
    assert wrong == []

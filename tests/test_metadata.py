"""Title, agency, year, dates and index number, on the layouts real reports use."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.extract.lines import source_lines
from pipelines.extract.metadata import read_metadata


def _meta(text: str, traditional: bool = False):
    lines = source_lines(text)
    end = next((i for i, line in enumerate(lines) if "总体情况" in line or "總體情況" in line), len(lines))
    return read_metadata(lines, end, traditional)


@pytest.mark.parametrize(
    ("head", "agency", "year"),
    [
        ("杭州市余杭区经济和信息化局2023年度政府信息公开工作年度报告", "杭州市余杭区经济和信息化局", 2023),
        ("杭州市临安区经济和信息化局\n2021年政府信息公开工作年度报告", "杭州市临安区经济和信息化局", 2021),
        ("\n杭州市余杭区科学技术局2024年度\n\n政府信息公开工作年度报告", "杭州市余杭区科学技术局", 2024),
        ("余杭区商务局2022年政府信息公开工作年度报告\n发布时间:2023-01-19", "余杭区商务局", 2022),
        ("2023年度杭州市拱墅区民政局政府信息公开工作年度报告", "杭州市拱墅区民政局", 2023),
        ("杭州市西湖区财政局关于2022年度政府信息公开工作年度报告", "杭州市西湖区财政局", 2022),
        ("杭州市 上城区 商务局 2022 年 政府信息公开工作年度报告", "杭州市上城区商务局", 2022),
    ],
)
def test_agency_and_year_from_title(head: str, agency: str, year: int) -> None:
    meta = _meta(f"{head}\n一、总体情况\n本报告所列数据统计期限自{year}年1月1日起")
    assert (meta.agency, meta.report_year) == (agency, year)
    assert not [f for f in meta.findings if f.severity != "info"]


def test_traditional_portal_headers() -> None:
    head = (
        "索引號: 470118716/2024-00217 公開方式: 主動公開\n文號: 公開日期: 2024-01-22\n"
        "發布單位: 市投資促進局 主題分類: 其他\n杭州市投資促進局2023年度政府信息公開工作年度報告\n一、總體情況"
    )
    meta = _meta(head, traditional=True)
    assert meta.agency_as_written == "杭州市投資促進局"
    assert meta.agency == "杭州市投资促进局"
    assert meta.index_number == "470118716/2024-00217"
    assert (meta.published_on, meta.published_on_line) == (dt.date(2024, 1, 22), 2)
    assert meta.title_line == 4


@pytest.mark.parametrize(
    ("tail", "date"),
    [
        ("                          2022年1月20日\n6\n", dt.date(2022, 1, 20)),
        ("杭州市某某局\n二〇二二年一月二十日", dt.date(2022, 1, 20)),
        ("二〇二三年十二月三十一日\n", dt.date(2023, 12, 31)),
    ],
)
def test_signature_date(tail: str, date: dt.date) -> None:
    meta = _meta("某某局2021年政府信息公开工作年度报告\n一、总体情况\n正文。\n" + tail)
    assert meta.published_on == date


def test_no_date_is_an_info_finding_not_a_guess() -> None:
    meta = _meta("某某局2021年政府信息公开工作年度报告\n一、总体情况\n正文。")
    assert meta.published_on is None
    assert [f.code for f in meta.findings if "date" in f.code] == ["publish_date_not_found"]


def test_impossible_date_is_flagged() -> None:
    meta = _meta("某某局2021年政府信息公开工作年度报告\n发布时间:2022-02-30\n一、总体情况")
    assert meta.published_on is None
    assert "date_invalid" in [f.code for f in meta.findings]


def test_year_from_statistics_period_when_title_has_none() -> None:
    meta = _meta(
        "某某局政府信息公开工作年度报告\n一、总体情况\n本报告所列数据统计期限自2022年1月1日起至2022年12月31日止。"
    )
    assert meta.report_year == 2022
    assert "year_from_period" in [f.code for f in meta.findings]


def test_year_mismatch_is_flagged() -> None:
    meta = _meta("某某局2023年政府信息公开工作年度报告\n一、总体情况\n本报告所列数据统计期限自2022年1月1日起。")
    assert meta.report_year == 2023
    mismatch = next(f for f in meta.findings if f.code == "year_mismatch")
    assert mismatch.line == 3


def test_missing_agency_and_year() -> None:
    meta = _meta("一、总体情况\n正文。")
    codes = [f.code for f in meta.findings]
    assert "agency_not_found" in codes and "year_not_found" in codes

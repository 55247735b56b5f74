"""Title, agency, year, dates and index number, on the layouts real reports use."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.extract.read.lines import source_lines
from pipelines.extract.read.metadata import read_metadata


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
        (  # longer than a title line usually is: the full name in brackets
            "黔南布依族苗族自治州三都水族自治县地方志办公室(黔南布依族苗族自治州三都水族自治县地方志编纂委员会办公室)"
            "2020年政府信息公开工作年度报告",
            "黔南布依族苗族自治州三都水族自治县地方志办公室(黔南布依族苗族自治州三都水族自治县地方志编纂委员会办公室)",
            2020,
        ),
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


# --- a page with no title: the agency the narrative names (a portal CMS fragment) -----------------

_CMS_OPENING = (
    "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）等文件要求编制。"
    "本报告所列数据统计期限为{y}年1月1日至{y}年12月31日。\n一、总体情况\n"
)


def _narrative(agency: str, year: int = 2023, traditional: bool = False, verb: str = "坚持以习近平新时代") -> object:
    return _meta(_CMS_OPENING.format(y=year) + f"{year}年，{agency}{verb}中国特色社会主义思想为指导。", traditional)


@pytest.mark.parametrize(
    "agency",
    [
        "通化市政府",  # 政府
        "区人民政府",
        "丹东市政府办",  # 政府办, 府办
        "沧州市吴桥县府办",
        "辽宁省台办",  # 台办, 外办, 侨办
        "元氏县外办",
        "巴音郭楞蒙古自治州焉耆回族自治县侨办",
        "苍州市吴桥县人防办",  # 人防办, 法制办, 信访办, 口岸办, 扶贫办
        "宝鸡市陈仓区法制办",
        "南沙区信访办",
        "天等县口岸办",
        "九江市柴桑区扶贫办",
        "京口区城西街道办事处",  # 街道办事处
        "南昌市青云谱区人民政府研究室",  # 研究室
        "区政策研究室",
        "县档案馆",  # 档案馆
        "中新天津生态城",  # a special zone's name
        "平潭综合实验区",
        "杭州市余杭区经济和信息化局",
        "县卫健委",
        "本溪市人民政府",  # a place opening as a pronoun does
        "全椒县政府",
    ],
)
def test_agency_from_a_cms_narrative_ends_as_agency_names_end(agency: str) -> None:
    meta = _narrative(agency)
    assert (meta.agency, meta.agency_as_written, meta.report_year) == (agency, agency, 2023)
    assert "agency_from_text" in [f.code for f in meta.findings]
    assert "agency_not_found" not in [f.code for f in meta.findings]


@pytest.mark.parametrize(
    "opening",
    [
        "在市委市政府的坚强领导下，坚持",  # no name: 的 is in no agency's name
        "我局坚持",  # pronouns
        "本机关坚持",
        "全区各级行政机关坚持",
        "全市坚持",
        "主动公开政府信息坚持",
        "政府信息公开工作坚持",
    ],
)
def test_sentence_openings_are_not_agency_names(opening: str) -> None:
    meta = _meta(_CMS_OPENING.format(y=2023) + f"2023年，{opening}以习近平新时代中国特色社会主义思想为指导。")
    assert meta.agency is None
    assert "agency_not_found" in [f.code for f in meta.findings]


def test_traditional_narrative_agency_is_read_in_simplified_and_kept_as_written() -> None:
    meta = _narrative("桂林市永福縣北城街道辦事處", 2021, traditional=True, verb="堅持以")
    assert meta.agency == "桂林市永福县北城街道办事处"
    assert meta.agency_as_written == "桂林市永福縣北城街道辦事處"


def test_publisher_line_naming_a_place_that_opens_as_a_pronoun_does() -> None:
    meta = _meta("发布机构: 本溪市人民政府\n一、总体情况\n本报告所列数据统计期限自2022年1月1日起。")
    assert meta.agency == "本溪市人民政府"
    meta = _meta("发布机构: 本机关\n一、总体情况\n本报告所列数据统计期限自2022年1月1日起。")
    assert meta.agency is None


# --- Simplified stays as printed: OpenCC's t2s turns the Simplified 乾 (乾县) into 干 --------------


@pytest.mark.parametrize(
    ("head", "traditional", "agency"),
    [
        ("乾县仁和乡2021年政府信息公开工作年度报告", False, "乾县仁和乡"),
        ("松原市乾安县人民政府2021年政府信息公开工作年度报告", False, "松原市乾安县人民政府"),
        ("咸陽市乾縣仁和鄉2021年政府信息公開工作年度報告", True, "咸阳市乾县仁和乡"),
    ],
)
def test_qian_county_keeps_its_name(head: str, traditional: bool, agency: str) -> None:
    meta = _meta(f"{head}\n一、总体情况\n本报告所列数据统计期限自2021年1月1日起。", traditional)
    assert meta.agency == agency
    assert meta.report_year == 2021


def test_simplified_narrative_keeps_qian() -> None:
    meta = _narrative("乾安县人民政府", 2021)
    assert (meta.agency, meta.agency_as_written) == ("乾安县人民政府", "乾安县人民政府")


def test_resolver_context_is_simplified_only_when_the_report_is_traditional(monkeypatch) -> None:
    import pipelines.extract.read.metadata as metadata

    seen: list[str] = []
    real = metadata.resolve

    def spy(name, year, context):
        seen.append(context)
        return real(name, year, context)

    monkeypatch.setattr(metadata, "resolve", spy)
    _meta("縣人民政府2021年政府信息公開工作年度報告\n咸陽市乾縣人民政府辦公室\n一、總體情況", traditional=True)
    assert "咸阳市乾县人民政府办公室" in seen[-1] and "縣" not in seen[-1]
    _meta("县人民政府2021年政府信息公开工作年度报告\n咸阳市乾县人民政府办公室\n一、总体情况")
    assert "咸阳市乾县人民政府办公室" in seen[-1]

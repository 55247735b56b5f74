"""Who published a report: the agency as printed, resolved to a region, a level and a kind.

Reports name their agency as people write it: in full (`浙江省杭州市余杭区商务局`), without the
city (`余杭区商务局`), abbreviated (`上海市科委`, `市发改委`, `经信局`), in Traditional characters,
with a look-alike character slipped into a place name (`沐阳县`), or as a special zone that is no
administrative division (`平潭综合实验区`). The name is read as a chain of divisions from the
national region table (GB/T 2260, `seeds/regions.csv`, with the years each code was valid),
then a department from a keyed list of names and abbreviations (`seeds/department_names.csv`),
or a special zone (`seeds/special_zones.csv`). What the name leaves open (a bare `商务局`, a
`市科委` with no city, a district name two cities share) the report's own text settles: the title,
the signature, the publisher line, the divisions the narrative names.

Doubt is said, never hidden. A slipped character the look-alike list knows
(`seeds/lookalike_characters.csv`: 沐 for 沭) is corrected on the name alone; any other
one-character slip only where the text names the place or its city. A division's name from
before the report's year reads as the division that replaced it (澄江县 → 澄江市). Each
correction is an `agency_name_corrected` warning saying what was read as what; a name that
settles nothing is `agency_unresolved`, naming its best candidate and why it was not taken.

The key is stable across years and spellings: `ag_<region code>_<department slug>` (科委 and
科学技术委员会 share the slug `science_technology`), a township adding its own part. A name that
resolves to no region still gets a key of its own, with a finding naming the best candidate.

Pure functions over the reference tables (read once per process).
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pipelines import paths
from pipelines.extract.findings import Finding
from pipelines.extract.read.normalize import to_simplified
from pipelines.reference.regions import COUNTY, PREFECTURE, PROVINCE, load_regions
from pipelines.reference.regions import RegionRecord as Region

TOWNSHIP = "township"
GOVERNMENT, OFFICE, DEPARTMENT, ZONE = "government", "government_office", "department", "special_zone"
_MUNICIPALITIES = ("110000", "120000", "310000", "500000")  # 直辖市: province-level cities


@dataclass(frozen=True)
class Department:
    slug: str
    kind: str
    name: str  # the full form the key's canonical name uses


@dataclass(frozen=True)
class Zone:
    name: str
    host: str  # the region code it sits in


@dataclass
class Resolution:
    agency_key: str
    agency_name: str | None  # canonical full name
    region_code: str | None
    level: str | None  # province | prefecture | county | township
    kind: str | None  # government | government_office | department | special_zone
    government_key: str | None
    government_name: str | None
    findings: list[Finding] = field(default_factory=list)


# --- reference tables ----------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    regions: dict[str, list[Region]]  # code -> its records (a code may change name over years)
    by_name: dict[str, list[Region]]
    by_short: dict[str, list[Region]]
    departments: dict[str, Department]  # every printed form -> department
    zones: dict[str, Zone]  # every printed form -> zone
    one_off: dict[str, list[str]]  # name with one character blanked -> names (for slips)
    lookalikes: dict[str, tuple[str, ...]]  # a character as printed -> the characters it is put for
    longest: int


_AUTONOMOUS_ALIAS = {"自治州": "州", "自治县": "县", "自治旗": "旗"}


@cache
def reference(seeds: Path | None = None) -> Reference:
    """The reference tables, read once: regions, department names, special zones, look-alike
    characters."""
    folder = seeds or paths.DBT_PROJECT_DIR / "seeds"
    regions: dict[str, list[Region]] = defaultdict(list)
    by_name: dict[str, list[Region]] = defaultdict(list)
    by_short: dict[str, list[Region]] = defaultdict(list)
    records = load_regions(folder / "regions.csv")
    names = {region.name for region in records}
    for region in records:
        regions[region.region_code].append(region)
        by_name[region.name].append(region)
        if region.short_name and region.short_name != region.name:
            by_short[region.short_name].append(region)
        # an autonomous division goes by its short name and level word: 恩施州, 围场县, 莫旗 aside
        alias = region.short_name + _AUTONOMOUS_ALIAS.get(region.name[-3:], "") if region.short_name else ""
        if len(alias) > len(region.short_name) and alias not in names:
            by_name[alias].append(region)
    departments: dict[str, Department] = {}
    with (folder / "department_names.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            department = Department(row["slug"], row["kind"], row["name"])
            for form in [row["name"], *(row["forms"] or "").split("|")]:
                if form:
                    departments.setdefault(form, department)
    zones: dict[str, Zone] = {}
    with (folder / "special_zones.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            zone = Zone(row["name"], row["host_region_code"])
            for form in [row["name"], *(row["forms"] or "").split("|")]:
                if form:
                    zones.setdefault(form, zone)
    one_off: dict[str, list[str]] = defaultdict(list)
    for name in by_name:
        if len(name) >= 3:
            for k in range(len(name) - 1):  # the level suffix (市, 区, 县) is never the slip
                one_off[name[:k] + "?" + name[k + 1 :]].append(name)
    lookalikes: dict[str, list[str]] = defaultdict(list)
    with (folder / "lookalike_characters.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["printed"] and row["intended"] and row["intended"] not in lookalikes[row["printed"]]:
                lookalikes[row["printed"]].append(row["intended"])
    longest = max((len(n) for n in by_name), default=1)
    return Reference(
        dict(regions),
        dict(by_name),
        dict(by_short),
        departments,
        zones,
        dict(one_off),
        {k: tuple(v) for k, v in lookalikes.items()},
        longest,
    )


# --- names ----------------------------------------------------------------------------------

_NOISE = re.compile(r"^(?:#+\s*|(?:标题|发布机构|发文机关|发布单位|信息来源|来源)\s*[:：]\s*|正文\s*)+")
_WRAPPERS = "*_>【】[]《》“”\"'「」 "
_BRACKETED = re.compile(r"[（(][^）)]*[）)]$")
_SPACE = re.compile(r"\s+")
_LEVEL_WORDS = {
    "省": PROVINCE,
    "自治区": PROVINCE,
    "市": PREFECTURE,
    "州": PREFECTURE,
    "自治州": PREFECTURE,
    "盟": PREFECTURE,
    "地区": PREFECTURE,
    "区": COUNTY,
    "县": COUNTY,
    "自治县": COUNTY,
    "旗": COUNTY,
    "自治旗": COUNTY,
}
_TOWNSHIP = re.compile(r"^(?P<name>[^\s]{1,8}?(?:镇|乡|街道))(?P<rest>.*)$")
# a level word inside a township's name with more after it (市末央区红光镇): not a township (市桥街道 is one)
_CUT_DIVISION = re.compile(r"^.+[省市区县].{2,}(?:镇|乡|街道)$")
_ZONE_WORDS = re.compile(
    r"^(?P<name>.*?(?:经济技术开发区|高新技术产业开发区|开发区|高新区|新区|综合实验区|实验区|示范区|试验区|保税区|合作区|园区))"
    r"(?P<rest>.*)$"
)
_ZONE_ADMIN = ("管理委员会", "管委会", "管理局", "")
_DEPARTMENT_ENDINGS = ("局", "厅", "委员会", "委", "办公室", "办", "中心", "署", "院", "馆", "所")
# a remainder opening with a level word is a division's name cut short, not a department
_LEVEL_OPENINGS = ("省", "市", "区", "县", "州", "旗", "盟", "自治")


@cache
def _kept_characters() -> frozenset[str]:
    """Characters of division names that OpenCC's t2s would change (乾 of 乾县 becomes 干): they
    are Simplified already, and converting a name or text to Simplified must keep them."""
    return frozenset(c for c in {c for r in reference().by_name for c in r} if to_simplified(c) != c)


def simplified(text: str) -> str:
    """`text` in Simplified, keeping the characters division names have as they are."""
    out = to_simplified(text)
    kept = _kept_characters()
    if len(out) != len(text) or not any(c in kept for c in text):
        return out
    return "".join(a if a in kept else b for a, b in zip(text, out, strict=True))


def clean_name(name: str) -> str:
    """The agency's name as compared: Simplified, NFKC, no spaces, no portal or Markdown
    noise (`# `, `标题：`, `发布机构：`, `**…**`, `【…】`), no trailing bracketed short form
    (`上海市科学技术委员会（上海市科委）`)."""
    text = simplified(unicodedata.normalize("NFKC", name)).strip().strip(_WRAPPERS)
    text = _SPACE.sub("", _NOISE.sub("", text).strip(_WRAPPERS))
    return _BRACKETED.sub("", text) or text


def _ancestors(ref: Reference, region: Region, year: int | None) -> list[Region]:
    """The region and the divisions above it, nearest first."""
    chain = [region]
    seen = {region.region_code}
    while chain[-1].parent_code and chain[-1].parent_code not in seen:
        records = ref.regions.get(chain[-1].parent_code, [])
        parent = next((r for r in records if r.valid_in(year)), records[0] if records else None)
        if parent is None:
            break
        seen.add(parent.region_code)
        chain.append(parent)
    return chain


def _under(ref: Reference, region: Region, above: Region | None, year: int | None) -> bool:
    return above is None or any(r.region_code == above.region_code for r in _ancestors(ref, region, year)[1:])


@dataclass(frozen=True)
class _Parse:
    regions: tuple[Region, ...]  # outermost first
    rest: str
    corrected: tuple[str, str] | None = None  # (as printed, as read)
    shorts: int = 0  # divisions read by their short name (`杭州` for 杭州市)
    listed: bool = False  # the correction is a look-alike the list knows (沐 for 沭)


def _prefixes(ref: Reference, text: str, above: Region | None, year: int | None) -> list[tuple[Region, int, bool]]:
    """Divisions whose name (or short name) opens `text`, under `above`: (region, length, short)."""
    out: list[tuple[Region, int, bool]] = []
    for size in range(min(len(text), ref.longest), 1, -1):
        piece = text[:size]
        for table, short in ((ref.by_name, False), (ref.by_short, True)):
            for region in table.get(piece, ()):
                if region.valid_in(year) and _under(ref, region, above, year):
                    out.append((region, size, short))
    return out


def _parses(ref: Reference, text: str, year: int | None, above: Region | None = None) -> list[_Parse]:
    """Every way the name opens with a chain of divisions, longest chains first."""
    found: list[_Parse] = []
    for region, size, short in _prefixes(ref, text, above, year):
        deeper = _parses(ref, text[size:], year, region)
        found += [_Parse((region, *p.regions), p.rest, None, p.shorts + short) for p in deeper]
        # and the chain may stop here: 荆州市 + 公安局, not 荆州市 + 公安(县) + 局
        found.append(_Parse((region,), text[size:], None, int(short)))
    return found


def _slipped_prefixes(
    ref: Reference, text: str, above: Region | None, year: int | None
) -> list[tuple[Region, int, tuple[str, str], bool]]:
    """Divisions whose full name, one character apart, opens `text` under `above`:
    (region, length, (as printed, as read), whether the look-alike list knows that slip)."""
    out: list[tuple[Region, int, tuple[str, str], bool]] = []
    for size in range(min(len(text), ref.longest), 1, -1):
        piece = text[:size]
        names: dict[str, int] = {}  # name -> the position that differs
        for k in range(size - 1):  # the level suffix (市, 区, 县) is never the slip
            if size >= 3:
                for name in ref.one_off.get(piece[:k] + "?" + piece[k + 1 :], ()):
                    names.setdefault(name, k)
            for intended in ref.lookalikes.get(piece[k], ()):  # two-character names too (岷县, 歙县)
                if (name := piece[:k] + intended + piece[k + 1 :]) in ref.by_name:
                    names.setdefault(name, k)
        for name, k in names.items():
            if name == piece:
                continue
            listed = name[k] in ref.lookalikes.get(piece[k], ())
            if not listed and piece[k] in _LEVEL_CHARACTERS:  # 市城市管理局 opens with a level word, not 丰城市
                continue
            for region in ref.by_name[name]:
                if region.valid_in(year) and _under(ref, region, above, year):
                    out.append((region, size, (piece, name), listed))
    return out


def _slipped(ref: Reference, text: str, year: int | None, above: Region | None = None) -> list[_Parse]:
    """Chains of divisions with one look-alike character slipped into one name (`沐阳县` for
    `沭阳县`, `温州市殴海区` for `温州市瓯海区`)."""
    out: list[_Parse] = []
    for region, size, corrected, listed in _slipped_prefixes(ref, text, above, year):
        deeper = _parses(ref, text[size:], year, region) or [_Parse((), text[size:])]
        out += [_Parse((region, *p.regions), p.rest, corrected, p.shorts, listed) for p in deeper]
    for region, size, short in _prefixes(ref, text, above, year):  # or deeper, under a name read as printed
        deeper = _slipped(ref, text[size:], year, region)
        out += [_Parse((region, *p.regions), p.rest, p.corrected, p.shorts + short, p.listed) for p in deeper]
    return out


_LEVEL_CHARACTERS = "省市区县州旗盟"


def _department(ref: Reference, rest: str) -> tuple[Department | None, str]:
    """The department a name's remainder names: a known form (`科委`, `商务局`), or a name with a
    department's ending (a new or rare office), or nothing. A division's name the table lacks
    before a known department (`沐阳县商务局`) is no department."""
    if rest in ref.departments:
        return ref.departments[rest], ref.departments[rest].name
    if len(rest) >= 3 and rest.endswith(_DEPARTMENT_ENDINGS) and not rest.startswith(_LEVEL_OPENINGS):
        if any(rest[k] in _LEVEL_CHARACTERS and rest[k + 1 :] in ref.departments for k in range(1, len(rest) - 1)):
            return None, rest
        slug = "d" + hashlib.md5(rest.encode()).hexdigest()[:8]
        return Department(slug, DEPARTMENT, rest), rest
    return None, rest


@dataclass(frozen=True)
class _Reading:
    regions: tuple[Region, ...]
    township: str | None
    zone: str | None
    department: Department
    corrected: tuple[str, str] | None
    shorts: int = 0
    listed: bool = False

    @property
    def rank(self) -> tuple[int, int, int, int]:
        """Better readings sort first: a department the list knows, fewer short names, a longer
        chain of divisions, no correction."""
        known = not self.department.slug.startswith("d")
        return (-int(known), self.shorts, -len(self.regions), int(self.corrected is not None))


def _read_rest(ref: Reference, parse: _Parse) -> _Reading | None:
    """A chain's remainder as a department, a township's, a special zone's, or the
    government itself (a name that is only a division)."""
    rest, extra = parse.rest, (parse.corrected, parse.shorts, parse.listed)
    if not rest:
        return _Reading(parse.regions, None, None, ref.departments["人民政府"], *extra)
    if rest in ref.departments:
        return _Reading(parse.regions, None, None, ref.departments[rest], *extra)
    township = _TOWNSHIP.match(rest)
    if township and _CUT_DIVISION.search(township["name"]):  # 市末央区红光镇: a division's name cut short
        return None
    if (m := township) and parse.regions and parse.regions[-1].level == COUNTY:
        inner = m["rest"]
        department = ref.departments["人民政府"] if inner in ("", "办事处", "人民政府") else _department(ref, inner)[0]
        if department is not None:
            return _Reading(parse.regions, m["name"], None, department, *extra)
    if m := _ZONE_WORDS.match(rest):
        inner = m["rest"]
        department = _ZONE_ADMINISTRATION if inner in _ZONE_ADMIN else _department(ref, inner)[0]
        if department is not None:
            return _Reading(parse.regions, None, m["name"], department, *extra)
    department, _ = _department(ref, rest)
    return _Reading(parse.regions, None, None, department, *extra) if department is not None else None


_ZONE_ADMINISTRATION = Department("administration", ZONE, "管理委员会")


def _zone_reading(ref: Reference, text: str, year: int | None) -> _Reading | None:
    """A special zone named on its own (`平潭综合实验区`, `雄安新区管委会`)."""
    for size in range(len(text), 1, -1):
        zone = ref.zones.get(text[:size])
        if zone is None:
            continue
        host = next((r for r in ref.regions.get(zone.host, []) if r.valid_in(year)), None)
        if host is None:
            return None
        inner = text[size:]
        department = _ZONE_ADMINISTRATION if inner in _ZONE_ADMIN else _department(ref, inner)[0]
        if department is None:
            return None
        return _Reading(tuple(reversed(_ancestors(ref, host, year))), None, zone.name, department, None)
    return None


def _zone_after_divisions(ref: Reference, name: str, year: int | None) -> _Reading | None:
    """A special zone the list knows, printed after the divisions it lies in (`河北雄安新区`,
    `福建省平潭综合实验区`, `深圳市前海…合作区管理局`): the zone, under its own host."""
    for start in range(2, len(name) - 1):
        zone = _zone_reading(ref, name[start:], year)
        if zone is None:
            continue
        host = {r.region_code for r in _ancestors(ref, zone.regions[-1], year)}
        for parse in _parses(ref, name[:start], year):
            inside = parse.regions[-1]
            if not parse.rest and (
                inside.region_code in host
                or zone.regions[-1].region_code in {r.region_code for r in _ancestors(ref, inside, year)}
            ):
                return zone
    return None


# --- context --------------------------------------------------------------------------------

_DIVISION_END = re.compile(r"[省市区县州旗盟]")


def mentions(ref: Reference, text: str, year: int | None) -> Counter[str]:
    """How often the text names each division: by a full name of three characters or more, or
    by a two-character one (吉县, 临县, 郊区) right after the name of a division above it
    (临汾市吉县), since alone those two characters are too often part of other words."""
    counts: Counter[str] = Counter()
    for m in _DIVISION_END.finditer(text):
        end = m.end()
        for size in range(2, min(ref.longest, end) + 1):
            name = text[end - size : end]
            for region in ref.by_name.get(name, ()):
                if region.valid_in(year) and (size > 2 or _after_its_parent(ref, region, text, end - size, year)):
                    counts[region.region_code] += 1
    return counts


def _after_its_parent(ref: Reference, region: Region, text: str, start: int, year: int | None) -> bool:
    above = _ancestors(ref, region, year)[1:]
    return any(a.name and text.endswith(a.name, 0, start) for a in above)


def _by_context(ref: Reference, readings: list[_Reading], counts: Counter[str], year: int | None) -> list[_Reading]:
    """The readings whose chain the text names most (every division of the chain counts)."""

    def support(reading: _Reading) -> int:
        codes = {r.region_code for r in _ancestors(ref, reading.regions[-1], year)} if reading.regions else set()
        return sum(counts[c] for c in codes)

    best = max(support(r) for r in readings)
    return [r for r in readings if support(r) == best] if best > 0 else readings


def _context_regions(ref: Reference, counts: Counter[str], level: str | None, year: int | None) -> list[Region]:
    """The divisions a name without one must belong to: the most named at its level (or, with
    no level word, the most named of the most specific level named); of divisions named as often
    (朝阳区 is Beijing's and Changchun's), the one whose city and province the text names more."""
    order = (COUNTY, PREFECTURE, PROVINCE)
    levels = [level] if level else list(order)
    for wanted in levels:
        scored: dict[str, tuple[tuple[int, int], Region]] = {}
        for code, n in counts.items():
            region = next((r for r in ref.regions.get(code, []) if r.valid_in(year)), None)
            if region is not None and _level_of(region) == wanted:
                above = sum(counts[a.region_code] for a in _ancestors(ref, region, year)[1:])
                scored[code] = ((n, above), region)
        if scored:
            top = max(score for score, _ in scored.values())
            best = [region for score, region in scored.values() if score == top]
            at_end = [r for r in best if year is None or r.valid_to is None or r.valid_to > year]
            return at_end or best  # a division recoded that year under its name: the new code
    return []


def _outermost(ref: Reference, readings: list[_Reading], year: int | None) -> list[_Reading]:
    """Of readings one inside another (`淮安` is 淮安市 and its 淮安区), the outer one: a short
    name stands for the city that carries it."""
    codes = {r.regions[-1].region_code for r in readings if r.regions}
    inner = {
        r.regions[-1].region_code
        for r in readings
        if r.regions and any(a.region_code in codes for a in _ancestors(ref, r.regions[-1], year)[1:])
    }
    kept = [r for r in readings if not r.regions or r.regions[-1].region_code not in inner]
    return kept or readings


def _level_of(region: Region) -> str:
    """A municipality counts as a city (`市科委` in Shanghai is the municipality's)."""
    return PREFECTURE if region.region_code in _MUNICIPALITIES else region.level


# --- resolution -----------------------------------------------------------------------------


def _key_part(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()[:6]


def _chain_name(regions: tuple[Region, ...]) -> str:
    """The divisions as a canonical name prints them: from the prefecture down, with the
    province only for its own agencies and for municipalities (上海市浦东新区)."""
    names = [r.name for r in regions]
    if len(regions) > 1 and regions[0].level == PROVINCE and regions[0].region_code not in _MUNICIPALITIES:
        names = names[1:]
    return "".join(names)


_SEATS = (("盟", "行政公署"), ("地区", "行政公署"))  # a league's or prefecture's government is its 行署


def _finish(ref: Reference, reading: _Reading, year: int | None) -> Resolution:
    chain = tuple(reversed(_ancestors(ref, reading.regions[-1], year)))
    region = chain[-1]
    known_zone = reading.zone in {z.name for z in ref.zones.values()}
    place = "" if known_zone else _chain_name(chain)  # a zone the list knows goes by its own name
    level = TOWNSHIP if reading.township else region.level
    if region.region_code in _MUNICIPALITIES or level == PROVINCE:
        level = PROVINCE
    unit = place + (reading.township or "") + (reading.zone or "")
    prefix = f"ag_{region.region_code}" + (f"_t{_key_part(reading.township)}" if reading.township else "")
    prefix += f"_z{_key_part(reading.zone)}" if reading.zone else ""
    government = ref.departments["人民政府"]
    if reading.zone:
        government_key, government_name = f"{prefix}_administration", f"{unit}管理委员会"
    elif reading.township and reading.township.endswith("街道"):
        government_key, government_name = f"{prefix}_government", f"{unit}办事处"
    else:
        seat = next((ref.departments[w] for s, w in _SEATS if region.name.endswith(s) and not reading.township), None)
        government_key, government_name = f"{prefix}_{government.slug}", f"{unit}{(seat or government).name}"
    department = reading.department
    if department.slug == "government":
        name = government_name
    elif department.kind == ZONE:
        name = f"{unit}{department.name}"
    else:
        name = f"{unit}{department.name}"
    kind = ZONE if reading.zone and department.kind == ZONE else department.kind
    return Resolution(
        f"{prefix}_{department.slug}", name, region.region_code, level, kind, government_key, government_name
    )


def _slip_readings(
    ref: Reference, name: str, year: int | None, counts: Counter[str]
) -> tuple[list[_Reading], list[_Reading]]:
    """Readings with one slipped character: (taken, rejected). A slip the look-alike list knows
    is taken on the name alone; any other only where the text names the place or its city."""
    slips = [r for p in _slipped(ref, name, year) if (r := _read_rest(ref, p))]
    named = [
        r
        for r in slips
        if any(counts[a.region_code] for a in _ancestors(ref, r.regions[-1], year) if a.level != PROVINCE)
    ]
    taken = named or [r for r in slips if r.listed]
    return taken, ([] if taken else sorted(slips, key=lambda r: r.rank))


def resolve(printed: str | None, year: int | None = None, context: str = "") -> Resolution:
    """The agency a report names, resolved (see the module's docstring)."""
    if not printed or not printed.strip():
        return Resolution("unidentified", None, None, None, None, None, None)
    ref = reference()
    name = clean_name(printed)
    findings: list[Finding] = []
    counted: list[Counter[str]] = []

    def counts() -> Counter[str]:  # the divisions the text names, counted once and only if needed
        if not counted:
            counted.append(
                mentions(ref, simplified(_SPACE.sub("", context)), year)
            )  # 和布克赛尔蒙 / 古自治县 across a line
        return counted[0]

    # a special zone the list knows, before any division
    zone = _zone_reading(ref, name, year) or _zone_after_divisions(ref, name, year)
    readings = [zone] if zone else [r for p in _parses(ref, name, year) if (r := _read_rest(ref, p))]
    rejected_slips: list[_Reading] = []
    if not readings and year is not None:  # a division's name from before or after the report's year
        replaced, why = _in_another_year(ref, name, year)
        if replaced is None and why:
            return _unresolved(printed, name, why)
        if replaced is not None:
            resolution = _finish(ref, replaced, year)
            resolution.findings.append(Finding("agency_name_corrected", f"'{printed}': {why}"))
            return resolution
    if not readings:  # a slipped character
        readings, rejected_slips = _slip_readings(ref, name, year, counts())
    if not readings:  # no division in the name: a level word (`市科委`, `区城市管理局`) or a bare department
        level_word = next((w for w in sorted(_LEVEL_WORDS, key=len, reverse=True) if name.startswith(w)), "")
        department, _ = _department(ref, name[len(level_word) :])
        if department is not None and (level_word or not rejected_slips):
            regions = _context_regions(ref, counts(), _LEVEL_WORDS.get(level_word), year)
            if len(regions) == 1:
                chain = tuple(reversed(_ancestors(ref, regions[0], year)))
                resolution = _finish(ref, _Reading(chain, None, None, department, None), year)
                place = chain[-1].name
                message = f"'{printed}' names no place; the report's text names {place} most: {resolution.agency_name}"
                resolution.findings.append(Finding("agency_from_context", message))
                return resolution
            if not rejected_slips:
                why = (
                    f"the text names {', '.join(r.name for r in regions[:4])} equally often"
                    if regions
                    else "the text names no division at its level"
                )
                return _unresolved(printed, name, f"it names no place and {why}")
    if not readings and rejected_slips:
        best = rejected_slips[0]
        candidate = _finish(ref, best, year).agency_name
        printed_as, read_as = best.corrected or ("", "")
        others = {_finish(ref, r, year).agency_name for r in rejected_slips[1:4]} - {candidate}
        also = f" (other candidates: {', '.join(sorted(o for o in others if o))})" if others else ""
        why = (
            f"the best candidate, {candidate} ('{printed_as}' read as '{read_as}'), was not taken: "
            f"'{printed_as}' is no division, the slip is no listed look-alike, and the text names "
            f"neither {read_as} nor its city{also}"
        )
        return _unresolved(printed, name, why)
    if not readings:
        return _unresolved(printed, name, "no division of the region table opens its name")
    # the best-ranked readings (see _Reading.rank); then the text decides between the rest
    best_rank = min(r.rank for r in readings)
    readings = [r for r in readings if r.rank == best_rank]
    finished = {(_finish(ref, r, year).agency_key): r for r in readings}
    if len(finished) > 1 and year is not None:  # a division recoded that year under its name: the new code
        at_end = {k: r for k, r in finished.items() if all(x.valid_to is None or x.valid_to > year for x in r.regions)}
        finished = at_end or finished
        readings = list(finished.values())
    if len(finished) > 1:
        by_text = _by_context(ref, list(finished.values()), counts(), year)
        readings = _outermost(ref, by_text, year)
        finished = {(_finish(ref, r, year).agency_key): r for r in readings}
        if len(finished) > 1:
            candidates = ", ".join(_finish(ref, r, year).agency_name or "" for r in finished.values())
            return _unresolved(printed, name, f"it fits {candidates}, and the text does not tell them apart")
        if len(by_text) == 1:
            chosen = _finish(ref, readings[0], year).agency_name
            message = f"'{printed}' fits several divisions; the report's text settles it: {chosen}"
            findings.append(Finding("agency_from_context", message))
    reading = readings[0]
    resolution = _finish(ref, reading, year)
    if reading.corrected:
        printed_as, read_as = reading.corrected
        how = "a listed look-alike" if reading.listed else "the report's text names the place"
        findings.append(
            Finding(
                "agency_name_corrected",
                f"'{printed_as}' in '{printed}' is no division; read as '{read_as}' "
                f"(one character differs: {_differs(printed_as, read_as)}; {how})",
            )
        )
    resolution.findings = findings
    return resolution


def _in_another_year(ref: Reference, name: str, year: int) -> tuple[_Reading | None, str]:
    """A name whose division was not in force in the report's year: read as the division that
    replaced it (澄江县 530422 → 澄江市 530481 in 2019), with why; or, with none in force, no
    reading and why (杭州市江干区, abolished in 2021); or nothing, when no year has that name."""
    readings = [r for p in _parses(ref, name, None) if (r := _read_rest(ref, p))]
    if not readings:
        return None, ""
    best = min(readings, key=lambda r: r.rank)
    candidate = _finish(ref, best, None).agency_name
    old = best.regions[-1]
    new = next((r for r in ref.regions.get(old.replaced_by, []) if r.valid_in(year)), None)
    if new is not None:  # recoded (澄江县 → 澄江市) or renamed under its code (桥东区 → 襄都区)
        chain = tuple(reversed(_ancestors(ref, new, year)))
        reading = _Reading(chain, best.township, best.zone, best.department, None)
        when = new.valid_from or old.valid_to
        why = f"{old.name} {old.region_code} was replaced by {new.name} {new.region_code} in {when}"
        return reading, f"{why}; read as {_finish(ref, reading, year).agency_name}"
    spans = ", ".join(
        f"{r.name} {r.region_code} in force {r.valid_from or ''}–{r.valid_to or ''}"
        for r in best.regions
        if not r.valid_in(year)
    )
    return None, f"the best candidate, {candidate}, was not taken: it was no division in {year} ({spans})"


def _differs(printed: str, read: str) -> str:
    return ", ".join(f"{a} → {b}" for a, b in zip(printed, read, strict=False) if a != b)


def _unresolved(printed: str, name: str, why: str) -> Resolution:
    key = "unresolved_" + hashlib.md5(name.encode()).hexdigest()[:12]
    return Resolution(
        key,
        name,
        None,
        None,
        None,
        None,
        None,
        [Finding("agency_unresolved", f"'{printed}' resolves to no region: {why}; loaded under its own key")],
    )

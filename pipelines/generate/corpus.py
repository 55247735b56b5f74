"""Write a corpus: n reports and, beside each, its ground truth as `<name>.json`.

The only module here that touches the file system. Report i draws its variant and its seed
from (seed, i) alone, so any single report can be regenerated without the others, and the
same (n, seed) writes byte-identical files.

Copies are planted: about 3% of reports copy their narrative (section 1, 5 or both) from the
same agency's report on the year before, and 2% from another agency's report on the same year,
a share of the sentences replaced (0–25%). The source is report i−1 of the same corpus, so both
are in it; a copier takes report i−1's agency and the next year, or its year and another agency
(the variant's template moved to fit the year). Report i copies only when report i−1 was not
drawn to copy, so a source is always an original and regenerating report i needs report i−1
alone. The truth's `copied_sections` names the source by its file stem.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from random import Random

from pipelines.generate.report import OTHER_AGENCY, PREVIOUS_YEAR, Copy, Generated, generate_report, truth_json
from pipelines.generate.variants import TEMPLATE_2019, TEMPLATE_2021, Variant, report_years, sample_variant

COPY_SHARES = (0.03, 0.02)  # reports planted as copies: of the previous year's, of another agency's
EDIT_SHARES = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25)  # share of a copied section's sentences replaced
COPIED_SECTIONS = ((1,), (5,), (1, 5))


def report_seed(seed: int, index: int) -> int:
    """A 63-bit seed for report `index` of corpus `seed` (sha256: stable across machines)."""
    digest = hashlib.sha256(f"disclosure-generate:{seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def _plant_roll(seed: int, index: int) -> Random:
    return Random(f"plant:{seed}:{index}")


def planted_kind(seed: int, index: int, shares: tuple[float, float] = COPY_SHARES) -> str | None:
    """Whether report `index` copies report `index - 1`, and how (None: it is an original)."""
    if index == 0 or _plant_roll(seed, index - 1).random() < sum(shares):
        return None  # the source would be a copier itself
    roll = _plant_roll(seed, index).random()
    return PREVIOUS_YEAR if roll < shares[0] else OTHER_AGENCY if roll < sum(shares) else None


def _template_of(year: int) -> str:
    return TEMPLATE_2019 if year in report_years(TEMPLATE_2019) else TEMPLATE_2021


def _entry(seed: int, index: int, real_publishing: bool) -> tuple[Variant, int]:
    rng = Random(report_seed(seed, index))
    variant = sample_variant(rng, real_publishing)
    return variant, rng.getrandbits(63)


def corpus_entry(
    seed: int,
    index: int,
    real_publishing: bool = False,
    copy_shares: tuple[float, float] = COPY_SHARES,
    source_name: str | None = None,
) -> tuple[Variant, Generated]:
    """Report `index` of corpus `seed`: its variant (realistic frequencies, with the
    real-publishing layouts when asked) and the report; a planted copier copies report
    `index - 1` (named `source_name` in the truth; by default its file name in a corpus of up
    to 1,000 reports). `copy_shares=(0, 0)` plants none."""
    variant, rng_seed = _entry(seed, index, real_publishing)
    kind = planted_kind(seed, index, copy_shares)
    copy = _planted_copy(seed, index, kind, variant, real_publishing, source_name) if kind else None
    if copy is None:
        return variant, generate_report(variant, rng_seed)
    copy_variant, copy_value = copy
    return copy_variant, generate_report(copy_variant, rng_seed, copy_value)


def _planted_copy(
    seed: int, index: int, kind: str, variant: Variant, real_publishing: bool, source_name: str | None
) -> tuple[Variant, Copy] | None:
    """The copy report `index` plants, with its variant moved to fit the copy's year (None when
    no valid variant fits)."""
    source_variant, source_seed = _entry(seed, index - 1, real_publishing)
    source = generate_report(source_variant, source_seed)
    assert source.agency is not None
    source_year = int(source.truth["report_year"])
    year = source_year + 1 if kind == PREVIOUS_YEAR else source_year
    if year not in (*report_years(TEMPLATE_2019), *report_years(TEMPLATE_2021)):
        return None
    # printed with or without the city as the source was
    with_city = source_variant.agency_with_city if kind == PREVIOUS_YEAR else variant.agency_with_city
    try:
        moved = dataclasses.replace(variant, template=_template_of(year), agency_with_city=with_city)
    except ValueError:
        return None
    rng = _plant_roll(seed, index)
    rng.random()  # the roll that planted it
    name = source_name or f"{index - 1:03d}_{source.name}"
    copy = Copy(
        kind=kind,
        source_seed=source_seed,
        source=name.rsplit(".", 1)[0],
        agency=source.agency,
        year=year,
        sections=rng.choice(COPIED_SECTIONS),
        edit_share=rng.choice(EDIT_SHARES),
        rng_seed=rng.getrandbits(63),
    )
    return moved, copy


def generate_corpus(
    n: int,
    seed: int,
    out: Path,
    truth_dir: Path | None = None,
    real_publishing: bool = False,
    copy_shares: tuple[float, float] = COPY_SHARES,
) -> list[Path]:
    """Write n reports into `out` (truth files beside them, or into `truth_dir`); returns the
    report paths in order. Names are `<index>_<content hash>.<txt|html|md>`. `real_publishing`
    samples the real-publishing layouts too (off by default: the parser that reads them is new,
    and corpora made before keep their bytes)."""
    if n < 0:
        raise ValueError("n must not be negative")
    out.mkdir(parents=True, exist_ok=True)
    truths = truth_dir or out
    truths.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(max(n - 1, 0))))
    paths: list[Path] = []
    for index in range(n):
        source = paths[index - 1].name if index else None
        _variant, generated = corpus_entry(seed, index, real_publishing, copy_shares, source)
        path = out / f"{index:0{width}d}_{generated.name}"
        path.write_bytes(generated.data)
        (truths / f"{path.stem}.json").write_text(truth_json(generated.truth), encoding="utf-8")
        paths.append(path)
    return paths

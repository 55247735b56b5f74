"""Copied narrative sections: how well they are found, and what the similarity step costs.

    python bench/copied_text_bench.py recall --n 10000 --seed 21 --work /tmp/copied10k [--distribution]
    python bench/copied_text_bench.py scale --reports 100000 --work /tmp/copied100k

`recall` generates a corpus (with its planted copies: ~3% of reports copy last year's report of
their agency, ~2% another agency's of the same year, 0–25% of the sentences replaced), extracts
it, runs the similarity step and compares the pairs it reports (previous-year pairs at the
threshold and above, same-year pairs) with the truth's `copied_sections`: recall over the planted
(report, section, source) cases, precision over the reported pairs (a same-year pair counts once,
not once per direction). It prints every miss and every unplanted pair; with `--distribution`,
how far apart the two are per section: the lowest exact similarity of a planted copy, and the
highest of the unplanted same-year pairs (all pairs, through their MinHash estimate).

`scale` writes a lake of synthetic sections for N reports (the generator's phrase bank; agencies
reporting on consecutive years, 5% copies), then times, in the same run: the reference (reading
the same sections' texts from the lake and normalising them), the similarity step from scratch
(every signature, every comparison), and again after one report is added (its sections signed
and compared with the others; the other pairs kept).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path
from random import Random

import numpy as np
import polars as pl

from pipelines.extract.lake import SCHEMAS, bucket_of, partition_dir, write_atomic
from pipelines.generate import narrative, phrases
from pipelines.textreuse import signatures as sig
from pipelines.textreuse import text as tx
from pipelines.textreuse.lake import CACHE, COMPARED, TABLE, read_cache, read_pairs, update_similarity
from pipelines.textreuse.pairs import PREVIOUS_YEAR, THRESHOLD, lsh_params

KIND = {"previous_year": PREVIOUS_YEAR, "other_agency": "same_year_other_agency"}


def distribution(lake: Path, truth: Path) -> None:
    """How far apart the planted copies and the unplanted pairs are, per section: the exact
    similarity of every planted copy, and, over every same-year pair of two agencies (all pairs,
    by their MinHash estimate, the exact similarity of those estimated at 0.25 or more), the
    highest unplanted ones."""
    reports = pl.read_parquet(lake / "reports", hive_partitioning=True).filter(pl.col("status") != "rejected")
    of_stem = {Path(path).stem: report for report, path in reports.select("report_id", "source_path").iter_rows()}
    texts = pl.read_parquet(lake / "report_sections", hive_partitioning=True).filter(pl.col("section_no").is_in([1, 5]))
    shingles = {
        (r, s): set(tx.shingles(tx.normalize(t)))
        for r, s, t in texts.select("report_id", "section_no", "text").iter_rows()
    }

    def exact(a: str, b: str, section: int) -> float:
        x, y = shingles[(a, section)], shingles[(b, section)]
        return len(x & y) / len(x | y)

    planted, rows = set(), []
    for path in sorted(truth.glob("*.json")):
        for copied in json.loads(path.read_text(encoding="utf-8"))["copied_sections"]:
            a, b, section = of_stem.get(path.stem), of_stem.get(copied["source"]), copied["section_no"]
            if a and b:
                planted |= {(a, b, section), (b, a, section)}
                rows.append(
                    (copied["kind"], section, copied["sentences_replaced"], copied["sentences"], exact(a, b, section))
                )
    frame = pl.DataFrame(rows, schema=["kind", "section_no", "replaced", "sentences", "similarity"], orient="row")
    for (kind, section), part in frame.group_by("kind", "section_no", maintain_order=True):
        low = part.sort("similarity").row(0, named=True)
        print(
            f"planted {kind} section {section}: {part.height}, similarity min {low['similarity']:.3f} "
            f"({low['replaced']} of {low['sentences']} sentences replaced), median {part['similarity'].median():.3f}"
        )
    cache = read_cache(lake).join(reports.select("report_id", "agency_key", "report_year"), on="report_id")
    for (section,), part in cache.filter(pl.col("signature").is_not_null()).group_by("section_no", maintain_order=True):
        high, count = [], 0
        for (_year,), group in part.group_by("report_year"):
            matrix = group["signature"].to_numpy().reshape(-1, sig.NUM_PERM)
            agency, ids = group["agency_key"].to_numpy(), group["report_id"].to_numpy()
            for i in range(len(matrix) - 1):
                estimate = (matrix[i + 1 :] == matrix[i]).mean(axis=1)
                other = agency[i + 1 :] != agency[i]
                count += int(other.sum())
                for j in np.nonzero(other & (estimate >= 0.25))[0]:
                    if (ids[i], ids[i + 1 + j], section) not in planted:
                        high.append(exact(ids[i], ids[i + 1 + j], section))
        top = sorted(high)[-5:]
        print(f"unplanted same-year pairs, section {section}: {count}, highest {[round(x, 3) for x in top]}")


def recall(n: int, seed: int, work: Path, show_distribution: bool = False) -> None:
    from pipelines.extract.corpus import extract
    from pipelines.generate.corpus import generate_corpus

    raw, truth, lake = work / "raw", work / "truth", work / "lake"
    clock = time.perf_counter()
    if not raw.exists():
        generate_corpus(n, seed, raw, truth_dir=truth)
    print(f"corpus: {n} reports (seed {seed}) in {time.perf_counter() - clock:.0f} s")
    clock = time.perf_counter()
    extract(raw, lake, progress=False)
    print(f"extract: {time.perf_counter() - clock:.0f} s")
    clock = time.perf_counter()
    summary = update_similarity(lake)
    print(f"similarity: {time.perf_counter() - clock:.1f} s {summary}")

    reports = pl.read_parquet(lake / "reports", hive_partitioning=True).select("report_id", "source_path")
    stem = {report: Path(path).stem for report, path in reports.iter_rows()}
    pairs = read_pairs(lake).filter(pl.col("similarity") >= THRESHOLD)
    reported = {
        (stem[a], section, stem[b], kind)
        for a, section, b, kind in pairs.select(
            "report_id", "section_no", "compared_report_id", "comparison"
        ).iter_rows()
    }
    planted = []
    for path in sorted(truth.glob("*.json")):
        for copied in json.loads(path.read_text(encoding="utf-8"))["copied_sections"]:
            planted.append((path.stem, copied["section_no"], copied["source"], KIND[copied["kind"]], copied))
    found = [p for p in planted if p[:4] in reported]
    missed = [p for p in planted if p[:4] not in reported]
    truth_keys = {p[:4] for p in planted} | {(b, s, a, k) for a, s, b, k, _ in planted if k != PREVIOUS_YEAR}
    # a same-year pair is reported in both directions: count it once
    once = {(min(a, b), s, max(a, b), k) if k != PREVIOUS_YEAR else (a, s, b, k) for a, s, b, k in reported}
    false = sorted(r for r in reported if r not in truth_keys)
    false_once = {(min(a, b), s, max(a, b), k) if k != PREVIOUS_YEAR else (a, s, b, k) for a, s, b, k in false}
    by_kind = {k: sum(1 for p in planted if p[3] == k) for k in KIND.values()}
    print(f"planted: {len(planted)} copied sections {by_kind}")
    print(f"recall: {len(found)}/{len(planted)} = {len(found) / max(len(planted), 1):.4f}")
    precision = (len(once) - len(false_once)) / max(len(once), 1)
    print(f"precision: {len(once) - len(false_once)}/{len(once)} reported pairs = {precision:.4f}")
    for miss in missed:
        print("  missed", miss)
    for extra in false[:20]:
        print("  unplanted", extra)
    lowest = pairs.join(pl.DataFrame({"report_id": list(stem), "stem": list(stem.values())}), on="report_id").select(
        pl.col("similarity").min()
    )
    print(f"lowest reported similarity: {lowest.item()}; threshold {THRESHOLD}, LSH bands x rows {lsh_params()}")
    if show_distribution:
        distribution(lake, truth)


def _synthetic_lake(reports: int, lake: Path, seed: int = 1) -> None:
    """Sections 1 and 5 of `reports` reports: agencies reporting on runs of consecutive years,
    5% copying last year's text or another agency's."""
    rng = Random(seed)
    rows_reports, rows_sections = [], []
    years = (2019, 2020, 2021, 2022, 2023, 2024)
    plans: dict[int, narrative.NarrativePlan] = {}
    agency_of: dict[int, tuple[str, int]] = {}
    for k in range(reports):
        agency, year = f"ag_{k // 4:06d}", years[(k % 4) + rng.randint(0, 2)]
        plan = narrative.draw_plan(Random(f"narrative:{seed}:{k}"))
        if k and rng.random() < 0.05:
            plan, _ = narrative.copy_plan(plan, plans[k - 1], (1, 5), rng.choice((0, 0.1, 0.2)), rng)
        plans[k], agency_of[k] = plan, (agency, year)
        fields = {
            "year": year,
            "next_year": year + 1,
            "short": f"{agency[-4:]}局",
            "place": f"{agency[-3:]}",
            "posts": rng.randint(50, 900),
            "reads": rng.randint(1, 40),
            **plan.numbers,
        }
        overview = "".join(
            heading + "".join(phrases.sentence(r, fields) for r in plan.sentences[heading])
            for heading in narrative.OVERVIEW_SLOTS
        )
        problems = "".join(phrases.sentence(r, fields) for r in plan.sentences["problems"])
        report_id = f"{Random(k).getrandbits(64):016x}"
        rows_reports.append({"report_id": report_id, "agency_key": agency, "report_year": year, "status": "ok"})
        rows_sections += [
            {"report_id": report_id, "section_no": 1, "heading": "一、总体情况", "line": 3, "text": overview},
            {"report_id": report_id, "section_no": 5, "heading": "五、存在的主要问题", "line": 90, "text": problems},
        ]
    for table, rows in (("reports", rows_reports), ("report_sections", rows_sections)):
        frame = pl.DataFrame(rows, infer_schema_length=None)
        years_of = {r["report_id"]: r["report_year"] for r in rows_reports}
        frame = frame.with_columns(
            pl.col("report_id").replace_strict(years_of, return_dtype=pl.Int32).alias("_year"),
            pl.col("report_id").map_elements(bucket_of, return_dtype=pl.Int8).alias("_bucket"),
        )
        for (year, bucket), part in frame.group_by("_year", "_bucket"):
            schema = {c: t for c, t in SCHEMAS[table].items() if c in part.columns}
            out = part.select(list(schema)).cast(schema).sort("report_id")
            write_atomic(out, partition_dir(lake, table, year, bucket) / "part-0.parquet")


def scale(reports: int, work: Path) -> None:
    lake = work / "lake"
    shutil.rmtree(work, ignore_errors=True)
    clock = time.perf_counter()
    _synthetic_lake(reports, lake)
    print(f"synthetic lake: {reports} reports, {2 * reports} sections in {time.perf_counter() - clock:.0f} s")

    clock = time.perf_counter()
    texts = pl.read_parquet(lake / "report_sections", hive_partitioning=True).select("report_id", "text")
    chars = sum(len(tx.normalize(t)) for t in texts["text"])
    reference = time.perf_counter() - clock
    print(f"reference: read {texts.height} section texts and normalise them ({chars} characters): {reference:.1f} s")

    clock = time.perf_counter()
    cold = update_similarity(lake)
    seconds = time.perf_counter() - clock
    steps = {k: round(v, 1) for k, v in cold.seconds.items()}
    print(f"similarity from scratch: {seconds:.1f} s ({seconds / reference:.1f}x the reference) {steps}")
    print(f"  {cold.sections} sections signed {cold.signed}; pairs {cold.by_comparison}")

    # the added report: another agency's, copying both sections of the first report of its partition
    one = lake / "report_sections" / "report_year=2024" / "bucket=15" / "part-0.parquet"
    frame = pl.read_parquet(one)
    source = frame["report_id"][0]
    added = frame.filter(pl.col("report_id") == source).with_columns(pl.lit("f" * 16).alias("report_id"))
    write_atomic(pl.concat([frame, added]).sort("report_id", "section_no"), one)
    rep = lake / "reports" / "report_year=2024" / "bucket=15" / "part-0.parquet"
    frame = pl.read_parquet(rep)
    copier = frame.filter(pl.col("report_id") == source).with_columns(
        pl.lit("f" * 16).alias("report_id"), pl.lit("ag_added").alias("agency_key")
    )
    write_atomic(pl.concat([frame, copier]), rep)
    clock = time.perf_counter()
    warm = update_similarity(lake)
    seconds = time.perf_counter() - clock
    steps = {k: round(v, 1) for k, v in warm.seconds.items()}
    print(
        f"similarity after 1 added report: {seconds:.1f} s ({warm.signed} sections signed, {warm.compared} compared, "
        f"{warm.partitions_written} partitions written, incremental {warm.incremental}) {steps}"
    )
    print(f"  pairs {warm.by_comparison}; cache {((lake / CACHE).stat().st_size) / 1e6:.0f} MB")

    # the same lake from scratch (signatures cached): the same table
    incremental = read_pairs(lake)
    shutil.rmtree(lake / TABLE)
    (lake / COMPARED).unlink()
    clock = time.perf_counter()
    again = update_similarity(lake)
    seconds = time.perf_counter() - clock
    same = incremental.sort(incremental.columns).equals(read_pairs(lake).sort(incremental.columns))
    steps = {k: round(v, 1) for k, v in again.seconds.items()}
    print(f"compared from scratch (signatures cached): {seconds:.1f} s {steps}; the same table: {same}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    r = commands.add_parser("recall")
    r.add_argument("--n", type=int, default=10_000)
    r.add_argument("--seed", type=int, default=21)
    r.add_argument("--work", type=Path, default=Path("/tmp/copied_recall"))
    r.add_argument("--distribution", action="store_true", help="planted and unplanted similarities per section")
    s = commands.add_parser("scale")
    s.add_argument("--reports", type=int, default=100_000)
    s.add_argument("--work", type=Path, default=Path("/tmp/copied_scale"))
    args = parser.parse_args()
    if args.command == "recall":
        recall(args.n, args.seed, args.work, args.distribution)
    else:
        scale(args.reports, args.work)


if __name__ == "__main__":
    main()

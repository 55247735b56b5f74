"""Narrative facts and rule R7 against the generator's truth: precision and recall.

    python bench/narrative_accuracy.py --n 10000 --seed 15 [--work DIR]

Generates n reports, extracts them into a lake, builds the warehouse, then compares: the facts
read for the measures the generator states (requests received and handled, reviews) with the
numbers it stated (none may come from its sentences about another year), and R7's failures
with the mismatches it planted.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

import duckdb

from pipelines.extract.corpus import extract
from pipelines.generate.corpus import generate_corpus
from pipelines.warehouse import run_dbt

MEASURES = ("requests_received", "requests_handled", "reviews_total")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="narrative-"))
    raw, truths, lake, db = work / "raw", work / "truth", work / "lake", work / "warehouse.duckdb"
    clock = time.perf_counter()
    if not raw.exists():
        generate_corpus(args.n, args.seed, raw, truths)
    print(f"generated {args.n} reports in {time.perf_counter() - clock:.1f} s -> {raw}")
    clock = time.perf_counter()
    extract(raw, lake, progress=False)
    print(f"extracted in {time.perf_counter() - clock:.1f} s")
    clock = time.perf_counter()
    outcome = run_dbt(["build", "--exclude-resource-type", "unit_test"], lake_dir=lake, database=db, quiet=True)
    print(f"dbt build {'passed' if outcome.success else 'FAILED'} in {time.perf_counter() - clock:.1f} s")

    planted_facts: Counter = Counter()
    planted_r7: set[tuple[str, str]] = set()
    agreeing_r7: set[tuple[str, str]] = set()
    for path in sorted(raw.iterdir()):
        truth = json.loads((truths / f"{path.stem}.json").read_text(encoding="utf-8"))
        for fact in truth.get("narrative_facts") or []:
            planted_facts[(path.name, fact["measure"], float(fact["stated"]))] += 1
            if fact["r7"] == "disagrees":
                planted_r7.add((path.name, fact["measure"]))
            elif fact["r7"] == "agrees":
                agreeing_r7.add((path.name, fact["measure"]))
    with duckdb.connect(str(db), read_only=True) as con:
        read = Counter(
            con.execute(
                f"""select r.source_path, f.measure_key, f.stated_value
                    from staging.stg_lake__report_narrative_facts as f join dim_report as r using (report_id)
                    where f.measure_key in {MEASURES}"""
            ).fetchall()
        )
        failed = set(
            con.execute(
                "select source_path, split_part(scope_key, ' #', 1) from reconciliation_results "
                "where rule_id = 'R7' and passed = false"
            ).fetchall()
        )
        passed = set(
            con.execute(
                "select source_path, split_part(scope_key, ' #', 1) from reconciliation_results "
                "where rule_id = 'R7' and passed"
            ).fetchall()
        )
    right = sum((read & planted_facts).values())
    print(
        f"facts: {sum(planted_facts.values())} stated, {sum(read.values())} read, {right} right; "
        f"precision {right / max(sum(read.values()), 1):.4f}, recall {right / max(sum(planted_facts.values()), 1):.4f}"
    )
    extra = read - planted_facts
    missed = planted_facts - read
    print(f"  read but not stated (e.g. from another year's sentence): {sum(extra.values())} {list(extra)[:5]}")
    print(f"  stated but not read: {sum(missed.values())} {list(missed)[:5]}")
    found = failed & planted_r7
    print(
        f"R7: {len(planted_r7)} mismatches planted, {len(failed)} failures found, {len(found)} right; "
        f"precision {len(found) / max(len(failed), 1):.4f}, recall {len(found) / max(len(planted_r7), 1):.4f}"
    )
    print(f"  agreeing facts that passed: {len(agreeing_r7 & passed)} of {len(agreeing_r7)}")
    print(f"  failures not planted: {sorted(failed - planted_r7)[:5]}")
    return 0 if outcome.success and not extra and not missed and failed == planted_r7 else 1


if __name__ == "__main__":
    raise SystemExit(main())

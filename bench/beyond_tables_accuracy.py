"""The checks beyond the tables against the generator's truth: precision and recall.

    python bench/beyond_tables_accuracy.py --n 10000 --seed 15 [--work DIR]

Generates n reports, extracts them into a lake, builds the warehouse, then compares:
- narrative facts: those read for the measures the generator states (requests received and
  handled, reviews) with the numbers it stated (none may come from its sentences about another
  year); R7's failures with the mismatches it planted;
- timeliness: the reports report_timeliness calls late with those published after their
  statutory deadline (条例 第五十条: a department by 31 January, a government by 31 March).
"""

from __future__ import annotations

import argparse
import datetime as dt
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

    late_planted: dict[str, int] = {}
    planted_facts: Counter = Counter()
    planted_r7: set[tuple[str, str]] = set()
    agreeing_r7: set[tuple[str, str]] = set()
    for path in sorted(raw.iterdir()):
        truth = json.loads((truths / f"{path.stem}.json").read_text(encoding="utf-8"))
        late = _days_late(truth)
        if late:
            late_planted[path.name] = late
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
        late_found = dict(
            con.execute("select source_path, days_late from report_timeliness where timeliness = 'late'").fetchall()
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
    late_right = {p for p, d in late_found.items() if late_planted.get(p) == d}
    print(
        f"timeliness: {len(late_planted)} published late, {len(late_found)} found late, {len(late_right)} right "
        f"(days late too); precision {len(late_right) / max(len(late_found), 1):.4f}, "
        f"recall {len(late_right) / max(len(late_planted), 1):.4f}"
    )
    exact = not extra and not missed and failed == planted_r7 and late_found == late_planted
    return 0 if outcome.success and exact else 1


_GOVERNMENT_DEADLINE = {"government": True, "special_zone": True, "department": False, "government_office": False}


def _days_late(truth: dict) -> int | None:
    """Days after the statutory deadline the report was published, by its true agency kind (a
    kind with no single deadline counts as late only after 31 March); None if not late or undated."""
    if truth["published_on"] is None:
        return None
    published = dt.date.fromisoformat(truth["published_on"])
    year = truth["report_year"]
    government = _GOVERNMENT_DEADLINE.get(truth["agency_resolved"]["kind"])
    deadline = dt.date(year + 1, 1, 31) if government is False and year >= 2019 else dt.date(year + 1, 3, 31)
    return (published - deadline).days if published > deadline else None


if __name__ == "__main__":
    raise SystemExit(main())

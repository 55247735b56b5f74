"""Accuracy of the parser on generated reports, per variant: parse(generate(x)) against x.

    python bench/roundtrip_accuracy.py --n 5000 --seed 7
    python bench/roundtrip_accuracy.py --n 5000 --real-publishing   # with the real-publishing layouts

Generates n reports in memory (realistic variant frequencies), parses them as one batch per
1,000 (the same path as `disclosure extract`), compares each with its ground truth (every cell,
agency, year, date, template, expected findings, and no unexpected error or warning; a cell no
reading decides may be null with a `cell_ambiguous` finding) and prints, for every value of
every variant dimension (the layout among them), the share exactly right and the wrong numbers
(cells read as another number: worse than a null), plus the first differences of any report
that is not right. `--layouts` keeps only the reports of the named layouts.

It also counts how each report's agency resolved (right region, level, kind and key; a wrong
one; none), and `--resolver-failures FILE` writes every report whose agency did not resolve
right: the printed name, the year, the lines of the text that name the agency, expected, got.

    python bench/roundtrip_accuracy.py --n 10000 --seed 11 --resolver-failures /tmp/failures.txt
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from pathlib import Path

from pipelines.extract.read.batch import parse_documents
from pipelines.extract.read.document import open_document
from pipelines.extract.read.report import reports
from pipelines.generate.compare import RIGHT, differences, resolution_outcome, wrong_numbers
from pipelines.generate.corpus import corpus_entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--real-publishing", action="store_true", help="sample the real-publishing layouts too")
    parser.add_argument("--layouts", nargs="*", default=None, help="only reports of these layouts")
    parser.add_argument("--resolver-failures", type=Path, default=None, help="write unresolved or wrong agencies here")
    args = parser.parse_args()

    started = time.perf_counter()
    # (dimension, value) -> [exact, all, wrong numbers]
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    wrong: list[tuple[int, list[str]]] = []
    cells = reports_seen = wrong_total = 0
    resolved: Counter[str] = Counter()
    failures: list[str] = []
    for start in range(0, args.n, 1000):
        indices = range(start, min(start + 1000, args.n))
        entries = [(i, *corpus_entry(args.seed, i, args.real_publishing)) for i in indices]
        if args.layouts:
            entries = [(i, v, g) for i, v, g in entries if v.layout in args.layouts]
        docs = [open_document(generated.data, generated.name) for _, _, generated in entries]
        for (index, variant, generated), parsed in zip(entries, reports(parse_documents(docs)), strict=True):
            as_json = parsed.as_json()
            diffs = differences(generated.truth, as_json)
            misread = len(wrong_numbers(generated.truth, as_json))
            cells += sum(len(columns) for rows in generated.truth["tables"].values() for columns in rows.values())
            reports_seen += 1
            wrong_total += misread
            if diffs:
                wrong.append((index, diffs))
            outcome = resolution_outcome(generated.truth, as_json)
            if outcome is not None:
                resolved[outcome] += 1
                if outcome != RIGHT:
                    failures.append(_failure(index, outcome, variant.layout, generated, as_json))
            for dimension, value in variant.as_dict().items():
                counts = tally[(dimension, str(value))]
                counts[0] += not diffs
                counts[1] += 1
                counts[2] += misread
    seconds = time.perf_counter() - started
    exact = reports_seen - len(wrong)
    print(
        f"{exact}/{reports_seen} reports exactly right ({cells} truth cells, {wrong_total} wrong numbers), "
        f"seed {args.seed}, {seconds:.0f} s"
    )
    print(f"{'dimension':<24} {'value':<16} {'exact':>7} {'reports':>8} {'wrong numbers':>14}")
    for (dimension, value), (ok, total, misread) in sorted(tally.items()):
        print(f"{dimension:<24} {value:<16} {ok:7d} {total:8d} {misread:14d}")
    total = sum(resolved.values())
    print(
        f"agency resolution: {resolved[RIGHT]}/{total} right, {resolved['wrong']} wrong, "
        f"{resolved['unresolved']} unresolved"
    )
    if args.resolver_failures:
        args.resolver_failures.write_text("".join(failures), encoding="utf-8")
        print(f"{len(failures)} resolution failures -> {args.resolver_failures}")
    for index, diffs in wrong[:10]:
        print(f"report {index}: " + "; ".join(diffs[:5]))


def _failure(index: int, outcome: str, layout: str, generated, parsed: dict) -> str:
    """One resolution failure as a readable block: what was printed, expected and got, and the
    lines of the report that name the agency (what the resolver's context could use)."""
    truth = generated.truth
    full = truth["agency_full_name"]
    text = generated.text.replace("\r", "")
    printed = truth["agency_as_written"]
    naming = [line.strip() for line in text.split("\n") if full in line or printed in line][:6]
    got = parsed.get("agency_resolved") or {}
    notes = [f["message"] for f in parsed.get("findings", []) if f["code"].startswith("agency")]
    lines = [
        f"== report {index} ({outcome}; layout {layout}, script {truth['script']}, seed {truth['rng_seed']})",
        f"printed:  {truth['agency']!r} (as written {printed!r}), year {truth['report_year']}",
        f"parsed:   {parsed.get('agency')!r}",
        f"full:     {full}",
        f"expected: {truth['agency_resolved']}",
        "got:      " + str({k: got.get(k) for k in ("key", "region_code", "level", "kind", "name")}),
        *(f"finding:  {n}" for n in notes),
        *(f"context:  {line[:200]}" for line in naming),
    ]
    return "\n".join(lines) + "\n\n"


if __name__ == "__main__":
    main()

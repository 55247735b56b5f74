"""Accuracy of the parser on generated reports, per variant: parse(generate(x)) against x.

    python bench/roundtrip_accuracy.py --n 5000 --seed 7

Generates n reports in memory (realistic variant frequencies), parses them as one batch per
1,000 (the same path as `disclosure extract`), compares each with its ground truth (every cell,
agency, year, date, template, expected findings, and no unexpected error or warning) and prints
the share exactly right for every value of every variant dimension, plus the first differences
of any report that is not.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

from pipelines.extract.batch import parse_documents
from pipelines.extract.report import Report, document, reports
from pipelines.generate.compare import differences
from pipelines.generate.corpus import corpus_entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    started = time.perf_counter()
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])  # (dimension, value) -> [exact, all]
    wrong: list[tuple[int, list[str]]] = []
    cells = 0
    for start in range(0, args.n, 1000):
        entries = [corpus_entry(args.seed, i) for i in range(start, min(start + 1000, args.n))]
        docs = [document(generated.data, generated.name) for _, generated in entries]
        parsed_docs = iter(reports(parse_documents([d for d in docs if not isinstance(d, Report)])))
        for offset, ((variant, generated), doc) in enumerate(zip(entries, docs, strict=True)):
            parsed = doc if isinstance(doc, Report) else next(parsed_docs)
            diffs = differences(generated.truth, parsed.as_json())
            cells += sum(len(columns) for rows in generated.truth["tables"].values() for columns in rows.values())
            if diffs:
                wrong.append((start + offset, diffs))
            for dimension, value in variant.as_dict().items():
                counts = tally[(dimension, str(value))]
                counts[0] += not diffs
                counts[1] += 1
    seconds = time.perf_counter() - started
    exact = args.n - len(wrong)
    print(f"{exact}/{args.n} reports exactly right ({cells} truth cells), seed {args.seed}, {seconds:.0f} s")
    print(f"{'dimension':<24} {'value':<16} {'exact':>7} {'reports':>8}")
    for (dimension, value), (ok, total) in sorted(tally.items()):
        print(f"{dimension:<24} {value:<16} {ok:7d} {total:8d}")
    for index, diffs in wrong[:10]:
        print(f"report {index}: " + "; ".join(diffs[:5]))


if __name__ == "__main__":
    main()

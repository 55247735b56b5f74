"""`disclosure generate --n N --seed S --out DIR`: write a synthetic corpus with its truth.

`add_arguments` and `run` let the `disclosure` command mount this as a sub-command; `main`
runs it alone (`python -m pipelines.generate`).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=_count, required=True, help="how many reports to write")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed: the same seed writes the same bytes")
    parser.add_argument("--out", type=Path, required=True, help="folder for the reports (created if missing)")
    parser.add_argument(
        "--truth-out",
        type=Path,
        default=None,
        help="folder for the <name>.json truth files (default: beside the reports)",
    )
    parser.add_argument(
        "--real-publishing",
        action="store_true",
        help="also sample the real-publishing layouts (PDF text dumps, CMS fragments, archived and converted pages)",
    )


def run(args: argparse.Namespace) -> int:
    from pipelines.generate.corpus import generate_corpus

    for folder in (args.out, args.truth_out):
        if folder is not None and folder.exists() and not folder.is_dir():
            print(f"disclosure generate: not a folder: {folder}", file=sys.stderr)
            return 2
    started = time.perf_counter()
    try:
        paths = generate_corpus(args.n, args.seed, args.out, args.truth_out, args.real_publishing)
    except OSError as exc:
        print(f"disclosure generate: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    truths = args.truth_out or args.out
    print(f"{len(paths)} reports -> {args.out}, truth files -> {truths} ({seconds:.2f} s, seed {args.seed})")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="disclosure generate", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))

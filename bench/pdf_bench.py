"""Benchmark the PDF reader (pypdfium2 geometry) beside pypdf's text order and pdfplumber's tables.

Corpora: the real report ../shared/realworld/raw/huaian-2024.pdf (skipped when absent) and seed
reports rendered with reportlab as ruled tables (tests/report_formats.py). The readers run in
interleaved rounds and each reports its median, so a noisy machine affects them alike: compare
the ratios. On the real PDF it also counts the hand-checked table rows each reader brings back
whole: the row's label and its numbers, in order, within one row (or text line). pdfplumber is not a dependency of the
project: install it to compare (`pip install pdfplumber`), else its column says so.

Usage:  python bench/pdf_bench.py [--rounds 5] [--copies 4]
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the seed renderers

from report_formats import to_pdf  # noqa: E402

from pipelines.extract.read.formats.pdf import pdf_to_text  # noqa: E402
from pipelines.extract.template import ACTIVE_ROWS, REQUEST_ROWS, Row  # noqa: E402

REAL = ROOT.parent / "shared" / "realworld"
REAL_PDF = REAL / "raw" / "huaian-2024.pdf"
EXPECTED = REAL / "expected" / "huaian-2024.pdf.json"
SEEDS = ROOT / "data" / "raw"
RULED_SEEDS = ("000_9707a1ee668ca233.txt", "001_95f16b6553e5017d.txt", "004_6057b744213ce4be.txt")
NUMBER = re.compile(r"\d+(?:\.\d+)?")

Cells = list[list[str]]  # what a reader gives: rows (or lines) of cell texts


def new_reader(data: bytes) -> Cells:
    layout = pdf_to_text(data).layout or ()
    return [[piece.text for piece in line.pieces] for line in layout]


def pypdf_reader(data: bytes) -> Cells:
    """The reader this project used before: pypdf's extract_text, a line's cells split at spaces."""
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages)
    return [line.split() for line in text.split("\n")]


def pdfplumber_reader(data: bytes) -> Cells:
    import pdfplumber

    with pdfplumber.open(BytesIO(data)) as pdf:
        return [[cell or "" for cell in row] for page in pdf.pages for table in page.extract_tables() for row in table]


def available(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def pages_of(data: bytes) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()


def expected_rows() -> list[tuple[Row | None, list[float]]]:
    """The hand-checked rows of tables 2, 3 and 4: the template row (None: table 4) and its values."""
    tables = json.loads(EXPECTED.read_text(encoding="utf-8"))["tables"]
    rows: list[tuple[Row | None, list[float]]] = []
    for template, table in ((ACTIVE_ROWS, "active_disclosure"), (REQUEST_ROWS, "requests")):
        for row in template:
            rows.append((row, [float(v) for v in tables[table][row.key].values()]))
    rows.append((None, [float(v) for group in tables["review_litigation"].values() for v in group.values()]))
    return rows


def _labelled(cells: list[str], row: Row | None) -> bool:
    if row is None:
        return True
    for cell in cells:
        text = re.sub(r"[\W_\d]", "", cell)
        for signature in row.signatures:
            if (text.endswith(signature) and len(text) <= len(signature) + 1) if row.exact else signature in text:
                return True
    return False


def rows_found(rows: Cells, expected: list[tuple[Row | None, list[float]]]) -> int:
    numbers = [[float(c) for c in row if NUMBER.fullmatch(c.strip())] for row in rows]
    return sum(
        1 for row, want in expected if any(n == want and _labelled(r, row) for r, n in zip(rows, numbers, strict=True))
    )


def measure(corpus: list[bytes], readers: dict[str, Callable[[bytes], Cells]], rounds: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in readers}
    for _ in range(rounds):
        for name, read in readers.items():
            start = time.perf_counter()
            for data in corpus:
                read(data)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(seconds) for name, seconds in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--copies", type=int, default=4, help="copies of each PDF per round")
    args = parser.parse_args()

    readers: dict[str, Callable[[bytes], Cells]] = {"new (pypdfium2)": new_reader, "pypdf": pypdf_reader}
    if available("pdfplumber"):
        readers["pdfplumber"] = pdfplumber_reader
    corpora: dict[str, list[bytes]] = {}
    if REAL_PDF.exists():
        corpora["real: huaian-2024.pdf"] = [REAL_PDF.read_bytes()]
    else:
        print(f"real PDF absent ({REAL_PDF}): skipped")
    ruled = [to_pdf((SEEDS / name).read_text(encoding="utf-8"), ruled=True) for name in RULED_SEEDS]
    corpora[f"reportlab: {len(ruled)} seeds, ruled tables"] = ruled

    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")
    print(f"rounds: {args.rounds} (median), {args.copies} copies of each PDF per round")
    if "pdfplumber" not in readers:
        print("pdfplumber: not installed, not measured")
    for label, pdfs in corpora.items():
        pages = sum(pages_of(data) for data in pdfs) * args.copies
        corpus = pdfs * args.copies
        seconds = measure(corpus, readers, args.rounds)
        print(f"\n{label} ({len(pdfs)} PDFs, {pages // args.copies} pages)")
        base = seconds["new (pypdfium2)"]
        for name, took in seconds.items():
            ratio = "" if name.startswith("new") else f"  new is {took / base:5.1f}x faster"
            print(f"  {name:>16}: {len(corpus) / took:8.1f} PDFs/s  {pages / took:8.1f} pages/s{ratio}")
    if REAL_PDF.exists():
        expected = expected_rows()
        data = REAL_PDF.read_bytes()
        print(f"\nreal PDF, hand-checked rows read whole, label and values (of {len(expected)}: 6 + 25 + table 4):")
        for name, read in readers.items():
            print(f"  {name:>16}: {rows_found(read(data), expected)}")


if __name__ == "__main__":
    main()

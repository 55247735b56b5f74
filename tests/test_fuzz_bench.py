"""bench/fuzz.py: its mutations are deterministic and do what they say, and a small run reports its figures."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from random import Random

import pytest
from report_formats import to_docx, to_html, to_pdf
from samples import RAW, SEED_NAMES, golden, seed_text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import fuzz  # noqa: E402

SEED = SEED_NAMES[0]


@pytest.fixture(scope="module")
def renderings() -> dict[str, bytes]:
    text, truth = seed_text(SEED), golden(SEED)
    return {
        "text": (RAW / SEED).read_bytes(),
        "html": to_html(text, truth),
        "docx": to_docx(text, truth),
        "pdf": to_pdf(text, truth, ruled=True),
    }


def test_every_mutation_is_deterministic_and_changes_the_bytes(renderings: dict[str, bytes]) -> None:
    for fmt, data in renderings.items():
        for kind, mutate in {**fuzz.ANY, **fuzz.BY_FORMAT[fmt]}.items():
            first = mutate(data, Random(f"{kind}:1"), fuzz.MIB)
            assert first == mutate(data, Random(f"{kind}:1"), fuzz.MIB), (fmt, kind)
            assert first != data, (fmt, kind)


def test_the_docx_bomb_inflates_beyond_its_size(renderings: dict[str, bytes]) -> None:
    bomb = fuzz.zip_inflate(renderings["docx"], Random(1), 64 * fuzz.MIB)
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        document = archive.getinfo("word/document.xml")
    assert document.file_size > 64 * fuzz.MIB and len(bomb) < 2 * fuzz.MIB


def test_the_central_directory_lies(renderings: dict[str, bytes]) -> None:
    data = renderings["docx"]
    lied = fuzz.zip_lie(data, Random(3), fuzz.MIB)
    assert len(lied) == len(data)
    start = struct.unpack_from("<L", data, data.rfind(b"PK\x05\x06") + 16)[0]
    assert lied[:start] == data[:start]  # only the central directory differs


def test_the_pdf_bomb_stays_a_well_formed_pdf(renderings: dict[str, bytes]) -> None:
    import pypdfium2 as pdfium

    bomb = fuzz.pdf_stream_inflate(renderings["pdf"], Random(0), fuzz.MIB)
    assert b"/Filter /FlateDecode" in bomb
    assert len(pdfium.PdfDocument(bomb)) == len(pdfium.PdfDocument(renderings["pdf"]))


def test_cell_differences_name_changed_missing_and_extra_cells() -> None:
    original = {("t", "r", "a"): 1.0, ("t", "r", "b"): None, ("t", "r", "c"): 3.0}
    mutated = {("t", "r", "a"): 2.0, ("t", "r", "b"): None, ("t", "r", "d"): 4.0}
    assert fuzz.cell_differences(original, mutated) == [
        "t/r/a: 1.0 -> 2.0",
        "t/r/c: 3.0 -> absent",
        "t/r/d: absent -> 4.0",
    ]


@pytest.mark.slow
def test_a_small_run_reports_its_figures() -> None:
    """~20 cases of the mutations that do not blow containers up (those are the bench's to
    measure, at minutes each on an extractor without limits)."""
    kinds = ["byte_flip", "truncate", "duplicate_region", "delete_region", "zip_swap", "zip_remove"]
    kinds += ["pdf_stream_flip", "pdf_xref_break"]
    result = subprocess.run(
        [sys.executable, "bench/fuzz.py", "--cases", "20", "--generated", "2", "--kinds", *kinds],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = result.stdout
    assert result.returncode in (0, 1), result.stderr[-2000:]  # 1: an assertion failed, reported
    assert "fuzz: 20 cases" in out
    for figure in ("crashes:", "lost files:", "unaccounted files:", "violations:", "peak RSS:", "time:"):
        assert figure in out, out
    assert out.strip().splitlines()[-1].startswith("PASS" if result.returncode == 0 else "FAIL")

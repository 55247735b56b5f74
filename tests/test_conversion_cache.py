"""PDF conversions cached by content hash: a hit gives exactly the reading, a damaged entry is
a miss, and a re-extraction of the lake reads the cache instead of the PDF."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import polars as pl
import pytest
from report_formats import to_pdf
from samples import golden

from pipelines.extract.corpus import CACHE, extract
from pipelines.extract.lake import read_table
from pipelines.extract.read.formats import convert
from pipelines.extract.read.formats.cache import ConversionCache

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "001_95f16b6553e5017d.txt"


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return to_pdf(SEED.read_text(encoding="utf-8"), golden(SEED.name), ruled=True)


def test_a_hit_gives_the_same_conversion_as_reading_the_pdf(tmp_path: Path, pdf: bytes) -> None:
    sha = hashlib.sha256(pdf).hexdigest()
    cache = ConversionCache(tmp_path)
    first = cache.convert(pdf, sha)
    second = cache.convert(pdf, sha)
    assert (cache.misses, cache.hits) == (1, 1)
    assert first == second == convert(pdf)
    assert second.layout and any(line.grid is not None for line in second.layout)  # the ruled grid came back


def test_a_damaged_entry_is_read_again(tmp_path: Path, pdf: bytes) -> None:
    sha = hashlib.sha256(pdf).hexdigest()
    ConversionCache(tmp_path).convert(pdf, sha)
    (entry,) = tmp_path.rglob(f"{sha}.json")
    entry.write_text('{"text": "forged"', encoding="utf-8")  # truncated JSON
    cache = ConversionCache(tmp_path)
    assert cache.convert(pdf, sha) == convert(pdf)
    assert (cache.misses, cache.hits) == (1, 0)


def test_other_formats_are_not_cached(tmp_path: Path) -> None:
    data = SEED.read_bytes()
    cache = ConversionCache(tmp_path)
    assert cache.convert(data, hashlib.sha256(data).hexdigest()) == convert(data)
    assert not any(tmp_path.rglob("*.json"))


def test_a_full_re_extraction_reads_pdfs_from_the_cache(tmp_path: Path, pdf: bytes) -> None:
    raw, lake = tmp_path / "raw", tmp_path / "lake"
    raw.mkdir()
    (raw / "report.pdf").write_bytes(pdf)
    shutil.copy(SEED, raw / SEED.name)
    extract(raw, lake, progress=False)
    entries = list((lake / CACHE).rglob("*.json"))
    assert [e.stem for e in entries] == [hashlib.sha256(pdf).hexdigest()]
    before = read_table(lake, "report_cells")
    stamp = entries[0].stat().st_mtime_ns
    extract(raw, lake, progress=False, full=True)
    assert entries[0].stat().st_mtime_ns == stamp  # read, not written again
    after = read_table(lake, "report_cells")
    assert after.equals(before)
    assert after.filter(pl.col("value").is_not_null()).height > 100

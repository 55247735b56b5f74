"""The similarity step's I/O: the lake's sections in, `section_similarity` out.

    <lake>/_section_signatures.parquet                                     the cache: a signature
                                                                            per report and section
    <lake>/section_similarity/report_year=<Y>/bucket=<B>/part-0.parquet    the pairs, by the
                                                                            report's year and bucket

    <lake>/_section_similarity_sections.parquet                            the sections the table
                                                                            was computed from

A report's id is the hash of its bytes, so its sections, and their signatures, never change:
the cache keeps them (keyed by report_id and section_no, with the signature version), and a run
computes signatures only for sections it has not seen. The same-year pairs are found again only
for the sections that are new (or whose report changed agency, year or status) since the run
that wrote the table: their band hashes are joined with every section's of the same year and
number, and the other pairs are kept, less those of sections no longer in the lake; the result
is the table a run from scratch writes. The previous-year pairs are all computed again (a join).
Only the table's partitions whose rows changed are rewritten. Without the record of the last
run's sections (or with other parameters), a run compares everything. Reports that are
rejected, or whose agency is unidentified, are not compared; a section shorter than
text.MIN_CHARS once normalised is not judged (null).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.extract.lake import BUCKET_COLUMN, YEAR_COLUMN, bucket_of, partition_dir, write_atomic
from pipelines.textreuse import signatures as sig
from pipelines.textreuse import text as tx
from pipelines.textreuse.pairs import (
    BANDS,
    COMPARED_SECTIONS,
    PAIRS_SCHEMA,
    ROWS,
    SAME_YEAR_OTHER_AGENCY,
    THRESHOLD,
    VERIFY_MARGIN,
    all_pairs,
)

TABLE = "section_similarity"
POOL_THRESHOLD = 20_000  # sections: fewer are signed in this process (a pool costs seconds to start)
CHUNK = 5_000
CACHE = "_section_signatures.parquet"
COMPARED = "_section_similarity_sections.parquet"  # the sections the table was computed from
SECTION_KEY = ["report_id", "agency_key", "report_year", "section_no", "comparable"]
CACHE_SCHEMA = pl.Schema(
    {
        "report_id": pl.String(),
        "section_no": pl.Int32(),
        "n_chars": pl.Int32(),  # normalised characters
        "signature": pl.Array(pl.UInt32, sig.NUM_PERM),  # null when too short to compare
        "version": pl.String(),
    }
)


@dataclass
class SimilarityResult:
    sections: int = 0
    signed: int = 0  # sections whose signature this run computed (the others came from the cache)
    compared: int = 0  # sections whose same-year pairs this run looked for (the others' were kept)
    incremental: bool = False  # the table's pairs were updated, not all found again
    partitions_written: int = 0
    pairs: int = 0
    by_comparison: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _scan(lake_dir: Path, table: str) -> pl.LazyFrame:
    return pl.scan_parquet(
        lake_dir / table / "*" / "*" / "*.parquet",
        hive_partitioning=True,
        hive_schema={YEAR_COLUMN: pl.Int32, BUCKET_COLUMN: pl.Int8},
    )


def read_cache(lake_dir: Path) -> pl.DataFrame:
    path = lake_dir / CACHE
    if not path.exists():
        return pl.DataFrame(schema=CACHE_SCHEMA)
    return pl.read_parquet(path).filter(pl.col("version") == sig.VERSION)


def _texts(lake_dir: Path, wanted: pl.DataFrame) -> pl.DataFrame:
    """The texts of the (report_id, section_no) rows of `wanted`, in that key order."""
    return (
        _scan(lake_dir, "report_sections")
        .filter(pl.col("report_id").is_in(wanted["report_id"].unique().implode()))
        .select("report_id", "section_no", "text")
        .collect()
        .join(wanted, on=["report_id", "section_no"], how="semi")
        .sort("report_id", "section_no")
    )


def sign(texts: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """(normalised lengths, signatures) of raw section texts; a row too short is not signed."""
    normalized = [tx.normalize(t) for t in texts]
    lengths = np.array([len(n) for n in normalized], dtype=np.int32)
    matrix = np.full((len(texts), sig.NUM_PERM), np.iinfo(np.uint32).max, dtype=np.uint32)
    judged = [k for k, n in enumerate(normalized) if tx.comparable(n)]
    if judged:
        matrix[judged] = sig.signatures([tx.shingles(normalized[k]) for k in judged])
    return lengths, matrix


def _signed_frame(ids: pl.DataFrame, lengths: np.ndarray, matrix: np.ndarray) -> pl.DataFrame:
    judged = lengths >= tx.MIN_CHARS
    rows = pl.Series("signature", matrix, dtype=pl.Array(pl.UInt32, sig.NUM_PERM))
    return ids.select("report_id", "section_no").with_columns(
        pl.Series("n_chars", lengths, dtype=pl.Int32),
        pl.when(pl.Series(judged)).then(rows).otherwise(None).alias("signature"),
        pl.lit(sig.VERSION).alias("version"),
    )


def sign_all(texts: list[str | None], workers: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`sign` over many texts: in chunks on a pool of processes (spawned: the caller may be a
    threaded process) when there are enough to be worth it."""
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(texts) < POOL_THRESHOLD:
        return sign(texts)
    chunks = [texts[start : start + CHUNK] for start in range(0, len(texts), CHUNK)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(sign, chunks))
    return np.concatenate([r[0] for r in results]), np.concatenate([r[1] for r in results])


def update_similarity(lake_dir: Path, threshold: float = THRESHOLD, workers: int | None = None) -> SimilarityResult:
    """Bring the cache and `section_similarity` up to date with the lake's sections (signing new
    sections on `workers` processes, all cores by default)."""
    summary = SimilarityResult()
    clock = time.perf_counter()
    if not (lake_dir / "report_sections").exists() or not (lake_dir / "reports").exists():
        (lake_dir / COMPARED).unlink(missing_ok=True)
        write_pairs(pl.DataFrame(schema={**PAIRS_SCHEMA, YEAR_COLUMN: pl.Int32}), lake_dir)
        return summary
    wanted = (
        _scan(lake_dir, "report_sections")
        .filter(pl.col("section_no").is_in(list(COMPARED_SECTIONS)))
        .select("report_id", "section_no")
        .collect()
    )
    cache = read_cache(lake_dir).join(wanted, on=["report_id", "section_no"], how="semi")
    missing = wanted.join(cache, on=["report_id", "section_no"], how="anti")
    summary.seconds["plan"] = time.perf_counter() - clock

    clock = time.perf_counter()
    if missing.height:
        texts = _texts(lake_dir, missing)
        lengths, matrix = sign_all(texts["text"].to_list(), workers)
        cache = pl.concat([cache, _signed_frame(texts, lengths, matrix)]).cast(CACHE_SCHEMA)
    cache = cache.sort("report_id", "section_no")
    if missing.height or (lake_dir / CACHE).exists():
        write_atomic(cache, lake_dir / CACHE)
    summary.signed, summary.sections = missing.height, cache.height
    summary.seconds["sign"] = time.perf_counter() - clock

    clock = time.perf_counter()
    reports = (
        _scan(lake_dir, "reports")
        .filter(pl.col("status") != "rejected")
        .select("report_id", "agency_key", YEAR_COLUMN)
        .collect()
    )
    frame = cache.join(reports, on="report_id", how="inner").sort("report_id", "section_no")
    sections = frame.select(
        "report_id",
        "agency_key",
        pl.col(YEAR_COLUMN),
        "section_no",
        pl.col("signature").is_not_null().alias("comparable"),
    )
    signatures = frame["signature"].fill_null(pl.lit([0] * sig.NUM_PERM, dtype=pl.Array(pl.UInt32, sig.NUM_PERM)))

    def shingles_of(wanted: pl.DataFrame) -> dict[tuple[str, int], set[str]]:
        texts = _texts(lake_dir, wanted)
        return {
            (report, section): set(tx.shingles(tx.normalize(text)))
            for report, section, text in texts.select("report_id", "section_no", "text").iter_rows()
        }

    params = _params(threshold)
    previous = _previous_state(lake_dir, params)
    old_pairs = read_pairs(lake_dir) if previous is not None else None
    if previous is None or old_pairs is None:
        new, kept = None, None
        summary.compared = sections.height
    else:
        fresh = sections.join(previous, on=SECTION_KEY, how="anti", nulls_equal=True)
        gone = previous.join(sections, on=SECTION_KEY, how="anti", nulls_equal=True)
        changed = pl.concat([fresh.select("report_id", "section_no"), gone.select("report_id", "section_no")])
        new = sections.with_row_index("row").join(changed, on=["report_id", "section_no"], how="semi")["row"].to_numpy()
        new = np.isin(np.arange(sections.height), new)
        kept = (
            old_pairs.filter(pl.col("comparison") == SAME_YEAR_OTHER_AGENCY)
            .join(changed, on=["report_id", "section_no"], how="anti")
            .join(
                changed.rename({"report_id": "compared_report_id"}), on=["compared_report_id", "section_no"], how="anti"
            )
        )
        summary.incremental, summary.compared = True, int(new.sum())
    pairs = all_pairs(sections, signatures.to_numpy().reshape(-1, sig.NUM_PERM), shingles_of, threshold, new, kept)
    years = dict(zip(reports["report_id"], reports[YEAR_COLUMN], strict=True))
    pairs = pairs.with_columns(pl.col("report_id").replace_strict(years, return_dtype=pl.Int32).alias(YEAR_COLUMN))
    summary.seconds["compare"] = time.perf_counter() - clock

    clock = time.perf_counter()
    summary.partitions_written = write_pairs(pairs, lake_dir, old_pairs)
    write_atomic(sections.with_columns(pl.lit(params).alias("params")), lake_dir / COMPARED)
    summary.pairs = pairs.height
    summary.by_comparison = dict(pairs.group_by("comparison").len().sort("comparison").iter_rows())
    summary.seconds["write"] = time.perf_counter() - clock
    return summary


def _params(threshold: float) -> str:
    """What the table's pairs depend on besides the sections: a run with others starts over."""
    return f"signature {sig.VERSION}; threshold {threshold}; bands {BANDS}x{ROWS}; margin {VERIFY_MARGIN}"


def _previous_state(lake_dir: Path, params: str) -> pl.DataFrame | None:
    """The sections the table was computed from, when it was computed with `params` and is there."""
    path = lake_dir / COMPARED
    if not path.exists() or not any((lake_dir / TABLE).glob("*/*/*.parquet")):
        return None
    state = pl.read_parquet(path)
    if state.height and (state["params"] != params).any():
        return None
    if not state.height:
        return None
    return state.select(SECTION_KEY)


def write_pairs(pairs: pl.DataFrame, lake_dir: Path, previous: pl.DataFrame | None = None) -> int:
    """The table: one file per report year and bucket, sorted; always at least the (empty)
    no-year file, so that readers find one. With `previous` (the table as it is), only the
    partitions whose rows differ are written (or removed). Returns the files written."""
    folder = lake_dir / TABLE
    buckets = {r: bucket_of(r) for r in pairs["report_id"].unique()}
    pairs = pairs.with_columns(pl.col("report_id").replace_strict(buckets, return_dtype=pl.Int8).alias(BUCKET_COLUMN))
    todo: set[tuple[int | None, int]] | None = None
    if previous is not None:
        columns = [*PAIRS_SCHEMA, YEAR_COLUMN]
        now = pairs.select(columns)
        before = previous.select(columns).cast(now.schema)
        differ = pl.concat(
            [
                now.join(before, on=columns, how="anti", nulls_equal=True),
                before.join(now, on=columns, how="anti", nulls_equal=True),
            ]
        )
        todo = {
            (year, bucket_of(report)) for report, year in differ.select("report_id", YEAR_COLUMN).unique().iter_rows()
        }
    written: set[Path] = set()
    count = 0
    for (year, bucket), part in pairs.group_by(YEAR_COLUMN, BUCKET_COLUMN):
        path = partition_dir(lake_dir, TABLE, year, int(bucket)) / "part-0.parquet"
        written.add(path)
        if todo is not None and (year, int(bucket)) not in todo:
            continue
        frame = part.select(list(PAIRS_SCHEMA)).cast(PAIRS_SCHEMA)
        write_atomic(frame.sort("report_id", "section_no", "compared_report_id", "comparison"), path)
        count += 1
    empty = partition_dir(lake_dir, TABLE, None, 0) / "part-0.parquet"
    if empty not in written:
        if not empty.exists():
            write_atomic(pl.DataFrame(schema=PAIRS_SCHEMA), empty)
            count += 1
        written.add(empty)
    for old in folder.glob("*/*/part-0.parquet"):
        if old not in written:
            old.unlink()
    for part_dir in sorted(folder.glob("*/*"), reverse=True):
        if part_dir.is_dir() and not any(part_dir.iterdir()):
            part_dir.rmdir()
    for year_dir in folder.glob("*"):
        if year_dir.is_dir() and not any(year_dir.iterdir()):
            shutil.rmtree(year_dir)
    return count


def ensure_table(lake_dir: Path) -> None:
    """An empty `section_similarity` where none was written yet (dbt's source needs a file)."""
    if not any((lake_dir / TABLE).glob("*/*/*.parquet")):
        write_pairs(pl.DataFrame(schema={**PAIRS_SCHEMA, YEAR_COLUMN: pl.Int32}), lake_dir)


def read_pairs(lake_dir: Path) -> pl.DataFrame:
    return _scan(lake_dir, TABLE).collect().drop(BUCKET_COLUMN)

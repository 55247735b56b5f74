"""Which sections to compare, and how alike they are.

Two comparisons, each of a section with the section of the same number in another report:

- `previous_year`: the same agency's report on the year before (every edition of either year:
  the warehouse keeps the current editions). Every such pair is kept, however unlike, with a
  null similarity when either section is too short to judge: `max_similarity_to_last_year`.
- `same_year_other_agency`: every other agency's report on the same year, without comparing all
  pairs: the signatures go into a MinHash LSH index (datasketch) per year and section, whose bands
  make pairs above THRESHOLD collide with high probability. A candidate whose estimate is within
  VERIFY_MARGIN of the threshold is verified: its similarity is the exact Jaccard similarity of
  the two shingle sets (no estimation noise where a pair is reported or not), and it is kept at
  THRESHOLD or above, in both directions.

Similarity is the Jaccard similarity of the two sections' shingle sets: exact for same-year pairs,
the MinHash estimate (standard error at most 0.044) for previous-year pairs, which are all kept.

Pure: frames and a signature matrix in, a frame out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import numpy as np
import polars as pl
from datasketch import MinHashLSH

from pipelines.textreuse.signatures import NUM_PERM, lean, similarity

VERIFY_MARGIN = 0.1  # 2.3 standard errors of the estimate at 0.4
THRESHOLD = 0.4  # exact Jaccard similarity of the shingle sets at which a same-year pair is reported
PREVIOUS_YEAR = "previous_year"
SAME_YEAR_OTHER_AGENCY = "same_year_other_agency"
COMPARED_SECTIONS = (1, 5)  # the narrative ones: 总体情况, 存在的主要问题及改进情况 (6 is a formula: 无…事项)

PAIRS_SCHEMA = {
    "report_id": pl.String,
    "section_no": pl.Int32,
    "compared_report_id": pl.String,
    "comparison": pl.String,
    "similarity": pl.Float64,
}


@functools.cache
def lsh_params(threshold: float = THRESHOLD) -> tuple[int, int]:
    """(bands, rows per band) datasketch chooses for the threshold (false positives and negatives
    weighted alike): (32, 4) at 0.4."""
    index = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return index.b, index.r


def previous_year_pairs(sections: pl.DataFrame, matrix: np.ndarray) -> pl.DataFrame:
    """`sections`: report_id, agency_key, report_year, section_no, comparable, one row per
    signature row of `matrix` in order."""
    frame = sections.with_row_index("row")
    earlier = frame.select(
        "agency_key",
        (pl.col("report_year") + 1).alias("report_year"),
        "section_no",
        pl.col("report_id").alias("compared_report_id"),
        pl.col("row").alias("compared_row"),
        pl.col("comparable").alias("compared_comparable"),
    )
    joined = frame.filter(pl.col("agency_key").is_not_null()).join(
        earlier, on=["agency_key", "report_year", "section_no"], how="inner"
    )
    rows, compared = joined["row"].to_numpy(), joined["compared_row"].to_numpy()
    estimate = similarity(matrix[rows], matrix[compared]) if joined.height else np.empty(0)
    judged = (joined["comparable"] & joined["compared_comparable"]).to_numpy()
    return joined.select(
        "report_id",
        "section_no",
        "compared_report_id",
        pl.lit(PREVIOUS_YEAR).alias("comparison"),
        pl.Series("similarity", np.where(judged, estimate, np.nan)).fill_nan(None),
    ).cast(PAIRS_SCHEMA)


def same_year_candidates(sections: pl.DataFrame, matrix: np.ndarray, threshold: float = THRESHOLD) -> pl.DataFrame:
    """Candidate pairs of comparable sections of one number and year, of two agencies, found
    through LSH (never all pairs), whose estimate is within VERIFY_MARGIN of `threshold`; one row
    per pair (report_id before compared_report_id in the frame's order). Columns: report_id,
    section_no, compared_report_id, estimate. Each query's candidates are estimated at once, so
    memory holds the pairs kept, not every collision."""
    frame = sections.with_row_index("row").filter(
        pl.col("comparable") & pl.col("agency_key").is_not_null() & pl.col("report_year").is_not_null()
    )
    agency = sections["agency_key"].cast(pl.Categorical).to_physical().to_numpy()
    lefts: list[np.ndarray] = []
    rights: list[np.ndarray] = []
    estimates: list[np.ndarray] = []
    params = lsh_params(threshold)  # datasketch's optimum, integrated once rather than per index
    for (_year, _section), group in frame.group_by("report_year", "section_no", maintain_order=True):
        if group.height < 2:
            continue
        rows = group["row"].to_list()
        minhashes = {row: lean(matrix[row]) for row in rows}
        index = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, params=params)
        with index.insertion_session() as session:
            for row in rows:
                session.insert(row, minhashes[row], check_duplication=False)
        for row in rows:
            others = np.fromiter((o for o in index.query(minhashes[row]) if o > row), dtype=np.int64)
            others = others[agency[others] != agency[row]]
            if not others.size:
                continue
            estimate = similarity(matrix[others], matrix[row])
            keep = estimate >= threshold - VERIFY_MARGIN
            lefts.append(np.full(int(keep.sum()), row, dtype=np.int64))
            rights.append(others[keep])
            estimates.append(estimate[keep])
    schema = {"report_id": pl.String, "section_no": pl.Int32, "compared_report_id": pl.String, "estimate": pl.Float64}
    if not lefts:
        return pl.DataFrame(schema=schema)
    left, right = np.concatenate(lefts), np.concatenate(rights)
    ids = sections["report_id"].to_numpy()
    numbers = sections["section_no"].to_numpy()
    return pl.DataFrame(
        {
            "report_id": ids[left],
            "section_no": numbers[left],
            "compared_report_id": ids[right],
            "estimate": np.concatenate(estimates),
        }
    ).cast(schema)


def verified_pairs(
    candidates: pl.DataFrame, shingle_sets: Mapping[tuple[str, int], set[str]], threshold: float = THRESHOLD
) -> pl.DataFrame:
    """The candidates whose exact Jaccard similarity (from `shingle_sets`, keyed by report id and
    section number) is at `threshold` or above."""
    exact = []
    for report, section, compared in candidates.select("report_id", "section_no", "compared_report_id").iter_rows():
        a, b = shingle_sets[(report, section)], shingle_sets[(compared, section)]
        exact.append(len(a & b) / len(a | b) if a or b else None)
    frame = candidates.select(
        "report_id",
        "section_no",
        "compared_report_id",
        pl.lit(SAME_YEAR_OTHER_AGENCY).alias("comparison"),
        pl.Series("similarity", exact, dtype=pl.Float64),
    ).filter(pl.col("similarity") >= threshold)
    mirrored = frame.select(
        pl.col("compared_report_id").alias("report_id"),
        "section_no",
        pl.col("report_id").alias("compared_report_id"),
        "comparison",
        "similarity",
    )
    return pl.concat([frame, mirrored]).cast(PAIRS_SCHEMA)  # both directions: who copied whom is not known


def all_pairs(
    sections: pl.DataFrame,
    matrix: np.ndarray,
    shingles_of: Callable[[pl.DataFrame], Mapping[tuple[str, int], set[str]]],
    threshold: float = THRESHOLD,
) -> pl.DataFrame:
    """Both comparisons, sorted by report, section, compared report, comparison. `shingles_of`
    gives the shingle sets of the (report_id, section_no) rows of a frame (read at the edge)."""
    candidates = same_year_candidates(sections, matrix, threshold)
    wanted = pl.concat(
        [
            candidates.select("report_id", "section_no"),
            candidates.select(pl.col("compared_report_id").alias("report_id"), "section_no"),
        ]
    ).unique()
    same_year = verified_pairs(candidates, shingles_of(wanted), threshold)
    both = pl.concat([previous_year_pairs(sections, matrix), same_year])
    return both.sort("report_id", "section_no", "compared_report_id", "comparison")

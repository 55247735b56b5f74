"""Which sections to compare, and how alike they are.

Two comparisons, each of a section with the section of the same number in another report:

- `previous_year`: the same agency's report on the year before (every edition of either year:
  the warehouse keeps the current editions). Every such pair is kept, however unlike, with a
  null similarity when either section is too short to judge: `max_similarity_to_last_year`.
- `same_year_other_agency`: every other agency's report on the same year, without comparing all
  pairs: MinHash LSH per year and section. A band is ROWS of the signature's hash values; two
  sections are candidates when they agree on every value of one of BANDS bands (the signature cut
  into 32 bands of 4 in order, as datasketch does, and in two fixed shuffles of it: 96 bands). A
  band is a uint64 hash (numpy), so candidates are a polars join on band hashes, and the join of a
  few new sections with all the others is the cheap increment (see `lake`). More bands than the
  32 datasketch chooses for 0.4, so that a copy just above the threshold is not missed (a pair at
  0.49 escapes 32 bands one time in seven, 96 about one in 300), at the cost of more unrelated
  candidates, which the estimate drops. A candidate whose estimate is within VERIFY_MARGIN of the
  threshold is verified: its similarity is the exact Jaccard similarity of the two shingle sets
  (no estimation noise where a pair is reported or not), and it is kept at THRESHOLD or above, in
  both directions.

Similarity is the Jaccard similarity of the two sections' shingle sets: exact for same-year pairs,
the MinHash estimate (standard error at most 0.044) for previous-year pairs, which are all kept.

Pure: frames and a signature matrix in, a frame out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import polars as pl

from pipelines.textreuse.signatures import NUM_PERM, similarity

VERIFY_MARGIN = 0.1  # 2.3 standard errors of the estimate at 0.4
THRESHOLD = 0.4  # exact Jaccard similarity of the shingle sets at which a same-year pair is reported
ROWS = 4  # LSH: two sections are candidates when all ROWS hash values of one of the bands are equal
LAYERS = 3  # groupings of the NUM_PERM hash values into bands of ROWS: the first in order, the others shuffled
BANDS = LAYERS * NUM_PERM // ROWS  # 96
CHUNK_PAIRS = 200_000  # candidate pairs estimated at once
PREVIOUS_YEAR = "previous_year"
SAME_YEAR_OTHER_AGENCY = "same_year_other_agency"
COMPARED_SECTIONS = (1, 5)  # the narrative ones: 总体情况, 存在的主要问题及改进情况 (6 is a formula: 无…事项)

PAIRS_SCHEMA = pl.Schema(
    {
        "report_id": pl.String,
        "section_no": pl.Int32,
        "compared_report_id": pl.String,
        "comparison": pl.String,
        "similarity": pl.Float64,
    }
)


def lsh_params() -> tuple[int, int]:
    """(bands, rows per band) of the LSH."""
    return BANDS, ROWS


def _band_columns() -> np.ndarray:
    """(BANDS, ROWS) signature columns: layer 0 cuts the signature into NUM_PERM / ROWS bands in
    order (datasketch's bands), each further layer cuts a fixed shuffle of it. Two bands share
    at most a column or so, so a pair missed by one layer's bands is likely caught by another's."""
    rng = np.random.default_rng(20_240_101)
    orders = [np.arange(NUM_PERM)] + [rng.permutation(NUM_PERM) for _ in range(LAYERS - 1)]
    return np.concatenate([order.reshape(-1, ROWS) for order in orders])


BAND_COLUMNS = _band_columns()


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a bijection of uint64 that spreads every input bit."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def band_hashes(matrix: np.ndarray) -> np.ndarray:
    """(rows of `matrix`, BANDS) uint64: each band's hash of its ROWS hash values, seeded by the
    band's number, so that two sections share a value exactly when they agree on the whole band
    (up to 64-bit collisions, which only add a candidate to estimate)."""
    state = np.broadcast_to(_mix(np.arange(1, BANDS + 1, dtype=np.uint64)), (len(matrix), BANDS))
    for k in range(ROWS):
        state = _mix(state ^ matrix[:, BAND_COLUMNS[:, k]].astype(np.uint64))
    return state


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


def same_year_candidates(
    sections: pl.DataFrame, matrix: np.ndarray, threshold: float = THRESHOLD, new: np.ndarray | None = None
) -> pl.DataFrame:
    """Candidate pairs of comparable sections of one number and year, of two agencies, found
    through LSH (never all pairs: two sections are candidates when they share a band), whose
    estimate is within VERIFY_MARGIN of `threshold`; one row per pair (report_id before
    compared_report_id in the frame's order, unless only one of them is new). With `new` (a
    boolean per row), only the pairs with at least one new section: the pairs an incremental
    run adds to those it keeps. Columns: report_id, section_no, compared_report_id, estimate."""
    schema = pl.Schema(
        {"report_id": pl.String, "section_no": pl.Int32, "compared_report_id": pl.String, "estimate": pl.Float64}
    )
    new = np.ones(sections.height, dtype=bool) if new is None else np.asarray(new, dtype=bool)
    agency = sections["agency_key"].cast(pl.Categorical).to_physical().to_numpy()
    frame = sections.with_row_index("row").filter(
        pl.col("comparable") & pl.col("agency_key").is_not_null() & pl.col("report_year").is_not_null()
    )
    lefts: list[np.ndarray] = []
    rights: list[np.ndarray] = []
    for (_year, _section), group in frame.group_by("report_year", "section_no", maintain_order=True):
        rows = group["row"].to_numpy().astype(np.int64)
        if len(rows) < 2 or not new[rows].any():  # a group without a new section has no new pair
            continue
        banded = pl.DataFrame(
            {
                "row": np.repeat(rows, BANDS),
                "hash": band_hashes(matrix[rows]).ravel(),
                "new": np.repeat(new[rows], BANDS),
                "agency": np.repeat(agency[rows], BANDS),
            }
        )
        left = banded.filter("new")
        right = banded.join(left.select("hash"), on="hash", how="semi")
        pairs = (
            left.join(right, on="hash", suffix="_other")
            # a pair of two new sections is found from both: kept once, from the earlier row
            .filter(
                (pl.col("agency") != pl.col("agency_other"))
                & ((pl.col("row") < pl.col("row_other")) | ~pl.col("new_other"))
            )
            .select("row", "row_other")
            .unique()
        )
        lefts.append(pairs["row"].to_numpy())
        rights.append(pairs["row_other"].to_numpy())
    if not lefts:
        return pl.DataFrame(schema=schema)
    order = np.lexsort((np.concatenate(rights), np.concatenate(lefts)))
    left_rows, other_rows = np.concatenate(lefts)[order], np.concatenate(rights)[order]
    estimate = np.empty(len(left_rows))
    for start in range(0, len(left_rows), CHUNK_PAIRS):
        stop = start + CHUNK_PAIRS
        estimate[start:stop] = similarity(matrix[left_rows[start:stop]], matrix[other_rows[start:stop]])
    close = estimate >= threshold - VERIFY_MARGIN
    left_rows, other_rows = left_rows[close], other_rows[close]
    ids = sections["report_id"].to_numpy()
    numbers = sections["section_no"].to_numpy()
    return pl.DataFrame(
        {
            "report_id": ids[left_rows],
            "section_no": numbers[left_rows],
            "compared_report_id": ids[other_rows],
            "estimate": estimate[close],
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
    new: np.ndarray | None = None,
    kept: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Both comparisons, sorted by report, section, compared report, comparison. `shingles_of`
    gives the shingle sets of the (report_id, section_no) rows of a frame (read at the edge).

    Incrementally: `new` marks the rows whose same-year pairs are to be found, and `kept` holds
    the same-year pairs of the other rows, found before (between sections that have not
    changed, so the same as they would be found again). The previous-year pairs are all found
    again (a join, and a comparison of two signatures each)."""
    candidates = same_year_candidates(sections, matrix, threshold, new)
    wanted = pl.concat(
        [
            candidates.select("report_id", "section_no"),
            candidates.select(pl.col("compared_report_id").alias("report_id"), "section_no"),
        ]
    ).unique()
    same_year = verified_pairs(candidates, shingles_of(wanted), threshold)
    parts = [previous_year_pairs(sections, matrix), same_year]
    if kept is not None:
        parts.append(kept.select(list(PAIRS_SCHEMA)).cast(PAIRS_SCHEMA))
    return pl.concat(parts).sort("report_id", "section_no", "compared_report_id", "comparison")

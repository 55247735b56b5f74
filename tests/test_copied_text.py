"""Copied narrative text: normalisation, shingles and signatures; the generator's planted copies;
and, over a generated corpus, every planted copy found and nothing unplanted (lake and marts)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from random import Random

import duckdb
import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.extract.corpus import extract
from pipelines.generate import narrative
from pipelines.generate.agencies import draw_agency
from pipelines.generate.corpus import corpus_entry, generate_corpus, planted_kind
from pipelines.textreuse import signatures as sig
from pipelines.textreuse import text as tx
from pipelines.textreuse.lake import CACHE, COMPARED, TABLE, read_pairs, update_similarity
from pipelines.textreuse.pairs import (
    BAND_COLUMNS,
    BANDS,
    PAIRS_SCHEMA,
    PREVIOUS_YEAR,
    SAME_YEAR_OTHER_AGENCY,
    THRESHOLD,
    band_hashes,
    previous_year_pairs,
    same_year_candidates,
)
from pipelines.warehouse import run_dbt

KIND = {"previous_year": PREVIOUS_YEAR, "other_agency": SAME_YEAR_OTHER_AGENCY}
SHARES = (0.12, 0.12)  # planted far more often than in a default corpus, to test many cases


# --- normalise, shingle, sign -------------------------------------------------------------------


def test_normalize_keeps_the_words_and_forgets_numbers_punctuation_script_and_spacing() -> None:
    simplified = "2023年，本机关收到政府信息公开申请12件，均已按时答复。"
    assert tx.normalize(simplified) == "#年本机关收到政府信息公开申请#件均已按时答复"
    traditional = "２０２２年， 本機關收到政府信息公開申請 ３５件。\n均已按時答復！"
    assert tx.normalize(traditional) == tx.normalize(simplified)
    assert tx.normalize("收到申请一百二十件") == "收到申请#件"
    assert tx.normalize(None) == "" and tx.normalize("，。 ") == ""


def test_shingles_are_the_distinct_character_ngrams_in_order() -> None:
    assert tx.shingles("abcdefab", 5) == ["abcde", "bcdef", "cdefa", "defab"]
    assert tx.shingles("aaaaaaa", 5) == ["aaaaa"]
    assert tx.shingles("abc", 5) == ["abc"] and tx.shingles("", 5) == []
    assert not tx.comparable("x" * (tx.MIN_CHARS - 1)) and tx.comparable("x" * tx.MIN_CHARS)


def test_signatures_are_stable_and_estimate_the_jaccard_similarity() -> None:
    rng = Random(3)
    words = [f"w{k}" for k in range(2000)]
    a = rng.sample(words, 600)
    b = a[:400] + rng.sample(words, 200)
    exact = len(set(a) & set(b)) / len(set(a) | set(b))
    first, again = sig.signatures([a, b]), sig.signatures([list(reversed(a)), b])
    assert first.dtype == np.uint32 and first.shape == (2, sig.NUM_PERM)
    assert (first == again).all()  # a set's signature: order and runs do not matter
    assert abs(float(sig.similarity(first[0], first[1])) - exact) < 0.15
    assert float(sig.similarity(first[0], first[0])) == 1.0


def test_a_copy_with_other_numbers_is_the_same_text() -> None:
    own = narrative.draw_plan(Random("a"))
    fields = {"year": 2023, "next_year": 2024, "short": "本局", "place": "余杭", "posts": 5, "reads": 2}

    def text(numbers: dict[str, int]) -> str:
        return "".join(
            narrative.phrases.sentence(r, fields | numbers)
            for slot in narrative.OVERVIEW_SLOTS
            for r in own.sentences[slot]
        )

    first, second = text(dict(own.numbers)), text({k: v + 7 for k, v in own.numbers.items()})
    assert first != second
    assert tx.normalize(first) == tx.normalize(second)


def _sections(rows: list[tuple[str, str | None, int | None, int, bool]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "report_id": pl.String,
            "agency_key": pl.String,
            "report_year": pl.Int32,
            "section_no": pl.Int32,
            "comparable": pl.Boolean,
        },
        orient="row",
    )


def test_previous_year_pairs_are_every_pair_and_null_when_too_short() -> None:
    sections = _sections(
        [
            ("a22", "ag_a", 2022, 1, True),
            ("a23", "ag_a", 2023, 1, True),
            ("a22", "ag_a", 2022, 5, False),
            ("a23", "ag_a", 2023, 5, True),
            ("b23", "ag_b", 2023, 1, True),
            ("x22", None, 2022, 1, True),
            ("x23", None, 2023, 1, True),
        ]
    )
    matrix = sig.signatures([["p", "q"], ["p", "r"], [], ["s"], ["p", "q"], ["p"], ["p"]])
    pairs = previous_year_pairs(sections, matrix).sort("section_no")
    assert pairs.schema == pl.Schema(PAIRS_SCHEMA)
    assert pairs.rows() == [
        ("a23", 1, "a22", PREVIOUS_YEAR, pytest.approx(float(sig.similarity(matrix[1], matrix[0])))),
        ("a23", 5, "a22", PREVIOUS_YEAR, None),
    ]


def test_same_year_candidates_are_of_other_agencies_only() -> None:
    sections = _sections(
        [
            ("a", "ag_a", 2023, 1, True),
            ("a2", "ag_a", 2023, 1, True),  # a second edition of the same agency
            ("b", "ag_b", 2023, 1, True),
            ("c", "ag_c", 2022, 1, True),  # another year
            ("d", "ag_d", 2023, 1, False),  # too short
        ]
    )
    same = [f"s{k}" for k in range(300)]
    matrix = sig.signatures([same, same, same, same, same])
    got = sorted(same_year_candidates(sections, matrix).select("report_id", "compared_report_id").rows())
    assert got == [("a", "b"), ("a2", "b")]  # one row per pair


def test_two_signatures_share_a_band_hash_exactly_when_they_agree_on_the_band() -> None:
    rng = np.random.default_rng(5)
    a = rng.integers(0, 2**32, size=sig.NUM_PERM, dtype=np.uint32)
    b = rng.integers(0, 2**32, size=sig.NUM_PERM, dtype=np.uint32)
    for band in (0, 31, 32, BANDS - 1):  # in order, and in a shuffle
        c = b.copy()
        c[BAND_COLUMNS[band]] = a[BAND_COLUMNS[band]]
        hashes = band_hashes(np.stack([a, c]))
        assert hashes.shape == (2, BANDS) and hashes.dtype == np.uint64
        shared = set(np.nonzero(hashes[0] == hashes[1])[0])
        assert band in shared and len(shared) <= 2  # (another band may hold the same columns)
    assert BANDS == 96 and sorted(BAND_COLUMNS[:32].ravel()) == list(range(sig.NUM_PERM))


# --- the generator ------------------------------------------------------------------------------


def test_facts_end_their_sub_section_and_the_requests_sentence_is_kept() -> None:

    agency = draw_agency(Random(1), 2023, True).agency
    facts = {"主动公开": ["本年度主动公开规范性文件3件。"], "监督保障": ["全年培训2次。", "考核1次。"]}
    body = narrative.overview(agency, 2023, 17, Random(2), True, facts=facts)
    paragraphs = {body[k - 1][1]: text for k, (kind, text) in enumerate(body) if kind == "p" and k}
    assert next(t for h, t in paragraphs.items() if "主动公开" in h).endswith("本年度主动公开规范性文件3件。")
    assert next(t for h, t in paragraphs.items() if "监督保障" in h).endswith("全年培训2次。考核1次。")
    requests = next(t for h, t in paragraphs.items() if "依申请公开" in h)
    assert "申请17件" in requests
    # without facts, the same draws give the same text but for the facts
    plain = narrative.overview(agency, 2023, 17, Random(2), True)
    assert [t.replace("本年度主动公开规范性文件3件。", "") for _k, t in body if _k == "p"][1] == plain[2][1]


def test_planted_copies_regenerate_alone_and_name_their_source(tmp_path: Path) -> None:
    paths = generate_corpus(60, 4, tmp_path, copy_shares=SHARES)
    copiers = 0
    for index, path in enumerate(paths):
        truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        _variant, again = corpus_entry(
            4, index, copy_shares=SHARES, source_name=paths[index - 1].name if index else None
        )
        assert again.data == path.read_bytes()
        for copied in truth["copied_sections"]:
            copiers += 1
            source = json.loads((tmp_path / f"{copied['source']}.json").read_text(encoding="utf-8"))
            assert copied["source"] == paths[index - 1].stem and copied["section_no"] in (1, 5)
            assert copied["kind"] == planted_kind(4, index, SHARES)
            assert copied["sentences_replaced"] <= copied["edit_share"] * copied["sentences"]
            if copied["kind"] == "previous_year":
                assert truth["agency_full_name"] == source["agency_full_name"]
                assert truth["report_year"] == source["report_year"] + 1
            else:
                assert truth["agency_full_name"] != source["agency_full_name"]
                assert truth["report_year"] == source["report_year"]
    assert copiers >= 5
    assert not any(corpus_entry(4, i, copy_shares=(0, 0))[1].truth["copied_sections"] for i in range(30))


# --- a generated corpus: lake and marts against the truth ---------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("copied")
    raw, truth, lake = root / "raw", root / "truth", root / "lake"
    generate_corpus(250, 17, raw, truth, copy_shares=SHARES)
    extract(raw, lake, progress=False)
    return raw, truth, lake


def _planted(truth: Path) -> list[tuple[str, int, str, str]]:
    return [
        (path.stem, copied["section_no"], copied["source"], KIND[copied["kind"]])
        for path in sorted(truth.glob("*.json"))
        for copied in json.loads(path.read_text(encoding="utf-8"))["copied_sections"]
    ]


def test_every_planted_copy_is_found_and_nothing_else(corpus: tuple[Path, Path, Path]) -> None:
    _raw, truth, lake = corpus
    summary = update_similarity(lake)
    assert summary.signed == summary.sections > 0
    stems = {
        report: Path(path).stem
        for report, path in pl.read_parquet(lake / "reports", hive_partitioning=True)
        .select("report_id", "source_path")
        .iter_rows()
    }
    pairs = read_pairs(lake)
    above = {
        (stems[a], section, stems[b], kind)
        for a, section, b, kind, similarity in pairs.select(
            "report_id", "section_no", "compared_report_id", "comparison", "similarity"
        ).iter_rows()
        if similarity is not None and similarity >= THRESHOLD
    }
    planted = _planted(truth)
    assert len({p[3] for p in planted}) == 2 and len(planted) >= 20
    missed = [p for p in planted if p not in above]
    assert not missed
    expected = set(planted) | {(b, s, a, k) for a, s, b, k in planted if k == SAME_YEAR_OTHER_AGENCY}
    assert above - expected == set()
    # every previous-year copy has its previous-year similarity; unplanted pairs are clearly unlike
    same_year = pairs.filter(pl.col("comparison") == SAME_YEAR_OTHER_AGENCY)
    assert same_year["similarity"].min() >= THRESHOLD

    # a second run signs nothing again; the cache and the table are rewritten identically
    before = {p: p.read_bytes() for p in sorted((lake / TABLE).rglob("*.parquet"))} | {
        lake / CACHE: (lake / CACHE).read_bytes()
    }
    again = update_similarity(lake)
    assert again.signed == 0 and again.pairs == summary.pairs
    after = {p: p.read_bytes() for p in sorted((lake / TABLE).rglob("*.parquet"))} | {
        lake / CACHE: (lake / CACHE).read_bytes()
    }
    assert after == before


@pytest.mark.slow  # builds the warehouse
def test_the_marts_answer_is_this_text_copied(corpus: tuple[Path, Path, Path], tmp_path: Path) -> None:
    raw, truth, lake = corpus
    update_similarity(lake)
    db = tmp_path / "w.duckdb"
    outcome = run_dbt(["build", "--full-refresh"], lake_dir=lake, database=db, strict=False, quiet=True)
    assert outcome.success, outcome.failures
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select source_path, section_no, compared_source_path, comparison, similarity from copied_sections"
        ).fetchall()
        last_year = dict(
            con.execute(
                """select r.source_path, s.max_similarity_to_last_year
                   from agency_year_summary s join dim_report r using (report_id)"""
            ).fetchall()
        )
        current = {
            path for (path,) in con.execute("select source_path from dim_report where is_current_edition").fetchall()
        }
    stem_of = {p.stem: p.name for p in raw.iterdir()}
    got = {(Path(a).stem, s, Path(b).stem, k) for a, s, b, k, _sim in rows}
    planted = [p for p in _planted(truth) if stem_of[p[0]] in current and stem_of[p[2]] in current]
    expected = set(planted) | {(b, s, a, k) for a, s, b, k in planted if k == SAME_YEAR_OTHER_AGENCY}
    assert got == expected
    for copier, _section, _source, kind in planted:
        if kind == PREVIOUS_YEAR:
            assert last_year[stem_of[copier]] >= THRESHOLD
    unplanted_last_year = [v for path, v in last_year.items() if v is not None and v >= THRESHOLD]
    copiers = {stem_of[p[0]] for p in planted if p[3] == PREVIOUS_YEAR}
    assert len(unplanted_last_year) == len(copiers)


def _keep_reports(lake: Path, dropped: set[str]) -> None:
    """The lake without the reports of `dropped` (their rows taken out of reports and sections)."""
    for table in ("reports", "report_sections"):
        for path in sorted((lake / table).rglob("*.parquet")):
            frame = pl.read_parquet(path)
            kept = frame.filter(~pl.col("report_id").is_in(sorted(dropped)))
            if kept.height != frame.height:
                kept.write_parquet(path)


def _cold(lake: Path, root: Path) -> pl.DataFrame:
    """The table a run from scratch writes for `lake` (on a copy, the cache kept)."""
    copy = root / f"cold{len(list(root.glob('cold*')))}"
    shutil.copytree(lake, copy)
    shutil.rmtree(copy / TABLE)
    (copy / COMPARED).unlink(missing_ok=True)
    summary = update_similarity(copy)
    assert not summary.incremental and summary.signed == 0
    return read_pairs(copy).sort(list(PAIRS_SCHEMA))


def test_an_incremental_run_writes_what_a_run_from_scratch_writes(
    corpus: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    _raw, truth, full = corpus
    stems = {
        Path(path).stem: report
        for report, path in pl.read_parquet(full / "reports", hive_partitioning=True)
        .select("report_id", "source_path")
        .iter_rows()
    }
    planted = _planted(truth)
    # reports added later: copiers of both kinds, and a source whose copier stays
    later = {stems[p[0]] for p in planted[:6]} | {stems[planted[-1][2]]}
    lake = tmp_path / "lake"
    shutil.copytree(full, lake)
    (lake / COMPARED).unlink(missing_ok=True)
    _keep_reports(lake, later)
    first = update_similarity(lake)
    assert not first.incremental
    assert_frame_equal(read_pairs(lake).sort(list(PAIRS_SCHEMA)), _cold(lake, tmp_path))

    # the reports are added: only their sections are compared with the others
    for table in ("reports", "report_sections"):
        shutil.rmtree(lake / table)
        shutil.copytree(full / table, lake / table)
    added = update_similarity(lake)
    assert added.incremental and added.compared == 2 * len(later) == added.signed  # (the cache keeps the lake's)
    pairs = read_pairs(lake).sort(list(PAIRS_SCHEMA))
    assert_frame_equal(pairs, _cold(lake, tmp_path))
    found = set(pairs.select("report_id", "compared_report_id").rows())
    assert any(a in later and b not in later for a, b in found) and any(b in later for _a, b in found)

    # a report removed: its pairs go, and no other is looked for
    gone = stems[planted[0][2]]
    _keep_reports(lake, {gone})
    removed = update_similarity(lake)
    assert removed.incremental and removed.compared == 0
    pairs = read_pairs(lake).sort(list(PAIRS_SCHEMA))
    assert gone not in set(pairs["report_id"]) | set(pairs["compared_report_id"])
    assert_frame_equal(pairs, _cold(lake, tmp_path))
    assert 0 < removed.partitions_written < len(list((lake / TABLE).glob("*/*/*.parquet")))

"""report_timeliness against the generator's ground truth: every report's verdict follows from
its true publish date, year and agency kind by the rule the mart documents, and the corpus
holds every kind of verdict (the generator dates some reports after their deadline)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from pipelines.extract.corpus import extract
from pipelines.generate.corpus import generate_corpus
from pipelines.warehouse import run_dbt

pytestmark = pytest.mark.slow  # seconds to minutes a test: run by `make test-full`, not `make test`

_DEADLINE_OF_KIND = {"government": "government", "department": "department", "government_office": "department"}


def _expected(truth: dict) -> tuple[str, int | None]:
    """The verdict and days late the statute gives for a report (条例 第五十条; 31 March for all
    before 2019); a kind without a single deadline is judged under both."""
    if truth["published_on"] is None:
        return "unknown", None
    published = dt.date.fromisoformat(truth["published_on"])
    year = truth["report_year"]
    government = dt.date(year + 1, 3, 31)
    department = dt.date(year + 1, 1, 31) if year >= 2019 else government
    rule = _DEADLINE_OF_KIND.get(truth["agency_resolved"]["kind"])
    if rule is not None:
        deadline = government if rule == "government" else department
        return ("on_time", None) if published <= deadline else ("late", (published - deadline).days)
    if published <= department:
        return "on_time", None
    if published > government:
        return "late", (published - government).days
    return "unknown", None


def test_timeliness_matches_the_ground_truth(tmp_path: Path) -> None:
    raw, truth_dir, lake, db = tmp_path / "raw", tmp_path / "truth", tmp_path / "lake", tmp_path / "w.duckdb"
    generate_corpus(400, 15, raw, truth_dir)
    extract(raw, lake, progress=False)
    outcome = run_dbt(["build", "--full-refresh"], lake_dir=lake, database=db, strict=False, quiet=True)
    assert outcome.success, outcome.failures
    with duckdb.connect(str(db), read_only=True) as con:
        got = {
            path: (timeliness, days_late)
            for path, timeliness, days_late in con.execute(
                "select source_path, timeliness, days_late from report_timeliness"
            ).fetchall()
        }
    expected = {
        path.name: _expected(json.loads((truth_dir / f"{path.stem}.json").read_text(encoding="utf-8")))
        for path in sorted(raw.iterdir())
    }
    assert got == expected
    kinds = {
        path.name: json.loads((truth_dir / f"{path.stem}.json").read_text(encoding="utf-8"))["agency_resolved"]["kind"]
        for path in raw.iterdir()
    }
    verdicts = Counter((kinds[path], verdict) for path, (verdict, _) in expected.items())
    for kind in ("government", "department"):  # both deadlines met and missed, as planted
        assert verdicts[kind, "on_time"] > 20 and verdicts[kind, "late"] >= 2, verdicts
    assert sum(n for (_, verdict), n in verdicts.items() if verdict == "unknown") > 50, verdicts

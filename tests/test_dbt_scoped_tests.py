"""On an incremental dbt build the facts' row tests check only the reports rebuilt in the run;
a full refresh, and `dbt test` on its own, check every row (macros/reports_built_relation.sql,
get_where_subquery.sql)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from samples import RAW, SEED_NAMES

from pipelines import paths
from pipelines.extract.corpus import extract
from pipelines.warehouse import run_dbt

pytestmark = pytest.mark.slow  # seconds to minutes a test: run by `make test-full`, not `make test`

SCOPED = "not_null_fct_request_flow_report_id"
RELATIONSHIP = "relationships_fct_request_flow_applicant_type_key__applicant_type_key__ref_dim_applicant_type_"


def _compiled(test_name: str) -> str:
    """The SQL the last dbt command ran for a test (run_results.json keeps it)."""
    results = json.loads((paths.DBT_PROJECT_DIR / "target" / "run_results.json").read_text())["results"]
    [code] = [r["compiled_code"] for r in results if r["unique_id"].split(".")[2] == test_name]
    return code


def _recorded_tables(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where table_name like '%\\_\\_reports\\_built' escape '\\'"
            ).fetchall()
        ]


def test_incremental_build_tests_the_rebuilt_reports_and_a_full_refresh_every_row(tmp_path: Path) -> None:
    raw, lake, db = tmp_path / "raw", tmp_path / "lake", tmp_path / "warehouse.duckdb"
    shutil.copytree(RAW, raw)
    extract(raw, lake, progress=False)
    full = run_dbt(["build", "--full-refresh"], lake_dir=lake, database=db, strict=False, quiet=True)
    assert full.success, full.failures
    assert "__reports_built" not in _compiled(SCOPED)
    assert _recorded_tables(db) == []  # they serve one invocation

    # a row of an old report breaks a relationship behind the build's back; then one report is added
    with duckdb.connect(str(db)) as con:
        con.execute(
            "update main.fct_request_flow set applicant_type_key = 'nobody' "
            "where report_id = (select min(report_id) from main.fct_request_flow) and applicant_type_key = 'total'"
        )
    linan = (RAW / SEED_NAMES[1]).read_text(encoding="utf-8")
    (raw / "linan_2022.txt").write_text(linan.replace("2021年政府信息公开", "2022年政府信息公开", 1), encoding="utf-8")
    assert extract(raw, lake, progress=False).parsed == 1

    incremental = run_dbt(["build"], lake_dir=lake, database=db, strict=False, quiet=True)
    assert incremental.success, incremental.failures  # the old row is not the run's to test
    assert '"intermediate"."fct_request_flow__reports_built"' in _compiled(SCOPED)
    assert _recorded_tables(db) == []

    whole = run_dbt(["test", "--select", "fct_request_flow"], lake_dir=lake, database=db, strict=False, quiet=True)
    assert not whole.success
    assert [f.split()[1].rstrip(":") for f in whole.failures] == [RELATIONSHIP]
    assert "__reports_built" not in _compiled(RELATIONSHIP)

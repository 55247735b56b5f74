"""SQL for the report site: the figures of the summary pages, and the per-report and per-agency
data files, built in bulk by DuckDB (one query per kind of file, never a Python loop per report).

The warehouse is attached read-only to an in-memory connection (so the site's helper macros live
in memory, not in the published file). The cells' printed text and line come from the lake's
`report_cells` when the lake is there; otherwise from the warehouse's facts (values, and the
source line where the fact keeps one).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from pipelines.publish import one_row

SHARD_HEX = 3  # data files per kind: at most 16**3, named by the first hex digits of the key's hash
REPORTS_PER_PAGE = 500
AGENCIES_PER_PAGE = 200

# FNV-1a (32 bit) over the key's characters, so the viewer pages compute the same shard in JS.
_MACROS = """
create or replace temp macro h(s) as
    replace(replace(replace(replace(coalesce(cast(s as varchar), ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
            '"', '&quot;');
create or replace temp macro js(s) as coalesce(cast(to_json(s) as varchar), 'null');
create or replace temp macro num(v) as
    case when v is null then 'null'
         when v = floor(v) and abs(v) < 1e15 then cast(cast(v as bigint) as varchar)
         else cast(round(v, 4) as varchar) end;
create or replace temp macro fnv(s) as
    list_reduce(list_transform(string_split(s, ''), lambda c: unicode(c)),
                lambda acc, c: (xor(acc, c) * 16777619) % 4294967296, 2166136261::bigint);
create or replace temp macro shard_of(s) as lpad(lower(to_hex(fnv(s) % 4096)), 3, '0');
"""


def fnv_shard(key: str) -> str:
    """The data file of an agency key (the same hash as the SQL macro and the viewer's JS)."""
    h = 2166136261
    for ch in key:
        h = ((h ^ ord(ch)) * 16777619) % 4294967296
    return f"{h % 4096:03x}"


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("attach ? as wh (read_only)", [str(warehouse)])
    con.execute("use wh")
    con.execute(_MACROS)
    return con


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- overview -------------------------------------------------------------------------------------

TOTALS_SQL = {
    "reports_total": "select count(*) from dim_report",
    "reports_ok": "select count(*) from dim_report where status = 'ok'",
    "reports_partial": "select count(*) from dim_report where status = 'partial'",
    "reports_rejected": "select count(*) from dim_report where status = 'rejected'",
    "agencies_reporting": "select count(*) from dim_agency where report_count > 0",
    "cells_total": "select coalesce(sum(cell_count), 0) from dim_report",
    "findings_total": "select count(*) from report_findings",
    "checks_passed": "select count(*) from reconciliation_results where passed",
    "checks_failed": "select count(*) from reconciliation_results where not passed",
    "checks_not_assessable": "select count(*) from reconciliation_results where passed is null",
    "reports_failing_checks": "select count(distinct report_id) from reconciliation_results where not passed",
}


def totals(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    # The same numbers as TOTALS_SQL, in two scans (fct_reconciliation_checks is what the view reads).
    reports = one_row(
        con,
        """select count(*), count(*) filter (where status = 'ok'), count(*) filter (where status = 'partial'),
                  count(*) filter (where status = 'rejected'), coalesce(sum(cell_count), 0)
           from dim_report""",
    )
    checks = one_row(
        con,
        """select count(*) filter (where passed), count(*) filter (where not passed),
                  count(*) filter (where passed is null), count(distinct report_id) filter (where not passed)
           from fct_reconciliation_checks c semi join dim_report r using (report_id)""",
    )
    return {
        "reports_total": reports[0],
        "reports_ok": reports[1],
        "reports_partial": reports[2],
        "reports_rejected": reports[3],
        "cells_total": int(reports[4]),
        "agencies_reporting": one_row(con, "select count(*) from dim_agency where report_count > 0")[0],
        "findings_total": one_row(con, "select count(*) from report_findings")[0],
        "checks_passed": checks[0],
        "checks_failed": checks[1],
        "checks_not_assessable": checks[2],
        "reports_failing_checks": checks[3],
    }


def reports_by_year(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return _dicts(
        con,
        """select coalesce(cast(report_year as varchar), 'unknown') as year,
                  count(*) filter (where status = 'ok') as ok,
                  count(*) filter (where status = 'partial') as partial,
                  count(*) filter (where status = 'rejected') as rejected,
                  count(*) as total
           from dim_report group by report_year order by report_year nulls last""",
    )


def agencies_by(con: duckdb.DuckDBPyConnection, column: str) -> list[dict[str, Any]]:
    label = {"level": "coalesce(level_label, level, '(unresolved)')", "province": "coalesce(province_name, '(none)')"}
    key = {"level": "coalesce(level, 'none')", "province": "coalesce(province_code, 'none')"}
    return _dicts(
        con,
        f"""select {key[column]} as key, {label[column]} as label, count(*) as agencies, sum(report_count) as reports
            from dim_agency where report_count > 0 group by all order by agencies desc, key""",
    )


def coverage_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    rows = con.execute(
        "select distinct report_year from agency_year_summary where report_year is not null order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def coverage_rows(con: duckdb.DuckDBPyConnection, years: list[int]) -> list[tuple[int, str]]:
    """(rank, <tr> html) per agency with reports, most reports first: a cell per year, missing years marked."""
    if not years:
        return []
    return con.execute(
        """
        with agencies as (
            select agency_key, agency_name, level_label, province_name, report_count,
                   row_number() over (order by report_count desc, agency_name, agency_key) as rank
            from dim_agency where report_count > 0
        ),
        years as (select unnest(?::integer[]) as report_year),
        cells as (
            select a.rank, y.report_year, s.status, s.report_id
            from agencies a cross join years y
            left join agency_year_summary s on s.agency_key = a.agency_key and s.report_year = y.report_year
        ),
        grid as (
            select rank, string_agg(
                case when status is null
                     then '<td class="cov missing" data-year="' || report_year || '" title="'
                          || report_year || ': missing">·</td>'
                     else '<td class="cov st-' || status || '" data-year="' || report_year || '"><a href="'
                          || '../reports/view.html?id=' || h(report_id) || '" title="' || report_year || ': '
                          || status || '">●</a></td>' end,
                '' order by report_year) as cells,
                count(*) filter (where status is null) as missing
            from cells group by rank
        )
        select a.rank,
               '<tr data-agency="' || h(a.agency_key) || '"><td class="name"><a href="view.html?key='
               || h(a.agency_key) || '">' || h(a.agency_name) || '</a></td><td>' || h(a.level_label)
               || '</td><td>' || h(a.province_name) || '</td><td class="num" data-metric="agency_report_count">'
               || a.report_count || '</td><td class="num">' || g.missing || '</td>' || g.cells || '</tr>'
        from agencies a join grid g using (rank) order by a.rank
        """,
        [years],
    ).fetchall()


def report_list_rows(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    """(rank, <tr> html) per report, by agency, year and file."""
    return con.execute(
        """
        with failed as (
            select report_id, count(*) filter (where not passed) as failed
            from fct_reconciliation_checks group by report_id
        )
        select row_number() over (order by a.agency_name nulls last, r.report_year, r.source_path, r.report_id),
               '<tr data-report="' || h(r.report_id) || '"><td><a href="view.html?id=' || h(r.report_id) || '">'
               || h(r.source_path) || '</a></td><td>' || h(coalesce(a.agency_name, r.reported_agency))
               || '</td><td class="num">' || h(r.report_year) || '</td><td class="st-' || r.status || '">'
               || r.status || '</td><td class="num">' || coalesce(r.finding_count, 0) || '</td><td class="num">'
               || coalesce(f.failed, 0) || '</td></tr>'
        from dim_report r left join dim_agency a using (agency_key) left join failed f using (report_id)
        order by 1
        """
    ).fetchall()


# --- quality --------------------------------------------------------------------------------------


def findings_by_code(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return _dicts(
        con,
        """select finding_code as code, severity, count(*) as findings, count(distinct report_id) as reports
           from report_findings group by all order by findings desc, code, severity""",
    )


def checks_by_rule(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return _dicts(
        con,
        """select c.rule_id as rule, any_value(c.rule_severity) as severity, any_value(r.description) as description,
                  count(*) filter (where c.passed) as passed, count(*) filter (where not c.passed) as failed,
                  count(*) filter (where c.passed is null) as not_assessable,
                  count(distinct c.report_id) filter (where not c.passed) as reports_failing
           from fct_reconciliation_checks c semi join dim_report d using (report_id)
           left join reference.reconciliation_rules r using (rule_id)
           group by all order by rule""",
    )


def worst_reports(con: duckdb.DuckDBPyConnection, per_rule: int = 10) -> list[dict[str, Any]]:
    return _dicts(
        con,
        """with per_report as (
               select rule_id as rule, report_id, any_value(source_path) as source_path,
                      any_value(agency_name) as agency_name, any_value(report_year) as year,
                      count(*) as failed, sum(abs(difference)) as abs_difference,
                      string_agg(scope_key, ', ' order by scope_key) as scopes
               from reconciliation_results where not passed group by rule_id, report_id
           )
           select * from per_report
           qualify row_number() over (partition by rule order by failed desc, abs_difference desc, report_id) <= ?
           order by rule, failed desc, abs_difference desc, report_id""",
        [per_rule],
    )


def rejected_reports(con: duckdb.DuckDBPyConnection, limit: int = 500) -> list[dict[str, Any]]:
    return _dicts(
        con,
        """select r.report_id, r.source_path, r.file_format, r.size_bytes,
                  string_agg(f.finding_code, ', ' order by f.finding_no) as codes,
                  string_agg(f.message, ' · ' order by f.finding_no) as messages
           from dim_report r left join report_findings f using (report_id)
           where r.status = 'rejected' group by all order by r.source_path, r.report_id limit ?""",
        [limit],
    )


# --- requests -------------------------------------------------------------------------------------


def request_flow_by_year(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return _dicts(
        con,
        """select report_year as year, count(distinct report_id) as reports,
                  sum(new_received) as new_received, sum(carried_over) as carried_over,
                  sum(total_handled) as handled, sum(carried_forward) as carried_forward
           from fct_request_flow where is_printed_total and is_current_edition
           group by all order by year""",
    )


def outcomes_by_year(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per year × outcome row (printed totals, current editions), with the outcome's group."""
    return _dicts(
        con,
        """select f.report_year as year, o.outcome_key, any_value(o.outcome_label) as outcome_label,
                  any_value(o.outcome_group_key) as group_key, any_value(o.outcome_group_label) as group_label,
                  any_value(o.sort_order) as sort_order, sum(f.request_count) as requests
           from fct_request_outcomes f join dim_request_outcome o using (outcome_key)
           where f.is_printed_total and f.is_current_edition group by all order by year, sort_order""",
    )


def outcome_groups(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return _dicts(
        con,
        """select outcome_group_key as key, any_value(outcome_group_label) as label, min(sort_order) as sort_order
           from dim_request_outcome group by 1 order by sort_order""",
    )


def outcomes_by_applicant(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return _dicts(
        con,
        """select a.applicant_type_key as applicant, any_value(a.applicant_type_label) as label,
                  any_value(a.sort_order) as sort_order, o.outcome_group_key as group_key,
                  sum(f.request_count) as requests
           from fct_request_outcomes f join dim_request_outcome o using (outcome_key)
           join dim_applicant_type a using (applicant_type_key)
           where not f.is_printed_total and f.is_current_edition group by all order by sort_order, group_key""",
    )


def received_by_applicant(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return _dicts(
        con,
        """select f.applicant_type_key as applicant, f.report_year as year, sum(f.new_received) as new_received
           from fct_request_flow f where not f.is_printed_total and f.is_current_edition group by all""",
    )


def requests_by_province(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return _dicts(
        con,
        """select region_code, region_name, report_year as year, agencies_reporting, requests_new_received,
                  requests_handled, requests_granted, requests_partially_granted, requests_not_held,
                  share_granted_in_full_or_part
           from region_year_summary where region_level = 'province' order by region_code, year""",
    )


def review_litigation_by_year(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return _dicts(
        con,
        """select f.report_year as year, p.proceeding_kind as kind, any_value(p.proceeding_kind_label) as kind_label,
                  f.result_key as result, any_value(r.result_label) as result_label,
                  any_value(r.sort_order) as sort_order, sum(f.case_count) as cases
           from fct_review_litigation f join dim_review_proceeding p using (proceeding_key)
           join dim_review_result r using (result_key)
           where f.is_current_edition group by all order by year, kind desc, sort_order""",
    )


# --- viewers' data --------------------------------------------------------------------------------


def template(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The template's rows and columns in printed order (the viewer's grid); a cell names them by index."""
    rows = _dicts(
        con,
        """select table_key, row_key, label, group_label, parent_key, is_result, template_versions
           from reference.template_rows order by table_key, sort_order""",
    )
    columns = _dicts(
        con,
        """select table_key, column_key, label, group_label, template_versions
           from reference.template_columns order by table_key, sort_order""",
    )
    return {"rows": rows, "columns": columns}


def _cells_source(con: duckdb.DuckDBPyConnection, lake: Path | None) -> str:
    """A relation of (report_id, table_key, row_key, column_key, value, line, text)."""
    if lake is not None and any((lake / "report_cells").glob("*/*/*.parquet")):
        path = str(lake / "report_cells" / "*" / "*" / "*.parquet").replace("'", "''")
        return (
            f"(select report_id, table_key, row_key, column_key, value, line, text "
            f"from read_parquet('{path}', hive_partitioning = true))"
        )
    flows = ", ".join(
        f"{{'k': '{c}', 'v': {c}::double}}"
        for c in ("new_received", "carried_over", "total_handled", "carried_forward")
    )
    active = {
        "issued": "issued",
        "repealed": "repealed",
        "in_force": "in_force",
        "decisions": "decisions",
        "amount": "fee_amount_wan_yuan",
        "produced": "produced_2019",
        "published": "published_2019",
        "total_published": "total_published_2019",
        "items_last_year": "items_last_year_2019",
        "items_change": "items_change_2019",
        "procurement_items": "procurement_items_2019",
        "procurement_amount": "procurement_amount_wan_yuan_2019",
    }
    measures = ", ".join(f"{{'k': '{k}', 'v': {v}::double}}" for k, v in active.items())
    return f"""(
        select report_id, 'requests' as table_key, outcome_key as row_key, applicant_type_key as column_key,
               request_count::double as value, source_line as line, null::varchar as text
        from fct_request_outcomes
        union all
        select report_id, 'requests', m.k, applicant_type_key, m.v, null, null
        from (select *, unnest([{flows}]) as m from fct_request_flow)
        union all
        select report_id, 'review_litigation', proceeding_key, result_key, case_count::double, source_line, null
        from fct_review_litigation
        union all
        select report_id, 'active_disclosure', item_key, m.k, m.v, null, null
        from (select *, unnest([{measures}]) as m from fct_active_disclosure)
        where m.v is not null  -- which measures an item prints is the lake's to say: a blank one shows as absent
    )"""


def report_shards(con: duckdb.DuckDBPyConnection, lake: Path | None) -> Iterator[tuple[str, str]]:
    """(shard, JS text) for every report: metadata, cells [row, column, value, line(, text)], findings, checks."""
    cells = _cells_source(con, lake)
    cursor = con.execute(
        f"""
        with rows_ix as (
            select table_key, row_key, (row_number() over (order by table_key, sort_order)) - 1 as ri
            from reference.template_rows
        ),
        cols_ix as (
            select table_key, column_key, (row_number() over (order by table_key, sort_order)) - 1 as ci
            from reference.template_columns
        ),
        cells as (
            select c.report_id,
                   '[' || r.ri || ',' || k.ci || ',' || num(c.value) || ',' || coalesce(cast(c.line as varchar), 'null')
                   || case when c.text is null or trim(c.text) = num(c.value) then '' else ',' || js(trim(c.text)) end
                   || ']' as cell
            from {cells} c join rows_ix r using (table_key, row_key) join cols_ix k using (table_key, column_key)
            where c.report_id in (select report_id from dim_report)
        ),
        cells_by_report as (select report_id, string_agg(cell, ',') as cells from cells group by report_id),
        findings as (
            select report_id, string_agg(
                '[' || js(finding_code) || ',' || js(severity) || ',' || coalesce(cast(source_line as varchar), 'null')
                || ',' || js(table_key) || ',' || js(row_key) || ',' || js(column_key) || ',' || js(message) || ']',
                ',' order by stage, finding_no) as findings
            from report_findings group by report_id
        ),
        rule_counts as (
            select report_id, rule_id,
                   count(*) filter (where passed) as passed, count(*) filter (where not passed) as failed,
                   count(*) filter (where passed is null) as na
            from fct_reconciliation_checks group by all
        ),
        counts_by_report as (
            select report_id, string_agg('[' || js(rule_id) || ',' || passed || ',' || failed || ',' || na || ']',
                                         ',' order by rule_id) as counts
            from rule_counts group by report_id
        ),
        checks as (
            select c.report_id, string_agg(
                '[' || js(c.rule_id) || ',' || js(c.table_key) || ',' || js(c.scope_kind) || ',' || js(c.scope_key)
                || ',' || num(c.expected) || ',' || num(c.actual) || ',' || num(c.difference) || ','
                || coalesce(cast(c.passed as varchar), 'null') || ',' || js(c.compared_report_id) || ']',
                ',' order by c.rule_id, c.scope_key) as checks
            from fct_reconciliation_checks c where c.passed is distinct from true group by c.report_id
        ),
        reports as (
            select substr(r.report_id, 1, {SHARD_HEX}) as shard,
                   js(r.report_id) || ':{{"path":' || js(r.source_path) || ',"agency_key":' || js(r.agency_key)
                   || ',"agency":' || js(coalesce(a.agency_name, r.reported_agency)) || ',"year":'
                   || coalesce(cast(r.report_year as varchar), 'null') || ',"status":' || js(r.status)
                   || ',"template":' || js(r.template_version) || ',"title":' || js(r.title)
                   || ',"published_on":' || js(cast(r.published_on as varchar)) || ',"format":' || js(r.file_format)
                   || ',"encoding":' || js(r.encoding) || ',"current":' || js(r.is_current_edition)
                   || ',"cells":[' || coalesce(c.cells, '') || '],"findings":[' || coalesce(f.findings, '')
                   || '],"rule_counts":[' || coalesce(n.counts, '') || '],"checks":[' || coalesce(k.checks, '')
                   || ']}}' as entry
            from dim_report r left join dim_agency a using (agency_key)
            left join cells_by_report c using (report_id) left join findings f using (report_id)
            left join counts_by_report n using (report_id) left join checks k using (report_id)
        )
        select shard, 'window.SITE_DATA=Object.assign(window.SITE_DATA||{{}},{{' || string_agg(entry, ',') || '}});'
        from reports group by shard
        """
    )
    while batch := cursor.fetchmany(256):
        yield from batch


AGENCY_YEAR_COLUMNS = [
    "report_year",
    "report_id",
    "status",
    "published_on",
    "template_version",
    "requests_new_received",
    "requests_carried_over",
    "requests_handled",
    "requests_carried_forward",
    "requests_granted",
    "requests_partially_granted",
    "requests_denied",
    "requests_not_held",
    "requests_unavailable",
    "requests_not_processed",
    "requests_other_processing",
    "share_granted_in_full_or_part",
    "reviews_total",
    "reviews_corrected",
    "lawsuits_total",
    "lawsuits_corrected",
    "rules_in_force",
    "normative_documents_issued",
    "normative_documents_repealed",
    "normative_documents_in_force",
    "licensing_decisions",
    "penalty_decisions",
    "coercion_decisions",
    "fees_wan_yuan",
    "reconciliation_checks_passed",
    "reconciliation_checks_failed",
    "reconciliation_checks_not_assessable",
    "finding_count",
]


def agency_shards(con: duckdb.DuckDBPyConnection) -> Iterator[tuple[str, str]]:
    """(shard, JS text) for every agency with reports: its years (agency_year_summary) and R5/R6 checks."""
    fields = ", ".join(f"{c} := s.{c}" for c in AGENCY_YEAR_COLUMNS)
    cursor = con.execute(
        f"""
        with years as (
            select agency_key, cast(to_json(list(struct_pack({fields}) order by s.report_year)) as varchar) as years
            from agency_year_summary s group by agency_key
        ),
        cross_year as (
            select agency_key, string_agg(
                '[' || js(rule_id) || ',' || js(rule_severity) || ',' || js(scope_key) || ','
                || coalesce(cast(report_year as varchar), 'null') || ',' || js(report_id) || ','
                || js(compared_report_id) || ',' || num(expected) || ',' || num(actual) || ',' || num(difference)
                || ',' || coalesce(cast(passed as varchar), 'null') || ']',
                ',' order by rule_id, report_year, scope_key) as checks
            from fct_reconciliation_checks where rule_id in ('R5', 'R6') and is_current_edition group by agency_key
        ),
        agencies as (
            select shard_of(a.agency_key) as shard,
                   js(a.agency_key) || ':{{"name":' || js(a.agency_name) || ',"level":' || js(a.level_label)
                   || ',"kind":' || js(a.kind_label) || ',"region":' || js(a.region_name) || ',"province":'
                   || js(a.province_name) || ',"reports":' || a.report_count || ',"years":'
                   || coalesce(y.years, '[]') || ',"checks":[' || coalesce(c.checks, '') || ']}}' as entry
            from dim_agency a left join years y using (agency_key) left join cross_year c using (agency_key)
            where a.report_count > 0
        )
        select shard, 'window.SITE_DATA=Object.assign(window.SITE_DATA||{{}},{{' || string_agg(entry, ',') || '}});'
        from agencies group by shard
        """
    )
    while batch := cursor.fetchmany(256):
        yield from batch

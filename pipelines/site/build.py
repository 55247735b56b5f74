"""Build the static report site from a published warehouse: `build_site(warehouse, out)`.

Layout of the site (every path relative, opened from file:// with no network):

    index.html                overview: totals, reports by year and status, agencies by level and
                              province, the coverage grid of the agencies with most reports
    quality.html              findings by code, reconciliation by rule, worst reports, rejected files
    requests.html             requests and outcomes by year, applicant type, province; review and litigation
    reports/page-<n>.html     every report, REPORTS_PER_PAGE a page, linking to the viewer
    reports/view.html?id=ID   one report: its three tables as printed, source lines, findings, checks
    reports/data/<hex>.js     the viewer's data, by the report id's first SHARD_HEX hex digits
    agencies/page-<n>.html    every agency with reports: the coverage grid, AGENCIES_PER_PAGE a page
    agencies/view.html?key=K  one agency: its years side by side, R5 and R6
    agencies/data/<hex>.js    the viewer's data, by an FNV-1a hash of the key
    assets/                   plotly.min.js and site.css

The site is written into a temporary folder beside `out` and renamed into place: a reader sees
the previous site or the new one, never half of one.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pipelines.publish import one_row
from pipelines.site import charts, pages, queries


class SiteError(Exception):
    """A site that cannot be built (no warehouse)."""


@dataclass
class SiteResult:
    path: Path
    reports: int = 0
    agencies: int = 0
    checks_failed: int = 0
    files: int = 0
    size_bytes: int = 0
    seconds: float = 0.0
    stages: list[tuple[str, float]] = field(default_factory=list)


TOTAL_LABELS = [
    ("reports_total", "reports 报告"),
    ("reports_ok", "ok"),
    ("reports_partial", "partial 部分读取"),
    ("reports_rejected", "rejected 无法读取"),
    ("agencies_reporting", "agencies 机关"),
    ("cells_total", "cells 单元格"),
    ("findings_total", "findings 问题"),
    ("checks_passed", "checks passed 勾稽通过"),
    ("checks_failed", "checks failed 勾稽不符"),
    ("checks_not_assessable", "not assessable 无法核对"),
]

AGENCY_METRICS = [  # (agency_year_summary column, label, format) in the agency viewer's rows
    ("report_id", "report 报告", "id"),
    ("status", "status 状态", "text"),
    ("published_on", "published 发布", "text"),
    ("template_version", "template 模板", "text"),
    ("requests_new_received", "本年新收申请", "count"),
    ("requests_carried_over", "上年结转", "count"),
    ("requests_handled", "办理结果总计", "count"),
    ("requests_carried_forward", "结转下年度", "count"),
    ("requests_granted", "予以公开", "count"),
    ("requests_partially_granted", "部分公开", "count"),
    ("requests_denied", "不予公开", "count"),
    ("requests_not_held", "本机关不掌握", "count"),
    ("requests_unavailable", "无法提供", "count"),
    ("requests_not_processed", "不予处理", "count"),
    ("requests_other_processing", "其他处理", "count"),
    ("share_granted_in_full_or_part", "公开及部分公开比例", "share"),
    ("reviews_total", "行政复议", "count"),
    ("reviews_corrected", "复议纠正", "count"),
    ("lawsuits_total", "行政诉讼", "count"),
    ("lawsuits_corrected", "诉讼纠正", "count"),
    ("rules_in_force", "现行有效规章", "count"),
    ("normative_documents_issued", "规范性文件 制发", "count"),
    ("normative_documents_repealed", "规范性文件 废止", "count"),
    ("normative_documents_in_force", "规范性文件 现行有效", "count"),
    ("licensing_decisions", "行政许可决定", "count"),
    ("penalty_decisions", "行政处罚决定", "count"),
    ("coercion_decisions", "行政强制决定", "count"),
    ("fees_wan_yuan", "行政事业性收费（万元）", "count"),
    ("reconciliation_checks_passed", "checks passed 勾稽通过", "count"),
    ("reconciliation_checks_failed", "checks failed 勾稽不符", "count"),
    ("reconciliation_checks_not_assessable", "not assessable 无法核对", "count"),
    ("finding_count", "findings 问题", "count"),
]


def _write_shards(folder: Path, shards: Iterable[tuple[str, str]]) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for shard, text in shards:
        (folder / f"{shard}.js").write_text(text, encoding="utf-8")
        count += 1
    return count


def _from_site_root(row: str) -> str:
    """A coverage row's links, which point from agencies/, made to point from the site's root."""
    return row.replace('href="view.html?key=', 'href="agencies/view.html?key=').replace(
        'href="../reports/view.html?id=', 'href="reports/view.html?id='
    )


def _paginate(rows: list[tuple[int, str]], per_page: int) -> list[list[str]]:
    html = [row for _, row in rows]
    return [html[i : i + per_page] for i in range(0, len(html), per_page)] or [[]]


def _by_year(rows: list[dict[str, Any]], years: list[Any], handled: dict[Any, Any]) -> dict[Any, dict[str, Any]]:
    out: dict[Any, dict[str, Any]] = {y: {"requests": None, "share": None} for y in years}
    for r in rows:
        total = handled.get(r["year"])
        out[r["year"]] = {
            "requests": r["requests"],
            "share": (float(r["requests"]) / float(total)) if r["requests"] is not None and total else None,
        }
    return out


def _requests_context(con: Any) -> dict[str, Any]:
    flow = queries.request_flow_by_year(con)
    handled = {r["year"]: r["handled"] for r in flow}
    rows = queries.outcomes_by_year(con)
    years = sorted({r["year"] for r in rows} | set(handled))
    groups = queries.outcome_groups(con)
    for g in groups:
        sums: dict[Any, Any] = {}
        for r in rows:
            if r["group_key"] == g["key"] and r["requests"] is not None:
                sums[r["year"]] = sums.get(r["year"], 0) + r["requests"]
        g["by_year"] = _by_year([{"year": y, "requests": v} for y, v in sums.items()], years, handled)
    outcome_rows: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = outcome_rows.setdefault(
            r["outcome_key"],
            {"key": r["outcome_key"], "label": r["outcome_label"], "group_label": r["group_label"], "rows": []},
        )
        entry["rows"].append(r)
    for entry in outcome_rows.values():
        entry["by_year"] = _by_year(entry.pop("rows"), years, handled)
    applicants: dict[str, dict[str, Any]] = {}
    for r in queries.outcomes_by_applicant(con):
        a = applicants.setdefault(r["applicant"], {"key": r["applicant"], "label": r["label"], "by_group": {}})
        a["by_group"][r["group_key"]] = r["requests"]
    received: dict[str, Any] = {}
    for r in queries.received_by_applicant(con):
        if r["new_received"] is not None:
            received[r["applicant"]] = received.get(r["applicant"], 0) + r["new_received"]
    for a in applicants.values():
        a["received"] = received.get(a["key"])
    review_rows = queries.review_litigation_by_year(con)
    results: list[dict[str, Any]] = []
    review: dict[tuple[int, str], dict[str, Any]] = {}  # by (year, proceeding kind)
    for r in review_rows:
        if r["result"] not in [x["key"] for x in results]:
            results.append({"key": r["result"], "label": r["result_label"], "sort": r["sort_order"]})
        row = review.setdefault(
            (r["year"], r["kind"]),
            {"year": r["year"], "kind": r["kind"], "kind_label": r["kind_label"], "by_result": {}},
        )
        row["by_result"][r["result"]] = r["cases"]
    results.sort(key=lambda x: x["sort"])

    charts_html = {
        "outcomes": charts.stacked_bars(
            "chart-outcomes",
            "办理结果（占办理总数）",
            years,
            {g["label"]: [g["by_year"][y]["share"] for y in years] for g in groups},
            yaxis={"tickformat": ".0%"},
        ),
        "applicants": charts.stacked_bars(
            "chart-applicants",
            "按申请人类型的办理结果",
            [a["label"] for a in applicants.values()],
            {g["label"]: [a["by_group"].get(g["key"]) for a in applicants.values()] for g in groups},
        ),
        "review": charts.stacked_bars(
            "chart-review",
            "行政复议、行政诉讼（结果）",
            [f"{row['year']} {row['kind_label']}" for row in review.values()],
            {
                x["label"]: [row["by_result"].get(x["key"]) for row in review.values()]
                for x in results
                if x["key"] != "total"
            },
        ),
    }
    return {
        "flow": flow,
        "years": years,
        "groups": groups,
        "outcome_rows": list(outcome_rows.values()),
        "applicants": list(applicants.values()),
        "provinces": queries.requests_by_province(con),
        "review": list(review.values()),
        "results": results,
        "charts_html": charts_html,
    }


def _build_into(folder: Path, warehouse: Path, lake: Path | None, summary: SiteResult) -> None:
    def stage(name: str, started: float) -> float:
        now = time.perf_counter()
        summary.stages.append((name, now - started))
        return now

    t = time.perf_counter()
    con = queries.connect(warehouse)
    try:
        has_build_row = one_row(
            con, "select count(*) from information_schema.tables where table_name = 'warehouse_build'"
        )[0]
        built = one_row(con, "select max(built_at) from warehouse_build")[0] if has_build_row else None
        common = {
            "built_at": datetime.now().strftime("%Y-%m-%d %H:%M"),
            "warehouse_name": warehouse.name,
            "warehouse_built_at": built.strftime("%Y-%m-%d %H:%M") if built else "unknown",
        }
        (folder / "assets").mkdir()
        charts.write_plotly_js(folder / "assets" / "plotly.min.js")
        shutil.copyfile(pages.TEMPLATES / "site.css", folder / "assets" / "site.css")

        totals = queries.totals(con)
        summary.reports, summary.agencies = totals["reports_total"], totals["agencies_reporting"]
        summary.checks_failed = totals["checks_failed"]
        by_year = queries.reports_by_year(con)
        by_level = queries.agencies_by(con, "level")
        by_province = queries.agencies_by(con, "province")
        years = queries.coverage_years(con)
        coverage = queries.coverage_rows(con, years)
        agency_pages = _paginate(coverage, queries.AGENCIES_PER_PAGE)
        t = stage("overview queries", t)
        pages.render(
            "index.html",
            folder / "index.html",
            **common,
            root="",
            page="overview",
            title="政府信息公开年度报告 · Overview",
            charts=True,
            totals=totals,
            total_labels=TOTAL_LABELS,
            by_year=by_year,
            by_level=by_level,
            by_province=by_province,
            years=years,
            coverage_rows=[_from_site_root(row) for _, row in coverage[:30]],
            agency_pages=len(agency_pages),
            charts_html={
                "by_year": charts.stacked_bars(
                    "chart-reports-by-year",
                    "报告（按年度、状态）",
                    [r["year"] for r in by_year],
                    {s: [r[s] for r in by_year] for s in ("ok", "partial", "rejected")},
                ),
                "by_level": charts.bars(
                    "chart-agencies-by-level",
                    "机关（按层级）",
                    [r["label"] for r in by_level],
                    [r["agencies"] for r in by_level],
                ),
                "by_province": charts.bars(
                    "chart-agencies-by-province",
                    "机关（按省份）",
                    [r["label"] for r in by_province],
                    [r["agencies"] for r in by_province],
                    horizontal=True,
                ),
            },
        )
        t = stage("overview", t)

        findings = queries.findings_by_code(con)
        rules = queries.checks_by_rule(con)
        pages.render(
            "quality.html",
            folder / "quality.html",
            **common,
            root="",
            page="quality",
            title="Quality 数据质量",
            charts=True,
            totals=totals,
            findings=findings,
            rules=rules,
            worst=queries.worst_reports(con),
            rejected=queries.rejected_reports(con),
            charts_html={
                "findings": charts.bars(
                    "chart-findings",
                    "发现的问题（按代码）",
                    [f"{r['code']} ({r['severity']})" for r in findings],
                    [r["findings"] for r in findings],
                    horizontal=True,
                ),
                "rules": charts.stacked_bars(
                    "chart-rules",
                    "勾稽关系（按规则）",
                    [r["rule"] for r in rules],
                    {
                        "passed": [r["passed"] for r in rules],
                        "failed": [r["failed"] for r in rules],
                        "not assessable": [r["not_assessable"] for r in rules],
                    },
                ),
            },
        )
        t = stage("quality", t)
        pages.render(
            "requests.html",
            folder / "requests.html",
            **common,
            root="",
            page="requests",
            title="Requests 依申请公开",
            charts=True,
            **_requests_context(con),
        )
        t = stage("requests", t)

        for kind, rows, per_page, intro in (
            ("agencies", agency_pages, queries.AGENCIES_PER_PAGE, "Every agency with a report, most reports first."),
            ("reports", None, queries.REPORTS_PER_PAGE, "Every file loaded, by agency, year and file."),
        ):
            if rows is None:
                rows = _paginate(queries.report_list_rows(con), per_page)
            for number, chunk in enumerate(rows, start=1):
                pages.render(
                    "list.html",
                    folder / kind / f"page-{number}.html",
                    **common,
                    root="../",
                    page=kind,
                    title=f"{kind.capitalize()} · page {number}",
                    charts=False,
                    intro=intro,
                    kind=kind,
                    rows=chunk,
                    coverage_rows=chunk,
                    years=years,
                    number=number,
                    pages=len(rows),
                    nearby=pages.nearby_pages(number, len(rows)),
                )
            t = stage(f"{kind} pages", t)

        template = queries.template(con)
        pages.render(
            "report_view.html",
            folder / "reports" / "view.html",
            **common,
            root="../",
            page="report",
            title="Report 报告",
            charts=False,
            template_json=json.dumps(template, ensure_ascii=False).replace("</", "<\\/"),
        )
        pages.render(
            "agency_view.html",
            folder / "agencies" / "view.html",
            **common,
            root="../",
            page="agency",
            title="Agency 机关",
            charts=False,
            metrics_json=json.dumps([[k, label, kind] for k, label, kind in AGENCY_METRICS], ensure_ascii=False),
        )
        _write_shards(folder / "reports" / "data", queries.report_shards(con, lake))
        t = stage("report data", t)
        _write_shards(folder / "agencies" / "data", queries.agency_shards(con))
        t = stage("agency data", t)
    finally:
        con.close()


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE); False where that is not available."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _swap_into_place(built: Path, out: Path) -> None:
    """Put the built folder at `out`. Where the system can, the new and the previous site swap in
    one step, so a reader always finds a whole site; elsewhere the previous site is moved aside
    first (for a moment there is none). The previous site is then removed."""
    if out.exists() and _exchange(built, out):
        shutil.rmtree(built, ignore_errors=True)  # now the previous site
        return
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}-old-{os.getpid()}-{time.monotonic_ns()}")
        os.rename(out, old)
    os.rename(built, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_site(warehouse: os.PathLike[str] | str, out: os.PathLike[str] | str, lake: Path | None = None) -> SiteResult:
    """Build the whole site from `warehouse` (opened read-only) into `out`, atomically.

    `lake` (the Parquet lake) adds each cell's printed text and line to the report viewer; without
    it the viewer shows the warehouse's values and the source lines its facts keep.
    """
    started = time.perf_counter()
    warehouse, out = Path(warehouse).resolve(), Path(out).resolve()
    if not warehouse.is_file():
        raise SiteError(f"no warehouse at {warehouse} (run `disclosure build` first)")
    out.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{out.name}-building-", dir=out.parent))
    summary = SiteResult(path=out)
    try:
        building.chmod(0o755)
        _build_into(building, warehouse, lake, summary)
        files = [p for p in building.rglob("*") if p.is_file()]
        summary.files, summary.size_bytes = len(files), sum(p.stat().st_size for p in files)
        _swap_into_place(building, out)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    summary.seconds = time.perf_counter() - started
    return summary

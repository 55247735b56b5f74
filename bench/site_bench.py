"""Benchmark the static report site (`disclosure report`) on a warehouse of N generated reports.

    python bench/site_bench.py --reports 10000 --keep /work/benchdata/site10k
    python bench/site_bench.py --reports 100000 --keep /work/benchdata/site100k

Prepares the warehouse as bench/pipeline_bench.py does (generate the corpus, extract the lake,
dbt build, publish; not timed, and reused when --keep already holds a warehouse of that size),
then times, in the same run: a reference (copying the warehouse file, and a `count(*)` over
fct_request_outcomes), and the site build, repeated --repeat times. Prints the build seconds,
the files and bytes of the site, and the largest page and data file.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines.extract.corpus import extract
from pipelines.generate.corpus import generate_corpus
from pipelines.publish import publish
from pipelines.warehouse import project_hash, run_dbt, start_build


def prepare_warehouse(reports: int, seed: int, work: Path) -> Path:
    """A published warehouse of `reports` generated reports under `work` (reused if there)."""
    raw, lake, build, published = work / "raw", work / "lake", work / "build.duckdb", work / "warehouse.duckdb"
    if published.exists():
        with duckdb.connect(str(published), read_only=True) as con:
            if con.execute("select count(*) from dim_report").fetchone()[0] == reports:
                return published
    started = time.perf_counter()
    if not raw.exists() or sum(1 for _ in raw.iterdir()) != reports:
        shutil.rmtree(raw, ignore_errors=True)
        generate_corpus(reports, seed, raw, work / "truth")
    extract(raw, lake, progress=False)
    start_build(build, published, full_refresh=True)
    outcome = run_dbt(["build", "--full-refresh"], lake_dir=lake, database=build, strict=False, quiet=True)
    if not outcome.success:
        raise SystemExit(f"dbt build failed: {outcome.failures[:3]}")
    publish(build, published, lake / "marts", project_hash())
    print(f"warehouse of {reports} reports prepared in {time.perf_counter() - started:.0f} s (not timed below)")
    return published


def _files(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", type=Path, help="work here and keep the corpus, lake, warehouse and site")
    parser.add_argument("--repeat", type=int, default=2, help="site builds to time (default: %(default)s)")
    args = parser.parse_args()

    from pipelines.site.build import build_site

    work = args.keep or Path(tempfile.mkdtemp(prefix="disclosure-site-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    warehouse = prepare_warehouse(args.reports, args.seed, work)
    size = warehouse.stat().st_size

    started = time.perf_counter()
    shutil.copyfile(warehouse, work / "copy.duckdb")
    copy_seconds = time.perf_counter() - started
    (work / "copy.duckdb").unlink()
    started = time.perf_counter()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        facts = con.execute("select count(*) from fct_request_outcomes").fetchone()[0]
    count_seconds = time.perf_counter() - started
    print(f"reference: copy the warehouse ({size / 1e6:.0f} MB): {copy_seconds:.2f} s")
    print(f"reference: select count(*) from fct_request_outcomes ({facts} rows): {count_seconds:.3f} s")

    site = work / "site"
    for attempt in range(1, args.repeat + 1):
        summary = build_site(warehouse, site, lake=work / "lake")
        print(
            f"site build {attempt}: {summary.seconds:.1f} s ({', '.join(f'{k} {v:.1f} s' for k, v in summary.stages)})"
        )
    files = _files(site)
    total = sum(p.stat().st_size for p in files)
    pages = [p for p in files if p.suffix == ".html"]
    data = [p for p in files if p.suffix == ".js" and p.parent.name == "data"]
    biggest_page = max(pages, key=lambda p: p.stat().st_size)
    biggest_data = max(data, key=lambda p: p.stat().st_size) if data else None
    print(
        f"site: {len(files)} files, {total / 1e6:.1f} MB ({len(pages)} pages, {len(data)} data files "
        f"{sum(p.stat().st_size for p in data) / 1e6:.1f} MB) -> {site}"
    )
    print(f"largest page: {biggest_page.relative_to(site)} {biggest_page.stat().st_size / 1e3:.0f} kB")
    if biggest_data:
        print(f"largest data file: {biggest_data.relative_to(site)} {biggest_data.stat().st_size / 1e3:.0f} kB")
    print(f"reports {summary.reports}, agencies {summary.agencies}, failing checks {summary.checks_failed}")


if __name__ == "__main__":
    main()

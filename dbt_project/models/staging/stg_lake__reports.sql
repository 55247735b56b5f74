-- One row per raw file, typed and renamed; `reported_agency` is the name as the report gives it.
select
    report_id,
    source_path,
    sha256,
    size_bytes,
    encoding,
    script,
    nullif(trim(agency), '') as reported_agency,
    agency_as_written,
    report_year,
    published_on,
    published_on_line,
    index_number,
    title,
    title_line,
    template as template_version,
    n_cells as cell_count,
    n_findings as finding_count,
    status,
    status = 'rejected' as is_rejected,
    parser_version
from {{ source('lake', 'reports') }}

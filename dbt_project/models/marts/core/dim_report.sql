-- Every file the extraction saw, rejected ones included, with its agency and edition.
select
    report_id,
    source_path,
    sha256,
    size_bytes,
    agency_key,
    reported_agency,
    agency_as_written,
    is_registered as is_agency_registered,
    report_year,
    published_on,
    index_number,
    title,
    script,
    encoding,
    template_version,
    status,
    is_rejected,
    is_current_edition,
    cell_count,
    finding_count,
    parser_version
from {{ ref('int_reports_resolved') }}

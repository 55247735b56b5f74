-- Every finding about a report: the extraction's (stage = extract) and the warehouse's own
-- (stage = warehouse: an agency missing from the registry).
with extracted as (
    select
        report_id,
        'extract' as stage,
        finding_no,
        finding_code,
        severity,
        source_line,
        table_key,
        row_key,
        column_key,
        message
    from {{ ref('stg_lake__report_findings') }}
),

unregistered as (
    select
        report_id,
        'warehouse' as stage,
        1 as finding_no,
        'agency_not_in_registry' as finding_code,
        'warning' as severity,
        title_line as source_line,
        cast(null as varchar) as table_key,
        cast(null as varchar) as row_key,
        cast(null as varchar) as column_key,
        format(
            'agency ''{}'' is not in the agency registry: loaded as {}; add it to seeds/agency_registry.csv and its names to seeds/agency_aliases.csv',
            reported_agency, agency_key
        ) as message
    from {{ ref('int_reports_resolved') }}
    where not is_rejected and not is_registered and reported_agency is not null
)

select
    findings.*,
    reports.source_path,
    reports.agency_key,
    reports.report_year
from (select * from extracted union all select * from unregistered) as findings
inner join {{ ref('int_reports_resolved') }} as reports using (report_id)

-- Every finding about a report: the extraction's (stage = extract) and the warehouse's own
-- (stage = warehouse: an agency missing from the registry, a number too large to load).
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
        0 as sort_key,
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
),

out_of_range as (
    select
        report_id,
        cell_no as sort_key,
        'value_out_of_range' as finding_code,
        'error' as severity,
        source_line,
        table_key,
        row_key,
        column_key,
        format(
            '{}.{}.{} holds {}: no count or amount is that large (at least {}); kept as null',
            table_key, row_key, column_key, trim(cell_text), {{ var('max_cell_value') }}
        ) as message
    from {{ ref('stg_lake__report_cells') }}
    where is_out_of_range
),

warehouse as (
    select * from unregistered
    union all
    select * from out_of_range
),

numbered as (
    select
        report_id,
        'warehouse' as stage,
        cast(row_number() over (partition by report_id order by sort_key) as integer) as finding_no,
        finding_code,
        severity,
        source_line,
        table_key,
        row_key,
        column_key,
        message
    from warehouse
)

select
    findings.*,
    reports.source_path,
    reports.agency_key,
    reports.report_year
from (select * from extracted union all select * from numbered) as findings
inner join {{ ref('int_reports_resolved') }} as reports using (report_id)

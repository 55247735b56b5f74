-- Every finding about a report: the extraction's (stage = extract) and the warehouse's own
-- (stage = warehouse: a number too large to load).
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
        {{ format_text(
            '{}.{}.{} holds {}: no count or amount is that large (at least {}); kept as null',
            ['table_key', 'row_key', 'column_key', 'trim(cell_text)', var('max_cell_value')]
        ) }} as message
    from {{ ref('stg_lake__report_cells') }}
    where is_out_of_range
),

warehouse as (
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
from (
    select * from extracted
    union all
    select * from numbered
) as findings
inner join {{ ref('int_reports_resolved') }} as reports using (report_id)

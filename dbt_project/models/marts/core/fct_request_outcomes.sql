-- Grain: report × outcome (result row of table 3) × applicant type (its seven columns,
-- `total` being the printed 总计). request_count is null where the report's cell is blank.
{{ report_incremental_config(reports_built='reports_to_build') }}

with reports as (
    {{ reports_to_build() }}
),

outcomes as (
    select outcome_key from {{ ref('dim_request_outcome') }}
)

select
    cells.report_id,
    reports.agency_key,
    reports.report_year,
    reports.is_current_edition,
    cells.row_key as outcome_key,
    cells.column_key as applicant_type_key,
    cells.column_key = 'total' as is_printed_total,
    cast(cells.value as bigint) as request_count,
    cells.source_line
from {{ ref('stg_lake__report_cells') }} as cells
inner join reports using (report_id)
inner join outcomes on cells.row_key = outcomes.outcome_key
where cells.table_key = 'requests'

-- Grain: report × proceeding (复议 / 直接起诉 / 复议后起诉) × result (维持, 纠正, 其他, 尚未审结,
-- and the printed 总计).
{{ report_incremental_config(reports_built='reports_to_build') }}

with reports as (
    {{ reports_to_build() }}
)

select
    cells.report_id,
    reports.agency_key,
    reports.report_year,
    reports.is_current_edition,
    cells.row_key as proceeding_key,
    cells.column_key as result_key,
    cells.column_key = 'total' as is_printed_total,
    cast(cells.value as bigint) as case_count,
    cells.source_line
from {{ ref('stg_lake__report_cells') }} as cells
inner join reports using (report_id)
where cells.table_key = 'review_litigation'

-- Table 3 turned sideways: one row per report × applicant column with the four flow rows
-- and the sum of the result rows (for R1 and R3). Every non-rejected report gets all seven
-- columns, so a missing table shows as nulls rather than as absent rows. Built incrementally:
-- a report's rows depend on its cells only.
{{ report_incremental_config() }}

with reports as (
    select report_id from {{ ref('int_reports_resolved') }} where not is_rejected {{ only_new_reports() }}
),

applicant_columns as (
    select column_key from {{ ref('template_columns') }} where table_key = 'requests'
),

result_rows as (
    select row_key, is_result from {{ ref('template_rows') }} where table_key = 'requests'
),

cells as (
    select lake_cells.report_id, lake_cells.row_key, lake_cells.column_key, lake_cells.value
    from {{ ref('stg_lake__report_cells') }} as lake_cells
    where lake_cells.table_key = 'requests' and lake_cells.report_id in (select reports.report_id from reports)
),

combined_other as (
    select distinct report_id from cells where row_key = 'other_processing'
)

select
    reports.report_id,
    applicant_columns.column_key,
    cast(max(cells.value) filter (where cells.row_key = 'new_received') as bigint) as new_received,
    cast(max(cells.value) filter (where cells.row_key = 'carried_over') as bigint) as carried_over,
    cast(max(cells.value) filter (where cells.row_key = 'total_handled') as bigint) as total_handled,
    cast(max(cells.value) filter (where cells.row_key = 'carried_forward') as bigint) as carried_forward,
    cast(sum(cells.value) filter (where result_rows.is_result) as bigint) as results_sum,
    count(cells.value) filter (where result_rows.is_result) as results_present,
    -- 21 result rows, or 19 when （六）其他处理 is printed as one row (always so in the 2019 template)
    case when combined_other.report_id is null then 21 else 19 end as results_expected
from reports
cross join applicant_columns
left join cells
    on reports.report_id = cells.report_id
    and applicant_columns.column_key = cells.column_key
left join result_rows on cells.row_key = result_rows.row_key
left join combined_other on reports.report_id = combined_other.report_id
group by reports.report_id, applicant_columns.column_key, combined_other.report_id

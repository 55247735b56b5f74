-- Grain: report × applicant type. Requests received this year and carried over, handled and
-- carried forward (the four flow rows of table 3).
{{ report_incremental_config(reports_built='reports_to_build') }}

with reports as (
    {{ reports_to_build() }}
)

select
    flow.report_id,
    reports.agency_key,
    reports.report_year,
    reports.is_current_edition,
    flow.column_key as applicant_type_key,
    flow.column_key = 'total' as is_printed_total,
    flow.new_received,
    flow.carried_over,
    flow.total_handled,
    flow.carried_forward
from {{ ref('int_requests_pivoted_by_column') }} as flow
inner join reports using (report_id)

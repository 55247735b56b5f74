-- Grain: report × disclosure item (table 2). Documents issued, repealed and in force; decisions
-- taken; fees collected in 万元. A measure the item does not have is null.
with reports as (
    select report_id, agency_key, report_year, is_current_edition
    from {{ ref('int_reports_resolved') }}
    where not is_rejected
)

select
    items.report_id,
    reports.agency_key,
    reports.report_year,
    reports.is_current_edition,
    items.item_key,
    items.issued,
    items.repealed,
    items.in_force,
    items.decisions,
    items.fee_amount_wan_yuan
from {{ ref('int_active_disclosure_pivoted') }} as items
inner join reports using (report_id)

-- Grain: report × disclosure item (table 2). Documents issued, repealed and in force; decisions
-- taken; fees collected in 万元; and the 2019/2020 template's own measures (*_2019). A measure
-- the item or the report's template does not have is null.
{{ report_incremental_config(reports_built='reports_to_build') }}

with reports as (
    {{ reports_to_build() }}
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
    items.fee_amount_wan_yuan,
    items.produced_2019,
    items.published_2019,
    items.total_published_2019,
    items.items_last_year_2019,
    items.items_change_2019,
    items.procurement_items_2019,
    items.procurement_amount_wan_yuan_2019
from {{ ref('int_active_disclosure_pivoted') }} as items
inner join reports using (report_id)

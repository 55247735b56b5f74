{{ config(meta={"dagster": {"ref": {"name": "dim_report"}}}) }}
-- Integrity: every file of the lake is in dim_report, and every non-rejected report with
-- cells reaches the facts and the reconciliation. Returns the reports that went missing.
with lake as (
    select report_id, is_rejected, cell_count from {{ ref('stg_lake__reports') }}
),

in_facts as (
    select report_id from {{ ref('fct_request_flow') }}
    union
    select report_id from {{ ref('fct_active_disclosure') }}
    union
    select report_id from {{ ref('fct_review_litigation') }}
),

reconciled as (
    select distinct report_id from {{ ref('fct_reconciliation_checks') }}
)

select lake.report_id, 'not in dim_report' as problem
from lake
left join {{ ref('dim_report') }} as dims using (report_id)
where dims.report_id is null

union all

select lake.report_id, 'has cells but no facts' as problem
from lake
left join in_facts using (report_id)
where not lake.is_rejected and lake.cell_count > 0 and in_facts.report_id is null

union all

select lake.report_id, 'not reconciled' as problem
from lake
left join reconciled using (report_id)
where not lake.is_rejected and reconciled.report_id is null

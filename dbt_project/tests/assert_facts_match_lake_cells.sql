{{ config(meta={"dagster": {"ref": {"name": "fct_request_outcomes"}}}) }}
-- Integrity: for every table, the facts hold exactly the lake's cells of non-rejected reports
-- (same number of non-null values, same sum). Returns one row per table that differs.
-- A table no report has a cell of counts 0 values on both sides (not a null against a 0).
-- Amounts (unit wan_yuan) are summed as the facts store them, to 4 decimals (1 元): a report
-- printing more decimals is not a lost cell.
with lake as (
    select
        cells.table_key,
        count(cells.value) as n_values,
        sum(case when units.unit = 'wan_yuan' then cast(cells.value as decimal(18, 4)) else cells.value end) as total
    from {{ ref('stg_lake__report_cells') }} as cells
    inner join {{ ref('stg_lake__reports') }} as reports using (report_id)
    left join {{ ref('template_columns') }} as units using (table_key, column_key)
    where not reports.is_rejected
    group by cells.table_key
),

facts as (
    select 'requests' as table_key, count(request_count) as n_values, sum(request_count) as total
    from {{ ref('fct_request_outcomes') }}
    union all
    select
        'requests_flow' as table_key,
        count(new_received) + count(carried_over) + count(total_handled) + count(carried_forward) as n_values,
        sum(
            coalesce(new_received, 0) + coalesce(carried_over, 0) + coalesce(total_handled, 0)
            + coalesce(carried_forward, 0)
        ) as total
    from {{ ref('fct_request_flow') }}
    union all
    select
        'active_disclosure' as table_key,
        (
            count(issued) + count(repealed) + count(in_force) + count(decisions) + count(fee_amount_wan_yuan)
            + count(produced_2019) + count(published_2019) + count(total_published_2019)
            + count(items_last_year_2019) + count(items_change_2019) + count(procurement_items_2019)
            + count(procurement_amount_wan_yuan_2019)
        ) as n_values,
        sum(
            coalesce(issued, 0) + coalesce(repealed, 0) + coalesce(in_force, 0) + coalesce(decisions, 0)
            + coalesce(fee_amount_wan_yuan, 0) + coalesce(produced_2019, 0) + coalesce(published_2019, 0)
            + coalesce(total_published_2019, 0) + coalesce(items_last_year_2019, 0)
            + coalesce(items_change_2019, 0) + coalesce(procurement_items_2019, 0)
            + coalesce(procurement_amount_wan_yuan_2019, 0)
        ) as total
    from {{ ref('fct_active_disclosure') }}
    union all
    select 'review_litigation' as table_key, count(case_count) as n_values, sum(case_count) as total
    from {{ ref('fct_review_litigation') }}
),

facts_by_table as (
    select
        case when table_key = 'requests_flow' then 'requests' else table_key end as table_key,
        sum(n_values) as n_values,
        sum(total) as total
    from facts
    group by all
)

select
    coalesce(lake.table_key, facts_by_table.table_key) as table_key,
    lake.n_values as lake_values,
    facts_by_table.n_values as fact_values,
    lake.total as lake_total,
    facts_by_table.total as fact_total
from lake
full outer join facts_by_table using (table_key)
where coalesce(lake.n_values, 0) <> coalesce(facts_by_table.n_values, 0)
    or abs(coalesce(lake.total, 0) - coalesce(facts_by_table.total, 0)) > 0.00001

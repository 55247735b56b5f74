-- Table 2 with its measures as columns: one row per report × item. The 2019/2020 template's
-- measures have columns of their own (never aliased onto the 2021 ones).
-- Built incrementally: a report's rows depend on its cells only.
{{ report_incremental_config() }}

select
    report_id,
    row_key as item_key,
    cast(max(value) filter (where column_key = 'issued') as bigint) as issued,
    cast(max(value) filter (where column_key = 'repealed') as bigint) as repealed,
    cast(max(value) filter (where column_key = 'in_force') as bigint) as in_force,
    cast(max(value) filter (where column_key = 'decisions') as bigint) as decisions,
    cast(max(value) filter (where column_key = 'amount') as decimal(18, 4)) as fee_amount_wan_yuan,
    cast(max(value) filter (where column_key = 'produced') as bigint) as produced_2019,
    cast(max(value) filter (where column_key = 'published') as bigint) as published_2019,
    cast(max(value) filter (where column_key = 'total_published') as bigint) as total_published_2019,
    cast(max(value) filter (where column_key = 'items_last_year') as bigint) as items_last_year_2019,
    cast(max(value) filter (where column_key = 'items_change') as bigint) as items_change_2019,
    cast(max(value) filter (where column_key = 'procurement_items') as bigint) as procurement_items_2019,
    cast(max(value) filter (where column_key = 'procurement_amount') as decimal(18, 4))
        as procurement_amount_wan_yuan_2019
from {{ ref('stg_lake__report_cells') }}
where table_key = 'active_disclosure' {{ only_new_reports() }}
group by report_id, row_key

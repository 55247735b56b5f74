-- Table 2 with its measures as columns: one row per report × item.
select
    report_id,
    row_key as item_key,
    cast(max(value) filter (where column_key = 'issued') as bigint) as issued,
    cast(max(value) filter (where column_key = 'repealed') as bigint) as repealed,
    cast(max(value) filter (where column_key = 'in_force') as bigint) as in_force,
    cast(max(value) filter (where column_key = 'decisions') as bigint) as decisions,
    cast(max(value) filter (where column_key = 'amount') as decimal(18, 4)) as fee_amount_wan_yuan
from {{ ref('stg_lake__report_cells') }}
where table_key = 'active_disclosure'
group by report_id, row_key

-- GB/T 2260 regions with their prefecture and province, for roll-ups: one row per code, under
-- the name it has now (or had last, for a code since abolished). The seed keeps every name a
-- code had since 2019, with its years.
with ranked as (
    select
        *,
        row_number() over (
            partition by region_code order by valid_to desc nulls first, valid_from desc nulls last
        ) as name_rank
    from {{ ref('regions') }}
),

regions as (
    select * from ranked where name_rank = 1
)

select
    region.region_code,
    region.name as region_name,
    region.short_name as region_short_name,
    region.level as region_level,
    case region.level
        when 'province' then '省级'
        when 'prefecture' then '设区市级'
        when 'county' then '县（市、区）级'
    end as region_level_label,
    region.parent_code,
    parent.name as parent_name,
    case
        when region.level = 'prefecture' then region.region_code
        when region.level = 'county' and parent.level = 'prefecture' then region.parent_code
    end as prefecture_code,
    case
        when region.level = 'prefecture' then region.name
        when region.level = 'county' and parent.level = 'prefecture' then parent.name
    end as prefecture_name,
    region.province_code,
    province.name as province_name,
    region.valid_from,
    region.valid_to,
    region.replaced_by
from regions as region
left join regions as parent on region.parent_code = parent.region_code
left join regions as province on region.province_code = province.region_code

-- GB/T 2260 regions with their prefecture and province, for roll-ups.
with regions as (
    select * from {{ ref('regions') }}
)

select
    region.region_code,
    region.name as region_name,
    region.level as region_level,
    case region.level
        when 'province' then '省级'
        when 'prefecture' then '设区市级'
        when 'county' then '县（市、区）级'
    end as region_level_label,
    region.parent_code,
    parent.name as parent_name,
    case region.level
        when 'prefecture' then region.region_code
        when 'county' then region.parent_code
    end as prefecture_code,
    case region.level
        when 'prefecture' then region.name
        when 'county' then parent.name
    end as prefecture_name,
    left(region.region_code, 2) || '0000' as province_code
from regions as region
left join regions as parent on parent.region_code = region.parent_code

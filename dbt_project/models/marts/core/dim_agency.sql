-- Every agency: the registry's, plus any agency a report names that the registry lacks
-- (is_registered = false, generated key), so its reports still load.
with registry as (
    select * from {{ ref('agency_registry') }}
),

aliases as (
    select agency_key, list(alias order by alias) as aliases
    from {{ ref('agency_aliases') }}
    group by agency_key
),

reports as (
    select * from {{ ref('int_reports_resolved') }} where not is_rejected
),

report_span as (
    select
        agency_key,
        min(report_year) as first_report_year,
        max(report_year) as last_report_year,
        count(*) as report_count
    from reports
    group by agency_key
),

unregistered as (
    select
        agency_key,
        coalesce(min(reported_agency), '（未识别）') as canonical_name,
        cast(null as varchar) as region_code,
        cast(null as varchar) as level,
        cast(null as varchar) as sector
    from reports
    where not is_registered
    group by agency_key
),

agencies as (
    select agency_key, canonical_name, region_code, level, sector, true as is_registered from registry
    union all
    select agency_key, canonical_name, region_code, level, sector, false as is_registered from unregistered
)

select
    agencies.agency_key,
    agencies.canonical_name as agency_name,
    agencies.is_registered,
    coalesce(aliases.aliases, []) as aliases,
    agencies.region_code,
    regions.region_name,
    agencies.level,
    case agencies.level
        when 'province' then '省级'
        when 'prefecture' then '设区市级'
        when 'county' then '县（市、区）级'
        when 'township' then '乡镇（街道）级'
    end as level_label,
    agencies.sector,
    regions.prefecture_code,
    regions.prefecture_name,
    regions.province_code,
    report_span.first_report_year,
    report_span.last_report_year,
    coalesce(report_span.report_count, 0) as report_count
from agencies
left join aliases using (agency_key)
left join {{ ref('dim_region') }} as regions using (region_code)
left join report_span using (agency_key)

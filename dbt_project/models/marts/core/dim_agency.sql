-- Every agency: each one a report names, under the key extraction resolved (its name, region,
-- level and kind as its latest report gives them), and the people's government of every
-- division in the region table, reports or not, so that a department's government_key always
-- finds its government and a user can see which governments published nothing.
with reports as (
    select * from {{ ref('int_reports_resolved') }} where not is_rejected
),

latest as (
    select
        agency_key,
        coalesce(resolved_agency_name, reported_agency, '（未识别）') as agency_name,
        region_code,
        agency_level as level,
        agency_kind as kind,
        government_key,
        government_name,
        row_number() over (
            partition by agency_key
            order by report_year desc nulls last, published_on desc nulls last, source_path desc
        ) as recency
    from reports
),

named as (
    select * from latest where recency = 1
),

printed as (
    select agency_key, reported_agency as printed_name from reports where reported_agency is not null
    union
    select agency_key, agency_as_written from reports where agency_as_written is not null
),

aliases as (
    select agency_key, {{ sorted_list_agg('printed_name') }} as aliases from printed group by agency_key
),

regions as (
    select * from {{ ref('dim_region') }}
),

-- A government's canonical name as resolution prints it: from the prefecture down, with the
-- province only for its own government and a municipality's districts (北京市朝阳区人民政府).
governments as (
    select
        'ag_' || region.region_code || '_government' as agency_key,
        case
            when region.region_level <> 'county' then region.region_name
            when region.prefecture_code is not null then region.prefecture_name || region.region_name
            when region.parent_code in ('110000', '120000', '310000', '500000')
                then region.parent_name || region.region_name
            else region.region_name
        end || '人民政府' as agency_name,
        region.region_code,
        region.region_level as level,
        'government' as kind
    from regions as region
    -- Hong Kong, Macau and Taiwan publish no reports in this template
    where region.province_code not in ('710000', '810000', '820000')
),

-- The government a township's or a zone's agency belongs to, where none of its own reports is
-- loaded: the township's government (or street office), the zone's administration.
referenced as (
    select
        member.government_key as agency_key,
        min(member.government_name) as agency_name,
        min(member.region_code) as region_code,
        min(member.level) as level,
        case when right(member.government_key, 15) = '_administration' then 'special_zone' else 'government' end as kind
    from named as member
    where member.government_key is not null
        and member.government_key not in (select named.agency_key from named)
        and member.government_key not in (select governments.agency_key from governments)
    group by member.government_key
),

agencies as (
    select agency_key, agency_name, region_code, level, kind, government_key, government_name from named
    union all
    select
        governments.agency_key,
        governments.agency_name,
        governments.region_code,
        governments.level,
        governments.kind,
        governments.agency_key as government_key,
        governments.agency_name as government_name
    from governments
    where governments.agency_key not in (select named.agency_key from named)
    union all
    select
        agency_key,
        agency_name,
        region_code,
        level,
        kind,
        agency_key as government_key,
        agency_name as government_name
    from referenced
),

report_span as (
    select
        agency_key,
        min(report_year) as first_report_year,
        max(report_year) as last_report_year,
        count(*) as report_count
    from reports
    group by agency_key
)

select
    agencies.agency_key,
    agencies.agency_name,
    agencies.region_code is not null as is_resolved,
    coalesce(aliases.aliases, {{ empty_string_list() }}) as aliases,
    agencies.kind,
    case agencies.kind
        when 'government' then '人民政府'
        when 'government_office' then '政府办公厅（室）'
        when 'department' then '政府部门'
        when 'special_zone' then '开发区、新区等管理机构'
    end as kind_label,
    case
        when agencies.kind = 'department'
            then regexp_extract(agencies.agency_key, '^ag_[0-9]{6}(_t[0-9a-f]{6})?(_z[0-9a-f]{6})?_([a-z_]+)$', 3)
    end as department_key,
    agencies.level,
    case agencies.level
        when 'province' then '省级'
        when 'prefecture' then '设区市级'
        when 'county' then '县（市、区）级'
        when 'township' then '乡镇（街道）级'
    end as level_label,
    agencies.government_key,
    agencies.government_name,
    agencies.region_code,
    regions.region_name,
    regions.prefecture_code,
    regions.prefecture_name,
    regions.province_code,
    regions.province_name,
    report_span.first_report_year,
    report_span.last_report_year,
    coalesce(report_span.report_count, 0) as report_count
from agencies
left join aliases using (agency_key)
left join regions using (region_code)
left join report_span using (agency_key)

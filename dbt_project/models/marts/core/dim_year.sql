-- Report years: every year from the earliest to the latest report loaded (not rejected), and
-- any other year a file in dim_report names (a rejected file may still name one, even 1900),
-- so every report's year is a row here. With the template in force and the statutory
-- publication deadlines (条例 第四十九、五十条 since 2019; the 2008 条例 set 31 March for all).
with reports as (
    select report_year, is_rejected, is_current_edition
    from {{ ref('int_reports_resolved') }}
    where report_year is not null
),

bounds as (
    select min(report_year) as first_year, max(report_year) as last_year
    from reports
    where not is_rejected
),

years as (
    select {{ range_rows('first_year', 'last_year + 1', 'integer') }} as report_year
    from bounds
    where first_year is not null
    union
    select cast(report_year as integer) from reports
),

reports_per_year as (
    select report_year, count(*) as report_count
    from reports
    where is_current_edition
    group by report_year
)

select
    years.report_year,
    case when years.report_year >= 2021 then '2021' when years.report_year >= 2019 then '2019' end
        as template_version,
    make_date(years.report_year + 1, case when years.report_year >= 2019 then 1 else 3 end, 31)
        as department_deadline,
    make_date(years.report_year + 1, 3, 31) as government_deadline,
    coalesce(reports_per_year.report_count, 0) as report_count
from years
left join reports_per_year using (report_year)

-- Report years from the earliest to the latest report, with the template in force and the
-- statutory publication deadlines (条例 第四十九、五十条).
with bounds as (
    select min(report_year) as first_year, max(report_year) as last_year
    from {{ ref('int_reports_resolved') }}
    where not is_rejected
),

years as (
    select cast(unnest(range(first_year, last_year + 1)) as integer) as report_year
    from bounds
    where first_year is not null
),

reports_per_year as (
    select report_year, count(*) as report_count
    from {{ ref('int_reports_resolved') }}
    where is_current_edition
    group by report_year
)

select
    years.report_year,
    case when years.report_year <= 2020 then '2019' else '2021' end as template_version,
    make_date(years.report_year + 1, 1, 31) as department_deadline,
    make_date(years.report_year + 1, 3, 31) as government_deadline,
    coalesce(reports_per_year.report_count, 0) as report_count
from years
left join reports_per_year using (report_year)

-- Was each report published by its statutory deadline? Under the 条例 (第五十条) a people's
-- government's department publishes by 31 January and a people's government by 31 March of the
-- next year; under the 2008 条例, 31 March for all (dim_year holds both dates per report year).
-- One row per report read (not rejected) that names its year.
--
-- The deadline follows the agency's kind in dim_agency: a government, or a department (a
-- government's office, 办公厅/办公室, is one of its departments). Where the kind does not settle
-- it (an agency not resolved; a zone's administration, which some publish as a department and
-- some as a government), the report is on time if it met the earlier deadline and late if it
-- missed the later one, counting days from the later one, and unknown in between.
with reports as (
    select report_id, agency_key, report_year, published_on, is_current_edition, source_path
    from {{ ref('dim_report') }}
    where not is_rejected and report_year is not null
),

assessed as (
    select
        reports.report_id,
        reports.agency_key,
        agencies.agency_name,
        agencies.level,
        agencies.kind,
        reports.report_year,
        reports.is_current_edition,
        reports.source_path,
        reports.published_on,
        years.department_deadline,
        years.government_deadline,
        case
            when agencies.kind = 'government' then 'government'
            when agencies.kind in ('department', 'government_office') then 'department'
        end as deadline_rule
    from reports
    left join {{ ref('dim_agency') }} as agencies on reports.agency_key = agencies.agency_key
    left join {{ ref('dim_year') }} as years on reports.report_year = years.report_year
),

judged as (
    select
        *,
        case deadline_rule
            when 'government' then government_deadline
            when 'department' then department_deadline
        end as deadline,
        case
            when published_on is null then 'unknown'
            when deadline_rule = 'government' and published_on <= government_deadline then 'on_time'
            when deadline_rule = 'government' then 'late'
            when deadline_rule = 'department' and published_on <= department_deadline then 'on_time'
            when deadline_rule = 'department' then 'late'
            when published_on <= department_deadline then 'on_time'
            when published_on > government_deadline then 'late'
            else 'unknown'
        end as timeliness
    from assessed
)

select
    report_id,
    agency_key,
    agency_name,
    level,
    kind,
    report_year,
    is_current_edition,
    source_path,
    published_on,
    deadline_rule,
    deadline,
    timeliness,
    -- bigint on every engine (Spark's datediff gives an int), as agency_year_summary's contract says
    cast(case
        when timeliness = 'late'
            then {{ dbt.datediff('coalesce(deadline, government_deadline)', 'published_on', 'day') }}
    end as bigint) as days_late,
    case
        when published_on is null then 'no publish date in the report'
        when deadline_rule is not null then null
        when kind is null and timeliness = 'unknown'
            then 'agency not identified, and published between the two deadlines'
        when kind is null then 'agency not identified; the same under either deadline'
        when timeliness = 'unknown'
            then 'a ' || kind || ' has no single deadline, and it published between the two'
        else 'a ' || kind || ' has no single deadline; the same under either'
    end as note
from judged

-- Is this year's text last year's text, or another agency's, with the numbers changed? Every
-- narrative section of a current edition at least var copied_text_threshold alike to the same
-- section of the same agency's current edition the year before, or of another agency's current
-- edition the same year (pipelines/textreuse; both directions for the latter: who copied whom
-- is not known).
with editions as (
    select report_id, agency_key, report_year, source_path
    from {{ ref('int_reports_resolved') }}
    where is_current_edition
),

agencies as (
    select agency_key, agency_name from {{ ref('dim_agency') }}
)

select
    pairs.report_id,
    report.agency_key,
    agency.agency_name,
    report.report_year,
    report.source_path,
    pairs.section_no,
    case pairs.section_no when 1 then '总体情况' when 5 then '存在的主要问题及改进情况' end as section_name,
    pairs.comparison,
    pairs.compared_report_id,
    compared.agency_key as compared_agency_key,
    compared_agency.agency_name as compared_agency_name,
    compared.report_year as compared_report_year,
    compared.source_path as compared_source_path,
    pairs.similarity
from {{ ref('stg_lake__section_similarity') }} as pairs
inner join editions as report on pairs.report_id = report.report_id
inner join editions as compared on pairs.compared_report_id = compared.report_id
left join agencies as agency on report.agency_key = agency.agency_key
left join agencies as compared_agency on compared.agency_key = compared_agency.agency_key
where pairs.similarity >= {{ var('copied_text_threshold') }}
    and (
        (pairs.comparison = 'previous_year' and compared.report_year = report.report_year - 1)
        or (pairs.comparison = 'same_year_other_agency' and compared.report_year = report.report_year)
    )

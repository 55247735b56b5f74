{#- For an incremental fact: on an incremental run, keep only the reports to (re)build: new
    ones, and ones whose agency, year or edition changed since the fact was built (a report's
    cells never change: its id is the hash of its bytes). Emits an `and …` clause.
    All the rows of a report are written at once from one row of int_reports_resolved, so they
    share its agency, year and edition: grouped by report id alone (a third of the time of a
    distinct on the four columns, over 14M rows), min() gives each report's. -#}
{% macro only_changed_reports(alias) %}
    {%- if is_incremental() %}
    and not exists (
        select 1
        from (
            select report_id, min(agency_key) as agency_key, min(report_year) as report_year,
                min(is_current_edition) as is_current_edition
            from {{ this }}
            group by report_id
        ) as built
        where built.report_id = {{ alias }}.report_id
            and built.agency_key is not distinct from {{ alias }}.agency_key
            and built.report_year is not distinct from {{ alias }}.report_year
            and built.is_current_edition = {{ alias }}.is_current_edition
    )
    {%- endif %}
{% endmacro %}

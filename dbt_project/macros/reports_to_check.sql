{#- The reports fct_reconciliation_checks (re)builds in this run: the ones every fact rebuilds,
    and, on an incremental run, those whose previous year's edition changed (R5 and R6 compare
    a report with it). One row per report id. -#}
{% macro reports_to_check() %}
    select to_build.report_id
    from ({{ reports_to_build() }}) as to_build
    {%- if is_incremental() %}
    union
    select resolved.report_id
    from {{ ref('int_reports_resolved') }} as resolved
    left join {{ ref('int_reports_paired_with_previous_year') }} as now using (report_id)
    left join (
        select report_id, max(compared_report_id) as compared_report_id from {{ this }} group by report_id
    ) as built using (report_id)
    where not resolved.is_rejected and now.compared_report_id is distinct from built.compared_report_id
    {%- endif %}
{%- endmacro %}

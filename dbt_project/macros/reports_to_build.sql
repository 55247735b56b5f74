{#- The reports an incremental fact builds in this run (all of them on a full refresh): not
    rejected, and new or changed since the fact was built. One row per report with the
    attributes every fact carries. -#}
{% macro reports_to_build() %}
    select report_id, agency_key, report_year, is_current_edition
    from {{ ref('int_reports_resolved') }} as resolved
    where not is_rejected {{ only_changed_reports('resolved') }}
{%- endmacro %}

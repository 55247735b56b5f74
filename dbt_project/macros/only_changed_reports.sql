{#- For an incremental fact: on an incremental run, keep only the reports to (re)build: new
    ones, and ones whose agency, year or edition changed since the fact was built (a report's
    cells never change: its id is the hash of its bytes). Emits an `and …` clause. -#}
{% macro only_changed_reports(alias) %}
    {%- if is_incremental() %}
    and not exists (
        select 1
        from (select distinct report_id, agency_key, report_year, is_current_edition from {{ this }}) as built
        where built.report_id = {{ alias }}.report_id
            and built.agency_key is not distinct from {{ alias }}.agency_key
            and built.report_year is not distinct from {{ alias }}.report_year
            and built.is_current_edition = {{ alias }}.is_current_edition
    )
    {%- endif %}
{% endmacro %}

{#- The reports an incremental fact builds in this run (all of them on a full refresh): not
    rejected, and new or changed since the fact was built. One row per report with the
    attributes every fact carries. -#}
{% macro reports_to_build() %}
    select report_id, agency_key, report_year, is_current_edition
    from {{ ref('int_reports_resolved') }} as resolved
    where not is_rejected {{ only_changed_reports('resolved') }}
{%- endmacro %}

{#- For an incremental model whose rows depend on a report's cells only (so never change for
    a report id, the hash of its bytes): on an incremental run, only reports not built yet. -#}
{% macro only_new_reports(column='report_id') %}
    {%- if is_incremental() %}
    and {{ column }} not in (select report_id from {{ this }})
    {%- endif %}
{% endmacro %}

{#- The config every incremental model shares: rows replaced per report, and the rows of reports
    that left the lake deleted after each run. -#}
{% macro report_incremental_config() %}
    {{ config(
        materialized='incremental',
        unique_key='report_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="delete from {{ this }} where report_id not in "
                  ~ "(select report_id from {{ ref('int_reports_resolved') }} where not is_rejected)"
    ) }}
{% endmacro %}

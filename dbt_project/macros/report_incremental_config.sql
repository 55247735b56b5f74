{#- The config every incremental model shares: rows replaced per report (how, per engine:
    `report_incremental_strategy`), and the rows of reports that left the lake deleted after
    each run (`delete_reports_not_built`).

    `reports_built`, for a fact with data tests: the name of the macro that selects the reports
    the fact (re)builds in a run (`reports_to_build` for most). A pre-hook records them (see
    `record_reports_built`), so that the fact's tests check only those reports' rows on an
    incremental build (see `get_where_subquery`). -#}
{% macro report_incremental_config(reports_built=none) %}
    {%- set pre_hook = [] %}
    {%- if reports_built is not none %}
        {%- set pre_hook = ["{{ record_reports_built(" ~ reports_built ~ "()) }}"] %}
    {%- endif %}
    {{ config(
        materialized='incremental',
        unique_key='report_id',
        on_schema_change='fail',
        pre_hook=pre_hook,
        post_hook="{{ delete_reports_not_built() }}"
    ) }}
    {{- config(report_incremental_strategy()) }}
{% endmacro %}

{#- The post-hook of an incremental model: delete the rows of reports no longer in the lake (or
    now rejected), which no run rebuilds. Spark cannot `delete` from a Parquet table; its
    incremental models are partitioned by report id (see `report_incremental_strategy`), so
    the gone reports' partitions are dropped. -#}
{% macro delete_reports_not_built() -%}
    {{ return(adapter.dispatch('delete_reports_not_built')()) }}
{%- endmacro %}

{% macro default__delete_reports_not_built() -%}
    delete from {{ this }} where report_id not in (select report_id from {{ ref('int_reports_resolved') }} where not is_rejected)
{%- endmacro %}

{% macro spark__delete_reports_not_built() -%}
    {%- set gone_sql -%}
        select distinct report_id from {{ this }}
        where report_id not in (select report_id from {{ ref('int_reports_resolved') }} where not is_rejected)
    {%- endset %}
    {%- if execute %}
        {%- set gone = run_query(gone_sql).columns[0].values() %}
        {%- if gone | length > 0 %}
    alter table {{ this }} drop if exists
        {%- for report_id in gone %}
        partition (report_id = '{{ report_id }}'){{ ',' if not loop.last }}
        {%- endfor %}
        {%- endif %}
    {%- endif %}
{%- endmacro %}

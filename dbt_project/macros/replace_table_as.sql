{#- (Re)create `relation` (and its schema) as the result of `select_sql`. DuckDB runs the
    statements as one hook; Spark runs one statement per call and has `create or replace table`
    only for v2 formats (Delta, Iceberg), so the schema and the drop run first, on their own. -#}
{% macro replace_table_as(relation, select_sql) -%}
    {{ return(adapter.dispatch('replace_table_as')(relation, select_sql)) }}
{%- endmacro %}

{% macro default__replace_table_as(relation, select_sql) -%}
    create schema if not exists {{ relation.without_identifier() }};
    create or replace table {{ relation }} as
    {{ select_sql }}
{%- endmacro %}

{% macro spark__replace_table_as(relation, select_sql) -%}
    {%- if execute %}
        {%- do run_query('create schema if not exists ' ~ relation.without_identifier()) %}
        {%- do run_query('drop table if exists ' ~ relation) %}
    {%- endif %}
    create table {{ relation }} as
    {{ select_sql }}
{%- endmacro %}

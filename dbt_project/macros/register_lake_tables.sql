{#- The on-run-start hook: make the lake's Parquet folders readable as the `lake` source.
    DuckDB needs nothing: the source renders as `read_parquet(…, hive_partitioning = true)` (its
    `external_location`, a dbt-duckdb config). Spark reads the same hive-partitioned folders as
    external Parquet tables in the metastore, recreated on every run, and their partitions
    (report_year, bucket) listed again, so a run always sees the lake as it is now. The
    statements run one by one; the hook itself is left empty. -#}
{% macro register_lake_tables() -%}
    {{ return(adapter.dispatch('register_lake_tables')()) }}
{%- endmacro %}

{% macro default__register_lake_tables() -%}
{%- endmacro %}

{% macro spark__register_lake_tables() -%}
    {%- if execute %}
        {%- set lake_dir = var('lake_dir') %}
        {%- for node in graph.sources.values() if node.source_name == 'lake' %}
            {%- set relation = api.Relation.create(schema=node.schema, identifier=node.identifier) %}
            {%- do run_query('create schema if not exists ' ~ relation.without_identifier()) %}
            {%- do run_query('drop table if exists ' ~ relation) %}
            {%- do run_query('create table ' ~ relation ~ " using parquet location '" ~ lake_dir ~ '/' ~ node.name ~ "'") %}
            {%- do run_query('msck repair table ' ~ relation) %}
        {%- endfor %}
    {%- endif %}
{%- endmacro %}

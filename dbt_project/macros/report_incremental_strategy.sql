{#- How an incremental model replaces a report's rows: the config `report_incremental_config`
    adds. DuckDB deletes the report's rows and inserts the new ones (`delete+insert` on the
    report id). dbt-spark has no `delete+insert`, and `merge` needs Delta or Iceberg, whose jars
    no package on this machine's registry ships; plain Parquet with `insert_overwrite`, one
    partition per report id, replaces exactly the partitions of the reports a run rebuilds,
    the same rows `delete+insert` replaces (docs/scaling.md). -#}
{% macro report_incremental_strategy() -%}
    {{ return(adapter.dispatch('report_incremental_strategy')()) }}
{%- endmacro %}

{% macro default__report_incremental_strategy() -%}
    {{ return({'incremental_strategy': 'delete+insert'}) }}
{%- endmacro %}

{% macro spark__report_incremental_strategy() -%}
    {{ return({'incremental_strategy': 'insert_overwrite', 'file_format': 'parquet', 'partition_by': ['report_id']}) }}
{%- endmacro %}

{#- dbt-spark's seed loader, with the values written as SQL literals. Its `session` method pastes
    the bindings into the statement as '<value>', unescaped: a quote in a value breaks the
    statement, an empty cell loads as the text 'None', and a number in a text column as
    '110000.0'. Here a blank cell is null and a value is a quoted, escaped literal cast to
    the column's type, as DuckDB's COPY of the same file loads it. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() %}
    {%- set column_override = model['config'].get('column_types', {}) %}
    {%- set types = [] %}
    {%- for col_name in agate_table.column_names %}
        {%- do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) %}
    {%- endfor %}
    {%- set statements = [] %}
    {%- for chunk in agate_table.rows | batch(batch_size) %}
        {%- set sql %}
            insert into {{ this.render() }} values
            {%- for row in chunk %}
            (
                {%- for value in row -%}
                    {%- if value is none -%}
                        cast(null as {{ types[loop.index0] }})
                    {%- else -%}
                        cast('{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}' as {{ types[loop.index0] }})
                    {%- endif -%}
                    {{- ', ' if not loop.last }}
                {%- endfor -%}
            ){{ ',' if not loop.last }}
            {%- endfor %}
        {%- endset %}
        {%- do adapter.add_query(sql, abridge_sql_log=True) %}
        {%- if loop.index0 == 0 %}
            {%- do statements.append(sql) %}
        {%- endif %}
    {%- endfor %}
    {{- return(statements[0]) }}
{% endmacro %}

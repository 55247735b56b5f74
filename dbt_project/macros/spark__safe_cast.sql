{#- dbt-spark's cast, also for a unit test's list value (a fixture row's `aliases: [a, b]`): dbt
    pastes the Python list as `['a', 'b']`, DuckDB's list literal, which Spark cannot parse; Spark
    builds the list with `array(…)`. Every other value is cast as dbt-spark casts it. -#}
{% macro spark__safe_cast(field, type) %}
    {%- if field is iterable and field is not string and field is not mapping -%}
        {%- set items = [] -%}
        {%- for item in field -%}
            {%- do items.append('null' if item is none else "'" ~ (item | string | replace("\\", "\\\\") | replace("'", "\\'")) ~ "'") -%}
        {%- endfor -%}
        cast(array({{ items | join(', ') }}) as {{ type }})
    {%- else -%}
        {%- set field_clean = field.strip('"').strip("'") if (cast_from_string_unsupported_for(type) and field is string) else field -%}
        cast({{ field_clean }} as {{ type }})
    {%- endif -%}
{% endmacro %}

{#- Text from a template with `{}` placeholders filled by `args` (SQL expressions), null when any
    argument is null: DuckDB's `format`. Spark's `format_string` takes `%s` placeholders and
    prints a null as the text 'null', so its null case is spelled out. -#}
{% macro format_text(template, args) -%}
    {{ return(adapter.dispatch('format_text')(template, args)) }}
{%- endmacro %}

{% macro default__format_text(template, args) -%}
    format(
            '{{ template }}',
            {{ args | join(', ') }}
        )
{%- endmacro %}

{% macro spark__format_text(template, args) -%}
    case
            when {{ args | map('string') | map('trim') | join(' is null or ') }} is null then null
            else format_string('{{ template | replace("%", "%%") | replace("{}", "%s") }}', {{ args | join(', ') }})
        end
{%- endmacro %}

{#- The on-run-end hook: the recorded ids serve this invocation's tests only. -#}
{% macro drop_reports_built() %}
    {%- if execute %}
        {%- set recorded = [] %}
        {%- for node in graph.nodes.values() if node.resource_type == 'model'
            and 'record_reports_built' in node.config['pre-hook'] | map(attribute='sql') | join(' ') %}
            {%- do recorded.append(reports_built_relation(api.Relation.create(
                database=node.database, schema=node.schema, identifier=node.alias))) %}
        {%- endfor %}
    {{- drop_tables(recorded) }}
    {%- endif %}
{%- endmacro %}

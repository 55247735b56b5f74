{#- The grain test: no two rows share the same values of `combination` (dbt_utils has one,
    but packages need the hub, which this project does not depend on). -#}
{% test unique_combination_of_columns(model, combination) %}
select {{ combination | join(', ') }}, count(*) as n_rows
from {{ model }}
group by {{ combination | join(', ') }}
having count(*) > 1
{% endtest %}

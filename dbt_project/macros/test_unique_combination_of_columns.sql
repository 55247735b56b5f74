{#- The grain test: no two rows share the same values of `combination` (dbt_utils has one,
    but packages need the hub, which this project does not depend on). Exact, and cheap on the
    big facts: rows are grouped by one 64-bit hash of the columns, and only rows whose hash
    repeats are grouped by the columns themselves. -#}
{% test unique_combination_of_columns(model, combination) %}
{%- set columns = combination | join(', ') %}
with hashed as (
    select hash({{ columns }}) as _grain_hash, {{ columns }} from {{ model }}
),

repeated as (
    select _grain_hash from hashed group by _grain_hash having count(*) > 1
)

select {{ columns }}, count(*) as n_rows
from hashed
where _grain_hash in (select _grain_hash from repeated)
group by {{ columns }}
having count(*) > 1
{% endtest %}

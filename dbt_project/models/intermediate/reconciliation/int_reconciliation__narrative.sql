-- R7, per number the narrative states about a measure with a table reading: the table's value
-- (expected) against the narrative's (actual). A measure may have several readings (seed
-- narrative_measure_readings: 受理 … 申请 N 件 is new_received, or new_received + carried_over);
-- the first reading that agrees is the one reported, else the first reading. A reading whose
-- cells are blank or missing has no value (not assessable). Approximate numbers (5500 余条) are
-- not judged. A measure stated twice in one report gets scope keys `<measure> #1`, `#2`.
with facts as (
    select
        report_id,
        fact_no,
        measure_key,
        stated_value,
        source_line,
        phrase,
        count(*) over (partition by report_id, measure_key) as statements,
        row_number() over (partition by report_id, measure_key order by fact_no) as statement_no
    from {{ ref('stg_lake__report_narrative_facts') }}
    where not is_approximate
),

readings as (
    select * from {{ ref('narrative_measure_readings') }}
),

cells as (
    select report_id, table_key, row_key, column_key, value, source_line
    from {{ ref('stg_lake__report_cells') }}
),

reading_values as (
    select
        facts.report_id,
        facts.fact_no,
        readings.reading_no,
        readings.reading_key,
        min(readings.table_key) as table_key,
        -- the sum only when every cell of the reading is printed
        case when count(cells.value) = count(*) then sum(cells.value) end as table_value,
        min(cells.source_line) as first_line,
        max(cells.source_line) as last_line
    from facts
    inner join readings on facts.measure_key = readings.measure_key
    left join cells
        on facts.report_id = cells.report_id
        and readings.table_key = cells.table_key
        and readings.row_key = cells.row_key
        and readings.column_key = cells.column_key
    group by facts.report_id, facts.fact_no, readings.reading_no, readings.reading_key
),

picked as (
    select
        reading_values.*,
        row_number() over (
            partition by reading_values.report_id, reading_values.fact_no
            order by
                case when reading_values.table_value = facts.stated_value then 0 else 1 end,
                reading_values.reading_no
        ) as pick
    from reading_values
    inner join facts
        on reading_values.report_id = facts.report_id
        and reading_values.fact_no = facts.fact_no
)

select
    facts.report_id,
    'R7' as rule_id,
    picked.table_key,
    case
        when facts.statements = 1 then facts.measure_key
        else concat(facts.measure_key, ' #', cast(facts.statement_no as {{ string_type() }}))
    end as scope_key,
    picked.table_value as expected,
    facts.stated_value as actual,
    cast(null as {{ string_type() }}) as compared_report_id,
    picked.reading_key,
    facts.source_line as narrative_line,
    facts.phrase as narrative_phrase,
    case
        when picked.first_line is null then null
        when picked.first_line = picked.last_line then cast(picked.first_line as {{ string_type() }})
        else concat(cast(picked.first_line as {{ string_type() }}), ', ', cast(picked.last_line as {{ string_type() }}))
    end as table_lines
from facts
inner join picked
    on facts.report_id = picked.report_id
    and facts.fact_no = picked.fact_no
    and picked.pick = 1

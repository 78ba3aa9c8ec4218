-- Area 3 (用户台帐管理): every difference between a contractor's monthly ledger
-- snapshot and EOMS, one row per finding:
--   missing    an EOMS circuit in service at month end (ledger_consistency_rate's
--              population) that its contractor's snapshot does not list (all of them
--              when the contractor delivered no snapshot that month);
--   extra      a ledger line whose circuit is not in that population for that
--              contractor: not in EOMS, not in service at month end, or another
--              contractor's in EOMS;
--   duplicate  a ledger line whose circuit the same snapshot lists more than once;
--   mismatch   one compared field of a line of a population circuit that disagrees
--              with EOMS after normalisation, the two values side by side.
-- The comparison itself is int_ledger_lines_compared's (NFKC, trim, whitespace
-- collapsed, case-sensitive); this model only lists it.
-- The compared fields are the rows of seed ledger_fields (macro ledger_fields, which also
-- makes the seed a parent of this model).
{% set fields = ledger_fields() %}
with

population as (

    select * from {{ ref('int_ledger_circuits_matched') }}

),

lines as (

    select * from {{ ref('int_ledger_lines_compared') }}

),

in_service as (

    select
        month,
        circuit_id,
        contractor
    from {{ ref('int_circuit_months_in_service') }}

),

placed_lines as (

    select
        lines.*,
        population.circuit_id is not null as is_population_circuit,
        in_service.circuit_id is not null as is_in_service
    from lines
    left join population
        on
            lines.month = population.month
            and lines.circuit_id = population.circuit_id
            and lines.contractor = population.contractor
    left join in_service
        on
            lines.month = in_service.month
            and lines.circuit_id = in_service.circuit_id

),

missing as (

    select
        month,
        contractor,
        prefecture,
        circuit_id,
        'missing' as finding,
        '' as field_name,
        cast(null as {{ string_type() }}) as eoms_value,
        cast(null as {{ string_type() }}) as ledger_value,
        case
            when has_ledger_snapshot then '台帐未列出 / not listed in the ledger'
            else '当月无台帐 / no ledger snapshot from the contractor this month'
        end as detail,
        cast(null as {{ string_type() }}) as source_file,
        cast(null as bigint) as source_row
    from population
    where listed_count = 0

),

extra as (

    select
        month,
        contractor,
        coalesce(eoms_prefecture, ledger_prefecture) as prefecture,
        circuit_id,
        'extra' as finding,
        '' as field_name,
        cast(null as {{ string_type() }}) as eoms_value,
        cast(null as {{ string_type() }}) as ledger_value,
        case
            when not is_in_eoms then 'EOMS无此专线 / not in EOMS'
            when not is_in_service then 'EOMS中月末不在用 / not in service in EOMS at month end'
            else 'EOMS中属其他代维公司 / another contractor''s in EOMS: ' || coalesce(eoms_contractor, '')
        end as detail,
        source_file,
        source_row
    from placed_lines
    where not is_population_circuit

),

duplicate as (

    select
        month,
        contractor,
        coalesce(eoms_prefecture, ledger_prefecture) as prefecture,
        circuit_id,
        'duplicate' as finding,
        '' as field_name,
        cast(null as {{ string_type() }}) as eoms_value,
        cast(null as {{ string_type() }}) as ledger_value,
        '重复列出 / listed ' || cast(listed_count as {{ string_type() }}) || ' times' as detail,
        source_file,
        source_row
    from placed_lines
    where listed_count > 1

),

mismatch as (

    {% for f in fields %}
    select
        month,
        contractor,
        eoms_prefecture as prefecture,
        circuit_id,
        'mismatch' as finding,
        '{{ f.field_name }}' as field_name,
        cast(eoms_{{ f.field_name }} as {{ string_type() }}) as eoms_value,
        cast(ledger_{{ f.field_name }} as {{ string_type() }}) as ledger_value,
        cast(null as {{ string_type() }}) as detail,
        source_file,
        source_row
    from placed_lines
    where is_population_circuit and not is_{{ f.field_name }}_match
    {% if not loop.last %}
    union all
    {% endif %}
    {% endfor %}

),

findings as (

    select * from missing
    union all
    select * from extra
    union all
    select * from duplicate
    union all
    select * from mismatch

),

final as (

    select
        {{ format_month('month') }} as month,
        contractor,
        prefecture,
        circuit_id,
        finding,
        field_name,
        eoms_value,
        ledger_value,
        detail,
        source_file,
        cast(source_row as bigint) as source_row
    from findings

)

select * from final
order by month, contractor, finding, circuit_id, field_name, source_file, source_row

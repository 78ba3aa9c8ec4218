-- One row per month × EOMS circuit in service at month end (the population of
-- ledger_consistency_rate): how often its own contractor's ledger snapshot of that
-- month lists it, and whether it is consistent: listed exactly once with every
-- compared field agreeing. No snapshot from the contractor that month, or no
-- contractor in EOMS, leaves the circuit inconsistent (edge rule 12).
with

circuits as (

    select * from {{ ref('int_circuit_months_in_service') }}

),

lines as (

    select * from {{ ref('int_ledger_lines_compared') }}

),

snapshots as (

    select distinct
        month,
        contractor
    from lines

),

labelled_lines as (

    select
        lines.*,
        nullif(concat_ws(
            ', ',
            {%- for field in ledger_fields() %}
            case when not lines.is_{{ field.field_name }}_match then '{{ field.field_name }}' end
            {%- if not loop.last %},{% endif %}
            {%- endfor %}
        ), '') as mismatched_fields
    from lines

),

listed as (

    select
        circuits.month,
        circuits.circuit_id,
        count(*) as listed_count,
        sum(case when labelled_lines.is_all_fields_match then 1 else 0 end) as matching_line_count,
        {{ string_agg_sorted('labelled_lines.mismatched_fields', ' | ') }} as mismatched_fields
    from circuits
    inner join labelled_lines
        on
            circuits.month = labelled_lines.month
            and circuits.contractor = labelled_lines.contractor
            and circuits.circuit_id = labelled_lines.circuit_id
    group by circuits.month, circuits.circuit_id

),

final as (

    select
        circuits.month,
        circuits.circuit_id,
        circuits.contractor,
        circuits.prefecture,
        snapshots.contractor is not null as has_ledger_snapshot,
        coalesce(listed.listed_count, 0) as listed_count,
        listed.mismatched_fields,
        coalesce(listed.listed_count = 1 and listed.matching_line_count = 1, false) as is_consistent
    from circuits
    left join snapshots
        on
            circuits.month = snapshots.month
            and circuits.contractor = snapshots.contractor
    left join listed
        on
            circuits.month = listed.month
            and circuits.circuit_id = listed.circuit_id

)

select * from final

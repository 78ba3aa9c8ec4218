-- One row per ledger line: the EOMS circuit it names (if any) and, for each compared
-- field (the rows of seed ledger_fields, read by macro ledger_fields, which also makes
-- the seed a parent of this model), both values after normalisation (NFKC, trim, inner
-- whitespace collapsed; case-sensitive, edge rule 12; NFKC is the `<field>_nfkc` twin
-- ingestion stores, so every text field of the seed needs one; fields compared as numbers are
-- kept as typed) and whether they agree (blank on both sides agrees). Columns per
-- field: eoms_<field>, ledger_<field>, is_<field>_match; text fields first, then
-- numbers. listed_count is how often the circuit appears in the same snapshot (month ×
-- contractor): more than once is a finding.
{% set seeded = ledger_fields() %}
{% set fields = (seeded | selectattr('compare_as', 'equalto', 'text') | list)
    + (seeded | selectattr('compare_as', 'equalto', 'number') | list) %}
with

lines as (

    select * from {{ ref('stg_contractor__ledger_lines') }}

),

circuits as (

    select * from {{ ref('stg_eoms__circuits') }}

),

counted as (

    select
        lines.*,
        count(*) over (partition by lines.ledger_month, lines.contractor, lines.circuit_id) as listed_count
    from lines

),

compared as (

    select
        counted.ledger_month as month,
        counted.contractor,
        counted.circuit_id,
        counted.source_file,
        counted.source_row,
        counted.listed_count,
        circuits.circuit_id is not null as is_in_eoms,
        circuits.contractor as eoms_contractor,
        {% for f in fields %}
        {{ ledger_field_value('circuits', f) }} as eoms_{{ f.field_name }},
        {{ ledger_field_value('counted', f) }} as ledger_{{ f.field_name }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from counted
    left join circuits
        on counted.circuit_id = circuits.circuit_id

),

final as (

    select
        *,
        {% for f in fields %}
        {{ null_safe_equal('eoms_' ~ f.field_name, 'ledger_' ~ f.field_name) }} as is_{{ f.field_name }}_match
        {%- if not loop.last %},{% endif %}
        {% endfor %}
    from compared

),

matched as (

    select
        *,
        (
            is_in_eoms
            {% for f in fields %}
            and is_{{ f.field_name }}_match
            {% endfor %}
        ) as is_all_fields_match
    from final

)

select * from matched

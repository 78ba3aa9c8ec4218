-- One row per ledger line: the EOMS circuit it names (if any) and, for each compared
-- field, both values after normalisation (NFKC, trim, inner whitespace collapsed;
-- case-sensitive, edge rule 12) and whether they agree (blank on both sides agrees).
-- listed_count is how often the circuit appears in the same snapshot (month ×
-- contractor): more than once is a finding. Table: calls nfkc.
{% set text_fields = [
    'customer_name', 'service_type', 'prefecture', 'county', 'access_type', 'a_address', 'z_address',
] %}
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
        {% for f in text_fields %}
        {{ normalize_text('circuits.' ~ f) }} as eoms_{{ f }},
        {{ normalize_text('counted.' ~ f) }} as ledger_{{ f }},
        {% endfor %}
        circuits.bandwidth_mbps as eoms_bandwidth_mbps,
        counted.bandwidth_mbps as ledger_bandwidth_mbps
    from counted
    left join circuits
        on counted.circuit_id = circuits.circuit_id

),

final as (

    select
        *,
        {% for f in text_fields %}
        {{ null_safe_equal('eoms_' ~ f, 'ledger_' ~ f) }} as is_{{ f }}_match,
        {% endfor %}
        {{ null_safe_equal('eoms_bandwidth_mbps', 'ledger_bandwidth_mbps') }} as is_bandwidth_mbps_match
    from compared

),

matched as (

    select
        *,
        is_in_eoms
        {% for f in text_fields %}
        and is_{{ f }}_match
        {% endfor %}
        and is_bandwidth_mbps_match as is_all_fields_match
    from final

)

select * from matched

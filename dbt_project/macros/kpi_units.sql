{#- A KPI's exported numerator, denominator and value from its exact units in micros,
    in the KPI's own unit (hours for MTTR, circuits / 100 for staffing: the catalogue's
    divisors), rounded half-up to 6 decimals once. The query joins the KPI catalogue
    as `catalogue`. int_kpi_computed and mart_kpi_adjustments both export through these,
    so a before / after figure is rounded exactly like the published one. -#}
{% macro kpi_numerator(numerator_micros) -%}
    {{ ratio_half_up(numerator_micros, 'catalogue.numerator_divisor * 1000000') }}
{%- endmacro %}

{% macro kpi_denominator(denominator_micros) -%}
    {{ ratio_half_up(denominator_micros, 'catalogue.denominator_divisor * 1000000') }}
{%- endmacro %}

{% macro kpi_value(numerator_micros, denominator_micros) -%}
    {{ ratio_half_up(
        numerator_micros ~ ' * catalogue.denominator_divisor',
        denominator_micros ~ ' * catalogue.numerator_divisor'
    ) }}
{%- endmacro %}

{#- pooled_kpi_rows(units, penalties, keys, fractions): every KPI row of a period from exact units,
    rounded once like a month's: a quarter or a year (fct_kpi_periods) and the provinces pooled
    (nat_kpi) alike. `units` (a CTE name) has the `keys`, kpi_code, grain, contractor,
    prefecture, numerator_units and denominator_units summed over the period; `penalties` has
    the `keys`, contractor and penalty_yuan (summed). One select, the union of
      * the rates: kpi_numerator / kpi_denominator / kpi_value / kpi_meets_target /
        kpi_meets_min_count of the summed units,
      * penalty_yuan: the sum, denominator 1,
      * composite_score: one row per contractor of `penalties`, NULL without a component,
        from `fractions` (keys, contractor, composite_numerator, composite_denominator: a
        month's, int_contractor_months_scored) or, by default, recomputed from the pooled
        components (composite_fractions over `units`),
    with columns `keys`, kpi_code, grain, contractor, prefecture, numerator, denominator,
    value, meets_target, meets_min_count (the caller adds target, direction, met, names). -#}
{% macro pooled_kpi_rows(units, penalties, keys, fractions=none) -%}
    select
        {%- for key in keys %}
        rates.{{ key }},
        {%- endfor %}
        rates.kpi_code,
        rates.grain,
        rates.contractor,
        rates.prefecture,
        {{ kpi_numerator('rates.numerator_micros') }} as numerator,
        {{ kpi_denominator('rates.denominator_micros') }} as denominator,
        {{ kpi_value('rates.numerator_micros', 'rates.denominator_micros') }} as value,
        {{ kpi_meets_target('rates.numerator_micros', 'rates.denominator_micros') }} as meets_target,
        {{ kpi_meets_min_count('rates.numerator_units') }} as meets_min_count
    from (
        select
            {{ units }}.*,
            {{ micros(units ~ '.numerator_units') }} as numerator_micros,
            {{ micros(units ~ '.denominator_units') }} as denominator_micros
        from {{ units }}
    ) as rates
    inner join {{ ref('kpi_catalogue') }} as catalogue
        on rates.kpi_code = catalogue.kpi_code

    union all

    select
        {%- for key in keys %}
        penalties.{{ key }},
        {%- endfor %}
        'penalty_yuan' as kpi_code,
        'contractor' as grain,
        penalties.contractor,
        '' as prefecture,
        cast(penalties.penalty_yuan as decimal(38, 6)) as numerator,
        cast(1 as decimal(38, 6)) as denominator,
        cast(penalties.penalty_yuan as decimal(38, 6)) as value,
        cast(null as boolean) as meets_target,
        true as meets_min_count
    from {{ penalties }} as penalties

    union all

    select
        {%- for key in keys %}
        penalties.{{ key }},
        {%- endfor %}
        'composite_score' as kpi_code,
        'contractor' as grain,
        penalties.contractor,
        '' as prefecture,
        {{ ratio_half_up('fractions.composite_numerator', 'fractions.composite_denominator') }} as numerator,
        cast(case when coalesce(fractions.composite_denominator, 0) > 0 then 1 else 0 end as decimal(38, 6))
            as denominator,
        {{ ratio_half_up('fractions.composite_numerator', 'fractions.composite_denominator') }} as value,
        {{ composite_meets_target('fractions.composite_numerator', 'fractions.composite_denominator') }}
            as meets_target,
        true as meets_min_count
    from {{ penalties }} as penalties
    inner join {{ ref('kpi_catalogue') }} as catalogue
        on catalogue.kpi_code = 'composite_score'
    left join
        {%- if fractions is none %} (
            {{ composite_fractions(units, keys=keys) }}
        ) as fractions
        {%- else %} {{ fractions }} as fractions
        {%- endif %}
        on
            {%- for key in keys %}
            penalties.{{ key }} = fractions.{{ key }}
            and
            {%- endfor %}
            penalties.contractor = fractions.contractor
{%- endmacro %}

{#- The composite score (kpis.md § Composite score, edge rule 13), once, for a month and
    for a pooled quarter or year alike.

    composite_fractions(measures, keys, numerators): one select, grouped by `keys` and
    contractor, over the contractor-grain rows of `measures` (a ref() or CTE name with
    columns `keys`, kpi_code, grain, contractor, numerator_units, denominator_units in
    the KPI's own units). Each component is scored 0–100 (rate × 100, or (1 − rate) × 100
    when lower is better) and weighted by seed composite_weights; a component with an
    empty population is left out and the remaining weights renormalise. The result is an
    exact fraction: for each entry name → numerator column of `numerators`, the column
    `name` = Σ weight × score (integers scaled by 10^6 · 10^18, each term truncated at
    10^-18 points), and composite_denominator = Σ weight scaled alike; component_count
    counts the components scored. A contractor with no component has no row: its score
    is NULL. ratio_half_up(name, 'composite_denominator') rounds it once. -#}
{% macro composite_fractions(measures, keys=['month'], numerators={'composite_numerator': 'numerator_units'}) -%}
    select
        {%- for key in keys %}
        components.{{ key }},
        {%- endfor %}
        components.contractor,
        count(*) as component_count,
        {%- for name in numerators %}
        sum({{ int_div(
            'components.weight_micros * 100 * components.score_count_' ~ loop.index ~ ' * 1000000000000000000',
            'components.denominator_count'
        ) }}) as {{ name }},
        {%- endfor %}
        sum(components.weight_micros) * 1000000000000000000 as composite_denominator
    from (
        select
            {%- for key in keys %}
            measures.{{ key }},
            {%- endfor %}
            measures.contractor,
            {{ micros('weights.weight') }} as weight_micros,
            {{ to_big_int('measures.denominator_units') }} as denominator_count,
            {%- for name, numerator in numerators.items() %}
            {{ to_big_int(
                "case when catalogue.direction = 'lower'"
                ~ " then measures.denominator_units - measures." ~ numerator
                ~ " else measures." ~ numerator ~ " end"
            ) }} as score_count_{{ loop.index }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ measures }} as measures
        inner join {{ ref('composite_weights') }} as weights
            on measures.kpi_code = weights.kpi_code
        inner join {{ ref('kpi_catalogue') }} as catalogue
            on measures.kpi_code = catalogue.kpi_code
        where
            measures.grain = 'contractor'
            and measures.denominator_units > 0
    ) as components
    group by
        {%- for key in keys %}
        components.{{ key }},
        {%- endfor %}
        components.contractor
{%- endmacro %}

{#- kpi_meets_target(numerator_micros, denominator_micros): the exact comparison of a
    KPI's value with its catalogue target, without rounding: value >= target (higher is
    better) or <= target (lower), i.e. n·dd·10^6 >= t·10^6·d·nd with the catalogue's
    divisors; NULL for an empty population or a KPI without a target. The query joins
    the KPI catalogue as `catalogue`. -#}
{% macro kpi_meets_target(numerator_micros, denominator_micros) -%}
    case
        when {{ denominator_micros }} = 0 or catalogue.target is null then null
        when catalogue.direction = 'higher'
            then
                {{ numerator_micros }} * catalogue.denominator_divisor * 1000000
                >= {{ micros('catalogue.target') }}
                * {{ denominator_micros }} * catalogue.numerator_divisor
        else
            {{ numerator_micros }} * catalogue.denominator_divisor * 1000000
            <= {{ micros('catalogue.target') }}
            * {{ denominator_micros }} * catalogue.numerator_divisor
    end
{%- endmacro %}

{#- kpi_meets_min_count(numerator_units): the catalogue's minimum head count (cert_share,
    core_exp_share: "and ≥ 1 person") is reached; true where none is set. -#}
{% macro kpi_meets_min_count(numerator_units) -%}
    case
        when catalogue.min_count is null then true
        else {{ numerator_units }} >= catalogue.min_count * catalogue.numerator_divisor
    end
{%- endmacro %}

{#- composite_meets_target(numerator, denominator): the exact composite fraction against
    the composite_score target of the catalogue (joined as `catalogue`); NULL without a
    score or a target. -#}
{% macro composite_meets_target(numerator, denominator) -%}
    case
        when coalesce({{ denominator }}, 0) = 0 or catalogue.target is null then null
        else {{ numerator }} * 1000000 >= {{ micros('catalogue.target') }} * {{ denominator }}
    end
{%- endmacro %}

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

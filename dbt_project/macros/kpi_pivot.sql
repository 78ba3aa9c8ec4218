{#- kpis_side_by_side(fct_kpi, kpis): one row per month × grain × contractor × prefecture with,
    for each KPI code in `kpis`, its numerator, denominator and value as columns
    (<code>_numerator, <code>_denominator, <code>). The supporting views that show KPIs next
    to their detail copy them from fct_kpi through this, never recount them. -#}
{% macro kpis_side_by_side(fct_kpi, kpis) -%}
    select
        {% for kpi in kpis %}
            max(case when kpi_code = '{{ kpi }}' then numerator end) as {{ kpi }}_numerator,
            max(case when kpi_code = '{{ kpi }}' then denominator end) as {{ kpi }}_denominator,
            max(case when kpi_code = '{{ kpi }}' then value end) as {{ kpi }},
        {% endfor %}
        month,
        grain,
        contractor,
        prefecture
    from {{ fct_kpi }}
    where kpi_code in ('{{ kpis | join("', '") }}')
    group by month, grain, contractor, prefecture
{%- endmacro %}

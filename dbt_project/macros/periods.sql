{#- Quarters and years (kpis.md § Quarters and years): labels of the periods a 'YYYY-MM'
    month label falls in. Calendar quarters: 2026-07 … 2026-09 → '2026-Q3'; a year is
    '2026'. core/months.py parses the same labels on the Python side. -#}

{% macro quarter_label(month_label) -%}
    substr({{ month_label }}, 1, 4) || '-Q'
    || cast({{ int_div('cast(substr(' ~ month_label ~ ', 6, 2) as integer) + 2', '3') }} as {{ string_type() }})
{%- endmacro %}

{% macro year_label(month_label) -%}
    substr({{ month_label }}, 1, 4)
{%- endmacro %}

{#- period_months(months, kinds): one row per (period_kind, period, month) for every
    'YYYY-MM' label in column `month` of `months` (a ref() or CTE name) and every kind of
    `kinds` ('month' | 'quarter' | 'year'); `period` is the period's label (the month
    itself for 'month'). -#}
{% macro period_months(months, kinds=['quarter', 'year']) -%}
    {%- set labels = {'month': 'month', 'quarter': quarter_label('month'), 'year': year_label('month')} -%}
    {%- for kind in kinds %}
    {%- if kind not in labels -%}
        {{ exceptions.raise_compiler_error("period_months: unknown kind '" ~ kind ~ "' (month, quarter or year)") }}
    {%- endif -%}
    {%- if not loop.first %}

    union all
    {% endif %}
    select
        '{{ kind }}' as period_kind,
        {{ labels[kind] }} as period,
        month
    from {{ months }}
    {%- endfor %}
{%- endmacro %}

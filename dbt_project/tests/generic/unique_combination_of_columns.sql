{#- Fails on each combination of the columns that occurs more than once
    (the dbt_utils test of the same name, written here: no packages offline). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set cols = combination_of_columns | join(', ') %}

    select
        {{ cols }},
        count(*) as occurrences
    from {{ model }}
    group by {{ cols }}
    having count(*) > 1
{% endtest %}

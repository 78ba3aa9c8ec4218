{#- Fails on each row where the expression is not true (NULL counts as not true
    unless the expression handles it). Optional `where` narrows the rows checked. -#}
{% test expression_is_true(model, expression, where_clause=none, column_name=none) %}
    select *
    from {{ model }}
    where
        not coalesce(({{ expression }}), false)
        {%- if where_clause %}
            and ({{ where_clause }})
        {%- endif %}
{% endtest %}

-- The fault-cause drill-down as Pareto tables: one row per month × contractor ('' =
-- all contractors) × level × path. The levels nest cause_category → cause_detail →
-- faulty_device → prefecture → county; a row of level k is one value of that level
-- inside one path of the levels above (its parent). tickets and breaches (not timely)
-- count the rows of mart_fault_tickets; share_of_parent = tickets / the parent's
-- tickets; cumulative_share adds the shares in descending order of tickets (ties by
-- key), the Pareto curve. Shares are rounded half-up to 6 decimals from the counts.
-- Incremental by month (macros/incremental.sql): a run recomputes only the months whose
-- fault tickets changed (month_fingerprint), e.g. the month it added.
{{ month_incremental_config('mart_fault_tickets') }}
{% set levels = ['cause_category', 'cause_detail', 'faulty_device', 'prefecture', 'county'] %}
{#- a row's parent: the same month, contractor and level, and the path above the level -#}
{% set parent_keys -%}
month, contractor, level_no
{%- for path_level in levels[:-1] %}, case when level_no > {{ loop.index }} then {{ path_level }} end{% endfor %}
{%- endset %}
with

tickets as (

    select * from {{ ref('mart_fault_tickets') }}

),

fingerprints as (

    select
        month,
        {{ month_rows_fingerprint(['contractor'] + levels + ['is_timely']) }} as month_fingerprint
    from tickets
    group by month

),

batch as (

    -- the months to compute: every month, or those whose tickets changed since they were
    select fingerprints.*
    from fingerprints
    {% if is_month_incremental() %}
        where not exists (
            select 1
            from {{ this }} as kept
            where
                kept.month = fingerprints.month
                and kept.month_fingerprint = fingerprints.month_fingerprint
        )
    {% endif %}

),

batch_tickets as (

    select tickets.*
    from tickets
    where tickets.month in (select batch.month from batch)

),

scoped as (

    select
        '' as contractor_scope,
        batch_tickets.*
    from batch_tickets

    union all

    select
        batch_tickets.contractor as contractor_scope,
        batch_tickets.*
    from batch_tickets
    where batch_tickets.contractor is not null

),

counted as (

    {% for level in levels %}
    {% set depth = loop.index %}
    select
        month,
        contractor_scope as contractor,
        {{ depth }} as level_no,
        '{{ level }}' as level, -- noqa: RF04
        {% for path_level in levels %}
        {% if loop.index <= depth %}
        {{ path_level }},
        {% else %}
        '' as {{ path_level }},
        {% endif %}
        {% endfor %}
        {{ level }} as level_key,
        count(*) as tickets,
        sum(case when is_timely then 0 else 1 end) as breaches
    from scoped
    group by
        month,
        {% for path_level in levels[:depth] %}
        {{ path_level }},
        {% endfor %}
        contractor_scope
    {% if not loop.last %}
    union all
    {% endif %}
    {% endfor %}

),

parented as (

    select
        *,
        concat_ws(
            ' > ',
            {% for path_level in levels[:-2] %}
            case when level_no > {{ loop.index }} then {{ path_level }} end,
            {% endfor %}
            case when level_no > {{ levels | length - 1 }} then {{ levels[-2] }} end
        ) as parent_path
    from counted

),

shared as (

    select
        *,
        sum(tickets) over (partition by {{ parent_keys }}) as parent_tickets,
        row_number() over (
            partition by {{ parent_keys }}
            order by tickets desc, level_key asc
        ) as pareto_rank
    from parented

),

cumulated as (

    select
        *,
        sum(tickets) over (
            partition by {{ parent_keys }}
            order by pareto_rank
            rows between unbounded preceding and current row
        ) as cumulative_tickets
    from shared

),

final as (

    select
        cumulated.month,
        cumulated.contractor,
        cast(cumulated.level_no as integer) as level_no,
        cumulated.level,
        {% for path_level in levels %}
        cumulated.{{ path_level }},
        {% endfor %}
        cumulated.parent_path,
        cumulated.level_key,
        cast(cumulated.tickets as bigint) as tickets,
        cast(cumulated.breaches as bigint) as breaches,
        cast(cumulated.parent_tickets as bigint) as parent_tickets,
        {{ ratio_half_up(to_big_int('cumulated.tickets'), to_big_int('cumulated.parent_tickets')) }} as share_of_parent,
        cast(cumulated.cumulative_tickets as bigint) as cumulative_tickets,
        {{ ratio_half_up(
            to_big_int('cumulated.cumulative_tickets'), to_big_int('cumulated.parent_tickets')
        ) }} as cumulative_share,
        cast(cumulated.pareto_rank as integer) as pareto_rank,
        batch.month_fingerprint
    from cumulated
    inner join batch
        on cumulated.month = batch.month

)

select * from final
order by month, contractor, level_no, parent_path, pareto_rank

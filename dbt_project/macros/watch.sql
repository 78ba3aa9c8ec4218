{#- The watch list (今日预警, operations.md), once: watch_rows(as_of_sql) is the query of
    its rows at the moment `as_of_sql` (a SQL expression of a TIMESTAMP). Two things are
    generated from it, so the rules cannot drift apart:

    * mart_watch_list: the list at the default moment (the latest 派单时间 / 接单时间 in
      the data; var watch_as_of overrides it in unit tests);
    * the DuckDB table macro marts.watch_list_at(as_of), created by that model's
      post-hook (watch_list_at_macro), which `daiwei watch --as-of` and the dashboard
      call on the read-only published warehouse for any other moment.

    Relations are named without their database (`.include(database=False)`): the
    warehouse is built in a copy and published under the name a user chooses, and a
    table macro keeps its SQL text, bound again on every call in the file it lives in.
    A macro parameter replaces every unqualified column of the same name, so the body
    qualifies every column it reads.

    Rows (kind):
      ticket_open     故障 / 投诉 / 开通 (the types with a limit: is_fault_timed or
                      is_activation_timed) with status 处理中, 派单时间 <= as_of and no
                      完成时间; elapsed = as_of − clock start − 挂起时长 as written
                      (negative when the suspension exceeds the time passed); an
                      activation spliced after as_of has elapsed 0
      ack_overdue     any type, status 处理中, 派单时间 <= as_of, no 接单时间 and
                      as_of − 派单时间 > the acknowledgement limit
      inspection_due  a circuit in service on as_of's date (edge rule 8; activated inside
                      the window counts) whose window (the last c months ending with
                      as_of's month) has no inspection with 巡检时间 <= as_of; remaining =
                      time to 00:00 of the next month's first day
    Minutes are DECIMAL(38,6): exact microsecond differences / 60 000 000, rounded
    half-up to 6 places once (ratio_half_up); remaining = limit − elapsed (the rounded
    elapsed, so the two always add up to the limit). status is judged on these exported
    figures, so a reader of the file can check each one: breached when remaining < 0 (or
    the ticket's limit is unknown: it cannot be timely, as in the KPI), at_risk when
    remaining <= risk_share × limit (inspections: <= inspection_horizon_days × 1440),
    else on_track. Settings from seed watch_settings. -#}
{% macro watch_rows(as_of_sql) -%}
with

moment as (

    select cast({{ as_of_sql }} as timestamp) as watched_at

),

settings as (

    select
        max(ws.risk_share) as risk_share,
        max(ws.inspection_horizon_days) as inspection_horizon_days,
        max(ws.open_ticket_status) as open_ticket_status
    from {{ ref('watch_settings').include(database=False) }} as ws

),

open_tickets as (

    select
        tickets.ticket_id,
        tickets.circuit_id,
        tickets.contractor,
        tickets.prefecture,
        tickets.county,
        tickets.area_type,
        tickets.ticket_type,
        tickets.dispatched_at,
        tickets.acknowledged_at,
        tickets.completed_at,
        tickets.clock_started_at,
        tickets.suspended_minutes,
        tickets.time_limit_minutes,
        tickets.ack_limit_minutes,
        tickets.is_fault_timed,
        tickets.is_activation_timed,
        moment.watched_at,
        settings.risk_share
    from {{ ref('int_tickets_clocked').include(database=False) }} as tickets
    cross join moment
    cross join settings
    where
        tickets.ticket_status = settings.open_ticket_status
        and tickets.dispatched_at <= moment.watched_at

),

ticket_clocks as (

    select
        'ticket_open' as kind,
        open_tickets.*,
        open_tickets.time_limit_minutes as limit_minutes,
        case
            when open_tickets.clock_started_at > open_tickets.watched_at then 0
            else
                {{ dbt.datediff('open_tickets.clock_started_at', 'open_tickets.watched_at', 'microsecond') }}
                - cast(open_tickets.suspended_minutes * 60000000 as bigint)
        end as elapsed_micros
    from open_tickets
    where
        (open_tickets.is_fault_timed or open_tickets.is_activation_timed)
        and open_tickets.completed_at is null

),

ack_clocks as (

    select
        'ack_overdue' as kind,
        open_tickets.*,
        open_tickets.ack_limit_minutes as limit_minutes,
        {{ dbt.datediff('open_tickets.dispatched_at', 'open_tickets.watched_at', 'microsecond') }} as elapsed_micros
    from open_tickets
    where
        open_tickets.acknowledged_at is null
        and {{ dbt.datediff('open_tickets.dispatched_at', 'open_tickets.watched_at', 'microsecond') }}
        > cast(open_tickets.ack_limit_minutes as bigint) * 60000000

),

ticket_rows as (

    select
        clocks.kind,
        clocks.ticket_id,
        clocks.circuit_id,
        clocks.contractor,
        clocks.prefecture,
        clocks.county,
        clocks.area_type,
        clocks.ticket_type,
        cast(null as {{ string_type() }}) as site_type,
        {{ format_month(month_of('clocks.dispatched_at')) }} as month,
        clocks.dispatched_at,
        clocks.acknowledged_at,
        clocks.completed_at,
        clocks.clock_started_at,
        clocks.suspended_minutes,
        cast(null as date) as window_start_on,
        clocks.watched_at,
        clocks.limit_minutes,
        clocks.elapsed_micros,
        cast(null as bigint) as remaining_micros,
        cast(clocks.risk_share * clocks.limit_minutes as decimal(38, 6)) as risk_minutes
    from (
        select * from ticket_clocks
        union all
        select * from ack_clocks
    ) as clocks

),

inspection_windows as (

    select
        circuits.circuit_id,
        circuits.contractor,
        circuits.prefecture,
        circuits.county,
        circuits.area_type,
        circuits.site_type,
        moment.watched_at,
        settings.inspection_horizon_days,
        {{ add_months(month_of('moment.watched_at'), '1 - cycles.cycle_months') }} as window_start_on,
        {{ add_months(month_of('moment.watched_at'), 1) }} as window_closes_on
    from {{ ref('stg_eoms__circuits').include(database=False) }} as circuits
    inner join {{ ref('inspection_cycles').include(database=False) }} as cycles
        on circuits.site_type = cycles.site_type
    cross join moment
    cross join settings
    where
        circuits.activated_on <= {{ to_date('moment.watched_at') }}
        and (circuits.removed_on is null or circuits.removed_on > {{ to_date('moment.watched_at') }})

),

inspection_rows as (

    select
        'inspection_due' as kind,
        cast(null as {{ string_type() }}) as ticket_id,
        windows.circuit_id,
        windows.contractor,
        windows.prefecture,
        windows.county,
        windows.area_type,
        cast(null as {{ string_type() }}) as ticket_type,
        windows.site_type,
        {{ format_month(month_of('windows.watched_at')) }} as month,
        cast(null as timestamp) as dispatched_at,
        cast(null as timestamp) as acknowledged_at,
        cast(null as timestamp) as completed_at,
        cast(null as timestamp) as clock_started_at,
        cast(null as bigint) as suspended_minutes,
        windows.window_start_on,
        windows.watched_at,
        cast(null as integer) as limit_minutes,
        cast(null as bigint) as elapsed_micros,
        {{ dbt.datediff('windows.watched_at', 'cast(windows.window_closes_on as timestamp)', 'microsecond') }}
        as remaining_micros,
        cast(windows.inspection_horizon_days * 1440 as decimal(38, 6)) as risk_minutes
    from inspection_windows as windows
    where not exists (
        select 1
        from {{ ref('stg_eoms__inspections').include(database=False) }} as inspections
        where
            inspections.site_id = windows.circuit_id
            and inspections.inspected_at >= cast(windows.window_start_on as timestamp)
            and inspections.inspected_at <= windows.watched_at
    )

),

watched as (

    select * from ticket_rows
    union all
    select * from inspection_rows

),

measured as (

    select
        watched.*,
        cast(watched.limit_minutes as decimal(38, 6)) as limit_figure,
        {{ ratio_half_up(to_big_int('watched.elapsed_micros'), '60000000') }} as elapsed_figure,
        coalesce(
            cast(
                watched.limit_minutes - {{ ratio_half_up(to_big_int('watched.elapsed_micros'), '60000000') }}
                as decimal(38, 6)
            ),
            {{ ratio_half_up(to_big_int('watched.remaining_micros'), '60000000') }}
        ) as remaining_figure
    from watched

),

final as (

    select
        measured.watched_at as as_of,
        measured.kind,
        measured.ticket_id,
        measured.circuit_id,
        measured.contractor,
        measured.prefecture,
        measured.county,
        measured.limit_figure as limit_minutes,
        measured.elapsed_figure as elapsed_minutes,
        measured.remaining_figure as remaining_minutes,
        case
            when measured.remaining_figure is null or measured.remaining_figure < 0 then 'breached'
            when measured.remaining_figure <= measured.risk_minutes then 'at_risk'
            else 'on_track'
        end as status,
        case
            when measured.remaining_figure is null or measured.remaining_figure < 0 then 1
            when measured.remaining_figure <= measured.risk_minutes then 2
            else 3
        end as status_rank,
        measured.month,
        measured.ticket_type,
        measured.area_type,
        measured.site_type,
        measured.dispatched_at,
        measured.acknowledged_at,
        measured.completed_at,
        measured.clock_started_at,
        measured.suspended_minutes,
        measured.window_start_on
    from measured

)

select * from final
{%- endmacro %}

{#- watch_list_at_macro(): the post-hook of mart_watch_list: the table macro
    <schema>.watch_list_at(as_of) whose body is watch_rows at the call's argument
    (`select * from marts.watch_list_at(CAST(? AS TIMESTAMP))`). -#}
{% macro watch_list_at_macro(schema) -%}
    {{ return(adapter.dispatch('watch_list_at_macro', 'daiwei')(schema)) }}
{%- endmacro %}

{#- Spark has no table macros: no hook (an empty hook is skipped); `daiwei watch --as-of`
    reads the DuckDB warehouse only. -#}
{% macro spark__watch_list_at_macro(schema) -%}
{%- endmacro %}

{% macro default__watch_list_at_macro(schema) -%}
    create or replace macro {{ schema }}.watch_list_at(as_of) as table
    {{ watch_rows('as_of') }}
{%- endmacro %}

-- One row per device × month × ping size: the additive sums the health rule needs,
-- from the 100 M-row sample table. Incremental: a run recomputes only the months that
-- received samples since the last build (load_seq above the highest one seen), so
-- adding a month does not rescan the year. Sums are exact DECIMALs; every rule
-- (thresholds, which ping size is assessed, the EOMS attribution) is applied
-- downstream in int_device_months_assessed, so changing a seed needs no full refresh.
-- The ranges, counts and first/last sample times beside the sums are what the data-quality
-- suite of 设备性能 (quality/device_suite.py) validates per device-month: it reads them
-- here instead of scanning the sample table again.
{{
    config(
        materialized=incremental_materialization(),
        incremental_strategy='delete+insert',
        unique_key='month',
        on_schema_change='append_new_columns',
    )
}}

with

samples as (

    select
        device_id,
        circuit_id,
        collected_at,
        {{ month_of('collected_at') }} as month,
        ping_size_bytes,
        cast(cpu_pct as decimal(18, 6)) as cpu_pct,
        cast(mem_pct as decimal(18, 6)) as mem_pct,
        ping_sent,
        ping_lost,
        device_type,
        cpu_pct as cpu_pct_measured,
        mem_pct as mem_pct_measured,
        latency_ms,
        load_seq
    from {{ ref('stg_nms__device_metrics') }}
    {% if is_incremental() %}
        where {{ month_of('collected_at') }} in (
            select distinct {{ month_of('collected_at') }}
            from {{ ref('stg_nms__device_metrics') }}
            where load_seq > (select coalesce(max(max_load_seq), 0) from {{ this }})
        )
        {#- The same months as literal bounds, looked up first: a constant range lets the engine
            skip the stored blocks of other months (zone maps) instead of computing the month of
            every one of 100 M samples. Nothing new: an empty range. -#}
        {% set bounds = none %}
        {% if execute %}
            {% set bounds = run_query(
                "select cast(min(" ~ month_of('collected_at') ~ ") as " ~ string_type() ~ "), cast(max("
                ~ month_of('collected_at') ~ ") as " ~ string_type() ~ ") from " ~ ref('stg_nms__device_metrics')
                ~ " where load_seq > (select coalesce(max(max_load_seq), 0) from " ~ this ~ ")"
            ).rows[0] %}
        {% endif %}
        {% if bounds is not none and bounds[0] is not none %}
            and collected_at >= cast('{{ bounds[0] }}' as date)
            and collected_at < {{ dbt.dateadd('month', 1, "cast('" ~ bounds[1] ~ "' as date)") }}
        {% elif bounds is not none %}
            and false
        {% endif %}
    {% endif %}

),

aggregated as (

    select
        device_id,
        month,
        ping_size_bytes,
        count(*) as sample_count,
        sum(cpu_pct) as cpu_pct_sum,
        count(cpu_pct) as cpu_sample_count,
        sum(mem_pct) as mem_pct_sum,
        count(mem_pct) as mem_sample_count,
        coalesce(sum(ping_sent), 0) as pings_sent,
        coalesce(sum(ping_lost), 0) as pings_lost,
        {{ value_by_latest('circuit_id', 'case when circuit_id is not null then collected_at end') }}
            as latest_circuit_id,
        max(case when circuit_id is not null then collected_at end) as latest_circuit_at,
        count(circuit_id) as circuit_sample_count,
        min(circuit_id) as circuit_id_min,
        max(circuit_id) as circuit_id_max,
        min(device_type) as device_type_min,
        max(device_type) as device_type_max,
        min(cpu_pct_measured) as cpu_pct_min,
        max(cpu_pct_measured) as cpu_pct_max,
        min(mem_pct_measured) as mem_pct_min,
        max(mem_pct_measured) as mem_pct_max,
        min(latency_ms) as latency_ms_min,
        max(latency_ms) as latency_ms_max,
        sum(case when ping_lost > ping_sent then 1 else 0 end) as lost_over_sent_count,
        sum(
            case
                when
                    cpu_pct_measured is null or mem_pct_measured is null or ping_size_bytes is null
                    or ping_sent is null or ping_lost is null or latency_ms is null
                    then 1
                else 0
            end
        ) as incomplete_sample_count,
        min(collected_at) as first_sample_at,
        max(collected_at) as last_sample_at,
        max(load_seq) as max_load_seq
    from samples
    group by device_id, month, ping_size_bytes

)

select * from aggregated

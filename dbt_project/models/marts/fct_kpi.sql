-- The KPI table: one row per month × KPI × grain × contractor × prefecture (long
-- form, kpis.md § Export format). '' = all contractors / prefectures. The rows are
-- int_kpi_computed's, except for a month that an admin has closed (access.md): its
-- published figures are frozen, so this table keeps the rows stored when it was
-- closed, and mart_restatements lists what the recomputation would have changed.
with

computed as (

    select * from {{ ref('int_kpi_computed') }}

),

frozen as (

    select * from {{ source('appdb', 'frozen_kpi') }}

),

final as (

    select
        computed.month,
        computed.kpi_code,
        computed.grain,
        computed.contractor,
        computed.prefecture,
        computed.numerator,
        computed.denominator,
        computed.value,
        computed.target,
        computed.direction,
        computed.met,
        computed.kpi_name_zh,
        computed.unit
    from computed
    where
        not exists (
            select 1
            from frozen
            where frozen.month = computed.month
        )

    union all

    select
        frozen.month,
        frozen.kpi_code,
        frozen.grain,
        frozen.contractor,
        frozen.prefecture,
        cast(frozen.numerator as decimal(38, 6)) as numerator,
        cast(frozen.denominator as decimal(38, 6)) as denominator,
        cast(frozen.value as decimal(38, 6)) as value,
        cast(frozen.target as decimal(38, 6)) as target,
        frozen.direction,
        frozen.met,
        frozen.kpi_name_zh,
        frozen.unit
    from frozen

)

select * from final
order by month, kpi_code, contractor, prefecture

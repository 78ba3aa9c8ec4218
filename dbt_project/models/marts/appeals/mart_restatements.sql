-- What a re-run would have changed in a closed month (access.md): the month's
-- published KPI rows are frozen (fct_kpi keeps them), and every row whose
-- recomputation differs is listed here, from what (frozen) to what (computed), with
-- the input files loaded since the month was closed (load_seq above the watermark
-- stored at closing): the deliveries that can have caused the difference.
with

frozen as (

    select * from {{ source('appdb', 'frozen_kpi') }}

),

computed as (

    select * from {{ ref('int_kpi_computed') }}
    where month in (select f.month from frozen as f)

),

compared as (

    select
        coalesce(frozen.month, computed.month) as month,
        coalesce(frozen.kpi_code, computed.kpi_code) as kpi_code,
        coalesce(frozen.grain, computed.grain) as grain,
        coalesce(frozen.contractor, computed.contractor) as contractor,
        coalesce(frozen.prefecture, computed.prefecture) as prefecture,
        frozen.numerator as frozen_numerator,
        frozen.denominator as frozen_denominator,
        frozen.value as frozen_value,
        computed.numerator as computed_numerator,
        computed.denominator as computed_denominator,
        computed.value as computed_value,
        case
            when frozen.kpi_code is null then 'added'
            when computed.kpi_code is null then 'removed'
            else 'changed'
        end as change_kind
    from frozen
    full outer join computed
        on
            frozen.month = computed.month
            and frozen.kpi_code = computed.kpi_code
            and frozen.grain = computed.grain
            and frozen.contractor = computed.contractor
            and frozen.prefecture = computed.prefecture
    where
        frozen.kpi_code is null
        or computed.kpi_code is null
        or frozen.numerator is distinct from computed.numerator
        or frozen.denominator is distinct from computed.denominator
        or frozen.value is distinct from computed.value

),

closed as (

    select
        month,
        load_seq_watermark
    from {{ source('appdb', 'month_states') }}
    where state = 'closed'

),

files as (

    select
        closed.month,
        {{ string_agg_sorted('load_log.file', '; ') }} as files
    from closed
    inner join {{ source('audit', 'load_log') }} as load_log
        on load_log.load_seq > coalesce(closed.load_seq_watermark, 0)
    where load_log.status = 'loaded'
    group by closed.month

),

final as (

    select
        compared.month,
        compared.kpi_code,
        catalogue.kpi_name_zh,
        compared.grain,
        compared.contractor,
        compared.prefecture,
        cast(compared.frozen_numerator as decimal(38, 6)) as frozen_numerator,
        cast(compared.frozen_denominator as decimal(38, 6)) as frozen_denominator,
        cast(compared.frozen_value as decimal(38, 6)) as frozen_value,
        cast(compared.computed_numerator as decimal(38, 6)) as computed_numerator,
        cast(compared.computed_denominator as decimal(38, 6)) as computed_denominator,
        cast(compared.computed_value as decimal(38, 6)) as computed_value,
        compared.change_kind,
        coalesce(files.files, '') as files
    from compared
    left join {{ ref('kpi_catalogue') }} as catalogue
        on compared.kpi_code = catalogue.kpi_code
    left join files
        on compared.month = files.month

)

select * from final
order by month, kpi_code, contractor, prefecture

-- One row per ticket in the confirmation-form population: a ticket type listed in
-- seed form_items with status 已归档 (cancelled tickets never are). Each item is
-- judged as kpis.md edge rule 5 says: IP / VLAN / MAC must be valid (after NFKC, the
-- stored <item>_nfkc twin, and trim), 用户签名 must be yes, 上门时间 / 完成时间 are
-- missing only when their text is blank, the route needs A端设备 + 路由信息 + Z端设备,
-- every other item only non-blank. An invalid item is a missing item.
{% set ipv4_octet = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])' %}
{% set ipv4 = ipv4_octet ~ '([.]' ~ ipv4_octet ~ '){3}' %}
{% set mac = '[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}' %}
-- An accepted form_item appeal counts its one item as present (access.md); the
-- *_before columns keep the outcome as measured.
-- Incremental on ticket_id (macros/incremental.sql): a run judges only the tickets with a
-- newer row, an appeal ruling now or before, or all of them when a rule seed changed.
{{ ticket_incremental_config() }}
{% set fingerprint = rules_fingerprint(['form_items', 'kpi_value_sets']) %}
with

form_items as (

    select * from {{ ref('form_items') }}

),

rulings as (

    -- accepted form_item appeals name one item, by its code or its Chinese name
    {{ accepted_rulings('form_item') }}

),

tickets as (

    {{ form_population_batch(
        fingerprint,
        "kept.missing_item_count = kept.missing_item_count_before"
            ~ " and coalesce(kept.missing_items, '') = coalesce(kept.missing_items_before, '')"
    ) }}

),

normalised as (

    select
        *,
        {{ nfkc_trim('ip_address') }} as ip_address_clean,
        {{ nfkc_trim('vlan') }} as vlan_clean,
        {{ nfkc_trim('mac_address') }} as mac_address_clean
    from tickets

),

judged as (

    select
        ticket_id,
        ticket_type,
        technician_id,
        load_seq as ticket_version,
        {{ month_of('dispatched_at') }} as month,
        contractor,
        prefecture,
        {{ is_present('contact_name') }} as has_contact_name,
        {{ is_present('contact_phone') }} as has_contact_phone,
        {{ is_present('cause_category') }} as has_cause_category,
        {{ is_present('resolution_note') }} as has_resolution_note,
        {{ is_present('satisfaction') }} as has_satisfaction,
        coalesce(is_customer_signed, false) as has_customer_signed,
        {{ is_present('arrived_at_text') }} as has_arrived_at,
        {{ is_present('completed_at_text') }} as has_completed_at,
        coalesce({{ matches_pattern('ip_address_clean', ipv4) }}, false) as has_valid_ip_address,
        coalesce(
            {{ matches_pattern('vlan_clean', '[0-9]+') }}
            and {{ try_to_bigint('vlan_clean') }} between 1 and 4094,
            false
        ) as has_valid_vlan,
        coalesce({{ matches_pattern('mac_address_clean', mac) }}, false) as has_valid_mac_address,
        {{ is_present('a_end') }}
        and {{ is_present('route') }}
        and {{ is_present('z_end') }} as has_route
    from normalised

),

items as (

    select
        judged.ticket_id,
        form_items.item_no,
        form_items.item_name_zh,
        case form_items.item_code
            when 'contact_name' then judged.has_contact_name
            when 'contact_phone' then judged.has_contact_phone
            when 'cause_category' then judged.has_cause_category
            when 'resolution_note' then judged.has_resolution_note
            when 'satisfaction' then judged.has_satisfaction
            when 'customer_signed' then judged.has_customer_signed
            when 'arrived_at' then judged.has_arrived_at
            when 'completed_at' then judged.has_completed_at
            when 'ip_address' then judged.has_valid_ip_address
            when 'vlan' then judged.has_valid_vlan
            when 'mac_address' then judged.has_valid_mac_address
            when 'route' then judged.has_route
        end as is_item_present,
        form_items.item_code
    from judged
    inner join form_items
        on judged.ticket_type = form_items.ticket_type

),

ruled as (

    select
        items.*,
        coalesce(items.is_item_present, false) as is_item_present_before,
        coalesce(items.is_item_present, false) or rulings.ticket_id is not null as is_item_present_after
    from items
    inner join judged
        on items.ticket_id = judged.ticket_id
    left join rulings
        on
            items.ticket_id = rulings.ticket_id
            and judged.contractor = rulings.contractor
            and (items.item_code = rulings.item or items.item_name_zh = rulings.item)

),

labelled as (

    select
        *,
        case
            when not is_item_present_after
                then lpad(cast(item_no as {{ string_type() }}), 2, '0') || ' ' || item_name_zh
        end as missing_item_label,
        case
            when not is_item_present_before
                then lpad(cast(item_no as {{ string_type() }}), 2, '0') || ' ' || item_name_zh
        end as missing_item_label_before
    from ruled

),

counted as (

    select
        ticket_id,
        count(*) as required_item_count,
        sum(case when is_item_present_after then 0 else 1 end) as missing_item_count,
        sum(case when is_item_present_before then 0 else 1 end) as missing_item_count_before,
        {{ string_agg_sorted('missing_item_label', '; ') }} as missing_items_sorted,
        {{ string_agg_sorted('missing_item_label_before', '; ') }} as missing_items_before_sorted
    from labelled
    group by ticket_id

),

final as (

    select
        judged.*,
        counted.required_item_count,
        counted.missing_item_count,
        counted.missing_items_sorted as missing_items,
        counted.missing_item_count = 0 as is_form_complete,
        counted.missing_item_count_before,
        counted.missing_items_before_sorted as missing_items_before,
        counted.missing_item_count_before = 0 as is_form_complete_before,
        {{ fingerprint }} as rules_fingerprint
    from judged
    inner join counted
        on judged.ticket_id = counted.ticket_id

)

select * from final

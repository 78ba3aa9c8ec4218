-- One row per inspection record: its month (of 巡检时间), its own contractor and
-- place, and the evidence it carries: photos (照片数 >= min_photo_count of seed
-- inspection_evidence), the customer's sign-off (客户签字) and the monthly config
-- backup (配置已备份). A blank 照片数 or yes/no counts as no evidence.
with

inspections as (

    select * from {{ ref('stg_eoms__inspections') }}

),

evidence as (

    select max(min_photo_count) as min_photo_count from {{ ref('inspection_evidence') }}

),

final as (

    select
        ---------- ids
        inspections.inspection_id,
        inspections.site_id,
        inspections.technician_id,

        ---------- attribution
        {{ month_of('inspections.inspected_at') }} as month,
        inspections.contractor,
        inspections.prefecture,
        inspections.county,

        ---------- times
        inspections.inspected_at,
        {{ to_date('inspections.inspected_at') }} as inspected_on,

        ---------- outcome
        inspections.inspection_result,
        inspections.issues_found,
        inspections.issues_fixed_onsite,
        inspections.photo_count,

        ---------- evidence
        coalesce(inspections.photo_count >= evidence.min_photo_count, false) as has_photos,
        coalesce(inspections.is_customer_signed, false) as is_customer_signed,
        coalesce(inspections.is_config_backed_up, false) as is_config_backed_up
    from inspections
    cross join evidence

)

select * from final

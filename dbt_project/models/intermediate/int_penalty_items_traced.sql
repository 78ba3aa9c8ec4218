-- Every 元 of 考核扣款, traced: one row per (month, contractor, ticket or technician,
-- reason). Deductions are positive, the technician bonus negative (seed
-- penalty_amounts). Only tickets with a contractor are charged (penalties exist at the
-- contractor grain only); missing items and photos only on tickets of the form / photo
-- population (kpis.md edge rule 7).
{{ penalty_items('') }}

"""The one masking helper of the app: people's names and phone numbers never leave the warehouse in clear.

The dashboard, its downloads and the monthly pack all pass every frame they
show through `mask_frame`, so a new page or a new mart column cannot forget
it. The rules themselves (names keep their first character, phones their
first three and last four digits, JSON masked key by key, mobiles inside free
text, a reject reason's quoted name or phone) live in `core.masking`, shared
with the command line.
"""

from __future__ import annotations

import pandas as pd

from core.masking import (
    FREE_TEXT_COLUMNS,
    JSON_COLUMNS,
    NAME_COLUMNS,
    PHONE_HINTS_ZH,
    PHONE_WORDS,
    is_name_column,
    is_phone_column,
    mask_json_text,
    mask_name,
    mask_phone,
    mask_reason,
    mask_text,
)

__all__ = [
    "JSON_COLUMNS",
    "NAME_COLUMNS",
    "PHONE_HINTS_ZH",
    "PHONE_WORDS",
    "is_name_column",
    "is_phone_column",
    "mask_frame",
    "mask_json_text",
    "mask_name",
    "mask_phone",
    "mask_text",
]


def mask_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of df with every personal column masked; frames without any are returned as they are."""
    todo = [
        c
        for c in df.columns
        if isinstance(c, str)
        and (is_name_column(c) or is_phone_column(c) or c in JSON_COLUMNS or c in FREE_TEXT_COLUMNS)
    ]
    if not todo or df.empty:
        return df
    out = df.copy()
    for c in todo:
        if c == "reason" and "column" in out.columns:  # audit.rejects: the quoted cell is the column's
            out[c] = pd.Series(
                [mask_reason(col, r) for col, r in zip(out["column"], out[c], strict=True)], index=out.index
            )
            continue
        if c in JSON_COLUMNS:
            fn = mask_json_text
        elif is_name_column(c):
            fn = mask_name
        elif is_phone_column(c):
            fn = mask_phone
        else:
            fn = mask_text
        out[c] = out[c].map(fn, na_action="ignore")
    return out

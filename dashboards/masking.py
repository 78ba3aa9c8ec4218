"""The one masking helper: people's names and phone numbers never leave the warehouse in clear.

The dashboard, its downloads and the monthly pack all pass every frame they
show through `mask_frame`, so a new page or a new mart column cannot forget
it: columns are recognised by name (English mart names and the Chinese source
headers), JSON text (rejected rows, data-quality samples) is masked key by
key, and mobile numbers inside free text are masked too.

Rules, as the department writes them by hand: a name keeps its first
character (张三 → 张*, 欧阳娜娜 → 欧***); a phone keeps its first three and
last four digits (13812341234 → 138****1234, 0851-88762124 → 085*-****2124).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd

NAME_COLUMNS = frozenset(
    {
        "name",
        "contact_name",
        "customer_contact",
        "technician_name",
        "employee_name",
        "person_name",
        "inspector_name",
        "handler_name",
        "姓名",
        "用户姓名",
        "联系人",
        "处理人",
        "处理人姓名",
        "巡检人",
    }
)
PHONE_WORDS = frozenset({"phone", "mobile", "tel", "telephone", "msisdn"})
PHONE_HINTS_ZH = ("电话", "联系方式", "手机")
JSON_COLUMNS = frozenset({"raw", "unexpected_sample", "sample", "sample_json"})
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_name(value: object) -> object:
    """张三 → 张*: the family name stays so a supervisor can still recognise the person."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return value
    return text[0] + "*" * max(1, len(text) - 1)


def mask_phone(value: object) -> object:
    """13812341234 → 138****1234; any other number keeps its first 3 and last 4 digits."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return value
    text = str(value).strip()
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if len(digits) < 8:
        return "*" * len(text) if text else value
    hidden = set(digits[3:-4])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(text))


def mask_text(value: object) -> object:
    """Mobile numbers written inside free text (remarks, messages)."""
    if not isinstance(value, str):
        return value
    return _MOBILE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(3)}", value)


def is_name_column(column: str) -> bool:
    return column in NAME_COLUMNS or column.endswith("_person_name")


def is_phone_column(column: str) -> bool:
    words = set(re.split(r"[_\s]+", column.lower()))
    return bool(words & PHONE_WORDS) or any(h in column for h in PHONE_HINTS_ZH)


def _mask_obj(obj: Any) -> Any:
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            key = str(k)
            if is_name_column(key):
                out[k] = mask_name(v)
            elif is_phone_column(key):
                out[k] = mask_phone(v)
            else:
                out[k] = _mask_obj(v)
        return out
    if isinstance(obj, list):
        return [_mask_obj(v) for v in obj]
    return mask_text(obj)


def mask_json_text(value: object) -> object:
    """A JSON cell (a rejected row, a sample of failing rows) masked key by key."""
    if not isinstance(value, str) or value.strip()[:1] not in ("{", "["):
        return mask_text(value)
    try:
        parsed = json.loads(value)
    except ValueError:
        return mask_text(value)
    return json.dumps(_mask_obj(parsed), ensure_ascii=False)


def mask_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of df with every personal column masked; frames without any are returned as they are."""
    todo = [
        c for c in df.columns if isinstance(c, str) and (is_name_column(c) or is_phone_column(c) or c in JSON_COLUMNS)
    ]
    if not todo or df.empty:
        return df
    out = df.copy()
    for c in todo:
        if c in JSON_COLUMNS:
            fn = mask_json_text
        elif is_name_column(c):
            fn = mask_name
        else:
            fn = mask_phone
        out[c] = out[c].map(fn, na_action="ignore")
    return out

"""The masking rules: people's names and phone numbers never leave the warehouse in clear.

Pure functions on values and column names (standard library only), shared by the
dashboard and the pack (`reporting.masking.mask_frame` applies them to every
frame) and by the command line (`daiwei rejects` / `daiwei loads` write masked
unless `--unmasked`).

Rules, as the department writes them by hand: a name keeps its first
character (张三 → 张*, 欧阳娜娜 → 欧***); a phone keeps its first three and
last four digits (13812341234 → 138****1234, 0851-88762124 → 085*-****2124).
Columns are recognised by name (English mart names and the Chinese source
headers); JSON text (rejected rows, data-quality samples) is masked key by key;
mobile numbers inside free text are masked too; a reject reason that quotes a
name or phone cell has the quoted value masked.
"""

from __future__ import annotations

import json
import re
from typing import Any

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
FREE_TEXT_COLUMNS = frozenset({"reason", "message"})  # reject reasons and load-log messages
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_QUOTED = re.compile(r"「([^」]*)」")
_ALSO = "另有 / also: "


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
    if value is None or (isinstance(value, float) and value != value):
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


def is_personal_column(column: str) -> bool:
    return is_name_column(column) or is_phone_column(column)


def mask_value(column: str, value: object) -> object:
    """A cell masked by its column's name: a name, a phone, or free text with mobiles in it."""
    if is_name_column(column):
        return mask_name(value)
    if is_phone_column(column):
        return mask_phone(value)
    return mask_text(value)


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
    return json.dumps(_mask_obj(parsed), ensure_ascii=False, separators=(",", ":"))


def _mask_quoted(column: str, text: str) -> str:
    if not is_personal_column(column.strip()):
        return text
    return _QUOTED.sub(lambda m: f"「{mask_value(column.strip(), m.group(1))}」", text)


def mask_reason(column: object, reason: object) -> object:
    """A reject reason: `<reason>: 「cell」` of `column`, then `；另有 / also: <col>: <reason>: 「cell」；…`.

    A quoted cell of a name or phone column is masked like the column; mobiles anywhere are masked."""
    if not isinstance(reason, str):
        return reason
    segments = reason.split("；")
    out = [_mask_quoted(str(column or ""), segments[0])]
    for seg in segments[1:]:
        body = seg[len(_ALSO) :] if seg.startswith(_ALSO) else seg
        owner = body.split(": ", 1)[0] if ": " in body else ""
        out.append(_mask_quoted(owner, seg))
    return mask_text("；".join(out))


def mask_email(address: str) -> str:
    """zhang.san@example.com → z***@example.com: enough to recognise whom a pack went to in a log."""
    local, at, domain = address.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"

"""Chinese first, English on request: every label the app shows goes through `t()`.

The labels themselves live in `reporting.labels` (one dict per page) so this
module stays the small API every page imports.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from reporting.labels import (
    APPEAL_STATES,
    AREA_SUPPORT_NAMES,
    AUDIT_ACTIONS,
    AUDIT_OUTCOMES,
    DATASET_NAMES,
    LABELS,
    MONTH_STATES,
    REASON_NAMES,
    RULE_NAMES,
    VALUE_NAMES,
)

ALL = ""  # the contractor picker's "all contractors" value (the marts' '' = all)


_LANG: ContextVar[str] = ContextVar("daiwei_lang", default="zh")
LANGUAGES = ("zh", "en")


def lang() -> str:
    """The reader's language: Chinese unless the caller (the app, per rerun) chose English."""
    return _LANG.get()


def set_lang(code: str) -> None:
    """Choose the language for this thread's work (the app calls it at the top of every rerun)."""
    _LANG.set(code if code in LANGUAGES else "zh")


@contextmanager
def language(code: str) -> Iterator[None]:
    """The language for a block (a test, a pack in English), restored afterwards."""
    token = _LANG.set(code if code in LANGUAGES else "zh")
    try:
        yield
    finally:
        _LANG.reset(token)


def t(key: str) -> str:
    zh, en = LABELS.get(key, (key, key))
    return en if lang() == "en" else zh


def tf(key: str, **values: object) -> str:
    """A label with {placeholders} filled in."""
    return t(key).format(**values)


def _pick(table: dict[str, tuple[str, str]], code: str) -> str:
    zh, en = table.get(code, (code, code))
    return en if lang() == "en" else zh


def dataset_name(code: str) -> str:
    return _pick(DATASET_NAMES, code)


def reason_name(code: str) -> str:
    return _pick(REASON_NAMES, code)


def support_name(relation: str) -> str:
    return _pick(AREA_SUPPORT_NAMES, relation)


def rule_name(code: str) -> str:
    """An appeal's rule (appstate.RULES) in words: 处理及时, 接单及时, 回单项, 现场照片."""
    return _pick(RULE_NAMES, code)


def appeal_state_name(code: str) -> str:
    return _pick(APPEAL_STATES, code)


def month_state_name(code: str) -> str:
    return _pick(MONTH_STATES, code)


def action_name(code: str) -> str:
    """An audit-trail action (sign_in, download, close_month, …) in words."""
    return _pick(AUDIT_ACTIONS, code)


def outcome_name(code: str) -> str:
    return _pick(AUDIT_OUTCOMES, code)


def period_name(label: str) -> str:
    """The month picker's value in words: 2026-10 as it is, 2026-Q3 → 2026年第3季度, 2026 → 2026年度."""
    if len(label) == 7 and label[4:6] == "-Q":
        return tf("period_quarter", year=label[:4], q=label[6])
    if len(label) == 4 and label.isdigit():
        return tf("period_year", year=label)
    return label


def contractor_label(contractor: str) -> str:
    """'' is the province (全省) in every mart."""
    return t("province") if contractor == ALL else contractor


def bilingual(zh: object, en: object) -> str:
    """Pick the Chinese or English name of a row that carries both (KPIs, areas)."""
    text_en = en if isinstance(en, str) and en else zh
    return str(text_en if lang() == "en" else zh)


def value_name(column: str, code: object) -> object:
    """A stored code in words (breach reason, ledger finding, field, grain); anything else unchanged."""
    names = VALUE_NAMES.get(column)
    if not names or not isinstance(code, str) or code not in names:
        return code
    zh, en = names[code]
    return en if lang() == "en" else zh

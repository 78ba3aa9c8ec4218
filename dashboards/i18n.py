"""Chinese first, English on request: every label the app shows goes through `t()`.

The labels themselves live in `dashboards.labels` (one dict per page) so this
module stays the small API every page imports.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboards.labels import AREA_SUPPORT_NAMES, DATASET_NAMES, LABELS, REASON_NAMES

ALL = ""  # the contractor picker's "all contractors" value (the marts' '' = all)


def lang() -> str:
    """The reader's language; Chinese outside a Streamlit session (the pack, the benchmark)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return "zh"
    return str(st.session_state.get("lang", "zh"))


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


def contractor_label(contractor: str) -> str:
    """'' is the province (全省) in every mart."""
    return t("province") if contractor == ALL else contractor


def bilingual(zh: object, en: object) -> str:
    """Pick the Chinese or English name of a row that carries both (KPIs, areas)."""
    text_en = en if isinstance(en, str) and en else zh
    return str(text_en if lang() == "en" else zh)


def language_switch() -> None:
    choice = st.sidebar.radio(
        LABELS["language"][0],
        ["中文", "English"],
        horizontal=True,
        index=0 if lang() == "zh" else 1,
        key="lang_choice",
    )
    st.session_state["lang"] = "en" if choice == "English" else "zh"

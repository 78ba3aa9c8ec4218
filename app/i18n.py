"""The reader's language in the app: a sidebar switch, kept in the session and handed to `reporting`.

`reporting.i18n` holds every label and the current language (a context variable, Chinese by
default, so the pack and the CLI need no web framework); the app sets it at the top of every
rerun from the session, before any page draws.
"""

from __future__ import annotations

import streamlit as st

from reporting.i18n import lang, set_lang
from reporting.labels import LABELS

# Pickers whose shown value is a label made by format_func ("全部代维公司", "全部地市", "（全部）", "2026年第3季度").
RELABEL = frozenset(
    {"month", "contractor", "prefecture", "county", "tl_contractor", "ld_dataset", "ld_file", "ld_reason"}
)


def language_switch() -> None:
    set_lang(str(st.session_state.get("lang", "zh")))
    choice = st.sidebar.radio(
        LABELS["language"][0],
        ["中文", "English"],
        horizontal=True,
        index=0 if lang() == "zh" else 1,
        key="lang_choice",
    )
    chosen = "en" if choice == "English" else "zh"
    if chosen != st.session_state.get("lang", "zh"):
        # A picker keeps showing the label it drew for its value ("全部代维公司") when only the
        # language changed: setting each kept value again makes the browser redraw it in the new one.
        for key in [k for k in st.session_state if k in RELABEL]:
            st.session_state[key] = st.session_state[key]
    st.session_state["lang"] = chosen
    set_lang(chosen)

"""The reader's language in the app: a sidebar switch, kept in the session and handed to `reporting`.

`reporting.i18n` holds every label and the current language (a context variable, Chinese by
default, so the pack and the CLI need no web framework); the app sets it at the top of every
rerun from the session, before any page draws.
"""

from __future__ import annotations

import streamlit as st

from reporting.i18n import lang, set_lang
from reporting.labels import LABELS


def language_switch() -> None:
    set_lang(str(st.session_state.get("lang", "zh")))
    choice = st.sidebar.radio(
        LABELS["language"][0],
        ["中文", "English"],
        horizontal=True,
        index=0 if lang() == "zh" else 1,
        key="lang_choice",
    )
    st.session_state["lang"] = "en" if choice == "English" else "zh"
    set_lang(st.session_state["lang"])

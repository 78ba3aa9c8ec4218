"""Who is asking: the sign-in gate, the signed session, and OpenID Connect (access.md).

An anonymous visitor gets the sign-in form and nothing else: `gate()` runs at the
top of every rerun, before the sidebar and the page, and the entry file stops the
script when it returns None.

The session is kept in st.session_state as the username and an HMAC-SHA256 of it
under a key that lives only in this process (`_secret`, in st.cache_resource). A
session value edited by hand (another username, a made-up token) does not verify
and the visitor is signed out. On every rerun the account is read again
(`appstate.get_account`), so a disabled account is signed out at its next click.
A reload of the browser tab starts a new Streamlit session: sign in again.

With an `[auth]` section in `.streamlit/secrets.toml`, the form also offers the
company identity provider (Streamlit's `st.login`); the provider's claims become
a Principal through `principal_from_claims` and the `[daiwei_oidc]` mapping
(docs/dashboard.md). A person the mapping does not place is refused.

The verified principal and its data scope are held for the rerun in a context
variable (`current()`), set before anything else runs: pages and `app.data.db()`
read it, never the session values.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import streamlit as st

import appstate
from appstate import AppDB
from core.principal import ROLE_NAMES_ZH, ROLES, Principal
from core.settings import Settings
from reporting.i18n import lang, t, tf
from reporting.scope import Scope

SESSION_USER, SESSION_TOKEN = "auth_user", "auth_token"
FORM_KEY, USER_KEY, PASSWORD_KEY, SUBMIT_KEY = "sign_in_form", "sign_in_username", "sign_in_password", "sign_in_submit"
SIGN_OUT_KEY, OIDC_KEY = "sign_out", "sign_in_oidc"
OIDC_SECTION = "daiwei_oidc"  # the claim → role mapping, beside Streamlit's own [auth] section

ROLE_NAMES_EN = {"admin": "Administrator", "analyst": "Analyst", "contractor": "Contractor", "auditor": "Auditor"}
# When a person's claims name several department roles, the strongest wins.
_PRECEDENCE = ("admin", "auditor", "analyst")


@dataclass(frozen=True)
class Who:
    """The verified person of this rerun, and what it may read."""

    principal: Principal
    scope: Scope
    via: str = "password"  # password | oidc


_CURRENT: ContextVar[Who | None] = ContextVar("daiwei_who", default=None)


def current() -> Who | None:
    """The person verified at the top of this rerun (None before the gate, or for an anonymous visitor)."""
    return _CURRENT.get()


def principal() -> Principal | None:
    who = current()
    return None if who is None else who.principal


# --------------------------------------------------------------------------- process-wide resources


@st.cache_resource(show_spinner=False)
def _connect(url: str) -> AppDB:
    return appstate.connect(url)


def app_db() -> AppDB:
    """The application database of this deployment's settings ($DAIWEI_APP_DB), one engine per URL."""
    return _connect(Settings.load().app_db)


@st.cache_resource(show_spinner=False)
def _secret() -> bytes:
    """The key of this process's session tokens: random, never stored, gone with the process."""
    return secrets.token_bytes(32)


def token(username: str) -> str:
    return hmac.new(_secret(), username.encode("utf-8"), hashlib.sha256).hexdigest()


def local_time(v: datetime | None) -> str:
    """A time of the application database (aware UTC) as the server's local time, to the minute."""
    return "" if v is None else v.astimezone().strftime("%Y-%m-%d %H:%M")


def role_name(role: str) -> str:
    return ROLE_NAMES_EN.get(role, role) if lang() == "en" else ROLE_NAMES_ZH.get(role, role)


# --------------------------------------------------------------------------- OpenID Connect


def _values(claim: object) -> list[str]:
    if claim is None:
        return []
    if isinstance(claim, str):
        return [v for v in claim.replace(",", " ").split() if v]
    if isinstance(claim, list | tuple | set | frozenset):
        return [str(v) for v in claim if v is not None and str(v)]
    return [str(claim)]


def principal_from_claims(claims: Mapping[str, Any], mapping: Mapping[str, Any]) -> Principal | None:
    """The Principal an identity provider's claims stand for, or None (refused).

    `mapping` (the `[daiwei_oidc]` secrets section):

    * ``username_claim`` (default ``email``, then ``sub``): the claim that names the person;
    * ``role_claim`` (default ``groups``): a claim holding one value or a list of values;
    * ``roles``: claim value → role (admin, analyst, auditor, contractor); values not listed are
      ignored. Several department roles: the strongest wins (admin, auditor, analyst). A contractor
      value together with a department role is ambiguous and refused;
    * ``contractor_claim`` (default ``contractor``): for a contractor, the claim naming its company;
      ``contractors`` (optional): claim value → contractor name as the warehouse spells it; when it
      is given, a value not listed is refused.

    Nobody is let in by default: no username, no mapped role, or a contractor without a company
    is None.
    """
    username_claim = str(mapping.get("username_claim") or "email")
    username = claims.get(username_claim) or claims.get("sub")
    if not isinstance(username, str) or not username.strip():
        return None
    role_map = mapping.get("roles") or {}
    if not isinstance(role_map, Mapping):
        return None
    found = {str(role_map[v]) for v in _values(claims.get(str(mapping.get("role_claim") or "groups"))) if v in role_map}
    found &= set(ROLES)
    if not found:
        return None
    if "contractor" in found:
        if len(found) > 1:
            return None
        raw = _values(claims.get(str(mapping.get("contractor_claim") or "contractor")))
        if len(raw) != 1:
            return None
        names = mapping.get("contractors")
        if names is not None:
            if not isinstance(names, Mapping) or raw[0] not in names:
                return None
            company = str(names[raw[0]]).strip()
        else:
            company = raw[0].strip()
        if not company:
            return None
        return Principal(username.strip(), "contractor", company)
    role = next(r for r in _PRECEDENCE if r in found)
    return Principal(username.strip(), role)


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all (FileNotFoundError, StreamlitSecretNotFoundError)
        return False


def _oidc_mapping() -> Mapping[str, Any]:
    try:
        section = st.secrets.get(OIDC_SECTION)
    except Exception:
        return {}
    return section if isinstance(section, Mapping) else {}


def _oidc_principal() -> Principal | None:
    if not _oidc_configured() or not st.user.is_logged_in:
        return None
    return principal_from_claims(st.user.to_dict(), _oidc_mapping())


# --------------------------------------------------------------------------- the gate


def _session_principal(app: AppDB) -> Principal | None:
    """The signed-in account of this session, verified (token) and read again (disabled, role)."""
    username = st.session_state.get(SESSION_USER)
    given = st.session_state.get(SESSION_TOKEN)
    if not isinstance(username, str) or not isinstance(given, str):
        return None
    if not hmac.compare_digest(given, token(username)):
        _forget()
        return None
    account = appstate.get_account(app, username)
    if account is None or account.disabled:
        _forget()
        return None
    return account.principal


def _forget() -> None:
    for key in (SESSION_USER, SESSION_TOKEN):
        st.session_state.pop(key, None)


def _who(app: AppDB, p: Principal, via: str) -> Who:
    months = None if p.sees_everything else appstate.visible_months(app, p)
    return Who(p, Scope.for_principal(p, months), via)


def gate() -> Who | None:
    """The verified person of this rerun; an anonymous visitor gets the sign-in form (and None)."""
    _CURRENT.set(None)
    app = app_db()
    p = _session_principal(app)
    via = "password"
    if p is None:
        p, via = _oidc_principal(), "oidc"
        if p is not None:
            account = appstate.get_account(app, p.username)
            if account is not None and account.disabled:
                p = None
            elif not st.session_state.get("auth_oidc_recorded"):
                appstate.record(app, actor=p, action="sign_in", target="oidc")
                st.session_state["auth_oidc_recorded"] = True
    if p is None:
        _form(app)
        return None
    who = _who(app, p, via)
    _CURRENT.set(who)
    return who


def _locked_text(until: datetime | None) -> str:
    if until is None:
        return t("sign_in_locked_plain")
    return tf("sign_in_locked", time=until.astimezone().strftime("%H:%M"))


def _form(app: AppDB) -> None:
    st.title(t("sign_in_title"))
    st.caption(t("sign_in_caption"))
    with st.form(FORM_KEY, enter_to_submit=False, border=True):
        username = st.text_input(t("username"), key=USER_KEY, autocomplete="username")
        password = st.text_input(t("password"), type="password", key=PASSWORD_KEY, autocomplete="current-password")
        submitted = st.form_submit_button(t("sign_in"), type="primary", key=SUBMIT_KEY)
    if submitted:
        if not username.strip() or not password:
            st.error(t("sign_in_bad"))
        else:
            _try(app, username.strip(), password)
    if _oidc_configured():
        st.divider()
        st.caption(t("sign_in_oidc_caption"))
        if st.button(t("sign_in_oidc"), key=OIDC_KEY, icon=":material/badge:"):
            st.login()
        if st.user.is_logged_in:  # signed in at the provider, but not placed by the mapping
            st.error(t("sign_in_oidc_refused"))


def _try(app: AppDB, username: str, password: str) -> None:
    policy = appstate.LockoutPolicy.from_settings(Settings.load())
    result = appstate.sign_in(app, username, password, policy=policy)
    if result.outcome == "ok" and result.principal is not None:
        st.session_state[SESSION_USER] = result.principal.username
        st.session_state[SESSION_TOKEN] = token(result.principal.username)
        st.session_state.pop(PASSWORD_KEY, None)
        st.rerun()
    elif result.outcome == "locked":
        st.error(_locked_text(result.locked_until))
    elif result.outcome == "disabled":
        st.error(t("sign_in_disabled"))
    else:  # unknown_user and bad_password read the same: nobody learns which usernames exist
        st.error(t("sign_in_bad"))


def sign_out_box(who: Who) -> None:
    """The sidebar's person: name, role, and the sign-out button."""
    p = who.principal
    role = role_name(p.role)
    st.sidebar.text(f"{p.username} · {role}" + (f" · {p.contractor}" if p.contractor else ""))
    if st.sidebar.button(t("sign_out"), key=SIGN_OUT_KEY, icon=":material/logout:"):
        _forget()
        st.session_state.pop("auth_oidc_recorded", None)
        if who.via == "oidc":
            st.logout()
        st.rerun()


# --------------------------------------------------------------------------- the audit trail


def record(action: str, target: str, outcome: str = "ok", who: Who | None = None) -> None:
    """One audit entry for the signed-in person (nothing for an anonymous visitor: they cannot act)."""
    who = who or current()
    if who is None:
        return
    appstate.record(app_db(), actor=who.principal, action=action, target=target, outcome=outcome)


def record_view(page: str, month: str | None, contractor: str) -> None:
    """'view' once per page per session per filter choice (the target names the page and the filters)."""
    target = f"{page} month={month or ''} contractor={contractor or '*'}"
    seen = st.session_state.setdefault("auth_viewed", [])
    if target in seen:
        return
    record("view", target)
    seen.append(target)

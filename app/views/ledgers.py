"""台帐核查 — each contractor's customer ledger against EOMS, and the data-quality checks per contractor.

The ledger consistency rate says how many circuits agree; this page shows
which do not and why (missing, extra, duplicate lines, and each mismatched
field with the EOMS value beside the ledger's), then what Great Expectations
found in every delivery, scored per contractor.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import tables
from app.downloads import download_buttons
from app.filters import Selection, ready
from core.inert import md, plot_text
from reporting import charts, drill, queries
from reporting.dq_labels import check_text, suite_name
from reporting.fmt import records, value_text
from reporting.i18n import ALL, t, tf, value_name
from reporting.labels import LEDGER_FIELDS, VALUE_NAMES
from reporting.reader import DB
from reporting.support import column_label

KINDS = VALUE_NAMES["finding"]


def _kind(code: str) -> str:
    return str(value_name("finding", code))


def _field(code: object) -> object:
    return value_name("field_name", code)


def _readable(rows: pd.DataFrame) -> pd.DataFrame:
    """Kinds and fields in words, the two values side by side right after the circuit."""
    order = [
        "contractor",
        "prefecture",
        "circuit_id",
        "finding",
        "field_name",
        "eoms_value",
        "ledger_value",
        "detail",
        "source_file",
        "source_row",
    ]
    out = rows.assign(finding=rows["finding"].map(_kind), field_name=rows["field_name"].map(_field))
    return out[[c for c in order if c in out.columns]].rename(columns={c: column_label(c, {}) for c in order})


def load(db: DB, sel: Selection) -> dict[str, pd.DataFrame]:
    """Everything the page draws by default (the benchmark times this)."""
    assert sel.month is not None
    out: dict[str, pd.DataFrame] = {}
    out["summary"] = drill.findings_summary(db, sel.month)
    out["fields"] = drill.mismatch_fields(db, sel.month)
    out["findings"] = drill.findings(db, sel.month, sel.contractor, [])
    out["dq_scores"] = drill.dq_scores(db, sel.month)
    out["dq_results"] = drill.dq_results(db, sel.month, sel.contractor, True)
    return out


def _summary(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("contractor"): df["contractor"],
            t("ledger_rate"): [value_text(v, "ratio") for v in df["value"]],
            t("numerator"): df["numerator"].astype(float),
            t("denominator"): df["denominator"].astype(float),
            **{_kind(k): df[k].astype(int) for k in KINDS},
        }
    )


def _fields_chart(df: pd.DataFrame, colours: dict[str, str]) -> go.Figure:
    fig = go.Figure()
    for contractor, part in df.groupby("contractor", sort=True):
        fig.add_bar(
            x=[plot_text(_field(f)) for f in part["field_name"]],
            y=part["n"],
            name=plot_text(contractor),
            marker_color=colours.get(str(contractor)),
        )
    fig.update_layout(barmode="group")
    return charts._layout(fig, "", height=300)


def _findings(db: DB, sel: Selection, colours: dict[str, str]) -> None:
    assert sel.month is not None
    summary = drill.findings_summary(db, sel.month)
    if sel.contractor != ALL:
        summary = summary[summary["contractor"] == sel.contractor]
    st.subheader(t("findings_summary"))
    table = _summary(summary)
    tables.show(table, hide_index=True, width="stretch")
    download_buttons(table, f"ledger_summary_{sel.month}", "lg_sum", numeric=[t("ledger_rate")])
    fields = drill.mismatch_fields(db, sel.month)
    if sel.contractor != ALL:
        fields = fields[fields["contractor"] == sel.contractor]
    if not fields.empty:
        st.markdown(f"##### {t('mismatch_by_field')}")
        st.plotly_chart(_fields_chart(fields, colours), width="stretch", key="lg_fields")
    kind_names = {k: _kind(k) for k in KINDS}
    field_names = {f: str(_field(f)) for f in LEDGER_FIELDS}
    k1, k2 = st.columns([2, 5])
    picked_kinds = k1.pills(
        t("finding_kind"), list(KINDS), selection_mode="multi", format_func=kind_names.__getitem__, key="lg_kinds"
    )
    picked_fields = k2.pills(
        t("field_filter"),
        list(LEDGER_FIELDS),
        selection_mode="multi",
        format_func=field_names.__getitem__,
        key="lg_field_filter",
    )
    kinds, field_codes = list(picked_kinds or []), list(picked_fields or [])
    if field_codes and not kinds:  # a field only differs on a mismatch
        kinds = ["mismatch"]
    month, contractor, prefecture = sel.month, sel.contractor, sel.prefecture
    rows = drill.findings(db, month, contractor, kinds, fields=field_codes, prefecture=prefecture)
    if len(rows) == drill.TICKET_LIMIT:
        total = drill.findings_count(db, month, contractor, kinds, field_codes, prefecture)
        st.caption(tf("rows_shown", shown=f"{len(rows):,}", total=f"{total:,}"))
    tables.show(
        _readable(rows),
        hide_index=True,
        width="stretch",
        height=400,
        column_config={
            column_label(c, {}): st.column_config.TextColumn(width="medium") for c in ("eoms_value", "ledger_value")
        },
    )
    download_buttons(
        lambda: _readable(drill.findings(db, month, contractor, kinds, None, field_codes, prefecture)),
        f"ledger_findings_{month}",
        "lg_rows",
    )


def _quality(db: DB, sel: Selection, colours: dict[str, str]) -> None:
    assert sel.month is not None
    st.subheader(t("dq_title"))
    scores = drill.dq_scores(db, sel.month)
    if sel.contractor != ALL:
        scores = scores[scores["contractor"] == sel.contractor]
    if scores.empty:
        st.info(t("no_rows"))
    else:
        cols = st.columns(len(scores))
        for col, r in zip(cols, records(scores), strict=True):
            col.metric(
                f"{md(r.contractor)} · {t('dq_score')}",
                f"{float(r.score):.2f}",
                help=f"{int(r.passed)} / {int(r.evaluated)}",
            )
    failed_only = st.toggle(t("dq_failed_only"), value=True, key="lg_dq_failed")
    results = drill.dq_results(db, sel.month, sel.contractor, failed_only)
    # On the page each check reads as a sentence; the download keeps what GE stored, for the record.
    readable = pd.DataFrame(
        {
            t("contractor"): results["contractor"].fillna(t("whole_province")),
            t("dq_suite"): results["suite"].map(suite_name),
            t("dq_check"): [check_text(r.expectation, r.column, suite=r.suite) for r in records(results)],
            t("dq_result"): results["success"].map(lambda ok: t("dq_passed") if ok else t("dq_failed")),
            t("dq_checked"): results["element_count"],
            t("dq_unexpected"): results["unexpected_count"],
            t("dq_unexpected_share"): results["unexpected_percent"].astype(float) / 100.0,
        }
    )
    tables.show(
        readable,
        hide_index=True,
        width="stretch",
        height=400,
        column_config={t("dq_unexpected_share"): st.column_config.NumberColumn(format="percent")},
    )
    labels = {
        "contractor": t("contractor"),
        "suite": t("dq_suite"),
        "expectation": t("dq_check"),
        "column": t("field"),
        "success": t("dq_result"),
        "element_count": t("dq_checked"),
        "unexpected_count": t("dq_unexpected"),
        "unexpected_percent": t("dq_unexpected_percent"),
        "observed_value": t("value"),
        "unexpected_sample": t("dq_sample"),
    }
    shown = results.rename(columns=labels)
    download_buttons(shown, f"data_quality_{sel.month}", "lg_dq")


def render() -> None:
    st.title(t("ledgers_title"))
    got = ready()
    if got is None:
        return
    db, sel = got
    st.caption(t("ledgers_caption"))
    colours = charts.colour_map(queries.contractors(db))
    _findings(db, sel, colours)
    _quality(db, sel, colours)


if __name__ == "__main__":
    render()

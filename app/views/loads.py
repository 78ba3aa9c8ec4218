"""数据加载 — the load report: every file's fate and every set-aside row."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import tables
from app.data import db
from app.downloads import download_buttons
from reporting.i18n import dataset_name, t
from reporting.reader import DB


def files(reader: DB) -> pd.DataFrame:
    return reader.df(
        "SELECT load_seq, run_id, file, dataset, status, rows_read, rows_loaded, rows_rejected, message, sha256 "
        "FROM audit.load_log ORDER BY load_seq"
    )


def rejects(reader: DB) -> pd.DataFrame:
    """Every set-aside row (`raw` is masked by the reader: it holds names and phone numbers)."""
    return reader.df('SELECT file, dataset, row, "column", reason, raw FROM audit.rejects ORDER BY load_seq, row')


def load(reader: DB) -> dict[str, pd.DataFrame]:
    return {"files": files(reader), "rejects": rejects(reader)}


def reason_kind(reason: str) -> str:
    """The reason without the quoted cell, so rejects can be grouped by kind."""
    head = reason.split("；另有", 1)[0]
    return head.split(": 「", 1)[0]


def render() -> None:
    st.title(t("loads_title"))
    st.caption(t("loads_caption"))
    reader = db()
    if reader is None:
        st.info(t("no_warehouse"))
        return
    files_df = files(reader)
    latest = st.toggle(t("latest_run_only"), value=False)
    if latest and not files_df.empty:
        files_df = files_df[files_df["run_id"] == files_df["run_id"].iloc[-1]]
    status = files_df["status"].value_counts()
    loaded = files_df[files_df["status"] == "loaded"]
    c = st.columns(7)
    c[0].metric(t("files_offered"), len(files_df))
    c[1].metric(t("files_loaded"), int(status.get("loaded", 0)))
    c[2].metric(t("files_skipped"), int(status.get("skipped", 0)))
    c[3].metric(t("files_rejected"), int(status.get("rejected", 0)))
    c[4].metric(t("rows_read"), f"{int(loaded['rows_read'].sum()):,}")
    c[5].metric(t("rows_loaded"), f"{int(loaded['rows_loaded'].sum()):,}")
    c[6].metric(t("rows_rejected"), f"{int(loaded['rows_rejected'].sum()):,}")

    st.subheader(t("per_dataset"))
    per = (
        loaded.groupby("dataset", as_index=False)[["rows_read", "rows_loaded", "rows_rejected"]]
        .sum()
        .assign(files=loaded.groupby("dataset")["file"].count().values)
    )
    per[t("reconciled")] = (per["rows_read"] == per["rows_loaded"] + per["rows_rejected"]).map({True: "✔", False: "✘"})
    per["dataset"] = per["dataset"].map(dataset_name)
    per = per.rename(
        columns={
            "dataset": t("col_dataset"),
            "files": t("files"),
            "rows_read": t("rows_read"),
            "rows_loaded": t("rows_loaded"),
            "rows_rejected": t("rows_rejected"),
        }
    )
    tables.show(per, hide_index=True, width="stretch")

    st.subheader(t("files"))
    shown = files_df.drop(columns=["load_seq"]).copy()
    shown["status"] = shown["status"].map(lambda s: t(f"status_{s}"))
    shown["dataset"] = shown["dataset"].map(lambda d: dataset_name(d) if isinstance(d, str) else "")
    shown["message"] = shown["message"].fillna("")
    shown = shown.rename(
        columns={
            "run_id": t("col_run"),
            "file": t("col_file"),
            "dataset": t("col_dataset"),
            "status": t("col_status"),
            "rows_read": t("rows_read"),
            "rows_loaded": t("rows_loaded"),
            "rows_rejected": t("rows_rejected"),
            "message": t("col_message"),
            "sha256": t("col_sha"),
        }
    )
    tables.show(shown, hide_index=True, width="stretch")
    download_buttons(shown, "load_log", "files")

    st.subheader(t("rejects"))
    rej = rejects(reader)
    rej["kind"] = rej["reason"].map(reason_kind)
    rej["dataset"] = rej["dataset"].map(lambda d: dataset_name(d) if isinstance(d, str) else "")
    f1, f2, f3 = st.columns(3)
    everything = t("drill_all")
    for col, column, label, key in (
        (f1, "dataset", t("filter_dataset"), "ld_dataset"),
        (f2, "file", t("filter_file"), "ld_file"),
        (f3, "kind", t("filter_reason"), "ld_reason"),
    ):
        options: list[str] = ["", *sorted(str(v) for v in rej[column].dropna().unique())]
        if st.session_state.get(key) not in options:
            st.session_state[key] = ""

        def as_shown(v: str, e: str = everything) -> str:
            return v or e

        picked = col.selectbox(label, options, key=key, format_func=as_shown)
        if picked:
            rej = rej[rej[column] == picked]
    out = rej.drop(columns=["kind"]).rename(
        columns={
            "file": t("col_file"),
            "dataset": t("col_dataset"),
            "row": t("col_row"),
            "column": t("col_column"),
            "reason": t("col_reason"),
            "raw": t("col_raw"),
        }
    )
    st.caption(f"{len(out):,}")
    tables.show(out, hide_index=True, width="stretch")
    download_buttons(out, "rejects", "rejects")


if __name__ == "__main__":
    render()

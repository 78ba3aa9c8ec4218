"""Chinese first, English on request: every label the app shows goes through `t()`."""

from __future__ import annotations

import streamlit as st

LABELS: dict[str, tuple[str, str]] = {
    "app_title": ("代维KPI数据仓库", "Contractor KPI warehouse"),
    "language": ("语言 / Language", "语言 / Language"),
    "loads": ("数据加载", "Data loads"),
    "loads_title": ("数据加载报告", "Load report"),
    "loads_caption": (
        "每个文件的去向：已加载、跳过（内容与已加载文件相同）或整文件拒绝；读取行数 = 加载 + 拒绝。",
        "Where every file went: loaded, skipped (same content as a loaded file) or rejected whole; "
        "rows read = loaded + rejected.",
    ),
    "files_offered": ("提交文件", "Files offered"),
    "files_loaded": ("已加载", "Loaded"),
    "files_skipped": ("已跳过", "Skipped"),
    "files_rejected": ("整文件拒绝", "Rejected whole"),
    "rows_read": ("读取行", "Rows read"),
    "rows_loaded": ("加载行", "Rows loaded"),
    "rows_rejected": ("拒绝行", "Rows rejected"),
    "per_dataset": ("按数据集", "Per dataset"),
    "files": ("文件清单", "Files"),
    "latest_run_only": ("只看最近一次运行", "Latest run only"),
    "rejects": ("拒绝行明细", "Rejected rows"),
    "filter_file": ("按文件筛选", "Filter by file"),
    "filter_reason": ("按原因筛选", "Filter by reason"),
    "filter_dataset": ("按数据集筛选", "Filter by dataset"),
    "download_csv": ("下载CSV", "Download CSV"),
    "download_xlsx": ("下载Excel", "Download Excel"),
    "reconciled": ("对账", "Reconciled"),
    "no_warehouse": (
        "还没有已发布的仓库：请先运行 `daiwei run --input 目录`。",
        "No published warehouse yet: run `daiwei run --input DIR` first.",
    ),
    "col_file": ("文件", "File"),
    "col_dataset": ("数据集", "Dataset"),
    "col_status": ("状态", "Status"),
    "col_message": ("说明", "Message"),
    "col_row": ("行", "Row"),
    "col_column": ("列", "Column"),
    "col_reason": ("原因", "Reason"),
    "col_raw": ("原始值", "Raw values"),
    "col_sha": ("SHA-256", "SHA-256"),
    "col_run": ("运行", "Run"),
    "status_loaded": ("已加载", "loaded"),
    "status_skipped": ("已跳过", "skipped"),
    "status_rejected": ("拒绝", "rejected"),
}

DATASET_NAMES: dict[str, tuple[str, str]] = {
    "tickets": ("工单", "Work orders"),
    "inspections": ("巡检记录", "Inspections"),
    "device_metrics": ("设备性能", "Device metrics"),
    "hr_roster": ("人员花名册", "HR roster"),
    "eoms_circuits": ("EOMS专线资源", "EOMS circuits"),
    "ledger": ("用户台帐", "Customer ledgers"),
    "spare_parts": ("备品备件", "Spare parts"),
    "instruments": ("仪器仪表", "Instruments"),
    "acceptance": ("交维验收", "Acceptance"),
}


def lang() -> str:
    return st.session_state.get("lang", "zh")


def t(key: str) -> str:
    zh, en = LABELS.get(key, (key, key))
    return en if lang() == "en" else zh


def dataset_name(code: str) -> str:
    zh, en = DATASET_NAMES.get(code, (code, code))
    return f"{en}" if lang() == "en" else f"{zh}"


def language_switch() -> None:
    choice = st.sidebar.radio(
        LABELS["language"][0], ["中文", "English"], horizontal=True, index=0 if lang() == "zh" else 1
    )
    st.session_state["lang"] = "en" if choice == "English" else "zh"

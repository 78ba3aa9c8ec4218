"""The nine source datasets of source-exports.md, one schema each.

This file is the input contract in code. Column names are the English names of
the spec; the raw warehouse table `raw.<dataset>` has exactly these columns
(plus `<id>_raw`, `<form item>_text`, the lineage columns of `ddl.py` and, after
them, the NFKC twins `<name>_nfkc` of the columns marked `nfkc_twin`).
"""

from __future__ import annotations

from ingestion.model import Apply, Column, Dataset, Kind, RowRule

K = Kind

TICKET_TYPES = ("故障", "投诉", "开通", "按需")
TICKET_STATUSES = ("已归档", "处理中", "已作废")
CHANNELS = ("EOMS", "10086", "网管监控", "客户经理", "微信群", "电话")
SERVICE_TYPES = (
    "数据专线",
    "语音专线",
    "互联网专线",
    "GPRS行业应用",
    "企业信息机",
    "集团彩信",
    "校讯通",
    "视频专线",
)
AREA_TYPES = ("城区", "乡镇")
SERVICE_LEVELS = ("AAA", "AA", "A", "普通")
ROLES = ("区域负责人", "班组长", "技术人员", "后台人员", "专业管理员")
EDUCATION = ("博士", "硕士", "本科", "大专", "中专", "高中")
ACCESS_TYPES = ("MPLS", "PON", "SDH", "裸光纤")
SITE_TYPES = ("自维数据专线", "其他数据专线", "营业厅网")
PART_TYPES = ("ONU", "光模块", "路由器", "交换机", "电源模块", "光纤收发器", "协议转换器")
INSTRUMENT_TYPES = ("OTDR", "光功率计", "红光笔", "光纤熔接机", "网络测试仪", "地阻仪", "万用表")


def prefecture(nfkc_twin: bool = False) -> Column:
    return Column(
        "prefecture",
        "地市",
        K.NAME,
        aliases=("地州", "地州市", "所属地市"),
        reference="prefecture",
        nfkc_twin=nfkc_twin,
    )


def county(nfkc_twin: bool = False) -> Column:
    return Column("county", "区县", K.NAME, aliases=("所属区县", "县区"), nfkc_twin=nfkc_twin)


def contractor(required: bool = False) -> Column:
    """Reference data (edge rule 9): a name not in the contractor seed makes the row bad."""
    return Column(
        "contractor", "代维公司", K.NAME, required=required, aliases=("代维单位", "代维厂家"), reference="contractor"
    )


def circuit(required: bool = True, header: str = "专线编号") -> Column:
    return Column("circuit_id", header, K.ID, required=required, aliases=("专线号", "电路编号", "专线ID", "电路代号"))


COUNTY_IN_PREFECTURE = RowRule(
    "county_in_prefecture",
    "county",
    "区县不属于该地市 / county is not in its prefecture",
    "p_county IS NULL OR p_county IN (SELECT county FROM ref_counties r"
    " WHERE p_prefecture IS NULL OR r.prefecture = p_prefecture)",
)


def not_before(column: str, header: str, earlier: str, earlier_header: str) -> RowRule:
    """Edge rule 8: `column` may not be earlier than `earlier`; the reject names `column`."""
    return RowRule(
        f"{column}_not_before_{earlier}",
        column,
        f"时间顺序错误 / time order: {header}早于{earlier_header} ({column} before {earlier})",
        f"p_{column} IS NULL OR p_{earlier} IS NULL OR p_{column} >= p_{earlier}",
    )


# Edge rule 8, confirmation-form timestamps (到达现场时间, 完成时间) included: the row contradicts itself.
TICKET_TIME_ORDER = (
    not_before("acknowledged_at", "接单时间", "dispatched_at", "派单时间"),
    not_before("arrived_at", "到达现场时间", "dispatched_at", "派单时间"),
    not_before("completed_at", "完成时间", "dispatched_at", "派单时间"),
    not_before("completed_at", "完成时间", "splice_done_at", "光缆熔接完成时间"),
    not_before("closed_at", "归档时间", "dispatched_at", "派单时间"),
)

TICKETS = Dataset(
    name="tickets",
    chinese_name="工单",
    prefixes=("ticket", "工单"),
    month_column="dispatched_at",
    key=("ticket_id",),
    columns=(
        Column("ticket_id", "工单编号", K.ID, required=True, aliases=("工单号", "工单ID")),
        Column("ticket_type", "工单类型", K.ENUM, allowed=TICKET_TYPES),
        Column("status", "工单状态", K.ENUM, allowed=TICKET_STATUSES),
        Column("channel", "受理渠道", K.ENUM, allowed=CHANNELS, aliases=("受理方式",)),
        circuit(),
        Column("customer_name", "客户名称", aliases=("集团客户名称",)),
        Column("service_type", "业务类型", K.ENUM, allowed=SERVICE_TYPES),
        prefecture(),
        county(),
        Column("area_type", "区域类型", K.ENUM, allowed=AREA_TYPES, aliases=("城乡类型",)),
        Column("service_level", "服务等级", K.ENUM, allowed=SERVICE_LEVELS),
        contractor(),
        Column("technician_id", "处理人工号", K.ID, aliases=("处理人员工号", "维护人员工号")),
        Column("dispatched_at", "派单时间", K.TIMESTAMP, required=True, aliases=("派发时间",)),
        Column("acknowledged_at", "接单时间", K.TIMESTAMP),
        Column("arrived_at", "到达现场时间", K.TIMESTAMP, form_item=True, aliases=("上门时间", "到场时间")),
        Column("splice_done_at", "光缆熔接完成时间", K.TIMESTAMP, aliases=("熔接完成时间",)),
        Column("completed_at", "完成时间", K.TIMESTAMP, form_item=True, aliases=("处理完成时间",)),
        Column("suspended_minutes", "挂起时长(分钟)", K.INT, minimum=0, aliases=("挂起时长",)),
        Column("closed_at", "归档时间", K.TIMESTAMP),
        Column("cause_category", "故障原因大类", form_item=True, aliases=("故障原因",)),
        Column("cause_detail", "故障原因细类"),
        Column("faulty_device", "故障设备"),
        Column("resolution_note", "处理过程", form_item=True),
        Column("spare_used", "是否使用备件", K.YESNO),
        Column("spare_wait_minutes", "备件等待时长(分钟)", K.INT, minimum=0, aliases=("备件等待时长",)),
        Column("contact_name", "用户姓名", form_item=True, aliases=("联系人",)),
        Column("contact_phone", "用户联系方式", form_item=True, aliases=("联系电话",)),
        Column("customer_signed", "用户签名", K.YESNO, form_item=True, aliases=("客户签名",)),
        Column("satisfaction", "客户满意度", form_item=True, aliases=("满意度",)),
        # Judged after NFKC and trim by int_tickets_form_checked: stored with an NFKC twin.
        Column("ip_address", "用户IP地址", form_item=True, aliases=("IP地址",), nfkc_twin=True),
        Column("vlan", "VLAN", form_item=True, aliases=("VLAN号", "VLAN ID"), nfkc_twin=True),
        Column("mac_address", "设备MAC地址", form_item=True, aliases=("MAC地址",), nfkc_twin=True),
        Column("a_end", "A端设备", form_item=True),
        Column("route", "路由信息", form_item=True),
        Column("z_end", "Z端设备", form_item=True),
        Column("photos", "现场照片", aliases=("照片",)),
    ),
    row_rules=(COUNTY_IN_PREFECTURE, *TICKET_TIME_ORDER),
)

INSPECTIONS = Dataset(
    name="inspections",
    chinese_name="巡检记录",
    prefixes=("inspection", "巡检"),
    month_column="inspected_at",
    key=("inspection_id",),
    columns=(
        Column("inspection_id", "巡检单号", K.ID, required=True, aliases=("巡检编号",)),
        Column("site_id", "站点编号", K.ID, required=True, aliases=("站点ID", "专线编号")),
        prefecture(),
        county(),
        contractor(),
        Column("technician_id", "巡检人工号", K.ID, aliases=("巡检人员工号",)),
        Column("inspected_at", "巡检时间", K.TIMESTAMP, required=True),
        Column("result", "巡检结果", K.ENUM, allowed=("正常", "发现问题")),
        Column("issues_found", "发现问题数", K.INT, minimum=0),
        Column("issues_fixed_onsite", "现场整改数", K.INT, minimum=0),
        Column("photo_count", "照片数", K.INT, minimum=0),
        Column("customer_signed", "客户签字", K.YESNO),
        Column("config_backed_up", "配置已备份", K.YESNO, aliases=("配置备份",)),
        Column("ground_resistance_ohm", "接地电阻(Ω)", K.DECIMAL, minimum=0, aliases=("接地电阻",)),
    ),
    row_rules=(
        COUNTY_IN_PREFECTURE,
        RowRule(
            "fixed_le_found",
            "issues_fixed_onsite",
            "现场整改数大于发现问题数 / more issues fixed than found",
            "p_issues_fixed_onsite IS NULL OR p_issues_found IS NULL OR p_issues_fixed_onsite <= p_issues_found",
        ),
    ),
)

DEVICE_METRICS = Dataset(
    name="device_metrics",
    chinese_name="设备性能",
    prefixes=("device_metric", "设备性能"),
    month_column="collected_at",
    key=("device_id", "collected_at"),
    big=True,
    columns=(
        Column("device_id", "设备编号", K.ID, required=True, aliases=("设备ID",)),
        circuit(required=False),
        Column("device_type", "设备类型"),
        Column("collected_at", "采集时间", K.TIMESTAMP, required=True, aliases=("采样时间",)),
        Column("cpu_pct", "CPU利用率(%)", K.DECIMAL, minimum=0, maximum=100, aliases=("CPU占用率",)),
        Column("mem_pct", "内存利用率(%)", K.DECIMAL, minimum=0, maximum=100, aliases=("内存占用率",)),
        Column("ping_size_bytes", "Ping包长(字节)", K.INT, minimum=1, aliases=("Ping包大小",)),
        Column("ping_sent", "Ping发送数", K.INT, minimum=0),
        Column("ping_lost", "Ping丢包数", K.INT, minimum=0),
        Column("latency_ms", "平均时延(ms)", K.DECIMAL, minimum=0, aliases=("时延",)),
    ),
    row_rules=(
        RowRule(
            "lost_le_sent",
            "ping_lost",
            "丢包数大于发送数 / more pings lost than sent",
            "p_ping_lost IS NULL OR p_ping_sent IS NULL OR p_ping_lost <= p_ping_sent",
        ),
    ),
)

HR_ROSTER = Dataset(
    name="hr_roster",
    chinese_name="人员花名册",
    prefixes=("roster", "花名册"),
    month_column="roster_month",
    key=("roster_month", "employee_id"),
    apply=Apply.SNAPSHOT,
    snapshot=("roster_month", "contractor"),
    columns=(
        Column("roster_month", "统计月份", K.MONTH, required=True, aliases=("月份",)),
        Column("employee_id", "工号", K.ID, required=True, aliases=("员工编号",)),
        Column("name", "姓名"),
        contractor(required=True),
        prefecture(),
        Column("role", "岗位", K.ENUM, allowed=ROLES),
        Column("education", "学历", K.ENUM, allowed=EDUCATION),
        # Split and matched after NFKC by int_roster_entries_dated: stored with an NFKC twin.
        Column("certifications", "证书", aliases=("资格证书",), nfkc_twin=True),
        Column("core_network_years", "核心网维护年限", K.DECIMAL, minimum=0),
        Column("work_years", "相关工作年限", K.DECIMAL, minimum=0),
        Column("hired_on", "入职日期", K.DATE),
        Column("left_on", "离职日期", K.DATE),
        Column("training_hours", "当月培训时长(小时)", K.DECIMAL, minimum=0, aliases=("培训时长",)),
    ),
)

EOMS_CIRCUITS = Dataset(
    name="eoms_circuits",
    chinese_name="EOMS专线资源",
    prefixes=("eoms", "专线资源"),
    key=("circuit_id",),
    columns=(
        circuit(),
        # The text fields of seed ledger_fields carry an NFKC twin (int_ledger_lines_compared).
        Column("customer_name", "客户名称", aliases=("集团客户名称",), nfkc_twin=True),
        Column("service_type", "业务类型", K.ENUM, allowed=SERVICE_TYPES, nfkc_twin=True),
        prefecture(nfkc_twin=True),
        county(nfkc_twin=True),
        Column("area_type", "区域类型", K.ENUM, allowed=AREA_TYPES),
        Column("service_level", "服务等级", K.ENUM, allowed=SERVICE_LEVELS),
        contractor(),
        Column("bandwidth_mbps", "带宽(M)", K.INT, minimum=1, aliases=("带宽",)),
        Column("access_type", "接入方式", K.ENUM, allowed=ACCESS_TYPES, nfkc_twin=True),
        Column("a_address", "A端地址", nfkc_twin=True),
        Column("z_address", "Z端地址", nfkc_twin=True),
        Column("site_type", "站点类型", K.ENUM, allowed=SITE_TYPES),
        Column("activated_on", "开通日期", K.DATE),
        Column("removed_on", "拆机日期", K.DATE),
        Column("status", "状态", K.ENUM, allowed=("在用", "拆机")),
    ),
    row_rules=(COUNTY_IN_PREFECTURE,),
)

LEDGER = Dataset(
    name="ledger",
    chinese_name="用户台帐",
    prefixes=("台帐", "台账"),
    month_column="ledger_month",
    key=(),  # (month, contractor, row): the same circuit twice is a finding, not a duplicate
    apply=Apply.SNAPSHOT,
    snapshot=("ledger_month", "contractor"),
    columns=(
        Column("ledger_month", "统计月份", K.MONTH, required=True, aliases=("月份",)),
        contractor(required=True),
        circuit(),
        # Kept as typed by hand: the ledger-vs-EOMS comparison is the check. The text fields of
        # seed ledger_fields carry an NFKC twin (int_ledger_lines_compared).
        Column("customer_name", "客户名称", aliases=("集团客户名称",), nfkc_twin=True),
        Column("service_type", "业务类型", nfkc_twin=True),
        prefecture(nfkc_twin=True),
        county(nfkc_twin=True),
        Column("bandwidth_mbps", "带宽(M)", K.INT, minimum=1, aliases=("带宽",)),
        Column("access_type", "接入方式", nfkc_twin=True),
        Column("a_address", "A端地址", nfkc_twin=True),
        Column("z_address", "Z端地址", nfkc_twin=True),
        Column("status", "状态"),
    ),
    row_rules=(COUNTY_IN_PREFECTURE,),
)

SPARE_PARTS = Dataset(
    name="spare_parts",
    chinese_name="备品备件",
    prefixes=("spare", "备件"),
    month_column="stock_month",
    key=("stock_month", "contractor", "prefecture", "part_type"),
    apply=Apply.SNAPSHOT,
    snapshot=("stock_month", "contractor"),
    columns=(
        Column("stock_month", "统计月份", K.MONTH, required=True, aliases=("月份",)),
        contractor(required=True),
        Column("prefecture", "地市", K.NAME, required=True, reference="prefecture"),
        Column("part_type", "备件类型", K.ENUM, required=True, allowed=PART_TYPES),
        Column("on_hand", "期末库存", K.INT, minimum=0, aliases=("库存数量",)),
        Column("safety_stock", "安全库存", K.INT, minimum=0),
        Column("consumed", "当月消耗", K.INT, minimum=0),
    ),
)

INSTRUMENTS = Dataset(
    name="instruments",
    chinese_name="仪器仪表",
    prefixes=("instrument", "仪表"),
    key=("instrument_id",),
    columns=(
        Column("instrument_id", "仪表编号", K.ID, required=True),
        contractor(),
        prefecture(),
        Column("instrument_type", "仪表类型", K.ENUM, allowed=INSTRUMENT_TYPES),
        Column("status", "状态", K.ENUM, allowed=("正常", "故障", "送修")),
        Column("calibration_due", "校准有效期至", K.DATE, aliases=("校准有效期",)),
    ),
)

ACCEPTANCE = Dataset(
    name="acceptance",
    chinese_name="交维验收",
    prefixes=("acceptance", "验收"),
    month_column="accepted_on",
    key=("acceptance_id",),
    columns=(
        Column("acceptance_id", "验收单号", K.ID, required=True, aliases=("验收编号",)),
        circuit(),
        prefecture(),
        contractor(),
        Column("builder", "施工单位"),
        Column("accepted_on", "验收日期", K.DATE, required=True),
        Column("result", "验收结果", K.ENUM, allowed=("一次通过", "整改后通过", "不通过")),
        Column("open_issues", "遗留问题数", K.INT, minimum=0),
        Column("docs_handed_on", "资料移交日期", K.DATE),
    ),
)

DATASETS: tuple[Dataset, ...] = (
    TICKETS,
    INSPECTIONS,
    DEVICE_METRICS,
    HR_ROSTER,
    EOMS_CIRCUITS,
    LEDGER,
    SPARE_PARTS,
    INSTRUMENTS,
    ACCEPTANCE,
)
BY_NAME: dict[str, Dataset] = {d.name: d for d in DATASETS}

"""The pack's PDF `KPI月报_YYYY-MM.pdf`: the month's summary, its charts and the input fingerprints.

A quarter's or a year's pack (KPI月报_2026-Q3.pdf) has the same sections from the period's figures,
titled 代维KPI季报 · 2026年第3季度 / 代维KPI年报 · 2026年度, without the ten areas (scored per month).

fpdf2 with Debian's Noto Sans CJK (collection index 2 = Simplified Chinese),
so the Chinese is real text (searchable, `pdftotext` reads it), not images.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from reporting.fmt import as_bool, change_text, count_text, records, value_text
from reporting.i18n import reason_name
from reporting.labels import REASON_NAMES
from reporting.pack.content import PackContent
from reporting.pack.xlsx import NO_BASE_FEE

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
SC_INDEX = 2  # Simplified Chinese face of the Noto CJK collections
RED, GREEN, GREY, BLUE = (192, 0, 0), (0, 97, 0), (89, 89, 89), (31, 78, 120)
HEADER = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=BLUE)
COLOURS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (148, 103, 189), (140, 86, 75)]


NUMBERS = "一二三四五六七八九十"


class PackPDF(FPDF):
    def __init__(self, month: str, title: str | None = None) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.month = month
        self.report = title or f"代维KPI月报 · {month}"
        self.sections = 0
        self.add_font("noto", fname=str(FONT_DIR / "NotoSansCJK-Regular.ttc"), collection_font_number=SC_INDEX)
        bold = FONT_DIR / "NotoSansCJK-Bold.ttc"
        self.add_font(
            "noto",
            style="B",
            fname=str(bold if bold.exists() else FONT_DIR / "NotoSansCJK-Regular.ttc"),
            collection_font_number=SC_INDEX,
        )
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)
        self.set_title(self.report.replace(" · ", " "))
        self.set_creator("daiwei")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("noto", size=8)
        self.set_text_color(*GREY)
        self.cell(0, 6, f"{self.report} · 第 {self.page_no()} 页", align="C")
        self.set_text_color(0, 0, 0)

    def section(self, text: str) -> None:
        """A numbered section heading (一、二、…): the sections a pack holds depend on month or period."""
        self.sections += 1
        self.heading(f"{NUMBERS[self.sections - 1]}、{text}")

    def heading(self, text: str, size: int = 14) -> None:
        self.set_font("noto", "B", size)
        self.set_text_color(*BLUE)
        self.cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.set_font("noto", size=9)

    def note(self, text: str) -> None:
        self.set_font("noto", size=8)
        self.set_text_color(*GREY)
        self.multi_cell(0, 4.5, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.set_font("noto", size=9)

    def grid(
        self,
        headers: list[str],
        rows: list[list[Any]],
        widths: tuple[float, ...] | None = None,
        size: float = 9,
        colours: list[list[tuple[int, int, int] | None]] | None = None,
    ) -> None:
        """A bordered table; colours[i][j] sets a cell's text colour (red = missed)."""
        self.set_font("noto", size=size)
        with self.table(
            col_widths=widths,
            headings_style=HEADER,
            line_height=size * 0.55,
            text_align="CENTER",
            borders_layout="SINGLE_TOP_LINE",
            cell_fill_mode="ROWS",
            cell_fill_color=(243, 246, 244),
        ) as table:
            head = table.row()
            for h in headers:
                head.cell(h)
            for i, r in enumerate(rows):
                row = table.row()
                for j, v in enumerate(r):
                    colour = colours[i][j] if colours else None
                    row.cell("" if v is None else str(v), style=FontFace(color=colour) if colour else None)
        self.ln(3)

    def image_or_bars(self, path: Path | None, labels: list[str], values: list[float], unit: str) -> None:
        """The kaleido PNG, or the same numbers as bars drawn with fpdf2 when no PNG could be made."""
        if path is not None:
            self.image(str(path), w=self.epw)
            self.ln(2)
            return
        top = max([abs(v) for v in values] + [1.0])
        self.set_font("noto", size=8)
        for i, (label, v) in enumerate(zip(labels, values, strict=True)):
            y = self.get_y()
            self.cell(30, 6, label)
            self.set_fill_color(*COLOURS[i % len(COLOURS)])
            self.rect(self.l_margin + 30, y + 1, max(0.5, (self.epw - 60) * abs(v) / top), 4, style="F")
            self.set_x(self.l_margin + self.epw - 28)
            self.cell(28, 6, f"{v:,.2f}{unit}", align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_fill_color(255, 255, 255)  # the tables after this fill with the current colour
        self.ln(2)


def _scores(pdf: PackPDF, c: PackContent, images: dict[str, Path]) -> None:
    pdf.section("综合得分与考核扣款")
    rows, colours = [], []
    for s in records(c.scores.sort_values("rank")):
        met = as_bool(s.composite_met)
        rows.append(
            [
                f"{int(s.rank)}",
                s.contractor,
                f"{float(s.composite):.2f}" if not pd.isna(s.composite) else "—",
                value_text(s.composite_target, "points"),
                "—" if met is None else "达标" if met else "未达标",
                change_text(s.composite, s.prev_composite, "points"),
                value_text(s.penalty, "yuan"),
            ]
        )
        colour = None if met is None else GREEN if met else RED
        colours.append([None, None, colour, None, colour, None, None])
    pdf.grid(
        ["排名", "代维公司", "综合得分", "目标", "达标", "环比", "考核扣款"],
        rows,
        (12, 28, 22, 18, 18, 22, 30),
        colours=colours,
    )
    pdf.note(
        "综合得分：各考核指标按合同权重加权（0–100）；"
        "考核扣款：超时 200 元/单，接单超时、确认单缺项、照片缺项各 20 元，减去技术员奖励 100 元/人。"
    )
    pdf.image_or_bars(
        images.get("scores"),
        c.scores["contractor"].tolist(),
        [float(v) if not pd.isna(v) else 0.0 for v in c.scores["composite"]],
        "",
    )
    per = c.penalty_reasons.pivot_table(
        index="contractor", columns="reason_code", values="amount_yuan", aggfunc="sum", fill_value=0
    )
    reasons = [r for r in REASON_NAMES if r in per.columns]
    totals = c.scores.set_index("contractor")["penalty"]
    pdf.grid(
        ["代维公司", *[reason_name(r) for r in reasons], "合计(元)"],
        [[k, *[f"{float(per.loc[k, r]):,.0f}" for r in reasons], value_text(totals.get(k), "yuan")] for k in per.index],
    )
    pdf.image_or_bars(
        images.get("penalties"),
        list(totals.index.astype(str)),
        [float(v) if not pd.isna(v) else 0.0 for v in totals.values],
        " 元",
    )


def _settlement(pdf: PackPDF, c: PackContent) -> None:
    """结算 per contractor: base fee, net penalty (扣款 / 奖励), payable; a contractor's pack: its own row."""
    pdf.section(f"结算（{c.period}）")
    if c.settlement.empty:
        pdf.note("该期间没有结算数据。")
        return
    rows = []
    for r in records(c.settlement):
        penalty = "—" if pd.isna(r.penalty_yuan) else float(r.penalty_yuan)
        rows.append(
            [
                r.contractor,
                count_text(r.month_count),
                NO_BASE_FEE if pd.isna(r.base_fee_yuan) else value_text(r.base_fee_yuan, "yuan"),
                penalty
                if isinstance(penalty, str)
                else f"奖励 {value_text(-penalty, 'yuan')}"
                if penalty < 0
                else value_text(penalty, "yuan"),
                NO_BASE_FEE if pd.isna(r.payable_yuan) else value_text(r.payable_yuan, "yuan"),
            ]
        )
    pdf.grid(["代维公司", "结算月数", "基础费", "考核扣款", "应付"], rows, (40, 22, 40, 38, 40))
    pdf.note("应付 = 基础费 − 考核扣款（净奖励增加应付）；季度、年度为各月之和；未配置基础费的代维公司不计应付。")


def _kpis(pdf: PackPDF, c: PackContent) -> None:
    pdf.add_page()
    pdf.section("主要指标（红色为未达标）")
    cols = ["", *c.contractors]
    rows, colours = [], []
    for _, part in c.kpis.groupby("kpi_code", sort=False):
        first = part.iloc[0]
        by = part.set_index("contractor")
        row = [first["kpi_name_zh"], value_text(first["target"], first["unit"])]
        colour: list[tuple[int, int, int] | None] = [None, None]
        for k in cols:
            if k in by.index:
                row.append(value_text(by.loc[k, "value"], first["unit"]))
                met = as_bool(by.loc[k, "met"])
                colour.append(None if met is None else GREEN if met else RED)
            else:
                row.append("")
                colour.append(None)
        rows.append(row)
        colours.append(colour)
    pdf.grid(
        ["指标", "目标", "全省", *c.contractors],
        rows,
        (46, 20, *[(pdf.epw - 66) / len(cols)] * len(cols)),
        size=8.5,
        colours=colours,
    )
    pdf.note("比率均为 分子/分母 的精确值（详见工作簿「KPI长表」，与 daiwei export 一致）。")


def _areas(pdf: PackPDF, c: PackContent, images: dict[str, Path]) -> None:
    if not c.areas:
        return
    pdf.add_page()
    pdf.section("十个不统一")
    pdf.note("各领域以主指标给各代维公司打分（0–100）；不统一度 = 最高分 − 最低分，越大说明同一项工作做得越不一样。")
    if "heatmap" in images:
        pdf.image(str(images["heatmap"]), w=pdf.epw)
        pdf.ln(2)
    rows = []
    for a in c.areas:
        by = a.scores.set_index("contractor")["score"]
        rows.append(
            [
                f"{a.area_no} {a.name_zh}",
                a.headline_name,
                *[f"{float(by[k]):.1f}" if k in by.index and not pd.isna(by[k]) else "—" for k in c.contractors],
                "—" if a.index is None else f"{a.index:.2f}",
            ]
        )
    pdf.grid(["领域", "主指标", *c.contractors, "不统一度"], rows, size=8)


def _sources(pdf: PackPDF, c: PackContent) -> None:
    pdf.add_page()
    pdf.section("数据来源（输入文件 SHA-256）")
    pdf.note(f"本月报由以下 {len(c.inputs)} 个已加载文件构建；任何一个文件变化，其 SHA-256 随之改变。")
    rows = [[r.file, r.dataset, count_text(r.rows_loaded), r.sha256] for r in records(c.inputs)]
    pdf.grid(["文件", "数据集", "行数", "SHA-256"], rows, (58, 20, 14, 88), size=6)


def write(content: PackContent, path: Path, images: dict[str, Path]) -> Path:
    pdf = PackPDF(content.month, content.title)
    pdf.add_page()
    pdf.set_font("noto", "B", 20)
    pdf.cell(0, 12, content.title, new_x="LMARGIN", new_y="NEXT")
    pdf.note(
        f"生成时间 {content.generated_at:%Y-%m-%d %H:%M} · 仓库 {content.warehouse} · "
        f"代维公司 {len(content.contractors)} 家 · 输入文件 {len(content.inputs)} 个 · 姓名与电话已脱敏"
    )
    if content.kind != "month":
        pdf.note(
            f"含数据月份：{'、'.join(content.months)}。各指标由各月分子、分母累加后重新计算，扣款为各月之和；"
            f"环比为与{content.previous}之差；十个不统一按月评分，见各月月报。"
        )
    pdf.ln(2)
    _scores(pdf, content, images)
    _settlement(pdf, content)
    _kpis(pdf, content)
    _areas(pdf, content, images)
    _sources(pdf, content)
    pdf.output(str(path))
    return path

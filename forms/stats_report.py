"""The service statistics (สถิติการให้บริการ) of a fiscal year as a printed report with charts:
loans requested, approved and rejected by month; returns on time, late and still overdue;
the median time from request to decision (how easy borrowing is); loans by department;
damage and loss cases and their settlement; the year's stock-check findings.

Every figure comes from ``models.stats.ServiceStatistics``, the same numbers the open data
publishes. Charts are reportlab graphics (vector, so they print sharp); their Thai labels
and legends are drawn with the shaped text of :mod:`forms.pdf`, so they print with intact
tone marks and copy as the same words, and every chart has a table of its figures beside
or below it for anyone who cannot read a chart.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, BinaryIO

from reportlab.graphics import renderPDF
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm

from models.stats import ALL, ServiceStatistics
from models.values import THAI_MONTHS_SHORT

from .pdf import FONT, Column, Document, PaperSettings, draw_text, fit_text

TITLE = "สถิติการให้บริการยืมทรัพย์สินของราชการ"

# Colours that stay apart in greyscale print as well as on screen.
BLUE = colors.HexColor("#1f4e79")
GREEN = colors.HexColor("#5b9b4b")
RED = colors.HexColor("#c0504d")
ORANGE = colors.HexColor("#e6a23c")
GREY = colors.HexColor("#9e9e9e")


def _month_short(month: str) -> str:
    """'2025-10' -> 'ต.ค.' (the year is in the heading)."""
    return THAI_MONTHS_SHORT[int(month.split("-")[1]) - 1]


def _hours(value: Decimal | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


class _Report:
    def __init__(self, doc: Document, s: ServiceStatistics):
        self.doc = doc
        self.s = s

    # -- pieces --------------------------------------------------------------------------

    def section(self, text: str, keep: float = 30 * mm) -> None:
        """A numbered heading, on a new page unless ``keep`` of what follows fits below it."""
        self.doc.space(2 * mm)
        self.doc.ensure(keep)
        self.doc.heading(text, 13, "left")

    def legend(self, x: float, y: float, entries: Sequence[tuple[str, Any]]) -> None:
        c = self.doc.canvas
        for name, colour in entries:
            c.saveState()
            c.setFillColor(colour)
            c.rect(x, y - 0.5, 3.2 * mm, 3.2 * mm, stroke=0, fill=1)
            c.restoreState()
            x += 4.5 * mm
            x += draw_text(c, x, y, name, FONT, 9) + 5 * mm

    def bars(self, categories: Sequence[str], series: Sequence[Sequence[float | None]],
             names: Sequence[str], fills: Sequence[Any], height: float = 55 * mm,
             stacked: bool = False) -> None:
        """A vertical bar chart across the page: one group (or stack) per category, its
        Thai labels under the bars and the legend above."""
        doc = self.doc
        doc.ensure(height + 14 * mm)
        left = doc.left + 12 * mm
        width = doc.width - 14 * mm
        self.legend(left, doc.y - 9, list(zip(names, fills, strict=True)))
        top = doc.y - 6 * mm
        chart = VerticalBarChart()
        chart.x, chart.y = 0, 0
        chart.width, chart.height = width, height - 12 * mm
        chart.data = [list(values) for values in series]
        chart.categoryAxis.categoryNames = [""] * len(categories)
        chart.categoryAxis.style = "stacked" if stacked else "parallel"
        self._value_axis(chart.valueAxis, series, stacked)
        chart.barSpacing = 0.6
        chart.groupSpacing = 4
        for i, fill in enumerate(fills):
            chart.bars[i].fillColor = fill
            chart.bars[i].strokeColor = None
        self._draw(chart, left, top - chart.height, width, chart.height)
        step = width / max(len(categories), 1)
        for i, label in enumerate(categories):
            draw_text(doc.canvas, left + (i + 0.5) * step, top - chart.height - 11, label, FONT, 8.5,
                      "centre")
        doc.y = top - height

    def across(self, labels: Sequence[str], series: Sequence[Sequence[float]],
               names: Sequence[str], fills: Sequence[Any]) -> None:
        """A horizontal bar chart, one group per label (e.g. a department), labels at left."""
        doc = self.doc
        row = 4.2 * mm * len(series) + 2 * mm
        height = row * len(labels) + 8 * mm
        doc.ensure(height + 10 * mm)
        label_w = 55 * mm
        left = doc.left + label_w
        width = doc.width - label_w - 4 * mm
        self.legend(left, doc.y - 9, list(zip(names, fills, strict=True)))
        top = doc.y - 6 * mm
        chart = HorizontalBarChart()
        chart.x, chart.y = 0, 0
        chart.width, chart.height = width, row * len(labels)
        # reportlab puts the first category, and the first bar of a group, at the bottom:
        # reverse both, so the list and each group read downwards as the legend does
        chart.data = [list(reversed(values)) for values in reversed(series)]
        chart.categoryAxis.categoryNames = [""] * len(labels)
        self._value_axis(chart.valueAxis, series, False)
        chart.barSpacing = 0.5
        chart.groupSpacing = 3
        for i, fill in enumerate(reversed(fills)):
            chart.bars[i].fillColor = fill
            chart.bars[i].strokeColor = None
        self._draw(chart, left, top - chart.height, width, chart.height)
        for i, label in enumerate(labels):
            y = top - (i + 0.5) * row - 3
            draw_text(doc.canvas, left - 2 * mm, y, fit_text(label, label_w - 4 * mm, FONT, 9), FONT,
                      9, "right")
        doc.y = top - chart.height - 8 * mm

    def _value_axis(self, axis: Any, series: Sequence[Sequence[float]], stacked: bool) -> None:
        values = ([sum(v) for v in zip(*series, strict=True)] if stacked
                  else [v for values in series for v in values])
        top = max([float(v or 0) for v in values] + [0])
        axis.valueMin = 0
        axis.valueMax = max(4, top * 1.1)
        axis.labels.fontName = FONT
        axis.labels.fontSize = 8
        axis.labelTextFormat = self._axis_number
        axis.visibleGrid = True
        axis.gridStrokeColor = colors.HexColor("#dddddd")
        axis.gridStrokeWidth = 0.4

    def _axis_number(self, value: float) -> str:
        text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
        return self.doc.digits(text)

    def _draw(self, chart: Any, x: float, y: float, width: float, height: float) -> None:
        drawing = Drawing(width, height)
        drawing.add(chart)
        renderPDF.draw(drawing, self.doc.canvas, x, y)

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> None:
        doc = self.doc
        doc.space(2 * mm)
        doc.table(columns, [[doc.digits(str(v)) for v in row] for row in rows], size=9.5)


def _count(value: Any) -> str:
    return f"{value:,}"


def render_stats_report(out: str | os.PathLike | BinaryIO, s: ServiceStatistics,
                        settings: PaperSettings | None = None, printed_by: str = "",
                        printed_at: dt.datetime | None = None) -> int:
    """Write the statistics of one fiscal year as a PDF; returns the number of pages."""
    doc = Document(out, TITLE, printed_by=printed_by, printed_at=printed_at, settings=settings,
                   reference=f"ปีงบประมาณ {s.fiscal_year}", size=11)
    r = _Report(doc, s)
    doc.heading(TITLE, 17)
    doc.paragraph(doc.digits(f"ปีงบประมาณ {s.fiscal_year}") + f" ({doc.date(s.first_day)} - "
                  f"{doc.date(s.last_day)}) ข้อมูล ณ วันที่ {doc.date(s.as_of)}", align="centre")
    t = s.total
    r.section("สรุปทั้งปี")
    r.table([Column("คำขอยืม", align="centre"), Column("อนุมัติ", align="centre"),
             Column("ไม่อนุมัติ", align="centre"), Column("คืนตาม\nกำหนด", align="centre"),
             Column("คืนเกิน\nกำหนด", align="centre"), Column("ค้างคืน\nเกินกำหนด", align="centre"),
             Column("บุคคลภายนอก\nขอยืม/อนุมัติ", 26, align="centre"),
             Column("เวลาพิจารณา\n(มัธยฐาน ชม.)", 26, align="centre")],
            [[_count(t("loans_requested")), _count(t("loans_approved")), _count(t("loans_rejected")),
              _count(t("loans_returned_on_time")), _count(t("loans_returned_late")),
              _count(t("loans_overdue_now")),
              f"{t('external_requested'):,}/{t('external_approved'):,}",
              _hours(s.median_decision_hours())]])

    months = [_month_short(m) for m in s.months]
    r.section("1. คำขอยืมและการพิจารณา รายเดือน")
    r.bars(months, [[t("loans_requested", m) for m in s.months],
                    [t("loans_approved", m) for m in s.months],
                    [t("loans_rejected", m) for m in s.months]],
           ["คำขอยืม", "อนุมัติ", "ไม่อนุมัติ"], [BLUE, GREEN, RED])
    r.section("2. การคืน รายเดือน: ตามกำหนด เกินกำหนด และค้างคืน (ตามเดือนที่ครบกำหนด)")
    r.bars(months, [[t("loans_returned_on_time", m) for m in s.months],
                    [t("loans_returned_late", m) for m in s.months],
                    [t("loans_overdue_now", m) for m in s.months]],
           ["คืนตามกำหนด", "คืนเกินกำหนด", "ค้างคืนเกินกำหนด"], [GREEN, ORANGE, RED], stacked=True)
    r.section("3. เวลาตั้งแต่ยื่นคำขอจนถึงการพิจารณา (มัธยฐาน ชั่วโมง)")
    medians = [s.median_decision_hours(m) for m in s.months]
    # a bar per month: a month without decisions has no median (no bar), not a median of 0
    r.bars(months, [[None if v is None else float(v) for v in medians]], ["มัธยฐาน (ชั่วโมง)"],
           [BLUE], height=45 * mm)
    doc.ensure(8 * doc.leading(9.5) + 4 * mm)  # the month table in one piece
    r.table([Column("", 24)] + [Column(m, align="centre") for m in months],
            [["คำขอ"] + [_count(t("loans_requested", m)) for m in s.months],
             ["อนุมัติ"] + [_count(t("loans_approved", m)) for m in s.months],
             ["ไม่อนุมัติ"] + [_count(t("loans_rejected", m)) for m in s.months],
             ["คืนตามกำหนด"] + [_count(t("loans_returned_on_time", m)) for m in s.months],
             ["คืนเกินกำหนด"] + [_count(t("loans_returned_late", m)) for m in s.months],
             ["ค้างคืน"] + [_count(t("loans_overdue_now", m)) for m in s.months],
             ["มัธยฐาน ชม."] + [_hours(v) for v in medians]])

    departments = s.department_ids()
    names = [" ".join(p for p in s.departments.get(d, ("", "")) if p) for d in departments]
    r.section("4. ตามหน่วยงานเจ้าของทรัพย์สิน")
    if departments:
        r.across(names, [[t("loans_requested", ALL, d) for d in departments],
                         [t("loans_approved", ALL, d) for d in departments]],
                 ["คำขอยืม", "อนุมัติ"], [BLUE, GREEN])
    r.table([Column("หน่วยงาน"), Column("คำขอ", 13, "right"), Column("อนุมัติ", 14, "right"),
             Column("ไม่\nอนุมัติ", 14, "right"), Column("คืนตาม\nกำหนด", 16, "right"),
             Column("คืนเกิน\nกำหนด", 16, "right"), Column("ค้าง\nคืน", 13, "right"),
             Column("บุคคล\nภายนอก", 16, "right"), Column("มัธยฐาน\nชม.", 17, "right")],
            [[name, _count(t("loans_requested", ALL, d)), _count(t("loans_approved", ALL, d)),
              _count(t("loans_rejected", ALL, d)), _count(t("loans_returned_on_time", ALL, d)),
              _count(t("loans_returned_late", ALL, d)), _count(t("loans_overdue_now", ALL, d)),
              _count(t("external_requested", ALL, d)), _hours(s.median_decision_hours(ALL, d))]
             for name, d in zip(names, departments, strict=True)]
            + [["รวมทุกหน่วยงาน", _count(t("loans_requested")), _count(t("loans_approved")),
                _count(t("loans_rejected")), _count(t("loans_returned_on_time")),
                _count(t("loans_returned_late")), _count(t("loans_overdue_now")),
                _count(t("external_requested")), _hours(s.median_decision_hours())]])

    r.section("5. ความชำรุดเสียหายและสูญหาย และการชดใช้")
    damage = [("damage_opened", "เปิด\nเรื่อง"), ("damage_lost", "สูญหาย"),
              ("damage_settled", "ชดใช้\nแล้ว"), ("damage_repaired", "ซ่อม\nแซม"),
              ("damage_replaced", "ชดใช้\nเป็นพัสดุ"), ("damage_paid", "ชดใช้\nเป็นเงิน"),
              ("damage_open_now", "ยังไม่\nชดใช้")]
    damaged_departments = [d for d in departments if t("damage_opened", ALL, d) or t("damage_settled", ALL, d)]
    r.table([Column("หน่วยงาน")] + [Column(label, 16, "right") for _, label in damage]
            + [Column("เงินชดใช้ (บาท)", 24, "right")],
            [[name] + [_count(t(m, ALL, d)) for m, _ in damage] + [f"{t('damage_amount_paid', ALL, d):,.2f}"]
             for name, d in zip(names, departments, strict=True) if d in damaged_departments]
            + [["รวมทุกหน่วยงาน"] + [_count(t(m)) for m, _ in damage]
               + [f"{t('damage_amount_paid'):,.2f}"]])

    r.section(f"6. ผลการตรวจสอบพัสดุประจำปีงบประมาณ {doc.digits(str(s.fiscal_year))}")
    if not s.stock_checks:
        doc.paragraph("ยังไม่มีการตรวจสอบพัสดุของปีงบประมาณนี้ในระบบ")
    else:
        closed = sum(1 for c in s.stock_checks if c["status"] == "closed")
        doc.paragraph(doc.digits(f"การตรวจสอบ {len(s.stock_checks)} ครั้ง ปิดแล้ว {closed} ครั้ง"
                                 + (" (ครั้งที่ยังไม่ปิดเป็นผลระหว่างการตรวจนับ)"
                                    if closed < len(s.stock_checks) else "")))
        findings = [("stockcheck_expected", "ตาม\nทะเบียน"), ("stockcheck_counted", "ตรวจนับ\nแล้ว"),
                    ("stockcheck_missing", "ไม่พบ"), ("stockcheck_damaged", "ชำรุด"),
                    ("stockcheck_deteriorated", "เสื่อม\nสภาพ"),
                    ("stockcheck_not_needed", "หมดความ\nจำเป็น"),
                    ("stockcheck_unexpected", "ไม่อยู่ใน\nรายการ")]
        checked = [d for d in departments if d in s.stockcheck]
        checked_names = [" ".join(p for p in s.departments.get(d, ("", "")) if p) for d in checked]
        r.across(checked_names, [[t("stockcheck_missing", ALL, d) for d in checked],
                                 [t("stockcheck_damaged", ALL, d) + t("stockcheck_deteriorated", ALL, d)
                                  for d in checked]],
                 ["ไม่พบ", "ชำรุดหรือเสื่อมสภาพ"], [RED, ORANGE])
        r.table([Column("หน่วยงาน")] + [Column(label, 18, "right") for _, label in findings],
                [[name] + [_count(t(m, ALL, d)) for m, _ in findings]
                 for name, d in zip(checked_names, checked, strict=True)]
                + [["รวมทุกหน่วยงาน"] + [_count(t(m)) for m, _ in findings]])
    doc.space(2 * mm)
    doc.paragraph("ข้อมูลชุดเดียวกันเผยแพร่เป็นข้อมูลเปิด (CSV และ JSON) พร้อมคำอธิบายข้อมูล "
                  "นับตามหน่วยงานที่ครอบครองทรัพย์สิน แต่ละเหตุการณ์นับในเดือนที่เกิดขึ้น", size=9.5)
    return doc.close()


"""The asset register (ทะเบียนคุมทรัพย์สิน) of a fiscal year, on A4 landscape.

Per asset a card: the register header (category, asset number, description, brand and
model, serial number, department, location and custodian, seller, funding source, method
of acquisition, date and price) over its ledger: the acquisition line, then one line a
fiscal year for the depreciation posted on 30 Sep, up to the year printed. The summary
register gives, by category and department, the count, cost, this year's depreciation,
the accumulated depreciation and the net book value, with totals.

Assets are read one at a time from the database and drawn as they come: a register of
100,000 assets is never in memory at once.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

from models.assets import funding_label
from models.depreciation import (
    RESIDUAL,
    RegisterSummary,
    SummaryLine,
    YearRow,
    annual_rate,
    iter_schedule,
    register_assets,
    start_rule,
    useful_life,
    year_end,
)
from models.values import BE_OFFSET, THAI_MONTHS_SHORT

from .pdf import (
    FONT,
    FONT_BOLD,
    Column,
    Document,
    PaperSettings,
    draw_text,
    fit_text,
    text_width,
    wrap_text,
)

TITLE = "ทะเบียนคุมทรัพย์สิน"
SUMMARY_TITLE = "ทะเบียนคุมทรัพย์สิน (สรุป)"

LEDGER = [
    Column("วัน เดือน ปี", 21, "centre"),
    Column("ที่เอกสาร", 27),
    Column("รายการ"),
    Column("จำนวน\nหน่วย", 15, "centre"),
    Column("ราคาต่อหน่วย", 22, "right"),
    Column("มูลค่ารวม", 22, "right"),
    Column("อายุ\nใช้งาน\n(ปี)", 13, "centre"),
    Column("อัตรา\n(%)", 11, "right"),
    Column("ค่าเสื่อมราคา\nประจำปี", 22, "right"),
    Column("ค่าเสื่อมราคา\nสะสม", 22, "right"),
    Column("มูลค่าสุทธิ", 22, "right"),
    Column("หมายเหตุ", 25),
]


@dataclass
class RegisterCard:
    """One asset's card: its register header and its ledger up to a fiscal year."""

    asset_no: str
    name: str
    description: str
    brand: str
    model: str
    serial_no: str
    category_code: str
    category: str
    department: str
    location: str
    custodian: str
    supplier: str
    funding: str
    method: str
    document_no: str
    acquired_on: dt.date
    price: Decimal
    unit: str
    life_years: int
    remarks: str
    years: list[YearRow] = field(default_factory=list)


def card_of(asset, fiscal_year: int, rule: str | None = None) -> RegisterCard:
    """The card of one asset as read by ``register_assets`` (category, department,
    location and custodian joined); ``rule`` is the agency's first-month rule."""
    life = useful_life(asset)
    return RegisterCard(
        asset_no=asset.asset_no, name=asset.name, description=asset.description,
        brand=asset.brand, model=asset.model, serial_no=asset.serial_no,
        category_code=asset.category.code, category=asset.category.name,
        department=asset.department.name,
        location=asset.location.name if asset.location_id else "",
        custodian=asset.custodian.name if asset.custodian_id else "",
        supplier=asset.supplier, funding=funding_label(asset.funding_source),
        method=asset.acquisition_method, document_no=asset.document_no,
        acquired_on=asset.acquired_on, price=asset.price, unit=asset.unit or "หน่วย",
        life_years=life, remarks=asset.remarks,
        years=list(iter_schedule(asset.price, asset.acquired_on, life, fiscal_year,
                                 rule or start_rule())))


def register_cards(fiscal_year: int, department: str | None = None,
                   category: str | None = None) -> Iterator[RegisterCard]:
    """The cards of a fiscal year's register, streamed from the database."""
    rule = start_rule()
    for asset in register_assets(fiscal_year, department, category).iterator():
        yield card_of(asset, fiscal_year, rule)


@dataclass
class RegisterRun:
    pages: int
    assets: int


def short_date(doc: Document, value: dt.date) -> str:
    """``30 ก.ย. 2568``: the ledger's narrow date column."""
    return doc.digits(f"{value.day} {THAI_MONTHS_SHORT[value.month - 1]} {value.year + BE_OFFSET}")


def _new_document(out, title: str, fiscal_year: int, settings: PaperSettings | None,
                  printed_by: str, printed_at: dt.datetime | None) -> Document:
    doc = Document(out, title, printed_by=printed_by, printed_at=printed_at, settings=settings,
                   reference=f"ปีงบประมาณ {fiscal_year}", pagesize=landscape(A4), size=10,
                   line_factor=1.32, margins=(16 * mm, 12 * mm, 15 * mm, 15 * mm))
    doc.reference = doc.digits(doc.reference)
    return doc


def _title_block(doc: Document, title: str, fiscal_year: int, department: str, category: str) -> None:
    doc.heading(title, 17)
    line = (f"ส่วนราชการ {doc.settings.agency}   ปีงบประมาณ {fiscal_year} "
            f"(ถึงวันที่ {format_day(doc, year_end(fiscal_year))})")
    doc.paragraph(doc.digits(line), align="centre", size=11)
    chosen = "   ".join(p for p in (f"หน่วยงาน {department}" if department else "",
                                     f"ประเภท {category}" if category else "") if p)
    if chosen:
        doc.paragraph(chosen, align="centre", size=11)
    doc.space(2 * mm)


def format_day(doc: Document, value: dt.date) -> str:
    return doc.date(value).replace("\u00a0", " ")


# ---- the card --------------------------------------------------------------------------

def _header_rows(doc: Document, card: RegisterCard) -> list[list[tuple[str, str]]]:
    brand = " / ".join(p for p in (card.brand, card.model) if p)
    return [
        [("ประเภท", f"ครุภัณฑ์{card.category} ({card.category_code})"),
         ("รหัส", card.asset_no),
         ("หน่วยงาน", card.department)],
        [("ลักษณะ/คุณสมบัติ", " ".join(p for p in (card.name, card.description) if p))],
        [("ยี่ห้อ/รุ่น", brand or "-"),
         ("หมายเลขเครื่อง", card.serial_no or "-"),
         ("สถานที่ตั้ง", card.location or "-")],
        [("ผู้รับผิดชอบ", card.custodian or "-"),
         ("ผู้ขาย/ผู้รับจ้าง/ผู้บริจาค", card.supplier or "-"),
         ("แหล่งเงิน", card.funding or "-")],
        [("วิธีการได้มา", card.method or "-"),
         ("วันที่ได้มา", doc.date(card.acquired_on)),
         ("ราคา", f"{doc.money(card.price)} บาท")],
    ]


def _ledger_rows(doc: Document, card: RegisterCard) -> list[list[str]]:
    rate = annual_rate(card.life_years) if card.price > RESIDUAL else Decimal("0.00")
    rows = [[short_date(doc, card.acquired_on), card.document_no, card.name,
             doc.digits(f"1 {card.unit}"), doc.money(card.price), doc.money(card.price),
             doc.digits(str(card.life_years)), doc.money(rate), "", "",
             doc.money(card.price), card.remarks]]
    for year in card.years:
        notes = [] if year.months in (0, 12) else [f"คิด {year.months} เดือน"]
        if year.net_book_value == RESIDUAL and year.depreciation and card.price > RESIDUAL:
            notes.append("คงเหลือ 1 บาท")
        note = doc.digits(" ".join(notes))
        rows.append([short_date(doc, year.posted_on), "",
                     doc.digits(f"ค่าเสื่อมราคาปีงบประมาณ {year.fiscal_year}"),
                     "", "", "", "", "", doc.money(year.depreciation), doc.money(year.accumulated),
                     doc.money(year.net_book_value), note])
    return rows


def _card(doc: Document, card: RegisterCard, widths: list[float]) -> None:
    size = 9.5
    lead = doc.leading(size)
    table_size = 8.5
    table_lead = doc.leading(table_size)
    header = _header_rows(doc, card)
    # lines of the full-width description
    described = wrap_text(header[1][0][1], doc.width - text_width(header[1][0][0], FONT, size) - 6 * mm,
                          FONT_BOLD, size)
    header_height = (len(header) - 1 + len(described)) * lead + 2 * mm
    item_w = widths[2] - 3.2 * mm
    rows = _ledger_rows(doc, card)
    rows_height = sum(len(wrap_text(r[2], item_w, FONT, table_size)) * table_lead + 1.6 * mm
                      for r in rows)
    heading_height = 3 * doc.leading(table_size) + 1.6 * mm
    doc.ensure(min(header_height + heading_height + rows_height + 3 * mm, doc.top - doc.bottom))
    top = doc.y
    c = doc.canvas
    c.saveState()
    c.setFillGray(0.96)
    c.setLineWidth(0.5)
    c.rect(doc.left, top - header_height, doc.width, header_height, stroke=1, fill=1)
    c.restoreState()
    y = top - 1 * mm
    third = doc.width / 3
    gap = 2.2 * mm
    for i, row in enumerate(header):
        if i == 1:
            label, value = row[0]
            y -= lead
            x = doc.left + 2 * mm
            w = draw_text(c, x, y + lead - size * 1.15, label, FONT, size)
            for j, line in enumerate(described):
                if j:
                    y -= lead
                draw_text(c, x + w + gap, y + lead - size * 1.15, line, FONT_BOLD, size)
            continue
        y -= lead
        for k, (label, value) in enumerate(row):
            x = doc.left + 2 * mm + k * third
            w = draw_text(c, x, y + lead - size * 1.15, label, FONT, size)
            room = third - w - gap - 3 * mm
            draw_text(c, x + w + gap, y + lead - size * 1.15, fit_text(value, room, FONT_BOLD, size),
                      FONT_BOLD, size)
    doc.y = top - header_height
    doc.table(LEDGER, rows, size=table_size)
    doc.space(4 * mm)


def render_register(out: str | os.PathLike | BinaryIO, cards: Iterable[RegisterCard],
                    fiscal_year: int, settings: PaperSettings | None = None, printed_by: str = "",
                    printed_at: dt.datetime | None = None, department: str = "",
                    category: str = "") -> RegisterRun:
    """Write the register's cards as a PDF, drawing each card as it is read."""
    doc = _new_document(out, TITLE, fiscal_year, settings, printed_by, printed_at)
    _title_block(doc, TITLE, fiscal_year, department, category)
    widths = doc._column_widths(LEDGER)
    count = 0
    for card in cards:
        _card(doc, card, widths)
        count += 1
    if count == 0:
        doc.paragraph("ไม่มีครุภัณฑ์ในทะเบียนตามที่เลือก", align="centre")
    return RegisterRun(doc.close(), count)


# ---- the summary register --------------------------------------------------------------

SUMMARY = [
    Column("ประเภทครุภัณฑ์", 62),
    Column("หน่วยงาน"),
    Column("จำนวน (รายการ)", 20, "right"),
    Column("ราคาทุน", 30, "right"),
    Column("ค่าเสื่อมราคา\nประจำปี", 30, "right"),
    Column("ค่าเสื่อมราคา\nสะสม", 30, "right"),
    Column("มูลค่าสุทธิ", 30, "right"),
]


def _figures(doc: Document, line: SummaryLine) -> list[str]:
    return [doc.digits(f"{line.count:,}"), doc.money(line.cost), doc.money(line.depreciation),
            doc.money(line.accumulated), doc.money(line.net_book_value)]


def render_summary(out: str | os.PathLike | BinaryIO, summary: RegisterSummary,
                   settings: PaperSettings | None = None, printed_by: str = "",
                   printed_at: dt.datetime | None = None, department: str = "",
                   category: str = "") -> RegisterRun:
    """The summary register: by category and department with each category's total, then
    by department, then the grand total."""
    fy = summary.fiscal_year
    doc = _new_document(out, SUMMARY_TITLE, fy, settings, printed_by, printed_at)
    _title_block(doc, SUMMARY_TITLE, fy, department, category)
    heading = SUMMARY[:4] + [Column(f"ค่าเสื่อมราคา\nประจำปี {doc.digits(str(fy))}", 30, "right")] + SUMMARY[5:]
    cats = {c.category_code: c for c in summary.by_category}
    rows: list[list[str]] = []
    shown = None
    for line in summary.lines:
        if shown is not None and shown != line.category_code:
            rows.append(_category_total(doc, cats[shown]))
        name = f"{line.category_code} {line.category}" if shown != line.category_code else ""
        shown = line.category_code
        rows.append([name, f"{line.department_code} {line.department}"] + _figures(doc, line))
    if shown is not None:
        rows.append(_category_total(doc, cats[shown]))
    rows.append(["รวมทั้งสิ้น", ""] + _figures(doc, summary.total))
    doc.table(heading, rows, size=9.5)
    doc.space(5 * mm)
    doc.heading("สรุปตามหน่วยงาน", 13, "left")
    by_dept = [[f"{d.department_code} {d.department}"] + _figures(doc, d) for d in summary.by_department]
    by_dept.append(["รวมทั้งสิ้น"] + _figures(doc, summary.total))
    dept_heading = [Column("หน่วยงาน")] + heading[2:]
    doc.table(dept_heading, by_dept, size=9.5)
    return RegisterRun(doc.close(), summary.total.count)


def _category_total(doc: Document, line: SummaryLine) -> list[str]:
    return ["", f"รวมประเภท{line.category}"] + _figures(doc, line)

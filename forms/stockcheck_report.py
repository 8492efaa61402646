"""The annual inspection report (รายงานผลการตรวจสอบพัสดุประจำปี, clause 213-214), filled
from a stock check: the agency, the fiscal year and the period it covers, the start and
the 30-working-day deadline in the Buddhist Era, the committee, the result list with the
columns the regulation asks for (no., item, asset number, brand, ticks for damaged /
deteriorated / lost / not needed / in use, date acquired, register price, user, how
damaged), the counts, the discrepancies with the committee's explanations, and a
signature block for every member.

A check still open prints as a draft (ฉบับร่าง – ยังไม่ปิดการตรวจสอบ) on every page, with
the results so far; a closed check prints its final results and the day it was closed.
A tick is printed as ``/`` (the mark Thai forms ask for), so the text layer says which
boxes are ticked.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

from models import stockcheck
from models.schema import Category, Department, Location, Person, StockCheckItem, User
from models.values import BE_OFFSET, THAI_MONTHS_SHORT, fiscal_year_bounds, local_date

from .pdf import FONT_BOLD, NBSP, ZWSP, Column, Document, PaperSettings
from .thaitext import thai_digits

TITLE = "รายงานผลการตรวจสอบพัสดุประจำปี"
DRAFT = "ฉบับร่าง – ยังไม่ปิดการตรวจสอบ"
TICK = "/"
PAGE = landscape(A4)
MARGINS = (16 * mm, 15 * mm, 15 * mm, 18 * mm)  # top, right, bottom, left
# The tick columns, in the order of the regulation's form.
TICKS = (("damaged", "ชำรุด"), ("deteriorated", "เสื่อมสภาพ"), ("lost", "สูญไป"),
         ("not_needed", "ไม่จำเป็นต้องใช้"), ("in_use", "ใช้งานได้"))
# The same headings with the places they may break in a narrow column.
TICK_HEADINGS = {"deteriorated": f"เสื่อม{ZWSP}สภาพ", "not_needed": f"ไม่{ZWSP}จำเป็น{ZWSP}ต้องใช้",
                 "in_use": f"ใช้งาน{ZWSP}ได้"}
RESULT_WORDS = {
    "found": "พบ", "misplaced": "พบผิดที่", "missing": "ไม่พบ (สูญไป)",
    "on_loan": "อยู่ระหว่างยืม", "in_repair": "อยู่ระหว่างส่งซ่อม", "unexpected": "ไม่อยู่ในบัญชี",
}
# Why a scanned code was not on the list, as the domain says it, in Thai.
UNEXPECTED_WORDS = (
    ("not an asset number", "ไม่ใช่หมายเลขครุภัณฑ์ในทะเบียน"),
    ("disposed", "จำหน่ายออกจากทะเบียนแล้ว"),
    ("acquired on", "ได้มาหลังวันสิ้นปีงบประมาณที่ตรวจสอบ"),
    ("on another stock check", "อยู่ในการตรวจสอบอีกชุดหนึ่งของปีงบประมาณเดียวกัน"),
    ("not on the list frozen", "ไม่อยู่ในรายการที่กำหนดไว้เมื่อเริ่มการตรวจสอบ"),
    ("outside the scope", "อยู่นอกขอบเขตของการตรวจสอบนี้"),
)


@dataclass
class Member:
    name: str
    position: str
    role: str                  # ประธานกรรมการ / กรรมการ / ผู้ตรวจสอบ


@dataclass
class ReportData:
    """Everything the report shows, read from the stock check by ``report_data``."""

    check_id: int
    fiscal_year: int
    status: str                # open / closed
    period: tuple[dt.date, dt.date]
    starts_on: dt.date
    deadline_on: dt.date
    closed_on: dt.date | None
    scope: str                 # in Thai
    committee: list[Member]
    rows: list[dict[str, Any]]                 # stockcheck.result_rows, plus "note"
    discrepancies: list[stockcheck.Discrepancy]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def draft(self) -> bool:
        return self.status != "closed"


def unexpected_words(reason: str) -> str:
    """The domain's reason a code was unexpected, in Thai (the reason itself if unknown)."""
    for start, words in UNEXPECTED_WORDS:
        if start in (reason or ""):
            return words
    return reason or ""


def _scope_words(check_scope: stockcheck.Scope) -> str:
    parts = []
    if check_scope.departments:
        names = dict(Department.select(Department.code, Department.name)
                     .where(Department.code.in_(check_scope.departments)).tuples())
        parts.append("หน่วยงาน " + ", ".join(names.get(c, c) for c in check_scope.departments))
    if check_scope.locations:
        names = dict(Location.select(Location.code, Location.name)
                     .where(Location.code.in_(check_scope.locations)).tuples())
        parts.append("สถานที่ " + ", ".join(f"{names.get(c, c)} ({c})" for c in check_scope.locations))
    if check_scope.categories:
        names = dict(Category.select(Category.code, Category.name)
                     .where(Category.code.in_(check_scope.categories)).tuples())
        parts.append("ประเภท " + ", ".join(names.get(c, c) for c in check_scope.categories))
    return "; ".join(parts) or "พัสดุทั้งหมดของหน่วยงาน"


def _counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    expected = [r for r in rows if r["expected"]]
    results = [r["result"] for r in rows]
    return {
        "expected": len(expected),
        "found": sum(r in ("found", "misplaced") for r in results),
        "missing": results.count("missing"),
        "misplaced": results.count("misplaced"),
        "unexpected": results.count("unexpected"),
        "on_loan": results.count("on_loan"),
        "in_repair": results.count("in_repair"),
        **{key: sum(bool(r[key]) for r in expected) for key, _ in TICKS if key != "lost"},
    }


def report_data(check_id: Any) -> ReportData:
    """Read one stock check and everything its report shows."""
    check = stockcheck.get_check(check_id)
    members = (User.select(User, Person).join(Person).switch(User)
               .where(User.id.in_([u.id for u in stockcheck.committee(check)])))
    by_id = {u.id: u for u in members}
    seated = [by_id[u.id] for u in stockcheck.committee(check)]
    committee = [Member(u.person.name, u.person.position,
                        "ผู้ตรวจสอบพัสดุ" if len(seated) == 1 else
                        "ประธานกรรมการ" if seat == 0 else "กรรมการ")
                 for seat, u in enumerate(seated)]
    rows = stockcheck.result_rows(check.id)
    notes = dict(StockCheckItem.select(StockCheckItem.code, StockCheckItem.note)
                 .where(StockCheckItem.check == check.id).tuples())
    for row in rows:
        row["note"] = notes.get(row["code"]) or ""
    return ReportData(
        check_id=check.id, fiscal_year=check.fiscal_year, status=check.status,
        period=fiscal_year_bounds(check.fiscal_year), starts_on=check.starts_on,
        deadline_on=check.deadline_on,
        closed_on=local_date(check.closed_at) if check.closed_at else None,
        scope=_scope_words(stockcheck.scope_of(check)), committee=committee, rows=rows,
        discrepancies=stockcheck.discrepancies(check.id), counts=_counts(rows))


# ---- drawing -------------------------------------------------------------------------------

def _remarks(row: dict[str, Any]) -> str:
    """The last column: how it is damaged, where it was, the loan, what the committee wrote."""
    parts = []
    result = row["result"]
    if result == "misplaced":
        parts.append(f"พบที่ {row['found_location']} (ตามทะเบียน {row['location'] or '-'})")
    elif result == "on_loan":
        parts.append("อยู่ระหว่างยืม" + (f" {row['loan_no']}" if row["loan_no"] else ""))
    elif result in ("in_repair", "missing"):
        parts.append(RESULT_WORDS[result])
    for text in (row["note"], row["explanation"]):
        if text and text not in parts:
            parts.append(text)
    if row["condition"] == "damaged" and row["wear_and_tear"]:
        parts.append("เสื่อมตามสภาพการใช้งาน")
    return "; ".join(parts)


def _short_date(doc: Document, value: dt.date | None) -> str:
    """``15 มี.ค. 2567`` on one line: the table's date column is narrow."""
    if value is None:
        return ""
    return doc.digits(f"{value.day} {THAI_MONTHS_SHORT[value.month - 1]} {value.year + BE_OFFSET}"
                      ).replace(" ", NBSP)


def _header(doc: Document, data: ReportData) -> None:
    doc.heading(TITLE, 18)
    if data.draft:
        doc.heading(DRAFT, 14)
    start, end = data.period
    doc.form_line([("ส่วนราชการ", doc.settings.agency, 80),
                   ("ปีงบประมาณ", doc.digits(str(data.fiscal_year)), 20),
                   ("การตรวจสอบที่", doc.digits(str(data.check_id)), 12)])
    doc.form_line([("ตรวจสอบการรับจ่ายพัสดุ ระหว่างวันที่", f"{doc.date(start)} – {doc.date(end)}", 70),
                   ("และพัสดุคงเหลือ ณ วันที่", doc.date(end), 0)])
    doc.form_line([("เริ่มตรวจสอบวันที่", doc.date(data.starts_on), 40),
                   ("กำหนดรายงานผลภายในวันที่", doc.date(data.deadline_on), 40),
                   ("ปิดการตรวจสอบวันที่", doc.date(data.closed_on) if data.closed_on else "-", 0)])
    doc.form_line([("ขอบเขตการตรวจสอบ", data.scope, 0)])
    doc.space(1.5 * mm)
    doc.paragraph("คณะกรรมการตรวจสอบพัสดุประจำปี ได้แก่")
    for n, m in enumerate(data.committee, start=1):
        doc.paragraph(f"{doc.digits(str(n))}. {m.name}" + (f" ตำแหน่ง {m.position}" if m.position else "")
                      + f" {m.role}", indent=10 * mm)
    doc.paragraph("ได้ตรวจสอบพัสดุตามทะเบียนคุมทรัพย์สินว่ามีอยู่จริงตรงตามบัญชีหรือทะเบียนหรือไม่ "
                  "มีพัสดุใดชำรุด เสื่อมสภาพ สูญไป หรือไม่จำเป็นต้องใช้ในราชการต่อไป "
                  "ขอรายงานผลการตรวจสอบ ดังนี้", first_indent=10 * mm)


def _summary(doc: Document, data: ReportData) -> None:
    c = data.counts
    n = doc.digits
    doc.space(1.5 * mm)
    doc.heading("สรุปผลการตรวจสอบ", 14, "left")
    doc.table([Column(f"พัสดุ{ZWSP}ตามทะเบียน", None, "centre"), Column("ตรวจพบ", None, "centre"),
               Column("ไม่พบ (สูญไป)", None, "centre"), Column("พบผิดที่", None, "centre"),
               Column("ไม่อยู่ในบัญชี", None, "centre"), Column("อยู่ระหว่างยืม", None, "centre"),
               Column(f"อยู่ระหว่าง{ZWSP}ส่งซ่อม", None, "centre"), Column("ชำรุด", None, "centre"),
               Column("เสื่อมสภาพ", None, "centre"), Column(f"ไม่จำเป็น{ZWSP}ต้องใช้", None, "centre")],
              [[n(str(c[k])) for k in ("expected", "found", "missing", "misplaced", "unexpected",
                                       "on_loan", "in_repair", "damaged", "deteriorated",
                                       "not_needed")]], size=11)


def result_columns() -> list[Column]:
    """The result list's columns: the fifth to the ninth are the ticks of ``TICKS``."""
    return [Column("ที่", 9, "centre"), Column("รายการ"), Column(f"หมายเลข{ZWSP}ครุภัณฑ์", 26, "centre"),
            Column("ยี่ห้อ/รุ่น", 27), *(Column(TICK_HEADINGS.get(key, words), 14, "centre")
                                        for key, words in TICKS),
            Column("วันที่ได้มา", 26.5, "centre"), Column(f"ราคา{ZWSP}ตามทะเบียน", 27, "right"),
            Column("ผู้ใช้", 22), Column("ชำรุดอย่างไร / หมายเหตุ")]


def _results(doc: Document, data: ReportData) -> None:
    doc.space(3 * mm)
    doc.heading("รายการผลการตรวจสอบ", 14, "left")
    rows = []
    for r in (r for r in data.rows if r["expected"]):
        rows.append([
            doc.digits(str(len(rows) + 1)), r["name"], r["code"], r["brand"] or "-",
            *(TICK if r[key] else "" for key, _ in TICKS),
            _short_date(doc, r["acquired_on"]), doc.money(r["price"]), r["custodian"] or "-",
            _remarks(r)])
    columns = result_columns()
    if not rows:
        rows.append(["", "ไม่มีพัสดุในขอบเขตการตรวจสอบ", *[""] * (len(columns) - 2)])
    doc.table(columns, rows, size=10, heading_size=9.5)


def _discrepancies(doc: Document, data: ReportData) -> None:
    doc.space(3 * mm)
    doc.heading("ข้อแตกต่างและคำชี้แจงของคณะกรรมการ", 14, "left")
    sections = (
        ("missing", "พัสดุที่ไม่พบ (สูญไป)"),
        ("misplaced", "พัสดุที่พบผิดสถานที่"),
        ("unexpected", "รายการที่พบแต่ไม่อยู่ในบัญชี"),
        ("condition", "พัสดุที่ชำรุด เสื่อมสภาพ หรือไม่จำเป็นต้องใช้"),
    )
    condition_words = {"damaged": "ชำรุด", "deteriorated": "เสื่อมสภาพ", "not_needed": "ไม่จำเป็นต้องใช้"}
    any_drawn = False
    for kind, heading in sections:
        if kind == "condition":
            found = sorted((d for d in data.discrepancies if set(d.kinds) & set(condition_words)),
                           key=lambda d: d.code)
        else:
            found = [d for d in data.discrepancies if kind in d.kinds]
        if not found:
            continue
        any_drawn = True
        doc.paragraph(f"{heading} {doc.digits(str(len(found)))} รายการ", font=FONT_BOLD)
        rows = []
        for d in found:
            if kind == "unexpected":
                why = "; ".join(p for p in (d.explanation, unexpected_words(d.reason)) if p)
            else:
                why = d.explanation or ""
                if kind == "condition" and d.wear_and_tear:
                    why = "; ".join(p for p in (why, "เสื่อมตามสภาพการใช้งาน") if p)
            detail = {
                "missing": d.expected_location or "-",
                "misplaced": f"ตามทะเบียน {d.expected_location or '-'} พบที่ {d.found_location or '-'}",
                "unexpected": f"พบที่ {d.found_location or '-'}",
                "condition": " ".join(condition_words[k] for k in d.kinds if k in condition_words),
            }[kind]
            rows.append([doc.digits(str(len(rows) + 1)), d.code, d.name or "-", detail,
                         why or "ยังไม่มีคำชี้แจง"])
        head = {"missing": "สถานที่ตามทะเบียน", "misplaced": "สถานที่",
                "unexpected": "สถานที่พบ", "condition": "สภาพ"}[kind]
        doc.table([Column("ที่", 8, "centre"), Column("หมายเลขครุภัณฑ์", 34, "centre"),
                   Column("รายการ", 70), Column(head, 50), Column("คำชี้แจง")], rows, size=10.5)
        doc.space(2 * mm)
    if not any_drawn:
        doc.paragraph("ไม่พบข้อแตกต่าง: พัสดุทุกรายการมีอยู่ตรงตามทะเบียนและใช้งานได้")


def _signatures(doc: Document, data: ReportData) -> None:
    doc.space(3 * mm)
    per_row = 3
    width = doc.width / per_row
    height = doc.signature_height(doc.size)
    doc.ensure(doc.leading() + height)  # the closing sentence stays with the signatures
    doc.paragraph("จึงเรียนมาเพื่อโปรดทราบและพิจารณาดำเนินการต่อไป", first_indent=10 * mm)
    day = doc.date(data.closed_on) if data.closed_on else ""
    members = data.committee
    for start in range(0, len(members), per_row):
        doc.ensure(height)
        top = doc.y
        for i, m in enumerate(members[start:start + per_row]):
            doc.signature(doc.left + i * width, top, width, m.role, m.name, m.position, day)
        doc.y = top - height


def render_report(out: str | os.PathLike | BinaryIO, data: ReportData,
                  settings: PaperSettings | None = None, printed_by: str = "",
                  printed_at: dt.datetime | None = None) -> int:
    """Write the inspection report as a landscape A4 PDF; returns its number of pages (the
    result table's heading repeats on every page it runs onto)."""
    year = thai_digits(str(data.fiscal_year)) if settings and settings.thai_digits else str(data.fiscal_year)
    doc = Document(out, TITLE, printed_by=printed_by, printed_at=printed_at, settings=settings,
                   reference=f"ปีงบประมาณ {year}" + (f" ({DRAFT})" if data.draft else ""),
                   pagesize=PAGE, size=12.5, margins=MARGINS)
    _header(doc, data)
    _summary(doc, data)
    _results(doc, data)
    _discrepancies(doc, data)
    _signatures(doc, data)
    return doc.close()


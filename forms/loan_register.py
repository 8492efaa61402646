"""The loan register (ทะเบียนการยืมทรัพย์สินของราชการ), on A4 landscape: one line per loan
with its number, date, borrower and organisation, the asset numbers lent, purpose, place,
period, who approved it, when it was handed over and returned, and the condition items
came back in. Loans are read in batches, each with its items and names in a few queries.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

from models.loans import LoanFilter, loan_query
from models.schema import Asset, Department, Loan, LoanItem, Person, User
from models.values import BE_OFFSET, THAI_MONTHS_SHORT, local_date

from .pdf import ZWSP, Column, Document, PaperSettings

TITLE = "ทะเบียนการยืมทรัพย์สินของราชการ"
REGISTERED = ("approved", "active", "returned")  # requests that became loans
CONDITION_WORDS = {"usable": "ใช้การได้", "damaged": "ชำรุด", "lost": "สูญหาย"}
PLACE_WORDS = {"inside": ZWSP.join(("ใช้ภายใน", "สถานที่")),
               "outside": ZWSP.join(("นำไปใช้", "นอกสถานที่"))}
BETWEEN_AGENCIES = ZWSP.join(("ยืมระหว่าง", "หน่วยงาน", "ของรัฐ"))

COLUMNS = [
    Column("ที่", 8, "centre"),
    Column("เลขที่ใบยืม", 21, "centre"),
    Column("วันที่ยืม", 15, "centre"),
    Column("ผู้ยืม (หน่วยงาน)", 33),
    Column("รายการ\n(หมายเลข\nครุภัณฑ์)", 22),
    Column("วัตถุประสงค์"),
    Column("สถานที่ใช้", 18),
    Column("กำหนดยืม", 22, "centre"),
    Column("ผู้อนุมัติ", 27),
    Column("วันที่\nส่งมอบ", 15, "centre"),
    Column("วันที่คืน", 15, "centre"),
    Column("สภาพ/หมายเหตุ", 30),
]


@dataclass
class LoanLine:
    loan_no: str
    requested_on: dt.date | None
    borrower: str
    organisation: str
    items: list[str]
    purpose: str
    kind: str
    place: str
    start_on: dt.date
    due_on: dt.date
    approver: str
    issued_on: dt.date | None
    returned_on: dt.date | None
    status: str
    remarks: list[str] = field(default_factory=list)


def _names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(User.select(User.id, Person.name).join(Person)
                .where(User.id.in_(list(user_ids))).tuples())


def _departments() -> dict[int, str]:
    return dict(Department.select(Department.id, Department.name).tuples())


def loan_lines(fiscal_year: int | None = None, department: str | None = None,
               today: dt.date | None = None, batch: int = 500) -> Iterator[LoanLine]:
    """The loans of the register in the order they were requested, read ``batch`` at a
    time with their items and approvers."""
    today = today or dt.date.today()
    query = (loan_query(LoanFilter(fiscal_year=fiscal_year, department=department,
                                   statuses=list(REGISTERED)))
             .order_by(Loan.requested_at, Loan.id))
    units = _departments()
    chunk: list[Loan] = []
    for loan in query.iterator():
        chunk.append(loan)
        if len(chunk) == batch:
            yield from _lines(chunk, units, today)
            chunk = []
    if chunk:
        yield from _lines(chunk, units, today)


def _lines(loans: list[Loan], units: dict[int, str], today: dt.date) -> Iterator[LoanLine]:
    items: dict[int, list[tuple]] = {}
    for row in (LoanItem.select(LoanItem.loan, Asset.asset_no, LoanItem.issued_at,
                                LoanItem.returned_at, LoanItem.returned_condition,
                                LoanItem.return_note)
                .join(Asset).where(LoanItem.loan.in_([loan.id for loan in loans]))
                .order_by(Asset.asset_no).tuples()):
        items.setdefault(row[0], []).append(row[1:])
    names = _names({loan.decided_by_id for loan in loans if loan.decided_by_id})
    for loan in loans:
        rows = items.get(loan.id, [])
        issued = [local_date(r[1]) for r in rows if r[1]]
        back = [local_date(r[2]) for r in rows if r[2]]
        remarks = []
        for number, _issued, _back, condition, note in rows:
            if condition and condition != "usable":
                remarks.append(f"{number} {CONDITION_WORDS[condition]}" + (f": {note}" if note else ""))
        if loan.status == "returned" and not remarks:
            remarks.append("คืนครบ ใช้การได้")
        elif loan.status == "approved":
            remarks.append("อนุมัติแล้ว ยังไม่ส่งมอบ")
        elif loan.status == "active":
            out = sum(1 for r in rows if r[1] and not r[2])
            if back:
                remarks.append(f"คืนแล้ว {len(back)} รายการ ค้างคืน {out} รายการ")
            if loan.due_on < today and out:
                remarks.append(f"เกินกำหนด {(today - loan.due_on).days} วัน")
        borrower = loan.borrower
        organisation = borrower.organisation if borrower.external else units.get(
            borrower.department_id, "")
        yield LoanLine(
            loan_no=loan.loan_no, requested_on=local_date(loan.requested_at),
            borrower=borrower.name, organisation=organisation or "",
            items=[r[0] for r in rows], purpose=loan.purpose, kind=loan.kind, place=loan.place,
            start_on=loan.start_on, due_on=loan.due_on,
            approver=names.get(loan.decided_by_id, ""),
            issued_on=loan.issued_on or (min(issued) if issued else None),
            returned_on=(loan.returned_on or (max(back) if back else None))
            if loan.status == "returned" else None,
            status=loan.status, remarks=remarks)


@dataclass
class LoanRegisterRun:
    pages: int
    loans: int


def _short(doc: Document, value: dt.date | None) -> str:
    if value is None:
        return "-"
    return doc.digits(f"{value.day} {THAI_MONTHS_SHORT[value.month - 1]} {value.year + BE_OFFSET}")


def render_loan_register(out: str | os.PathLike | BinaryIO, lines: Iterable[LoanLine],
                         settings: PaperSettings | None = None, printed_by: str = "",
                         printed_at: dt.datetime | None = None, fiscal_year: int | None = None,
                         department: str = "") -> LoanRegisterRun:
    reference = f"ปีงบประมาณ {fiscal_year}" if fiscal_year else ""
    doc = Document(out, TITLE, printed_by=printed_by, printed_at=printed_at, settings=settings,
                   reference=reference, pagesize=landscape(A4), size=10, line_factor=1.32,
                   margins=(16 * mm, 12 * mm, 15 * mm, 15 * mm))
    doc.reference = doc.digits(doc.reference)
    doc.heading(TITLE, 17)
    head = f"ส่วนราชการ {doc.settings.agency}" + (f"   ปีงบประมาณ {fiscal_year}" if fiscal_year else "")
    if department:
        head += f"   หน่วยงานเจ้าของพัสดุ {department}"
    doc.paragraph(doc.digits(head), align="centre", size=11)
    doc.space(2 * mm)
    count = 0

    def rows() -> Iterator[list[str]]:
        nonlocal count
        for line in lines:
            count += 1
            who = line.borrower + (f"\n({line.organisation})" if line.organisation else "")
            place = PLACE_WORDS.get(line.place, line.place)
            if line.kind == "agency":
                place = BETWEEN_AGENCIES
            yield [doc.digits(f"{count:,}"), line.loan_no, _short(doc, line.requested_on), who,
                   "\n".join(line.items), line.purpose, place,
                   f"{_short(doc, line.start_on)}\n- {_short(doc, line.due_on)}",
                   line.approver or "-", _short(doc, line.issued_on), _short(doc, line.returned_on),
                   "\n".join(line.remarks)]

    doc.table(COLUMNS, rows(), size=8.5)
    if count == 0:
        doc.paragraph("ไม่มีการยืมตามที่เลือก", align="centre")
    return LoanRegisterRun(doc.close(), count)

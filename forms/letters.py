"""The follow-up letter for overdue loans (หนังสือทวงคืน), in the layout of a Thai
official letter at 16 pt: ที่ and the agency, the date in the Buddhist Era, เรื่อง, เรียน,
อ้างถึง the loan slips, the body listing every item the borrower still holds past its
due date (all their overdue loans, not only the one asked about) with its loan number,
due date, days overdue and value, the total in figures and in words, what the
regulation requires of a borrower, the closing, and the signature of the approver or
the supply officer.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from reportlab.lib.units import mm

from models.errors import ValidationError
from models.loans import get_loan, overdue_by_borrower
from models.schema import Person, User
from models.values import BE_OFFSET, THAI_MONTHS_SHORT, local_date

from .pdf import FONT, NBSP, ZWSP, Column, Document, PaperSettings
from .thaitext import baht_text

TITLE = "หนังสือทวงคืนพัสดุ"
SUBJECT = "ขอให้ส่งคืนพัสดุที่ยืม"
LETTER_SIZE = 16.0
REGULATION = ("ระเบียบ\u200bกระทรวงการคลัง\u200bว่าด้วย\u200bการจัดซื้อจัดจ้าง\u200bและ"
              "\u200bการบริหาร\u200bพัสดุ\u200bภาครัฐ พ.ศ. 2560 ข้อ 211")


@dataclass
class OverdueItem:
    loan_no: str
    asset_no: str
    name: str
    due_on: dt.date
    days_overdue: int
    value: Decimal


@dataclass
class LetterData:
    """Everything the letter says, read by ``overdue_letter_data``."""

    on: dt.date
    borrower: str
    position: str
    organisation: str
    address: str
    department: str                           # the unit that lent the assets
    loans: list[tuple[str, dt.date | None]]   # loan number and date of its slip
    items: list[OverdueItem] = field(default_factory=list)
    signer: str = ""
    signer_position: str = ""
    letter_no: str = ""
    reply_days: int = 7

    @property
    def total(self) -> Decimal:
        return sum((i.value for i in self.items), Decimal("0.00"))


def _person_of(user_id: int | None) -> Person | None:
    if not user_id:
        return None
    user = User.select(User, Person).join(Person).where(User.id == user_id).first()
    return user.person if user else None


def overdue_letter_data(loan_no: str, today: dt.date | None = None,
                        signer: str | None = None, letter_no: str = "") -> LetterData:
    """The letter to the borrower of ``loan_no``, covering every loan of theirs that is
    overdue on ``today``. Signed by ``signer`` (a username), else the loan's approver."""
    from models.accounts import get_user

    today = today or dt.date.today()
    loan = get_loan(loan_no)
    overdue = overdue_by_borrower(today).get(loan.borrower_id, [])
    if not any(o.loan.id == loan.id for o in overdue):
        raise ValidationError("loan", f"Loan {loan.loan_no} is not overdue on "
                              f"{today:%d/%m}/{today.year + 543}: there is nothing to chase.")
    if signer:
        user = get_user(signer)
        who = Person.get_by_id(user.person_id)
    else:
        who = _person_of(loan.decided_by_id)
    borrower = loan.borrower
    items = [OverdueItem(o.loan.loan_no, i.asset.asset_no, i.asset.name, o.loan.due_on,
                         o.days_overdue, i.value_at_loan)
             for o in sorted(overdue, key=lambda o: o.loan.loan_no) for i in o.items]
    return LetterData(
        on=today, borrower=borrower.name, position=borrower.position,
        organisation=borrower.organisation if borrower.external else "",
        address=borrower.address if borrower.external else "",
        department=loan.department.name,
        loans=[(o.loan.loan_no, local_date(o.loan.requested_at))
               for o in sorted(overdue, key=lambda o: o.loan.loan_no)],
        items=items, signer=who.name if who else "", signer_position=who.position if who else "",
        letter_no=letter_no)


def _breaks(text: str) -> str:
    """Thai written without spaces, ``|`` marking where a line may break."""
    return text.replace("|", ZWSP)


def short_date(doc: Document, value: dt.date) -> str:
    """``30 ต.ค. 2569``, for the narrow column of the table."""
    return doc.digits(f"{value.day} {THAI_MONTHS_SHORT[value.month - 1]} {value.year + BE_OFFSET}")


def render_overdue_letter(out: str | os.PathLike | BinaryIO, data: LetterData,
                          settings: PaperSettings | None = None, printed_by: str = "",
                          printed_at: dt.datetime | None = None) -> int:
    """Write the letter; returns its number of pages."""
    doc = Document(out, TITLE, printed_by=printed_by, printed_at=printed_at, settings=settings,
                   reference=data.loans[0][0] if data.loans else "", size=LETTER_SIZE,
                   line_factor=1.35, margins=(17 * mm, 20 * mm, 17 * mm, 30 * mm))
    size = LETTER_SIZE
    lead = doc.leading(size)
    # ที่ on the left, the agency on the right, on the same line
    doc.y -= lead * 1.2
    base = doc.y + lead - size
    doc.text(doc.left, base, doc.digits(f"ที่ {data.letter_no}") if data.letter_no
             else "ที่ " + "." * 30)
    agency_x = doc.left + doc.width * 0.58
    doc.text(agency_x, base, doc.settings.agency)
    doc.y -= lead
    doc.text(agency_x, doc.y + lead - size, data.department)
    # the date, from the middle of the page
    doc.y -= lead * 1.15
    doc.text(doc.left + doc.width * 0.45, doc.y + lead - size, doc.date(data.on))
    doc.space(lead * 0.3)
    doc.paragraph(f"เรื่อง{NBSP}{NBSP}{SUBJECT}")
    doc.space(lead * 0.2)
    to = data.borrower + (f" {data.organisation}" if data.organisation else "")
    doc.paragraph(f"เรียน{NBSP}{NBSP}{to}")
    doc.space(lead * 0.2)
    refs = " และ".join(f"ใบยืมพัสดุ เลขที่ {no}" + (f" ลงวันที่ {doc.date(day)}" if day else "")
                       for no, day in data.loans)
    doc.paragraph(doc.digits(f"อ้างถึง{NBSP}{NBSP}{refs}"))
    doc.space(lead * 0.3)
    count = len(data.items)
    total = data.total
    doc.paragraph(doc.digits(_breaks(
        f"ตามที่|ท่าน|ได้|ยืม|พัสดุ|ของ{data.department} {doc.settings.agency} ตาม|ใบยืม|พัสดุ|ที่|อ้างถึง "
        f"เพื่อ|ใช้|ใน|ราชการ และ|พัสดุ|ดังกล่าว|ได้|ครบ|กำหนด|ส่งคืน|แล้ว แต่|จนถึง|วันที่ "
        f"{doc.date(data.on)} ท่าน|ยัง|มิได้|ส่งคืน จำนวน {count} รายการ ดังนี้")),
        first_indent=25 * mm)
    doc.space(lead * 0.2)
    rows = [[doc.digits(str(n)), item.loan_no, f"{item.name}\n{item.asset_no}",
             short_date(doc, item.due_on), doc.digits(f"{item.days_overdue:,}"),
             doc.money(item.value)]
            for n, item in enumerate(data.items, start=1)]
    rows.append(["", "", "รวม", "", "", doc.money(total)])
    doc.table([Column("ที่", 9, "centre"), Column("เลขที่ใบยืม", 27, "centre"),
               Column("รายการ / หมายเลขครุภัณฑ์"), Column("กำหนดคืน", 28, "centre"),
               Column("เกิน\nกำหนด\n(วัน)", 16, "centre"), Column("มูลค่า (บาท)", 25, "right")],
              rows, size=12)
    doc.space(lead * 0.4)
    doc.paragraph(doc.digits(_breaks(
        f"รวม|มูลค่า|พัสดุ|ที่|ยัง|มิได้|ส่งคืน|ทั้งสิ้น {doc.money(total)} บาท ({baht_text(total)})")),
        first_indent=25 * mm)
    doc.paragraph(doc.digits(_breaks(
        f"จึง|ขอให้|ท่าน|ส่งคืน|พัสดุ|ดังกล่าว|ใน|สภาพ|ที่|ใช้|การ|ได้|เรียบร้อย ภายใน {data.reply_days} วัน "
        "นับ|แต่|วันที่|ได้รับ|หนังสือ|ฉบับนี้ หาก|พัสดุ|เกิด|ชำรุด|เสียหาย ใช้|การ|ไม่ได้ หรือ|สูญหาย "
        "ท่าน|ต้อง|จัดการ|แก้ไข|ซ่อมแซม|ให้|คง|สภาพ|เดิม|โดย|เสีย|ค่าใช้จ่าย|ของ|ตนเอง หรือ|ชดใช้|เป็น|พัสดุ|ประเภท "
        "ชนิด ขนาด ลักษณะ และ|คุณภาพ|อย่าง|เดียวกัน หรือ|ชดใช้|เป็น|เงิน|ตาม|ราคา|ที่|เป็น|อยู่|ใน|ขณะ|ยืม "
        f"ตาม{REGULATION}")), first_indent=25 * mm)
    doc.paragraph("จึงเรียนมาเพื่อโปรดดำเนินการ", first_indent=25 * mm)
    # the closing and the signature, from the middle of the page
    closing_x = doc.left + doc.width * 0.45
    doc.ensure(lead * 5.2)
    doc.y -= lead * 1.2
    doc.text(closing_x + 8 * mm, doc.y + lead - size, "ขอแสดงความนับถือ")
    doc.y -= lead * 2.6
    half = doc.width * 0.55
    centre = closing_x - doc.width * 0.05 + half / 2
    name = f"( {data.signer} )" if data.signer else "(" + "." * 40 + ")"
    doc.text(centre, doc.y + lead - size, name, FONT, size, "centre")
    doc.y -= lead
    doc.text(centre, doc.y + lead - size, data.signer_position or "ผู้อนุมัติ / เจ้าหน้าที่พัสดุ",
             FONT, size, "centre")
    # the unit to contact, at the bottom left
    doc.ensure(lead * 2)
    doc.y -= lead * 1.3
    doc.text(doc.left, doc.y + lead - size, data.department, FONT, 14)
    doc.y -= doc.leading(14)
    doc.text(doc.left, doc.y + doc.leading(14) - 14, "งานพัสดุ", FONT, 14)
    return doc.close()

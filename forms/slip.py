"""The loan slip (ใบยืมพัสดุ), filled from the loan register: the request with the
borrower's details, purpose and period, the items, the borrower's undertaking, the
endorsement, the supply officer's check (inside or outside the premises), the approval,
the hand-over and the return, each with its signatures, and footnotes on who approves
which kind of loan and the follow-up of overdue loans. The slip number is printed as a
Code 128 barcode, so a paper slip brought back to the desk opens its loan when scanned.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from reportlab.lib.units import mm

from models.accounts import role_label
from models.schema import Department, Loan, Person, User

from .pdf import (
    FONT,
    FONT_BOLD,
    NBSP,
    QUIET_MODULES,
    ZWSP,
    Column,
    Document,
    PaperSettings,
    code128_modules,
    draw_code128,
    draw_text,
    text_width,
    wrap_text,
)

TITLE = "ใบยืมพัสดุ"
PLACE_BOXES = (("inside", "ยืมใช้ภายในสถานที่"), ("outside", "ยืมไปใช้นอกสถานที่"))
CONDITIONS = (("usable", "ใช้การได้"), ("damaged", "ชำรุด"), ("lost", "สูญหาย"))
UNDERTAKING = (
    "ข้าพเจ้าจะนำพัสดุที่ยืมส่งคืนภายในวันที่ {due} ในสภาพที่ใช้การได้เรียบร้อย "
    "หากเกิดชำรุดเสียหาย หรือใช้การไม่ได้ หรือสูญหายไป ข้าพเจ้ายินดีจัดการแก้ไขซ่อมแซมให้คงสภาพเดิม "
    "โดยเสียค่าใช้จ่ายของตนเอง หรือชดใช้เป็นพัสดุประเภท ชนิด ขนาด ลักษณะ และคุณภาพอย่างเดียวกัน "
    "หรือชดใช้เป็นเงินตามราคาที่เป็นอยู่ในขณะยืม ตามหลักเกณฑ์ที่กระทรวงการคลังกำหนด"
)


@dataclass
class SlipItem:
    asset_no: str
    name: str
    detail: str             # brand, model, serial number
    unit: str
    value_at_loan: Decimal
    returned_condition: str | None = None
    return_note: str = ""


@dataclass
class SlipSigner:
    name: str = ""
    position: str = ""
    on: dt.date | None = None


@dataclass
class SlipData:
    """Everything the slip shows, read from the register by ``slip_data``."""

    loan_no: str
    kind: str                  # inside / outside / agency
    place: str                 # inside / outside
    status: str
    requested_on: dt.date
    borrower: SlipSigner
    borrower_unit: str
    borrower_phone: str
    external: bool
    organisation: str
    address: str
    department: str            # the unit holding the assets
    purpose: str
    start_on: dt.date
    due_on: dt.date
    approver_title: str        # เรียน ...
    items: list[SlipItem] = field(default_factory=list)
    decided: SlipSigner | None = None
    issued: SlipSigner | None = None        # who handed over, when
    returned: SlipSigner | None = None      # who took back, when (all items back)
    approvers: dict[str, str] = field(default_factory=dict)  # kind -> who approves it
    follow_up_days: int = 7


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    """The local calendar day of a stored UTC time."""
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC).astimezone().date()


def _person(user_id: int | None) -> Person | None:
    if not user_id:
        return None
    user = User.select(User, Person).join(Person).where(User.id == user_id).first()
    return user.person if user else None


def approver_words(role: str, kind: str) -> str:
    """Who approves a kind of loan, as the footnote and the salutation name them."""
    if role == "dept_head":
        return "หัวหน้าหน่วยพัสดุ หรือหัวหน้าหน่วยงานที่ครอบครองพัสดุนั้น"
    return role_label(role, "th")


def slip_data(loan_no: str) -> SlipData:
    """Read one loan and everything its slip shows."""
    from models.loans import approver_role, follow_up_days, get_loan, loan_items
    from models.org import get_setting

    loan: Loan = get_loan(loan_no)
    items = loan_items(loan)
    borrower = loan.borrower
    unit = Department.get_by_id(borrower.department_id).name if borrower.department_id else ""
    decided = None
    if loan.decided_by_id and loan.status != "cancelled":
        who = _person(loan.decided_by_id)
        decided = SlipSigner(who.name if who else "", who.position if who else "",
                             _local_date(loan.decided_at))
    issued = None
    out = [i for i in items if i.issued_at is not None]
    if out:
        first = min(out, key=lambda i: i.issued_at)
        who = _person(first.issued_by_id)
        issued = SlipSigner(who.name if who else "", who.position if who else "",
                            loan.issued_on or _local_date(first.issued_at))
    returned = None
    if items and all(i.returned_at is not None for i in items):
        last = max(items, key=lambda i: i.returned_at)
        who = _person(last.returned_by_id)
        returned = SlipSigner(who.name if who else "", who.position if who else "",
                              loan.returned_on or _local_date(last.returned_at))
    approvers = {kind: approver_words(get_setting(f"approver_{kind}") or "agency_head", kind)
                 for kind in ("inside", "outside", "agency")}
    return SlipData(
        loan_no=loan.loan_no, kind=loan.kind, place=loan.place, status=loan.status,
        requested_on=_local_date(loan.requested_at) or loan.start_on,
        borrower=SlipSigner(borrower.name, borrower.position, _local_date(loan.requested_at)),
        borrower_unit=unit, borrower_phone=borrower.phone, external=borrower.external,
        organisation=borrower.organisation, address=borrower.address,
        department=loan.department.name, purpose=loan.purpose, start_on=loan.start_on,
        due_on=loan.due_on, approver_title=approver_words(approver_role(loan), loan.kind),
        items=[SlipItem(
            asset_no=i.asset.asset_no, name=i.asset.name,
            detail=" ".join(p for p in (
                f"ยี่ห้อ {i.asset.brand}" if i.asset.brand else "",
                f"รุ่น {i.asset.model}" if i.asset.model else "",
                f"หมายเลขเครื่อง {i.asset.serial_no}" if i.asset.serial_no else "") if p),
            unit=i.asset.unit or "หน่วย", value_at_loan=i.value_at_loan,
            returned_condition=i.returned_condition, return_note=i.return_note) for i in items],
        decided=decided, issued=issued, returned=returned, approvers=approvers,
        follow_up_days=follow_up_days())


def blank_slip_data() -> SlipData:
    """An empty slip to fill in by hand (published with the procedure so anyone can see the
    form), with the footnotes of the configured routing; it prints with dotted lines,
    empty item rows and no barcode."""
    from models.loans import follow_up_days
    from models.org import get_setting

    approvers = {kind: approver_words(get_setting(f"approver_{kind}") or "agency_head", kind)
                 for kind in ("inside", "outside", "agency")}
    return SlipData(loan_no="", kind="", place="", status="", requested_on=None,  # type: ignore[arg-type]
                    borrower=SlipSigner(), borrower_unit="", borrower_phone="", external=True,
                    organisation="", address="", department="", purpose="",
                    start_on=None, due_on=None, approver_title="",  # type: ignore[arg-type]
                    approvers=approvers, follow_up_days=follow_up_days())


# ---- drawing -------------------------------------------------------------------------------

def _header(doc: Document, data: SlipData) -> None:
    """Title, the slip number as a barcode at the top right, agency, number and date."""
    c = doc.canvas
    if not data.loan_no:  # a blank slip: no number to print as a barcode
        doc.heading(TITLE, 19)
        doc.form_line([("ส่วนราชการ", doc.settings.agency, 60), ("เลขที่", "", 30), ("วันที่", "", 0)])
        doc.form_line([("เรียน", "", 0)])
        return
    module = 0.3 * mm
    modules = len(code128_modules(data.loan_no))
    bars_w = modules * module
    bars_h = 8 * mm
    bx = doc.right - QUIET_MODULES * module - bars_w
    by = doc.top - bars_h
    draw_code128(c, bx, by, data.loan_no, module, bars_h)
    draw_text(c, bx + bars_w / 2, by - 9.5, data.loan_no, FONT, 9, "centre")
    doc.y = doc.top - 2 * mm
    doc.heading(TITLE, 19)
    doc.y = min(doc.y, by - 12) - 1 * mm
    doc.form_line([("ส่วนราชการ", doc.settings.agency, 60), ("เลขที่", data.loan_no, 30),
                   ("วันที่", doc.date(data.requested_on), 0)])
    doc.form_line([("เรียน", data.approver_title, 0)])


def _request(doc: Document, data: SlipData) -> None:
    indent = 10 * mm
    b = data.borrower
    doc.form_line([("ข้าพเจ้า", b.name, 55), ("ตำแหน่ง", b.position, 45),
                   ("สังกัด", data.borrower_unit or ("-" if data.external and data.loan_no else ""), 35),
                   ("โทรศัพท์", data.borrower_phone, 0)], indent=indent)
    if data.external:
        doc.form_line([("หน่วยงาน/องค์กร", data.organisation, 0)])
        doc.form_line([("ที่อยู่", data.address, 0)])
    if not data.department:  # a blank slip
        doc.form_line([("มีความประสงค์จะขอยืมพัสดุของ", "", 50), ("เพื่อใช้ในราชการ คือ", "", 0)])
    else:
        doc.form_line([(f"มีความประสงค์จะขอยืมพัสดุของ{data.department} เพื่อใช้ในราชการ คือ",
                        data.purpose, 0)])
    days = (data.due_on - data.start_on).days + 1 if data.start_on and data.due_on else ""
    doc.form_line([("กำหนดเวลายืม ตั้งแต่วันที่", doc.date(data.start_on), 38),
                   ("ถึงวันที่", doc.date(data.due_on), 38),
                   ("รวม", doc.digits(str(days)), 10), ("วัน", "")])


def _items(doc: Document, data: SlipData) -> None:
    doc.space(2.5 * mm)
    rows = []
    for n, item in enumerate(data.items, start=1):
        name = item.name + (f" {item.detail}" if item.detail else "")
        remark = f"มูลค่า {doc.money(item.value_at_loan)}{NBSP}บาท"
        if item.returned_condition and item.returned_condition != "usable":
            words = dict(CONDITIONS)[item.returned_condition]
            remark += f"\nคืนในสภาพ{words}" + (f": {item.return_note}" if item.return_note else "")
        rows.append([doc.digits(str(n)), name, doc.digits(f"1 {item.unit}"), item.asset_no, remark])
    if not data.loan_no:  # a blank slip: rows to write in
        rows = [[doc.digits(str(n)), "", "", "", ""] for n in range(1, 6)]
    doc.table([Column("ที่", 9, "centre"), Column("รายการ"), Column("จำนวน", 18, "centre"),
               Column("หมายเลขครุภัณฑ์", 33, "centre"), Column("หมายเหตุ", 39)], rows, size=10.5)


def _undertaking(doc: Document, data: SlipData) -> None:
    doc.space(2 * mm)
    due = doc.date(data.due_on) if data.due_on else "...................."
    doc.paragraph(UNDERTAKING.format(due=due), first_indent=10 * mm)


def _words(*parts: str) -> str:
    """Thai written without spaces, with the places a line may break marked."""
    return ZWSP.join(parts)


@dataclass
class _Sign:
    role: str
    signer: SlipSigner | None
    lines: tuple[str, ...] = ("position", "date")
    space: float = 1.3


@dataclass
class _Cell:
    """One boxed block of the form: a heading, lines of text, rows of tick boxes, a
    dotted line for a written opinion, then one or more signatures."""

    heading: str
    signatures: list[_Sign]
    lines: list[str] = field(default_factory=list)
    boxes: list[list[tuple[bool, str]]] = field(default_factory=list)
    comment: bool = False
    heading_boxes: list[tuple[bool, str]] = field(default_factory=list)  # after the heading


def _cell_height(doc: Document, cell: _Cell, width: float, size: float) -> float:
    lead = doc.leading(size)
    count = (1 if cell.heading else 0) + len(cell.boxes) + (1 if cell.comment else 0)
    for text in cell.lines:
        count += len(wrap_text(text, width - 6 * mm, FONT, size))
    return (count * lead + sum(doc.signature_height(size, s.lines, s.space) for s in cell.signatures)
            + 2 * mm)


def _draw_cell(doc: Document, cell: _Cell, x: float, top: float, width: float, height: float,
               size: float) -> None:
    c = doc.canvas
    lead = doc.leading(size)
    c.saveState()
    c.setLineWidth(0.6)
    c.rect(x, top - height, width, height, stroke=1, fill=0)
    c.restoreState()
    inner = x + 3 * mm
    y = top + 1 * mm - lead * 0.25
    if cell.heading:
        y -= lead
        bx = inner + draw_text(c, inner, y, cell.heading, FONT_BOLD, size) + 5 * mm
        for ticked, label in cell.heading_boxes:
            bx += doc.checkbox(bx, y, ticked, label, size) + 6 * mm
    for text in cell.lines:
        for line in wrap_text(text, width - 6 * mm, FONT, size):
            y -= lead
            draw_text(c, inner, y, line, FONT, size)
    for row in cell.boxes:
        y -= lead
        bx = inner
        for ticked, label in row:
            bx += doc.checkbox(bx, y, ticked, label, size) + 6 * mm
    if cell.comment:
        y -= lead
        words = "ความเห็น"
        w = text_width(words, FONT, size)
        draw_text(c, inner, y, words, FONT, size)
        doc.dots(inner + w + 2, y - size * 0.22, width - 6 * mm - w - 2)
    y -= size * 0.4
    for sign in cell.signatures:
        s = sign.signer or SlipSigner()
        y -= doc.signature(x, y, width, sign.role, s.name, s.position, doc.date(s.on), size,
                           sign.lines, sign.space)


def _cells(doc: Document, left: _Cell, right: _Cell, size: float = 10.5) -> None:
    half = doc.width / 2
    height = max(_cell_height(doc, left, half, size), _cell_height(doc, right, half, size))
    doc.ensure(height)
    top = doc.y
    _draw_cell(doc, left, doc.left, top, half, height, size)
    _draw_cell(doc, right, doc.left + half, top, half, height, size)
    doc.y = top - height


def _signatures(doc: Document, data: SlipData) -> None:
    doc.space(2 * mm)
    decided = data.status not in ("requested", "cancelled") and data.decided is not None
    approved = decided and data.status != "rejected"
    _cells(doc,
           _Cell("ผู้ยืม", [_Sign("ผู้ยืม", data.borrower)]),
           _Cell("หัวหน้าหน่วยงานของผู้ยืม", [_Sign("หัวหน้าหน่วยงาน", None)], comment=True))
    place_boxes = [[(data.place == code, words) for code, words in PLACE_BOXES]]
    if data.kind == "agency":
        place_boxes.append([(True, "ยืมระหว่างหน่วยงานของรัฐ")])
    _cells(doc,
           _Cell("เจ้าหน้าที่พัสดุได้ตรวจสอบแล้ว", [_Sign("เจ้าหน้าที่พัสดุ", None, ("date",))],
                 boxes=place_boxes),
           _Cell("ผู้อนุมัติ", [_Sign("ผู้อนุมัติ", data.decided if decided else None)],
                 heading_boxes=[(approved, "อนุมัติ"), (decided and not approved, "ไม่อนุมัติ")]))


def _hand_over_and_return(doc: Document, data: SlipData) -> None:
    doc.space(2 * mm)
    blank = "...................................."
    conditions = {i.returned_condition for i in data.items} if data.returned else set()
    borrower = SlipSigner(data.borrower.name)
    issued = SlipSigner(data.issued.name) if data.issued else None
    returned = SlipSigner(data.returned.name) if data.returned else None
    on = doc.date(data.issued.on) if data.issued else blank
    back_on = doc.date(data.returned.on) if data.returned else blank
    _cells(doc,
           _Cell("การส่งมอบ", [_Sign("ผู้รับของ", borrower if data.issued else None, ()),
                               _Sign("ผู้ส่งมอบ", issued, ())],
                 lines=[_words("ได้รับพัสดุ", "ตามรายการข้างต้น", "ไว้ถูกต้อง", "ครบถ้วนแล้ว") + " "
                        + f"เมื่อวันที่ {on}"]),
           _Cell("การคืน", [_Sign("ผู้คืน", borrower if data.returned else None, ()),
                            _Sign("ผู้รับคืน", returned, ())],
                 lines=[_words("ได้รับคืนพัสดุ", "ตามรายการข้างต้น") + f" เมื่อวันที่ {back_on}"],
                 boxes=[[(code in conditions, words) for code, words in CONDITIONS]]))


def _footnotes(doc: Document, data: SlipData) -> None:
    a = data.approvers
    days = doc.digits(str(data.follow_up_days))
    notes = [
        f"1. ผู้อนุมัติ: ยืมใช้ภายในสถานที่ – {a.get('inside', '')}; ยืมไปใช้นอกสถานที่ – "
        f"{a.get('outside', '')}; ยืมระหว่างหน่วยงานของรัฐ – {a.get('agency', '')} "
        "ผู้ขอยืมหรือผู้ได้ประโยชน์จากการยืมจะอนุมัติการยืมนั้นเองไม่ได้",
        "2. เมื่อครบกำหนดแล้วยังไม่ได้รับพัสดุคืน ผู้อนุมัติหรือเจ้าหน้าที่พัสดุต้องติดตามทวงคืน"
        f"ภายใน {days} วันนับแต่วันครบกำหนด และบันทึกการติดตามไว้ทุกครั้ง",
    ]
    size = 8.5
    width = doc.width - 14 * mm
    lines = [wrap_text(n, width, FONT, size) for n in notes]
    lead = doc.leading(size)
    doc.space(1.5 * mm)
    doc.ensure(sum(len(ls) for ls in lines) * lead)
    draw_text(doc.canvas, doc.left, doc.y - size, "หมายเหตุ", FONT_BOLD, size)
    for note in lines:
        for line in note:
            doc.y -= lead
            draw_text(doc.canvas, doc.left + 14 * mm, doc.y + lead - size, line, FONT, size)


def render_slip(out: str | os.PathLike | BinaryIO, data: SlipData, settings: PaperSettings | None = None,
                printed_by: str = "", printed_at: dt.datetime | None = None) -> int:
    """Write the slip as a PDF; returns its number of pages (more than one when the item
    list is long: the table's heading repeats on every page)."""
    doc = Document(out, TITLE, printed_by=printed_by, printed_at=printed_at, settings=settings,
                   reference=data.loan_no, size=11, line_factor=1.4,
                   margins=(16 * mm, 15 * mm, 15 * mm, 20 * mm))
    _header(doc, data)
    _request(doc, data)
    _items(doc, data)
    _undertaking(doc, data)
    _signatures(doc, data)
    _hand_over_and_return(doc, data)
    _footnotes(doc, data)
    return doc.close()

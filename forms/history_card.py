"""The asset history card (บัตรประวัติครุภัณฑ์): one asset's register header, its value
today, and every event of its life from the audit log, oldest first: registration and
edits, moves and transfers, loans (request, approval, hand-over, return, extension,
follow-up), damage cases, repairs and disposal; then the annual stock checks that
counted it.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from reportlab.lib.units import mm

from models.assets import asset_history, funding_label, get_asset
from models.assets import label as field_label
from models.depreciation import asset_book_value
from models.schema import Person, StockCheck, StockCheckItem, User
from models.values import BE_OFFSET, THAI_MONTHS_SHORT

from .pdf import Column, Document, PaperSettings

TITLE = "บัตรประวัติครุภัณฑ์"

# What each recorded action is called on paper (the screen's names, in Thai).
ACTIONS = {
    "asset.register": "ลงทะเบียน",
    "asset.import": "นำเข้าทะเบียน",
    "asset.edit": "แก้ไขทะเบียน",
    "asset.move": "ย้าย/เปลี่ยนผู้รับผิดชอบ",
    "asset.transfer": "โอนให้หน่วยงานอื่น",
    "asset.repair_out": "ส่งซ่อม",
    "asset.repair_back": "รับคืนจากการซ่อม",
    "asset.dispose": "จำหน่าย",
    "asset.disposal": "บันทึกผลการจำหน่าย",
    "disposal.drop": "ถอนจากรายการรอจำหน่าย",
    "loan.request": "ขอยืม",
    "loan.approve": "อนุมัติให้ยืม",
    "loan.reject": "ไม่อนุมัติ",
    "loan.cancel": "ยกเลิกคำขอยืม",
    "loan.issue": "ส่งมอบให้ผู้ยืม",
    "loan.return": "รับคืน",
    "loan.extend": "ขยายกำหนดคืน",
    "loan.follow_up": "ติดตามทวงคืน",
    "damage.open": "เปิดเรื่องชำรุด/สูญหาย",
    "damage.settle": "ชดใช้ความเสียหายแล้ว",
    "damage.refer": "ส่งคณะกรรมการสอบหาข้อเท็จจริง",
}
DETAIL_LABELS = {
    "condition": "สภาพ", "returned_condition": "สภาพ", "return_note": "หมายเหตุ", "note": "หมายเหตุ",
    "settlement": "ชดใช้โดย", "amount": "จำนวนเงิน", "method": "วิธี", "due_on": "กำหนดคืน",
    "vendor": "ผู้ซ่อม", "problem": "อาการ", "cost": "ค่าซ่อม", "sent_on": "วันที่ส่ง",
    "returned_on": "วันที่รับคืน", "on": "วันที่", "on_date": "วันที่", "approved_by": "ผู้อนุมัติ",
    "decision_note": "ความเห็น", "recipient": "ผู้รับ", "ordered_on": "วันที่สั่ง",
    "completed_on": "วันที่เสร็จ", "suggested_amount": "มูลค่าที่ต้องชดใช้",
}
VALUE_WORDS = {
    "usable": "ใช้การได้", "damaged": "ชำรุด", "lost": "สูญหาย", "repaired": "ซ่อมให้",
    "replaced": "หาของมาแทน", "paid": "ชดใช้เป็นเงิน", "letter": "หนังสือ", "phone": "โทรศัพท์",
    "visit": "ไปพบ", "available": "พร้อมใช้", "on_loan": "ถูกยืม", "repair": "ส่งซ่อม",
    "disposed": "จำหน่ายแล้ว", "sale": "ขาย", "auction": "ขายทอดตลาด", "exchange": "แลกเปลี่ยน",
    "transfer": "โอน", "destruction": "ทำลาย", "write_off": "สูญไป", "in_use": "ใช้งานอยู่",
    "deteriorated": "เสื่อมสภาพ", "not_needed": "ไม่จำเป็นต้องใช้",
}
STATUS_WORDS = {"available": "พร้อมใช้", "on_loan": "ถูกยืม", "repair": "ส่งซ่อม",
                "lost": "สูญหาย", "disposed": "จำหน่ายแล้ว"}
RESULT_WORDS = {"found": "พบตามทะเบียน", "misplaced": "พบผิดที่", "on_loan": "อยู่ระหว่างการยืม",
                "in_repair": "อยู่ระหว่างซ่อม", "missing": "ไม่พบ", "unexpected": "ไม่อยู่ในรายการ"}
HIDDEN = {"repair", "transfer", "loan", "asset_no", "status", "lendable", "items", "decided_at",
          "issued_at", "returned_at", "loan_no", "asset", "id", "item"}


@dataclass
class HistoryLine:
    at: dt.datetime            # local time
    what: str
    detail: str
    who: str


@dataclass
class CheckLine:
    fiscal_year: int
    result: str
    condition: str
    note: str


@dataclass
class HistoryCard:
    asset_no: str
    header: list[tuple[str, str]]
    lines: list[HistoryLine] = field(default_factory=list)
    checks: list[CheckLine] = field(default_factory=list)


def _local(at: str) -> dt.datetime:
    return dt.datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone().replace(tzinfo=None)


def _short(value: dt.date) -> str:
    return f"{value.day} {THAI_MONTHS_SHORT[value.month - 1]} {value.year + BE_OFFSET}"


def _value(key: str, value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "ได้" if value else "ไม่ได้"
    text = str(value)
    if key in ("price", "amount", "cost", "suggested_amount", "value_at_loan"):
        try:
            return f"{Decimal(text):,.2f}"
        except InvalidOperation:
            return text
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return _short(dt.date.fromisoformat(text))
        except ValueError:
            return text
    if key == "funding_source":
        return funding_label(text)
    return VALUE_WORDS.get(text, text)


def _label(key: str) -> str:
    return DETAIL_LABELS.get(key) or field_label(key, "th")


def _detail(action: str, before: dict, after: dict, users: dict[str, str]) -> str:
    if after.get("approved_by") in users:
        after = {**after, "approved_by": users[after["approved_by"]]}
    if action in ("asset.register", "asset.import"):
        return " · ".join(f"{_label(k)} {_value(k, after.get(k))}" for k in
                          ("department", "location", "custodian", "price") if after.get(k))
    if action == "loan.request":
        parts = [f"ผู้ยืม {after.get('borrower', '')}"
                 + (f" ({after['organisation']})" if after.get("organisation") else ""),
                 after.get("purpose", "")]
        if after.get("start_on") and after.get("due_on"):
            parts.append(f"{_value('', after['start_on'])} - {_value('', after['due_on'])}")
        return " · ".join(p for p in parts if p)
    if action.startswith("asset.") and action not in ("asset.repair_out", "asset.repair_back",
                                                      "asset.dispose", "asset.disposal"):
        keys = [k for k in dict.fromkeys([*before, *after]) if k not in HIDDEN or k == "status"]
        return " · ".join(f"{_label(k)}: {_value(k, before.get(k))} → {_value(k, after.get(k))}"
                          for k in keys if before.get(k) != after.get(k))
    return " · ".join(f"{_label(k)} {_value(k, v)}" for k, v in after.items()
                      if k not in HIDDEN and v not in (None, ""))


def history_card(asset_no: str, today: dt.date | None = None) -> HistoryCard:
    """Read one asset and its whole history."""
    today = today or dt.date.today()
    asset = get_asset(asset_no)
    history = asset_history(asset.asset_no)
    named = {h.actor for h in history} | {h.after.get("approved_by") for h in history
                                          if isinstance(h.after.get("approved_by"), str)}
    users = dict(User.select(User.username, Person.name).join(Person)
                 .where(User.username.in_(list(named) or [""])).tuples())
    brand = " / ".join(p for p in (asset.brand, asset.model) if p)
    header = [
        ("รหัสครุภัณฑ์", asset.asset_no),
        ("รายการ", asset.name),
        ("ประเภท", f"{asset.category.code} ครุภัณฑ์{asset.category.name}"),
        ("ยี่ห้อ/รุ่น", brand or "-"),
        ("หมายเลขเครื่อง", asset.serial_no or "-"),
        ("หน่วยงาน", asset.department.name),
        ("สถานที่ตั้ง", asset.location.name if asset.location_id else "-"),
        ("ผู้รับผิดชอบ", asset.custodian.name if asset.custodian_id else "-"),
        ("วันที่ได้มา", _short(asset.acquired_on)),
        ("ราคา", f"{asset.price:,.2f} บาท"),
        ("เลขที่เอกสาร", asset.document_no or "-"),
        ("แหล่งเงิน", funding_label(asset.funding_source)),
        ("สถานะ", STATUS_WORDS.get(asset.status, asset.status)),
        (f"มูลค่าสุทธิ ณ {_short(today)}", f"{asset_book_value(asset, today):,.2f} บาท"),
    ]
    lines = [HistoryLine(_local(h.at), (ACTIONS.get(h.action, h.action) + (f" {h.ref}" if h.ref else "")),
                         _detail(h.action, h.before, h.after, users), users.get(h.actor, h.actor))
             for h in history]
    checks = [CheckLine(fy, RESULT_WORDS.get(result or "", result or "ยังไม่ปิดการตรวจ"),
                        VALUE_WORDS.get(condition or "", condition or ""), note)
              for fy, result, condition, note in
              StockCheckItem.select(StockCheck.fiscal_year, StockCheckItem.result,
                                    StockCheckItem.condition, StockCheckItem.note)
              .join(StockCheck).where(StockCheckItem.asset == asset.id)
              .order_by(StockCheck.fiscal_year).tuples()]
    return HistoryCard(asset.asset_no, header, lines, checks)


def render_history_card(out: str | os.PathLike | BinaryIO, card: HistoryCard,
                        settings: PaperSettings | None = None, printed_by: str = "",
                        printed_at: dt.datetime | None = None) -> int:
    """Write the card; returns its number of pages."""
    doc = Document(out, TITLE, printed_by=printed_by, printed_at=printed_at, settings=settings,
                   reference=card.asset_no, size=11, line_factor=1.4,
                   margins=(16 * mm, 15 * mm, 15 * mm, 18 * mm))
    doc.heading(TITLE, 18)
    doc.paragraph(f"ส่วนราชการ {doc.settings.agency}", align="centre")
    doc.space(1.5 * mm)
    pairs = [(label, doc.digits(value) if label in ("ราคา", "วันที่ได้มา") or label.startswith("มูลค่า")
              else value) for label, value in card.header]
    for i in range(0, len(pairs), 2):
        doc.form_line([(label, value, 0 if j else 70) for j, (label, value) in
                       enumerate(pairs[i:i + 2])])
    doc.space(3 * mm)
    doc.heading("ประวัติ", 13, "left")
    rows = [[doc.digits(str(n)), doc.digits(f"{_short(line.at.date())}\n{line.at:%H:%M} น."),
             line.what, line.detail, line.who] for n, line in enumerate(card.lines, start=1)]
    doc.table([Column("ที่", 9, "centre"), Column("วันที่", 24, "centre"), Column("รายการ", 46),
               Column("รายละเอียด"), Column("ผู้บันทึก", 32)], rows, size=9.5)
    if card.checks:
        doc.space(3 * mm)
        doc.heading("การตรวจสอบพัสดุประจำปี", 13, "left")
        doc.table([Column("ปีงบประมาณ", 26, "centre"), Column("ผลการตรวจ", 40),
                   Column("สภาพ", 36), Column("หมายเหตุ")],
                  [[doc.digits(str(c.fiscal_year)), c.result, c.condition or "-", c.note]
                   for c in card.checks], size=9.5)
    return doc.close()

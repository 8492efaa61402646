"""The asset register card, the follow-up letter and the asset history card as they look on
paper, against reference images that were checked by eye: a moved block, a lost line or a
broken Thai word fails here even when the text layer is still right. The data is built in
the test, so nothing depends on the clock or a database.

When a deliberate change of layout makes a test fail, the new page is written beside the
reference as NAME.new.png: look at it, and if it is right, move it over the reference."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from forms.history_card import CheckLine, HistoryCard, HistoryLine, render_history_card
from forms.letters import LetterData, OverdueItem, render_overdue_letter
from forms.pdf import PaperSettings
from forms.register import RegisterCard, render_register
from models.depreciation import iter_schedule
from tests.pdf_checks import matches_reference, page_count, rasterise

AGENCY = PaperSettings("เทศบาลนครแม่สอด")
PRINTED_AT = dt.datetime(2026, 11, 28, 9, 30)
PRINTED_BY = "นายพัสดุ รักงาน (storekeeper)"


def _card(asset_no: str, name: str, price: str, acquired_on: dt.date, life: int) -> RegisterCard:
    return RegisterCard(
        asset_no=asset_no, name=name, description="ขนาด 24,000 บีทียู พร้อมติดตั้ง",
        brand="Daikin", model="FTKC24", serial_no="E0012345", category_code="420",
        category="ไฟฟ้าและวิทยุ", department="สำนักปลัดเทศบาล",
        location="ห้องประชุมใหญ่ ชั้น 3", custodian="นายสมชาย ใจกล้า", supplier="หจก.แม่สอดแอร์",
        funding="เงินงบประมาณ", method="เฉพาะเจาะจง", document_no="สัญญาเลขที่ 45/2565",
        acquired_on=acquired_on, price=Decimal(price), unit="เครื่อง", life_years=life,
        remarks="", years=list(iter_schedule(Decimal(price), acquired_on, life, 2569)))


def _register(path) -> None:
    cards = [_card("420-65-0003", "เครื่องปรับอากาศแบบแยกส่วน ชนิดติดผนัง", "45000.00",
                   dt.date(2021, 12, 15), 5),
             _card("420-68-0011", "เครื่องขยายเสียง ที่ปั่นป่วน ญี่ปุ่น", "12345.00",
                   dt.date(2025, 3, 1), 5)]
    render_register(path, cards, 2569, AGENCY, PRINTED_BY, PRINTED_AT, "01 สำนักปลัดเทศบาล")


def _letter(path) -> None:
    items = [OverdueItem("L2570-0012", "416-68-0001", "เครื่องคอมพิวเตอร์โน้ตบุ๊ก", dt.date(2026, 11, 5),
                         23, Decimal("25900.00")),
             OverdueItem("L2570-0015", "416-68-0007", "เต็นท์ผ้าใบ ขนาด 4x8 เมตร", dt.date(2026, 11, 10),
                         18, Decimal("12345.00"))]
    data = LetterData(
        on=dt.date(2026, 11, 28), borrower="นายสมชาย ใจกล้า", position="ประธานชุมชน",
        organisation="ชุมชนบ้านเหนือ", address="12 ถนนอินทรคีรี ตำบลแม่สอด อำเภอแม่สอด จังหวัดตาก 63110",
        department="กองคลัง", loans=[("L2570-0012", dt.date(2026, 10, 29)),
                                     ("L2570-0015", dt.date(2026, 11, 2))],
        items=items, signer="นางสาวมาลี ศรีสุข", signer_position="ผู้อำนวยการกองคลัง",
        letter_no="ตก 52001/123")
    render_overdue_letter(path, data, AGENCY, PRINTED_BY, PRINTED_AT)


def _history(path) -> None:
    at = dt.datetime(2025, 3, 1, 10, 15)
    lines = [
        HistoryLine(at, "ลงทะเบียน", "ราคา 12,345.00 บาท · สำนักปลัดเทศบาล", "นายพัสดุ รักงาน"),
        HistoryLine(at + dt.timedelta(days=40), "ย้ายสถานที่", "ห้องประชุมใหญ่ ชั้น 3 → ห้อง 101",
                    "นายพัสดุ รักงาน"),
        HistoryLine(at + dt.timedelta(days=300), "ยืม L2569-0042", "ชุมชนบ้านเหนือ · งานลอยกระทง",
                    "นางสาวมาลี ศรีสุข"),
        HistoryLine(at + dt.timedelta(days=310), "รับคืน L2569-0042", "สภาพปกติ", "นายพัสดุ รักงาน"),
        HistoryLine(at + dt.timedelta(days=400), "ส่งซ่อม", "ไม่มีเสียงออกลำโพงซ้าย · 1,200.00 บาท",
                    "นายพัสดุ รักงาน")]
    card = HistoryCard("420-68-0011", [
        ("เลขครุภัณฑ์", "420-68-0011"), ("ชื่อ", "เครื่องขยายเสียง ที่ปั่นป่วน ญี่ปุ่น"),
        ("ประเภท", "420 ครุภัณฑ์ไฟฟ้าและวิทยุ"), ("หน่วยงาน", "สำนักปลัดเทศบาล"),
        ("ราคา", "12,345.00 บาท"), ("มูลค่าสุทธิวันนี้", "8,230.00 บาท")],
        lines, [CheckLine(2569, "พบ", "ใช้งานได้ดี", "")])
    render_history_card(path, card, AGENCY, PRINTED_BY, PRINTED_AT)


@pytest.mark.parametrize(("name", "draw"), [("register_card", _register),
                                            ("overdue_letter", _letter),
                                            ("history_card", _history)])
def test_the_page_looks_like_the_reviewed_reference(tmp_path, name, draw):
    path = tmp_path / f"{name}.pdf"
    draw(path)
    assert page_count(path) >= 1
    mean, worst_tile = matches_reference(rasterise(path, dpi=60), f"{name}.png")
    # the same tolerance as the loan slip's: anti-aliasing noise passes, a moved block does not
    assert mean < 1.0 and worst_tile < 8.0, (mean, worst_tile)

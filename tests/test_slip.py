"""The loan slip (ใบยืมพัสดุ) printed from the register: every field and signature block,
Thai words intact in the text layer, the slip number as a barcode that scans back, long
item lists over several pages, and the page as it looks (against a reference image)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assets_tui.cli import main
from forms.pdf import PaperSettings
from forms.slip import UNDERTAKING, SlipData, SlipItem, SlipSigner, render_slip, slip_data
from forms.thaitext import thai_digits
from models import accounts, assets, loans, org
from models.accounts import SYSTEM
from models.loans import ExternalBorrower, LoanRequest
from tests.pdf_checks import (
    all_text,
    decode_code128,
    matches_reference,
    page_count,
    page_text,
    rasterise,
)
from tests.test_cli import one_error

TODAY = dt.date(2026, 11, 2)
D = dt.timedelta
AGENCY = PaperSettings("เทศบาลทดสอบ")
PURPOSE = "ประชุมประจำเดือนของคณะผู้บริหาร ณ ห้องประชุมใหญ่ ชั้น 3"
PRINTED_AT = dt.datetime(2026, 11, 28, 14, 5)


def flat(text: str) -> str:
    """Whitespace as one space: lines of a form flow where the page width puts them."""
    return " ".join(text.split())


@pytest.fixture
def office(users, sample_asset):
    made = [assets.register_asset(SYSTEM, {**sample_asset, "name": name, "serial_no": f"P{n}",
                                           "category": "โฆษณาและเผยแพร่", "brand": "Epson",
                                           "model": f"EB-{n}", "unit": unit})
            for n, (name, unit) in enumerate((("เครื่องมัลติมีเดียโปรเจกเตอร์", "เครื่อง"),
                                              ("จอรับภาพ ชนิดมอเตอร์ไฟฟ้า", "จอ"),
                                              ("ไมโครโฟนไร้สาย", "ชุด")))]
    return {**users, "p": [a.asset_no for a in made]}


def lend(o, numbers, place="inside", issue=True, **kw):
    loan = loans.request_loan(o.get("requester", o["staff"]), LoanRequest(
        assets=numbers, purpose=PURPOSE, place=place, start_on=TODAY, due_on=TODAY + D(5), **kw),
        today=TODAY)
    approver = o["dept_head"] if loan.kind == "inside" else o["agency_head"]
    loans.approve_loan(approver, loan.loan_no, today=TODAY)
    if issue:
        loans.issue_items(o["storekeeper"], loan.loan_no, today=TODAY)
    return loan.loan_no


def test_the_slip_carries_every_field_and_block_filled_from_the_loan(office, tmp_path):
    number = lend(office, office["p"])
    data = slip_data(number)
    assert data.borrower.name == "ทดสอบ staff" and data.borrower_unit == "สำนักปลัดเทศบาล"
    assert data.decided.name == "ทดสอบ dept_head" and data.issued.name == "ทดสอบ storekeeper"
    assert data.requested_on - TODAY in (D(-1), D(0), D(1))  # local day of a UTC stamp
    path = tmp_path / "slip.pdf"
    assert render_slip(path, data, AGENCY, "ทดสอบ auditor", PRINTED_AT) == 1
    text = flat(page_text(path))
    for words in (
            "ใบยืมพัสดุ",
            f"ส่วนราชการ เทศบาลทดสอบ เลขที่ {number}",
            "เรียน หัวหน้าหน่วยพัสดุ หรือหัวหน้าหน่วยงานที่ครอบครองพัสดุนั้น",
            "ข้าพเจ้า ทดสอบ staff",
            "สังกัด สำนักปลัดเทศบาล",
            f"มีความประสงค์จะขอยืมพัสดุของสำนักปลัดเทศบาล เพื่อใช้ในราชการ คือ {PURPOSE}",
            "กำหนดเวลายืม ตั้งแต่วันที่ 2 พฤศจิกายน 2569 ถึงวันที่ 7 พฤศจิกายน 2569 รวม 6 วัน",
            "ที่ รายการ จำนวน หมายเลขครุภัณฑ์ หมายเหตุ",
            f"1 เครื่องมัลติมีเดียโปรเจกเตอร์ ยี่ห้อ Epson รุ่น EB-0 หมายเลขเครื่อง P0 1 เครื่อง {office['p'][0]}",
            f"{office['p'][1]} มูลค่า {data.items[1].value_at_loan:,.2f} บาท",
            "1 ชุด",
            flat(UNDERTAKING.format(due="7 พฤศจิกายน 2569")),
            "ผู้ยืม ลงชื่อ ผู้ยืม ( ทดสอบ staff )",
            "หัวหน้าหน่วยงานของผู้ยืม ความเห็น",
            "[/] ยืมใช้ภายในสถานที่ [ ] ยืมไปใช้นอกสถานที่",
            "ผู้อนุมัติ [/] อนุมัติ [ ] ไม่อนุมัติ",
            "( ทดสอบ dept_head )",
            "ได้รับพัสดุตามรายการข้างต้นไว้ถูกต้องครบถ้วนแล้ว เมื่อวันที่ 2 พฤศจิกายน 2569",
            "ลงชื่อ ผู้ส่งมอบ ( ทดสอบ storekeeper )",
            "การคืน ได้รับคืนพัสดุตามรายการข้างต้น เมื่อวันที่",
            "[ ] ใช้การได้ [ ] ชำรุด [ ] สูญหาย",
            "ลงชื่อ ผู้รับคืน",
            "ยืมไปใช้นอกสถานที่ – หัวหน้าหน่วยงานของรัฐ",
            "ต้องติดตามทวงคืนภายใน 7 วันนับแต่วันครบกำหนด",
            "พิมพ์เมื่อ 28 พฤศจิกายน 2569 เวลา 14:05 น. โดย ทดสอบ auditor",
            "หน้า 1/1"):
        assert words in text, words
    # Thai words with their tone marks and upper vowels intact, as words on their own
    assert {"ที่", "ผู้ยืม", "ผู้อนุมัติ", "เจ้าหน้าที่พัสดุได้ตรวจสอบแล้ว"} <= set(text.split())


def test_the_slip_number_is_a_barcode_that_opens_the_loan(office, tmp_path):
    number = lend(office, office["p"][:1], issue=False)
    path = tmp_path / "slip.pdf"
    render_slip(path, slip_data(number), AGENCY, "", PRINTED_AT)
    assert decode_code128(rasterise(path, dpi=200)) == [number]
    assert loans.get_loan(decode_code128(rasterise(path, dpi=200))[0]).loan_no == number


def test_an_outside_borrower_and_a_damaged_return(office, tmp_path):
    o = {**office, "requester": office["storekeeper"]}
    number = lend(o, office["p"][:2], place="outside", external=ExternalBorrower(
        "นางสาวมาลี ศรีสุข", "ชุมชนหนองบัว", "354 หมู่ 1 ตำบลแม่กาษา อำเภอแม่สอด จังหวัดตาก 63110",
        "081-234-5678"))
    loans.return_item(office["storekeeper"], number, office["p"][0], today=TODAY + D(3))
    loans.return_item(office["storekeeper"], number, office["p"][1], "damaged", "จอฉีกขาดมุมขวา",
                      today=TODAY + D(4))
    path = tmp_path / "slip.pdf"
    render_slip(path, slip_data(number), AGENCY, "", PRINTED_AT)
    text = flat(page_text(path))
    for words in ("เรียน หัวหน้าหน่วยงานของรัฐ", "ข้าพเจ้า นางสาวมาลี ศรีสุข", "โทรศัพท์ 081-234-5678",
                  "หน่วยงาน/องค์กร ชุมชนหนองบัว",
                  "ที่อยู่ 354 หมู่ 1 ตำบลแม่กาษา อำเภอแม่สอด จังหวัดตาก 63110",
                  "[ ] ยืมใช้ภายในสถานที่ [/] ยืมไปใช้นอกสถานที่",
                  "คืนในสภาพชำรุด: จอฉีกขาดมุมขวา",
                  "ได้รับคืนพัสดุตามรายการข้างต้น เมื่อวันที่ 6 พฤศจิกายน 2569",
                  "[/] ใช้การได้ [/] ชำรุด [ ] สูญหาย",
                  "( ทดสอบ storekeeper )"):
        assert words in text, words


def test_a_request_not_yet_decided_leaves_the_blocks_to_sign_empty(office, tmp_path):
    loan = loans.request_loan(office["staff"], LoanRequest(
        assets=office["p"][:1], purpose=PURPOSE, place="outside", start_on=TODAY,
        due_on=TODAY + D(2)), today=TODAY)
    path = tmp_path / "slip.pdf"
    render_slip(path, slip_data(loan.loan_no), AGENCY, "", PRINTED_AT)
    text = flat(page_text(path))
    assert "ผู้อนุมัติ [ ] อนุมัติ [ ] ไม่อนุมัติ" in text
    assert "ทดสอบ agency_head" not in text and "ทดสอบ storekeeper" not in text
    assert "ได้รับพัสดุตามรายการข้างต้นไว้ถูกต้องครบถ้วนแล้ว เมื่อวันที่ ...." in text


def test_a_long_item_list_runs_onto_more_pages_with_the_heading_repeated(office, sample_asset,
                                                                           tmp_path):
    many = [assets.register_asset(SYSTEM, {**sample_asset, "name": f"เก้าอี้พลาสติก ตัวที่ {n}",
                                           "category": "สำนักงาน", "serial_no": ""}).asset_no
            for n in range(45)]
    number = lend(office, many, issue=False)
    path = tmp_path / "slip.pdf"
    pages = render_slip(path, slip_data(number), AGENCY, "", PRINTED_AT)
    assert pages == page_count(path) >= 2
    seen = []
    for page in range(pages):
        text = flat(page_text(path, page))
        assert f"ใบยืมพัสดุ {number}" in text  # the frame names the slip on every page
        assert f"หน้า {page + 1}/{pages}" in text
        if page < pages - 1 or any(n in text for n in many[-1:]):
            assert "ที่ รายการ จำนวน หมายเลขครุภัณฑ์ หมายเหตุ" in text, page
        seen += [word for word in text.split() if word in many]
    assert seen == sorted(many)
    assert "ต้องติดตามทวงคืนภายใน 7 วัน" in flat(page_text(path, pages - 1))


def test_thai_digits_on_the_slip_leave_numbers_people_type_alone(office, tmp_path):
    org.set_setting(SYSTEM, "thai_digits", "1")
    number = lend(office, office["p"][:1])
    from forms.pdf import paper_settings

    path = tmp_path / "slip.pdf"
    data = slip_data(number)
    render_slip(path, data, paper_settings(), "", PRINTED_AT)
    text = flat(page_text(path))
    assert "ตั้งแต่วันที่ ๒ พฤศจิกายน ๒๕๖๙ ถึงวันที่ ๗ พฤศจิกายน ๒๕๖๙ รวม ๖ วัน" in text
    assert f"เลขที่ {number}" in text and office["p"][0] in text  # as on the barcode and label
    assert f"มูลค่า {thai_digits(f'{data.items[0].value_at_loan:,.2f}')} บาท" in text


def _reference_slip() -> SlipData:
    """A slip that does not depend on the clock or the database."""
    items = [SlipItem(f"416-68-{n:04d}", name, detail, unit, Decimal(value))
             for n, (name, detail, unit, value) in enumerate((
                 ("เครื่องคอมพิวเตอร์โน้ตบุ๊ก", "ยี่ห้อ Lenovo รุ่น ThinkPad E14 หมายเลขเครื่อง PF3XK2LM",
                  "เครื่อง", "25900.00"),
                 ("โต๊ะพับอเนกประสงค์", "", "ตัว", "1500.00"),
                 ("เครื่องขยายเสียง ที่ปั่นป่วน ญี่ปุ่น น้ำ", "ยี่ห้อ TOA รุ่น A-2120", "เครื่อง", "1.00")),
                 start=1)]
    return SlipData(
        loan_no="L2570-0012", kind="inside", place="inside", status="active",
        requested_on=dt.date(2026, 11, 20),
        borrower=SlipSigner("นายสมชาย ใจกล้า", "นักวิชาการคอมพิวเตอร์ปฏิบัติการ", dt.date(2026, 11, 20)),
        borrower_unit="สำนักปลัดเทศบาล", borrower_phone="055-532-123 ต่อ 105", external=False,
        organisation="", address="", department="กองคลัง",
        purpose="ใช้ในการประชุมประจำเดือนของคณะผู้บริหาร ณ ห้องประชุมใหญ่ ชั้น 3",
        start_on=dt.date(2026, 11, 25), due_on=dt.date(2026, 12, 5),
        approver_title="หัวหน้าหน่วยพัสดุ หรือหัวหน้าหน่วยงานที่ครอบครองพัสดุนั้น", items=items,
        decided=SlipSigner("นางสาวมาลี ศรีสุข", "ผู้อำนวยการกองคลัง", dt.date(2026, 11, 21)),
        issued=SlipSigner("นายพัสดุ รักงาน", "เจ้าพนักงานพัสดุ", dt.date(2026, 11, 25)),
        approvers={"inside": "หัวหน้าหน่วยพัสดุ หรือหัวหน้าหน่วยงานที่ครอบครองพัสดุนั้น",
                   "outside": "หัวหน้าหน่วยงานของรัฐ", "agency": "หัวหน้าหน่วยงานของรัฐ"})


def test_the_slip_looks_like_the_reviewed_reference(tmp_path):
    path = tmp_path / "slip.pdf"
    render_slip(path, _reference_slip(), PaperSettings("เทศบาลนครแม่สอด"),
                "นายพัสดุ รักงาน (storekeeper)", PRINTED_AT)
    mean, worst_tile = matches_reference(rasterise(path, dpi=60), "loan_slip.png")
    # Tolerant of anti-aliasing noise (a changed digit scores about 2.6 in its tile), not of a
    # block moved or a line lost; the text-layer tests above check the words themselves.
    assert mean < 1.0 and worst_tile < 8.0, (mean, worst_tile)


# ---- the command line ----------------------------------------------------------------------------

def test_print_slip_from_the_command_line(office, db_url, tmp_path, capsys):
    number = lend(office, office["p"][:2])
    out = tmp_path / "slip.pdf"
    assert main(["print", "slip", number, "--db", db_url, "-o", str(out), "--as", "auditor"]) == 0
    assert capsys.readouterr().out.strip() == f"wrote the loan slip {number} (1 page) to {out}"
    assert "โดย ทดสอบ auditor (auditor)" in flat(all_text(out))
    assert main(["print", "slip", "L2570-9999", "--db", db_url, "-o", str(tmp_path / "x.pdf")]) == 1
    assert one_error(capsys) == "assets-tui: error: There is no loan number 'L2570-9999'."
    assert main(["print", "slip", number, "--db", db_url]) == 1
    assert "-o FILE.pdf" in one_error(capsys)
    assert not (tmp_path / "x.pdf").exists()
    # printing records nothing and asks for no password
    assert accounts.get_user("auditor").last_login_at is None

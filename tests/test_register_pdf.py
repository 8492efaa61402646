"""The asset register (ทะเบียนคุมทรัพย์สิน) and its summary as printed: the header fields
and the ledger of each card in the text layer exactly, the depreciation figures equal to
the hand calculation, the register as it stood at 30 Sep of the year asked for, page
headers and "หน้า n/N" on every page, and the command line."""

from __future__ import annotations

import datetime as dt

import pytest
from playhouse.test_utils import count_queries

from assets_tui.cli import main
from forms.history_card import history_card, render_history_card
from forms.loan_register import loan_lines, render_loan_register
from forms.pdf import PaperSettings
from forms.register import register_cards, render_register, render_summary
from models import assets, loans
from models.accounts import SYSTEM
from models.depreciation import register_assets, register_summary
from models.loans import ExternalBorrower, LoanRequest
from tests.pdf_checks import all_text, page_count, page_text, rasterise
from tests.test_cli import one_error
from tests.test_slip import PURPOSE, TODAY, D, lend, office  # noqa: F401 - a fixture

AGENCY = PaperSettings("เทศบาลทดสอบ")
PRINTED_AT = dt.datetime(2026, 11, 28, 14, 5)
SUPPLIER = "ห้างหุ้นส่วนจำกัด แม่สอดคอมพิวเตอร์"


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def notebook(database, sample_asset):
    """45,000 baht, 15 Mar 2567 (FY2567), 5 years: the hand-worked case."""
    return assets.register_asset(SYSTEM, {
        **sample_asset, "price": "45,000.00", "useful_life_years": 5, "supplier": SUPPLIER,
        "document_no": "ใบสั่งซื้อเลขที่ 12/2567", "acquisition_method": "วิธีเฉพาะเจาะจง",
        "description": "หน่วยประมวลผลไม่น้อยกว่า 8 แกน หน่วยความจำ 16 GB"}).asset_no


def test_a_card_carries_the_header_and_the_hand_worked_depreciation(notebook, tmp_path):
    path = tmp_path / "register.pdf"
    run = render_register(path, register_cards(2569), 2569, AGENCY, "นายพัสดุ รักงาน", PRINTED_AT)
    assert (run.assets, run.pages) == (1, 1)
    text = flat(page_text(path))
    for words in (
            "ทะเบียนคุมทรัพย์สิน",
            "ส่วนราชการ เทศบาลทดสอบ ปีงบประมาณ 2569 (ถึงวันที่ 30 กันยายน 2569)",
            f"ประเภท ครุภัณฑ์คอมพิวเตอร์ (430) รหัส {notebook} หน่วยงาน สำนักปลัดเทศบาล",
            "ลักษณะ/คุณสมบัติ เครื่องคอมพิวเตอร์โน้ตบุ๊ก หน่วยประมวลผลไม่น้อยกว่า 8 แกน",
            "ยี่ห้อ/รุ่น Lenovo / ThinkPad E14 หมายเลขเครื่อง PF3XK2LM",
            f"ผู้ขาย/ผู้รับจ้าง/ผู้บริจาค {SUPPLIER} แหล่งเงิน เงินงบประมาณ",
            "วิธีการได้มา วิธีเฉพาะเจาะจง วันที่ได้มา 15 มีนาคม 2567 ราคา 45,000.00 บาท",
            # the acquisition line: quantity, unit price, total, life, rate, net book value
            "15 มี.ค. 2567 ใบสั่งซื้อเลขที่ 12/2567 เครื่องคอมพิวเตอร์โน้ตบุ๊ก 1 เครื่อง "
            "45,000.00 45,000.00 5 20.00 45,000.00",
            # 44,999 x 7/60 = 5,249.88; then 8,999.80 a year
            "30 ก.ย. 2567 ค่าเสื่อมราคาปีงบประมาณ 2567 5,249.88 5,249.88 39,750.12 คิด 7 เดือน",
            "30 ก.ย. 2568 ค่าเสื่อมราคาปีงบประมาณ 2568 8,999.80 14,249.68 30,750.32",
            "30 ก.ย. 2569 ค่าเสื่อมราคาปีงบประมาณ 2569 8,999.80 23,249.48 21,750.52",
            "เทศบาลทดสอบ ทะเบียนคุมทรัพย์สิน ปีงบประมาณ 2569",
            "พิมพ์เมื่อ 28 พฤศจิกายน 2569 เวลา 14:05 น. โดย นายพัสดุ รักงาน หน้า 1/1"):
        assert words in text, words
    assert "2570" not in text  # nothing after 30 Sep of the year printed


def test_the_last_year_leaves_1_baht_and_later_years_add_nothing(notebook, tmp_path):
    path = tmp_path / "register.pdf"
    render_register(path, register_cards(2575), 2575, AGENCY, "", PRINTED_AT)
    text = flat(page_text(path))
    assert "30 ก.ย. 2571 ค่าเสื่อมราคาปีงบประมาณ 2571 8,999.80 41,249.08 3,750.92" in text
    assert ("30 ก.ย. 2572 ค่าเสื่อมราคาปีงบประมาณ 2572 3,749.92 44,999.00 1.00 "
            "คิด 5 เดือน คงเหลือ 1 บาท") in text
    assert "ปีงบประมาณ 2573" not in text


def test_the_register_is_as_it_stood_at_30_september(notebook, sample_asset, tmp_path):
    later = assets.register_asset(SYSTEM, {**sample_asset, "acquired_on": "1/10/2568",
                                           "department": "04", "serial_no": "X2"}).asset_no
    assert [a.asset_no for a in register_assets(2568)] == [notebook]
    assert [a.asset_no for a in register_assets(2569)] == sorted([notebook, later])
    assert [a.asset_no for a in register_assets(2569, department="04")] == [later]
    assert [a.asset_no for a in register_assets(2566)] == []
    path = tmp_path / "register.pdf"
    run = render_register(path, register_cards(2566), 2566, AGENCY, "", PRINTED_AT)
    assert run.assets == 0 and "ไม่มีครุภัณฑ์ในทะเบียนตามที่เลือก" in flat(page_text(path))


def test_cards_are_read_in_one_query_and_streamed(notebook, sample_asset):
    """However many assets: one query for the cards, one for the agency's depreciation rule."""
    for n in range(5):
        assets.register_asset(SYSTEM, {**sample_asset, "serial_no": f"S{n}"})
    cards = register_cards(2569)
    assert not isinstance(cards, list)
    with count_queries() as counter:
        assert len(list(cards)) == 6
    assert counter.count == 2


def test_a_long_register_repeats_its_frame_and_ledger_heading_on_every_page(database, sample_asset,
                                                                             tmp_path):
    made = [assets.register_asset(SYSTEM, {**sample_asset, "serial_no": f"S{n}",
                                           "acquired_on": "1/4/2560", "price": "28,900.00",
                                           "name": f"เครื่องปรับอากาศ แบบแยกส่วน ห้องที่ {n}"}).asset_no
            for n in range(8)]
    path = tmp_path / "register.pdf"
    run = render_register(path, register_cards(2569), 2569, AGENCY, "", PRINTED_AT)
    assert run.pages == page_count(path) >= 3
    seen = []
    for page in range(run.pages):
        text = flat(page_text(path, page))
        assert "เทศบาลทดสอบ ทะเบียนคุมทรัพย์สิน ปีงบประมาณ 2569" in text
        assert text.endswith(f"หน้า {page + 1}/{run.pages}")
        assert "วัน เดือน ปี ที่เอกสาร รายการ จำนวน หน่วย ราคาต่อหน่วย มูลค่ารวม" in text
        seen += [w for w in text.split() if w in made]
    assert sorted(set(seen)) == sorted(made)
    # a card is kept whole on one page when it fits: each number is seen on one page only
    assert len(seen) == len(made)


def test_the_summary_adds_up_by_category_and_department(notebook, sample_asset, tmp_path):
    assets.register_asset(SYSTEM, {**sample_asset, "department": "04", "serial_no": "X2",
                                   "price": "12,000.00", "acquired_on": "1/10/2567",
                                   "useful_life_years": 5})
    summary = register_summary(2569)
    # the notebook: 8,999.80 this year, 23,249.48 accumulated; the second: 2,399.80 a year
    assert [(s.department_code, s.count, str(s.depreciation), str(s.accumulated),
             str(s.net_book_value)) for s in summary.lines] == [
        ("01", 1, "8999.80", "23249.48", "21750.52"), ("04", 1, "2399.80", "4799.60", "7200.40")]
    assert (summary.total.count, str(summary.total.cost), str(summary.total.depreciation)) == (
        2, "57000.00", "11399.60")
    path = tmp_path / "summary.pdf"
    run = render_summary(path, summary, AGENCY, "", PRINTED_AT)
    assert run.pages == 1
    text = flat(page_text(path))
    for words in ("ทะเบียนคุมทรัพย์สิน (สรุป)",
                  "ค่าเสื่อมราคา ประจำปี 2569",
                  "430 คอมพิวเตอร์ 01 สำนักปลัดเทศบาล 1 45,000.00 8,999.80 23,249.48 21,750.52",
                  "04 กองคลัง 1 12,000.00 2,399.80 4,799.60 7,200.40",
                  "รวมประเภทคอมพิวเตอร์ 2 57,000.00 11,399.60 28,049.08 28,950.92",
                  "รวมทั้งสิ้น 2 57,000.00 11,399.60 28,049.08 28,950.92"):
        assert words in text, words


def test_the_register_page_is_drawn_not_blank(notebook, tmp_path):
    path = tmp_path / "register.pdf"
    render_register(path, register_cards(2569), 2569, AGENCY, "", PRINTED_AT)
    image = rasterise(path, dpi=40)
    assert image.getextrema()[0] < 100  # ink on the page


def test_print_register_from_the_command_line(notebook, db_url, tmp_path, capsys):
    out = tmp_path / "register.pdf"
    assert main(["print", "register", "--fiscal-year", "2569", "--db", db_url,
                 "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == (
        f"wrote the asset register of fiscal year 2569: 1 asset on 1 page to {out}")
    assert "5,249.88" in all_text(out)
    assert main(["print", "register", "--fiscal-year", "2569", "--summary", "--department", "01",
                 "--category", "430", "--db", db_url, "-o", str(out)]) == 0
    assert "summary register of fiscal year 2569: 1 asset" in capsys.readouterr().out
    text = flat(all_text(out))
    assert "หน่วยงาน 01 สำนักปลัดเทศบาล ประเภท 430 ครุภัณฑ์คอมพิวเตอร์" in text
    assert main(["print", "register", "--fiscal-year", "2569", "--department", "99",
                 "--db", db_url, "-o", str(tmp_path / "x.pdf")]) == 1
    assert one_error(capsys) == "assets-tui: error: The department '99' is unknown."
    assert not (tmp_path / "x.pdf").exists()


# ---- the loan register -------------------------------------------------------------------


@pytest.fixture
def desk(office):  # noqa: F811 - the imported fixture, asked for by name
    """Three lendable assets and one account per role (the loan slip's fixture)."""
    return office


def test_the_loan_register_lists_each_loan_with_its_items_dates_and_condition(desk, tmp_path):
    inside = lend(desk, desk["p"][:1])
    o = {**desk, "requester": desk["storekeeper"]}
    outside = lend(o, desk["p"][1:3], place="outside", external=ExternalBorrower(
        "นางสาวมาลี ศรีสุข", "ชุมชนหนองบัว", "354 หมู่ 1 ตำบลแม่กาษา", "081-234-5678"))
    loans.return_item(desk["storekeeper"], outside, desk["p"][1], today=TODAY + D(3))
    loans.return_item(desk["storekeeper"], outside, desk["p"][2], "damaged", "ไม้ขาตั้งหัก",
                      today=TODAY + D(4))
    waiting = loans.request_loan(desk["staff"], LoanRequest(
        assets=desk["p"][1:2], purpose=PURPOSE, place="inside", start_on=TODAY + D(10),
        due_on=TODAY + D(12)), today=TODAY).loan_no
    lines = list(loan_lines(2570, today=TODAY + D(8)))
    assert [line.loan_no for line in lines] == [inside, outside]  # a request is not yet a loan
    path = tmp_path / "loans.pdf"
    run = render_loan_register(path, iter(lines), AGENCY, "", PRINTED_AT, 2570)
    assert (run.loans, run.pages) == (2, 1)
    text = flat(page_text(path))  # cell by cell, a wrapped cell's lines joined by a space
    for words in (
            "ทะเบียนการยืมทรัพย์สินของราชการ",
            "ส่วนราชการ เทศบาลทดสอบ ปีงบประมาณ 2570",
            "ที่ เลขที่ใบยืม วันที่ยืม ผู้ยืม (หน่วยงาน)",
            f"1 {inside} 2 พ.ย. 2569 ทดสอบ staff (สำนักปลัดเทศบาล) {desk['p'][0]} ประชุมประจำเดือน",
            "ใช้ภายใน สถานที่ 2 พ.ย. 2569 - 7 พ.ย. 2569 ทดสอบ dept_head 2 พ.ย. 2569 - "
            "เกินกำหนด 3 วัน",
            f"2 {outside} 2 พ.ย. 2569 นางสาวมาลี ศรีสุข (ชุมชนหนองบัว) {desk['p'][1]} {desk['p'][2]}",
            "นำไปใช้ นอกสถานที่ 2 พ.ย. 2569 - 7 พ.ย. 2569 ทดสอบ agency_head 2 พ.ย. 2569 6 พ.ย. 2569 "
            f"{desk['p'][2]} ชำรุด: ไม้ขาตั้งหัก",
            "เทศบาลทดสอบ ทะเบียนการยืมทรัพย์สินของราชการ ปีงบประมาณ 2570",
            "หน้า 1/1"):
        assert words in text, words
    assert waiting not in text
    assert list(loan_lines(2569)) == []


def test_a_long_loan_register_numbers_its_pages_and_repeats_the_heading(desk, tmp_path):
    number = lend(desk, desk["p"][:1])
    line = next(iter(loan_lines(2570)))
    many = [line] * 60
    path = tmp_path / "loans.pdf"
    run = render_loan_register(path, many, AGENCY, "", PRINTED_AT, 2570)
    assert run.pages == page_count(path) >= 3 and run.loans == 60
    for page in range(run.pages):
        text = flat(page_text(path, page))
        assert "ที่ เลขที่ใบยืม วันที่ยืม" in text and text.endswith(f"หน้า {page + 1}/{run.pages}")
        assert number in text
    assert f"60 {number}" in flat(page_text(path, run.pages - 1))


def test_print_loan_register_from_the_command_line(desk, db_url, tmp_path, capsys):
    number = lend(desk, desk["p"][:2])
    out = tmp_path / "loans.pdf"
    assert main(["print", "loan-register", "--fiscal-year", "2570", "--department", "01",
                 "--db", db_url, "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == (
        f"wrote the loan register of fiscal year 2570: 1 loan on 1 page to {out}")
    text = flat(all_text(out))
    assert number in text and "หน่วยงานเจ้าของพัสดุ 01 สำนักปลัดเทศบาล" in text
    assert main(["print", "loan-register", "--db", db_url, "--department", "04",
                 "-o", str(out)]) == 0
    assert "0 loans" in capsys.readouterr().out
    assert "ไม่มีการยืมตามที่เลือก" in flat(all_text(out))


# ---- the asset history card ----------------------------------------------------------------


def test_the_history_card_tells_every_event_of_the_asset(desk, tmp_path):
    number = desk["p"][0]
    loan = lend(desk, [number])
    loans.return_item(desk["storekeeper"], loan, number, "damaged", "ขาตั้งหัก", today=TODAY + D(2))
    loans.settle_damage(desk["storekeeper"], loan, number, "paid", "1,500.00", today=TODAY + D(3))
    assets.move_asset(desk["storekeeper"], number, department="04")
    card = history_card(number, today=TODAY)
    path = tmp_path / "history.pdf"
    pages = render_history_card(path, card, AGENCY, "นายพัสดุ รักงาน", PRINTED_AT)
    assert pages == page_count(path)
    text = flat(all_text(path))
    for words in (
            "บัตรประวัติครุภัณฑ์",
            f"รหัสครุภัณฑ์ {number} รายการ เครื่องมัลติมีเดียโปรเจกเตอร์",
            "ยี่ห้อ/รุ่น Epson / EB-0",
            "หน่วยงาน กองคลัง",
            "วันที่ได้มา 15 มี.ค. 2567",
            "ราคา 25,900.00 บาท",
            "ลงทะเบียน",
            "ย้าย/เปลี่ยนผู้รับผิดชอบ หน่วยงาน: 01 → 04",
            f"ขอยืม {loan} ผู้ยืม ทดสอบ staff",
            f"อนุมัติให้ยืม {loan} ผู้อนุมัติ ทดสอบ dept_head",
            f"ส่งมอบให้ผู้ยืม {loan}",
            f"รับคืน {loan} สภาพ ชำรุด · หมายเหตุ ขาตั้งหัก",
            f"ชดใช้ความเสียหายแล้ว {loan} จำนวนเงิน 1,500.00 · ชดใช้โดย ชดใช้เป็นเงิน",
            f"เทศบาลทดสอบ บัตรประวัติครุภัณฑ์ {number}",
            f"หน้า {pages}/{pages}"):
        assert words in text, words
    order = [text.index(w) for w in ("ลงทะเบียน", f"ขอยืม {loan}", f"รับคืน {loan}",
                                     "ชดใช้ความเสียหายแล้ว", "ย้าย/เปลี่ยน")]
    assert order == sorted(order)  # oldest first


def test_print_history_from_the_command_line(desk, db_url, tmp_path, capsys):
    number = desk["p"][1]
    out = tmp_path / "history.pdf"
    assert main(["print", "history", number, "--db", db_url, "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == (
        f"wrote the history card of {number}: 1 event on 1 page to {out}")
    assert "ลงทะเบียน" in all_text(out)
    assert main(["print", "history", "999-99-9999", "--db", db_url, "-o", str(out)]) == 1
    assert one_error(capsys) == "assets-tui: error: There is no asset number '999-99-9999'."


def test_thai_digits_on_the_register_leave_asset_numbers_alone(notebook, tmp_path):
    from forms.pdf import paper_settings
    from models import org

    org.set_setting(SYSTEM, "thai_digits", "1")
    path = tmp_path / "register.pdf"
    render_register(path, register_cards(2569), 2569, paper_settings(), "", PRINTED_AT)
    text = flat(page_text(path))
    assert "๓๐ ก.ย. ๒๕๖๗ ค่าเสื่อมราคาปีงบประมาณ ๒๕๖๗ ๕,๒๔๙.๘๘ ๕,๒๔๙.๘๘ ๓๙,๗๕๐.๑๒ คิด ๗ เดือน" in text
    assert f"รหัส {notebook}" in text  # as on the label and its barcode
    assert "หน้า ๑/๑" in text

"""The follow-up letter for overdue loans (หนังสือทวงคืน): one letter per borrower listing
every item they hold past its due date, in the Thai official letter layout at 16 pt, with
the total in figures and in words, read back from the text layer exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assets_tui.cli import main
from forms.letters import LetterData, OverdueItem, overdue_letter_data, render_overdue_letter
from forms.pdf import PaperSettings
from forms.thaitext import baht_text
from models.errors import ValidationError
from models.loans import ExternalBorrower
from tests import test_slip
from tests.pdf_checks import all_text, page_count, page_text, rasterise
from tests.test_cli import one_error
from tests.test_slip import TODAY, D, lend

office = test_slip.office  # the loan slip's fixture: three lendable assets, a user per role

AGENCY = PaperSettings("เทศบาลนครแม่สอด")
PRINTED_AT = dt.datetime(2026, 11, 28, 14, 5)


def flat(text: str) -> str:
    return " ".join(text.split())


def _letter(**changes) -> LetterData:
    data = LetterData(
        on=dt.date(2026, 11, 28), borrower="นางสาวมาลี ศรีสุข", position="",
        organisation="ชุมชนหนองบัว", address="354 หมู่ 1 ตำบลแม่กาษา", department="กองการศึกษา",
        loans=[("L2570-0012", dt.date(2026, 11, 2)), ("L2570-0031", dt.date(2026, 11, 9))],
        items=[OverdueItem("L2570-0012", "416-66-0001", "เครื่องขยายเสียง ชนิดลากจูง", dt.date(2026, 11, 7),
                           21, Decimal("10000.00")),
               OverdueItem("L2570-0031", "419-67-0002", "เครื่องตัดหญ้า แบบข้อแข็ง", dt.date(2026, 11, 20),
                           8, Decimal("2345.00"))],
        signer="นางสาวลัดดาวัลย์ คำแสน", signer_position="ผู้อำนวยการกองการศึกษา",
        letter_no="ตก 52001/123")
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_the_letter_reads_as_a_thai_official_letter(tmp_path):
    path = tmp_path / "letter.pdf"
    pages = render_overdue_letter(path, _letter(), AGENCY, "นายพัสดุ รักงาน", PRINTED_AT)
    assert pages == page_count(path)
    text = flat(all_text(path))
    for words in (
            "ที่ ตก 52001/123 เทศบาลนครแม่สอด กองการศึกษา",
            "28 พฤศจิกายน 2569",
            "เรื่อง ขอให้ส่งคืนพัสดุที่ยืม",
            "เรียน นางสาวมาลี ศรีสุข ชุมชนหนองบัว",
            "อ้างถึง ใบยืมพัสดุ เลขที่ L2570-0012 ลงวันที่ 2 พฤศจิกายน 2569 "
            "และใบยืมพัสดุ เลขที่ L2570-0031 ลงวันที่ 9 พฤศจิกายน 2569",
            "ที่ เลขที่ใบยืม รายการ / หมายเลขครุภัณฑ์ กำหนดคืน เกิน กำหนด (วัน) มูลค่า (บาท)",
            "1 L2570-0012 เครื่องขยายเสียง ชนิดลากจูง 416-66-0001 7 พ.ย. 2569 21 10,000.00",
            "2 L2570-0031 เครื่องตัดหญ้า แบบข้อแข็ง 419-67-0002 20 พ.ย. 2569 8 2,345.00",
            "รวม 12,345.00",
            "จึงเรียนมาเพื่อโปรดดำเนินการ",
            "ขอแสดงความนับถือ",
            "( นางสาวลัดดาวัลย์ คำแสน ) ผู้อำนวยการกองการศึกษา",
            "กองการศึกษา งานพัสดุ"):
        assert words in text, words
    # paragraphs flow where the width puts the line ends: compare them without spaces
    squeezed = "".join(text.split())
    for words in (
            "ตามที่ท่านได้ยืมพัสดุของกองการศึกษา เทศบาลนครแม่สอด ตามใบยืมพัสดุที่อ้างถึง",
            "ท่านยังมิได้ส่งคืน จำนวน 2 รายการ ดังนี้",
            "รวมมูลค่าพัสดุที่ยังมิได้ส่งคืนทั้งสิ้น 12,345.00 บาท "
            "(หนึ่งหมื่นสองพันสามร้อยสี่สิบห้าบาทถ้วน)",
            "ภายใน 7 วัน นับแต่วันที่ได้รับหนังสือฉบับนี้",
            "หรือชดใช้เป็นเงินตามราคาที่เป็นอยู่ในขณะยืม",
            "ตามระเบียบกระทรวงการคลังว่าด้วยการจัดซื้อจัดจ้างและการบริหารพัสดุภาครัฐ พ.ศ. 2560 ข้อ 211"):
        assert "".join(words.split()) in squeezed, words
    assert text.index("เรื่อง") < text.index("เรียน") < text.index("ขอแสดงความนับถือ")


def test_the_letter_is_set_in_16_point_sarabun(tmp_path):
    import ctypes

    import pypdfium2 as pdfium

    path = tmp_path / "letter.pdf"
    render_overdue_letter(path, _letter(), AGENCY, "", PRINTED_AT)
    pdf = pdfium.PdfDocument(str(path))
    try:
        sizes = {}
        for obj in pdf[0].get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_TEXT]):
            value = ctypes.c_float()
            pdfium.raw.FPDFTextObj_GetFontSize(obj.raw, ctypes.byref(value))
            size = round(value.value, 1)
            sizes[size] = sizes.get(size, 0) + 1
    finally:
        pdf.close()
    assert max(sizes, key=sizes.get) == 16.0  # the body; the table and frame are smaller


def test_a_long_list_runs_on_with_the_table_heading_and_page_numbers(tmp_path):
    items = [OverdueItem("L2570-0130", f"424-69-{n:04d}", "เก้าอี้เหล็กบุนวม (เก้าอี้จัดเลี้ยง)",
                         dt.date(2026, 11, 24), 4, Decimal("734.07")) for n in range(40)]
    path = tmp_path / "letter.pdf"
    pages = render_overdue_letter(path, _letter(items=items), AGENCY, "", PRINTED_AT)
    assert pages == page_count(path) >= 3
    for page in range(pages):
        text = flat(page_text(path, page))
        assert text.endswith(f"หน้า {page + 1}/{pages}")
        assert "หนังสือทวงคืนพัสดุ L2570-0012" in text
    total = Decimal("734.07") * 40
    assert f"{total:,.2f} บาท ({baht_text(total)})" in flat(all_text(path))
    assert baht_text(total) == "สองหมื่นเก้าพันสามร้อยหกสิบสองบาทแปดสิบสตางค์"


def test_the_page_has_ink_where_the_letter_is(tmp_path):
    path = tmp_path / "letter.pdf"
    render_overdue_letter(path, _letter(), AGENCY, "", PRINTED_AT)
    assert rasterise(path, dpi=40).getextrema()[0] < 100


# ---- from the register ---------------------------------------------------------------------

def test_one_letter_covers_every_overdue_loan_of_the_borrower(office, tmp_path):
    first = lend(office, office["p"][:1])
    second = lend(office, office["p"][1:2])
    o = {**office, "requester": office["storekeeper"]}
    other = lend(o, office["p"][2:], place="outside", external=ExternalBorrower(
        "นางสาวมาลี ศรีสุข", "ชุมชนหนองบัว", "354 หมู่ 1", "081-234-5678"))
    on = TODAY + D(8)  # due on TODAY + 5: three days late
    data = overdue_letter_data(second, today=on)
    assert [no for no, _ in data.loans] == [first, second]
    assert [(i.loan_no, i.asset_no, i.days_overdue) for i in data.items] == [
        (first, office["p"][0], 3), (second, office["p"][1], 3)]
    assert data.signer == "ทดสอบ dept_head"
    assert overdue_letter_data(other, today=on).borrower == "นางสาวมาลี ศรีสุข"
    signed = overdue_letter_data(first, today=on, signer="storekeeper")
    assert signed.signer == "ทดสอบ storekeeper"
    path = tmp_path / "letter.pdf"
    render_overdue_letter(path, data, AGENCY, "", PRINTED_AT)
    text = flat(all_text(path))
    assert "เรียน ทดสอบ staff" in text and other not in text
    assert f"({baht_text(data.total)})" in text
    assert f"{data.items[0].value:,.2f}" in text
    with pytest.raises(ValidationError, match="is not overdue"):
        overdue_letter_data(first, today=TODAY + D(5))


def test_print_overdue_letter_from_the_command_line(office, db_url, tmp_path, capsys):
    number = lend(office, office["p"][:1])
    out = tmp_path / "letter.pdf"
    # the loan is due five days after TODAY; the command uses the real date, long after
    assert main(["print", "overdue-letter", number, "--letter-no", "ตก 52001/7",
                 "--db", db_url, "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == (
        f"wrote the follow-up letter to ทดสอบ staff for 1 overdue item ({number}) on 1 page to {out}")
    assert f"loan follow-up {number} --method letter" in captured.err
    assert "ที่ ตก 52001/7" in flat(all_text(out))
    assert main(["print", "overdue-letter", "L2570-9999", "--db", db_url, "-o", str(out)]) == 1
    assert one_error(capsys) == "assets-tui: error: There is no loan number 'L2570-9999'."

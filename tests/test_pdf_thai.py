"""Thai on paper: shaped glyphs (tone marks above upper vowels stay visible), a text layer
that extracts as exactly the Thai that was written, amounts in words, Thai digits, the
page frame, tables that repeat their heading, and Code 128 barcodes that scan back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PIL import Image
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from forms.pdf import (
    FONT,
    FONT_BOLD,
    QUIET_MODULES,
    BarcodeError,
    Column,
    Document,
    PaperSettings,
    code128_modules,
    draw_code128,
    draw_text,
    fit_text,
    register_fonts,
    text_width,
    wrap_text,
)
from forms.thaitext import baht_text, clusters, number_text, thai_digits
from tests.pdf_checks import (
    all_text,
    decode_code128,
    lines_of,
    matches_reference,
    page_count,
    page_text,
    rasterise,
)

SHAPING_SAMPLE = "ที่ปั่นป่วน ญี่ปุ่น น้ำ"
PRINTED_AT = dt.datetime(2026, 11, 28, 14, 5)


# ---- amounts in words ----------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "words"), [
    ("0", "ศูนย์บาทถ้วน"),
    ("1", "หนึ่งบาทถ้วน"),
    ("2", "สองบาทถ้วน"),
    ("10", "สิบบาทถ้วน"),
    ("11", "สิบเอ็ดบาทถ้วน"),
    ("20", "ยี่สิบบาทถ้วน"),
    ("21", "ยี่สิบเอ็ดบาทถ้วน"),
    ("25", "ยี่สิบห้าบาทถ้วน"),
    ("31", "สามสิบเอ็ดบาทถ้วน"),
    ("100", "หนึ่งร้อยบาทถ้วน"),
    ("101", "หนึ่งร้อยเอ็ดบาทถ้วน"),
    ("110", "หนึ่งร้อยสิบบาทถ้วน"),
    ("111", "หนึ่งร้อยสิบเอ็ดบาทถ้วน"),
    ("120", "หนึ่งร้อยยี่สิบบาทถ้วน"),
    ("201", "สองร้อยเอ็ดบาทถ้วน"),
    ("1000", "หนึ่งพันบาทถ้วน"),
    ("1001", "หนึ่งพันเอ็ดบาทถ้วน"),
    ("1010", "หนึ่งพันสิบบาทถ้วน"),
    ("12345", "หนึ่งหมื่นสองพันสามร้อยสี่สิบห้าบาทถ้วน"),
    ("45000", "สี่หมื่นห้าพันบาทถ้วน"),
    ("100000", "หนึ่งแสนบาทถ้วน"),
    ("250000.50", "สองแสนห้าหมื่นบาทห้าสิบสตางค์"),
    ("1000000", "หนึ่งล้านบาทถ้วน"),
    ("1000001", "หนึ่งล้านเอ็ดบาทถ้วน"),
    ("1000011", "หนึ่งล้านสิบเอ็ดบาทถ้วน"),
    ("2000021", "สองล้านยี่สิบเอ็ดบาทถ้วน"),
    ("10000000", "สิบล้านบาทถ้วน"),
    ("11000000", "สิบเอ็ดล้านบาทถ้วน"),
    ("21500000", "ยี่สิบเอ็ดล้านห้าแสนบาทถ้วน"),
    ("101000000", "หนึ่งร้อยเอ็ดล้านบาทถ้วน"),
    ("1000000000000", "หนึ่งล้านล้านบาทถ้วน"),
    ("0.01", "หนึ่งสตางค์"),
    ("0.11", "สิบเอ็ดสตางค์"),
    ("0.21", "ยี่สิบเอ็ดสตางค์"),
    ("0.50", "ห้าสิบสตางค์"),
    ("1.01", "หนึ่งบาทหนึ่งสตางค์"),
    ("12345.67", "หนึ่งหมื่นสองพันสามร้อยสี่สิบห้าบาทหกสิบเจ็ดสตางค์"),
    ("1,250.00", "หนึ่งพันสองร้อยห้าสิบบาทถ้วน"),
    ("9999999999.99", "เก้าพันเก้าร้อยเก้าสิบเก้าล้านเก้าแสนเก้าหมื่นเก้าพันเก้าร้อยเก้าสิบเก้าบาท"
                      "เก้าสิบเก้าสตางค์"),
])
def test_baht_in_words_as_thai_offices_write_them(amount, words):
    assert baht_text(amount) == words
    assert baht_text(Decimal(amount.replace(",", ""))) == words


def test_words_for_numbers_and_what_is_refused():
    assert number_text(0) == "ศูนย์"
    assert number_text(7) == "เจ็ด"
    assert baht_text(45000) == "สี่หมื่นห้าพันบาทถ้วน"
    with pytest.raises(ValueError):
        baht_text("-1")
    with pytest.raises(ValueError):
        baht_text("twelve")


def test_no_amount_says_one_ten_or_two_ten():
    for n in range(0, 3000, 7):
        words = number_text(n)
        assert "หนึ่งสิบ" not in words and "สองสิบ" not in words
        assert not (n > 1 and words.endswith("หนึ่ง") and n % 10 == 1)


def test_thai_digits():
    assert thai_digits("หน้า 3/12 ปี 2569") == "หน้า ๓/๑๒ ปี ๒๕๖๙"


def test_clusters_keep_a_consonant_with_its_marks_and_leading_vowel():
    assert clusters("ที่ปั่น") == ["ที่", "ปั่", "น"]
    assert clusters("เครื่อง") == ["เค", "รื่", "อ", "ง"]
    assert clusters("น้ำ") == ["น้ำ"]
    assert "".join(clusters(SHAPING_SAMPLE)) == SHAPING_SAMPLE


# ---- measuring, fitting and wrapping ----------------------------------------------------------

NAMES = [
    "เครื่องคอมพิวเตอร์โน้ตบุ๊ก Lenovo ThinkPad E14 Gen 5 พร้อมกระเป๋า",
    "เครื่องปรับอากาศแบบแยกส่วน ชนิดตั้งพื้นหรือชนิดแขวน ขนาด 24,000 บีทียู",
    "รถบรรทุก (ดีเซล) ขนาด 1 ตัน ปริมาตรกระบอกสูบไม่ต่ำกว่า 2,400 ซีซี ขับเคลื่อน 4 ล้อ",
    "ตู้เหล็กเก็บเอกสารแบบ 2 บานประตูที่ปั่นป่วนญี่ปุ่นน้ำ",
    "โต๊ะ",
]


@pytest.mark.parametrize("width_mm", [8, 20, 35, 60, 120])
@pytest.mark.parametrize("font", [FONT, FONT_BOLD])
def test_fitted_text_never_overflows_and_never_splits_a_cluster(width_mm, font):
    width = width_mm * mm
    for name in NAMES:
        fitted = fit_text(name, width, font, 7)
        assert text_width(fitted, font, 7) <= width + 1e-6
        if fitted != name:
            head = fitted.removesuffix("…").rstrip()
            assert fitted.endswith("…")
            pieces = clusters(name)
            assert any("".join(pieces[:k]).rstrip() == head for k in range(len(pieces) + 1)), fitted


@pytest.mark.parametrize("width_mm", [25, 50, 90])
def test_wrapped_lines_fit_and_keep_every_letter(width_mm):
    width = width_mm * mm
    text = " ".join(NAMES)
    lines = wrap_text(text, width, FONT, 11)
    assert all(text_width(line, FONT, 11) <= width + 1e-6 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


# ---- shaping and the text layer ---------------------------------------------------------------

def _sample_line(path, shaped: bool) -> None:
    register_fonts()
    c = Canvas(str(path), pagesize=(500, 80))
    if shaped:
        draw_text(c, 10, 20, SHAPING_SAMPLE, FONT, 40)
    else:  # what reportlab prints without shaping
        c.setFont(FONT, 40)
        c.drawString(10, 20, SHAPING_SAMPLE)
    c.save()


def _ink_above_upper_vowels(image: Image.Image, dpi: float) -> int:
    """Dark pixels in the band where only a tone mark over an upper vowel can be: from
    0.97 to 1.35 of the size above the baseline (upper vowels end at 0.95 in Sarabun)."""
    k = dpi / 72
    band = image.crop((0, round((80 - 20 - 1.35 * 40) * k), image.width,
                       round((80 - 20 - 0.97 * 40) * k)))
    return sum(band.histogram()[:128])


def test_shaped_thai_shows_its_tone_marks_and_copies_as_the_same_words(tmp_path):
    shaped, plain = tmp_path / "shaped.pdf", tmp_path / "plain.pdf"
    _sample_line(shaped, True)
    _sample_line(plain, False)
    assert page_text(shaped) == SHAPING_SAMPLE
    shaped_image, plain_image = rasterise(shaped, dpi=144), rasterise(plain, dpi=144)
    # Unshaped, the tone marks sit inside the upper vowels and vanish (ที่ prints as ที);
    # shaped, they are lifted above them.
    assert _ink_above_upper_vowels(plain_image, 144) == 0
    assert _ink_above_upper_vowels(shaped_image, 144) > 300
    # and the line looks like the reference checked by eye
    mean, worst_tile = matches_reference(shaped_image, "thai_shaping.png")
    assert mean < 1.0 and worst_tile < 8.0, (mean, worst_tile)


def test_every_thai_run_copies_exactly_in_bold_and_at_small_sizes(tmp_path):
    path = tmp_path / "runs.pdf"
    register_fonts()
    c = Canvas(str(path))
    samples = ["ผู้ยืม", "ที่", "ใบยืมพัสดุ", "หมายเลขครุภัณฑ์", "กรุงเทพฯ ๒๕๖๙", "ฤดูกาล ฦ ฎีกา ฐาน",
               "ปีงบประมาณ 2567", "Lenovo ThinkPad E14"]
    y = 800
    for font in (FONT, FONT_BOLD):
        for size in (5, 9, 16):
            for s in samples:
                y -= size * 1.6
                draw_text(c, 40, y, s, font, size)
    c.save()
    assert lines_of(page_text(path)) == samples * 6


# ---- documents ---------------------------------------------------------------------------------

def _document(path, **kwargs) -> Document:
    return Document(str(path), "ทะเบียนทดสอบ", printed_by="นางสาวสมศรี ใจดี (storekeeper)",
                    printed_at=PRINTED_AT, settings=kwargs.pop("settings", PaperSettings("เทศบาลทดสอบ")),
                    **kwargs)


def test_page_frame_names_agency_title_print_time_printer_and_page(tmp_path):
    path = tmp_path / "doc.pdf"
    doc = _document(path)
    doc.paragraph("หน้าแรก")
    doc.new_page()
    doc.paragraph("หน้าสอง")
    assert doc.close() == 2
    for number in (1, 2):
        text = page_text(path, number - 1)
        assert "เทศบาลทดสอบ ทะเบียนทดสอบ" in text
        assert "พิมพ์เมื่อ 28 พฤศจิกายน 2569 เวลา 14:05 น. โดย นางสาวสมศรี ใจดี (storekeeper)" in text
        assert text.rstrip().endswith(f"หน้า {number}/2")


def test_thai_digits_when_the_agency_chooses_them(tmp_path):
    path = tmp_path / "doc.pdf"
    doc = _document(path, settings=PaperSettings("เทศบาลทดสอบ", thai_digits=True))
    doc.paragraph(f"ยอดรวม {doc.money(Decimal('12345.50'))} บาท ({baht_text('12345.50')}) "
                  f"ณ วันที่ {doc.date(dt.date(2026, 9, 30))}")
    doc.close()
    text = " ".join(page_text(path).split())
    assert "ยอดรวม ๑๒,๓๔๕.๕๐ บาท (หนึ่งหมื่นสองพันสามร้อยสี่สิบห้าบาทห้าสิบสตางค์) ณ วันที่ ๓๐ กันยายน ๒๕๖๙" in text
    assert "หน้า ๑/๑" in text
    assert "พิมพ์เมื่อ ๒๘ พฤศจิกายน ๒๕๖๙ เวลา ๑๔:๐๕ น." in text


def test_a_long_table_repeats_its_heading_on_every_page(tmp_path):
    path = tmp_path / "table.pdf"
    doc = _document(path)
    doc.heading("ทะเบียนคุมทรัพย์สิน")
    rows = [[str(n), f"เก้าอี้สำนักงานที่ {n}", f"416-68-{n:04d}", doc.money(Decimal("1500") + n)]
            for n in range(1, 121)]
    drawn = doc.table([Column("ที่", 12, "centre"), Column("รายการ"),
                       Column("หมายเลขครุภัณฑ์", 40), Column("ราคา (บาท)", 30, "right")], rows)
    pages = doc.close()
    assert drawn == 120 and pages == page_count(path) >= 3
    seen = []
    for page in range(pages):
        text = page_text(path, page)
        assert "ที่ รายการ หมายเลขครุภัณฑ์ ราคา (บาท)" in text, page
        assert f"หน้า {page + 1}/{pages}" in text
        seen += [word for word in text.split() if word.startswith("416-68-")]
    assert seen == [f"416-68-{n:04d}" for n in range(1, 121)]


def test_tick_boxes_and_signatures_read_back(tmp_path):
    path = tmp_path / "form.pdf"
    doc = _document(path)
    doc.y -= 20 * mm
    x = doc.left
    x += doc.checkbox(x, doc.y, True, "ยืมใช้ภายในสถานที่") + 10 * mm
    doc.checkbox(x, doc.y, False, "ยืมไปใช้นอกสถานที่")
    doc.signature(doc.left, doc.y - 10 * mm, 80 * mm, "ผู้ยืม", "นายสมชาย ใจกล้า",
                  "นักวิชาการพัสดุ", "5 ธันวาคม 2569")
    doc.close()
    text = page_text(path)
    assert "[/]ยืมใช้ภายในสถานที่" in text.replace(" ", "")
    assert "[]ยืมไปใช้นอกสถานที่" in text.replace(" ", "")
    for words in ("ผู้ยืม", "( นายสมชาย ใจกล้า )", "ตำแหน่ง นักวิชาการพัสดุ", "วันที่ 5 ธันวาคม 2569"):
        assert words in text


# ---- barcodes ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["416-68-0001", "L2570-0012", "OLD/2540/17", "abc 12", "0"])
def test_code128_vector_bars_scan_back_to_exactly_the_value(tmp_path, value):
    path = tmp_path / "bars.pdf"
    c = Canvas(str(path), pagesize=(300, 100))
    module = 0.25 * mm
    draw_code128(c, QUIET_MODULES * module + 10, 30, value, module, 12 * mm)
    c.save()
    assert decode_code128(rasterise(path, dpi=300)) == [value]
    assert "BI " not in path.read_bytes().decode("latin-1")  # bars, not an embedded image


def test_code128_refuses_what_it_cannot_carry():
    with pytest.raises(BarcodeError, match="cannot be a Code 128 barcode"):
        code128_modules("ครุภัณฑ์-1")
    with pytest.raises(BarcodeError):
        code128_modules("")


def test_all_text_of_a_document(tmp_path):
    path = tmp_path / "doc.pdf"
    doc = _document(path)
    doc.form_line([("ข้าพเจ้า", "นายสมชาย ใจกล้า", 50), ("ตำแหน่ง", "นักวิชาการพัสดุ", 0)])
    doc.close()
    assert "ข้าพเจ้า นายสมชาย ใจกล้า ตำแหน่ง นักวิชาการพัสดุ" in all_text(path)

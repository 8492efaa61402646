"""Asset labels: every barcode printed scans back to exactly its asset number, on every
template; labels start where a partly used sheet has room; nothing is printed outside a
label; the selection by number, department, location and category."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from PIL import ImageDraw
from reportlab.lib.units import mm

from assets_tui.cli import main
from forms import labels
from forms.labels import LabelData, get_template, render_labels, select_assets, templates
from forms.pdf import PaperSettings
from models import assets, org
from models.accounts import SYSTEM
from models.errors import ValidationError
from models.schema import Asset, Department
from tests.pdf_checks import crop_points, decode_code128, decode_qr, page_count, rasterise
from tests.test_cli import one_error

AGENCY = PaperSettings("เทศบาลนครแม่สอด")
NAMES = [
    "เครื่องคอมพิวเตอร์โน้ตบุ๊ก Lenovo ThinkPad E14 Gen 5 พร้อมกระเป๋าและเมาส์ไร้สาย",
    "โต๊ะทำงานเหล็ก",
    "เก้าอี้ที่ปั่นป่วน ญี่ปุ่น น้ำ",
    "เครื่องปรับอากาศแบบแยกส่วน ชนิดตั้งพื้นหรือชนิดแขวน ขนาด 24,000 บีทียู",
    "ตู้เหล็กเก็บเอกสาร 2 บานประตู",
]


@pytest.fixture
def register(database, sample_asset):
    """28 assets in สำนักปลัดเทศบาล (01), some in room R101, one disposed; 4 in กองคลัง (04)."""
    room = org.add_location(SYSTEM, "R101", "ห้อง 101 อาคารสำนักงาน",
                            Department.get(Department.code == "01"))
    in_01 = []
    for n in range(28):
        a = assets.register_asset(SYSTEM, {
            **sample_asset, "name": NAMES[n % len(NAMES)], "serial_no": f"S{n}",
            "category": "คอมพิวเตอร์" if n % 3 else "สำนักงาน",
            "location": room.code if n < 6 else None})
        in_01.append(a.asset_no)
    in_04 = [assets.register_asset(SYSTEM, {**sample_asset, "department": "04",
                                            "serial_no": f"K{n}"}).asset_no for n in range(4)]
    disposed = assets.register_asset(SYSTEM, {**sample_asset, "name": "เครื่องพิมพ์เก่า"}).asset_no
    Asset.update(status="disposed").where(Asset.asset_no == disposed).execute()
    return {"01": in_01, "04": in_04, "disposed": disposed, "room": in_01[:6]}


def _decoded_positions(path, template, dpi=300) -> list[list[str | None]]:
    """Per page, per label position: the number its barcode scans to (None: blank)."""
    pages = []
    height = template.page[1] * mm
    for page in range(page_count(path)):
        image = rasterise(path, page, dpi)
        found = []
        for position in range(template.per_sheet):
            codes = decode_code128(crop_points(image, template.box(position), height, dpi))
            assert len(codes) <= 1
            found.append(codes[0] if codes else None)
        pages.append(found)
    return pages


def test_a_department_on_a4_3x8_scans_back_label_by_label(register, tmp_path):
    path = tmp_path / "labels.pdf"
    chosen = list(select_assets(department="01"))
    template = get_template("a4-3x8")
    run = render_labels(path, map(labels.label_data, chosen), template, start_at=5, settings=AGENCY)
    assert run.labels == 28 and run.pages == 2 and not run.without_barcode
    pages = _decoded_positions(path, template)
    # the first four positions of the partly used sheet stay blank
    assert pages[0][:4] == [None] * 4
    printed = [code for page in pages for code in page if code is not None]
    assert printed == [a.asset_no for a in chosen]
    assert pages[1][8:] == [None] * 16  # 20 on the first sheet, 8 on the second
    # exactly the department's assets, each once, the disposed one left out
    expected = set(register["01"])
    assert set(printed) == expected and len(printed) == len(expected)


@pytest.mark.parametrize("name", sorted(templates()))
def test_every_template_prints_labels_that_scan(register, tmp_path, name):
    template = get_template(name)
    path = tmp_path / f"{name}.pdf"
    chosen = list(select_assets(register["01"][:5] + register["04"][:2]))
    render_labels(path, map(labels.label_data, chosen), template, settings=AGENCY)
    pages = _decoded_positions(path, template, dpi=400)
    printed = [code for page in pages for code in page if code is not None]
    assert printed == [a.asset_no for a in chosen]


@pytest.mark.parametrize("name", ["a4-3x8", "a4-2x7", "roll-50x25"])
def test_labels_with_a_qr_code_scan_both_ways(register, tmp_path, name):
    """With --qr each label carries a QR code of its number beside the barcode, and a phone
    or a 2D scanner reads the same number the Code 128 gives."""
    template = get_template(name)
    path = tmp_path / f"{name}-qr.pdf"
    chosen = list(select_assets(register["01"][:4]))
    render_labels(path, map(labels.label_data, chosen), template, settings=AGENCY, qr=True)
    height = template.page[1] * mm
    found = []
    for page in range(page_count(path)):
        image = rasterise(path, page, 400)
        for position in range(template.per_sheet):
            box = crop_points(image, template.box(position), height, 400)
            bars, squares = decode_code128(box), decode_qr(box)
            assert bars == squares
            found.extend(bars)
    assert found == [a.asset_no for a in chosen]


@pytest.mark.parametrize("name", sorted(templates()))
def test_templates_fit_their_page_and_never_overlap(name):
    t = get_template(name)
    page_w, page_h = t.page[0] * mm, t.page[1] * mm
    boxes = [t.box(p) for p in range(t.per_sheet)]
    for x, y, w, h in boxes:
        assert x >= 0 and x + w <= page_w + 1e-6 and y >= 0 and y + h <= page_h + 1e-6
    for i, (x1, y1, w1, h1) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1:]:
            assert x1 + w1 <= x2 + 1e-6 or x2 + w2 <= x1 + 1e-6 or y1 + h1 <= y2 + 1e-6 \
                or y2 + h2 <= y1 + 1e-6
    assert t.box(0)[1] > t.box(t.per_sheet - 1)[1] or t.rows == 1  # filled from the top


@pytest.mark.parametrize("name", sorted(templates()))
def test_nothing_is_printed_outside_the_labels(tmp_path, name):
    """Long names are shortened and numbers shrunk, so neither ink nor text leaves a label
    (nor its padding)."""
    template = get_template(name)
    long = [LabelData(f"430-67-{n:05d}", NAMES[n % len(NAMES)] * 3, 2567) for n in range(6)]
    long.append(LabelData("OLD/2540/17-ABCDEFGHIJ", "ก" * 200, 2540))
    path = tmp_path / "labels.pdf"
    render_labels(path, long, template, settings=PaperSettings("องค์การบริหารส่วนตำบลแม่ปะ อำเภอแม่สอด จังหวัดตาก"))
    dpi = 150
    pad = template.padding * mm - 0.3  # allow anti-aliasing a hair beyond the padding
    height = template.page[1] * mm
    doc = pdfium.PdfDocument(str(path))
    for page in range(len(doc)):
        image = rasterise(path, page, dpi)
        draw = ImageDraw.Draw(image)
        k = dpi / 72
        inner = []
        for position in range(template.per_sheet):
            x, y, w, h = template.box(position)
            inner.append((x + pad, y + pad, x + w - pad, y + h - pad))
            draw.rectangle((round((x + pad) * k), round((height - y - h + pad) * k),
                            round((x + w - pad) * k), round((height - y - pad) * k)), fill=255)
        assert sum(image.histogram()[:200]) == 0, f"ink outside the labels on page {page + 1}"
        text = doc[page].get_textpage()
        for i in range(text.count_chars()):
            if text.get_text_range(i, 1) in "\r\n":
                continue
            left, bottom, right, top = text.get_charbox(i)
            assert any(a - 0.5 <= left and right <= c + 0.5 and b - 0.5 <= bottom and top <= d + 0.5
                       for a, b, c, d in inner), (page, i, text.get_text_range(i, 1))
    doc.close()


def test_label_text_names_agency_asset_and_fiscal_year(register, tmp_path):
    path = tmp_path / "labels.pdf"
    chosen = list(select_assets([register["01"][1]]))
    render_labels(path, map(labels.label_data, chosen), get_template("a4-2x7"),
                  settings=PaperSettings("เทศบาลนครแม่สอด", thai_digits=True))
    doc = pdfium.PdfDocument(str(path))
    lines = [line.strip() for line in doc[0].get_textpage().get_text_range().splitlines()]
    doc.close()
    assert lines == ["เทศบาลนครแม่สอด", "โต๊ะทำงานเหล็ก", "ปีงบประมาณ ๒๕๖๗", register["01"][1]]


def test_start_position_must_be_on_the_sheet(tmp_path):
    with pytest.raises(ValidationError, match="between 1 and 24"):
        render_labels(tmp_path / "x.pdf", [], get_template("a4-3x8"), start_at=25)
    with pytest.raises(ValidationError, match="between 1 and 1"):
        render_labels(tmp_path / "x.pdf", [], get_template("roll-50x25"), start_at=2)
    with pytest.raises(ValidationError, match="no label template 'a5'"):
        get_template("a5")
    assert get_template("A4-3×8").name == "a4-3x8"


def test_choosing_assets(register):
    def numbers(*args, **kwargs):
        return [a.asset_no for a in select_assets(*args, **kwargs)]

    assert numbers(department="04") == register["04"]
    assert numbers(location="R101") == sorted(register["room"])  # by asset number
    assert numbers(category="416") == sorted(n for i, n in enumerate(register["01"]) if i % 3 == 0)
    assert numbers(department="01", category="416", location="R101") == sorted(register["room"][0::3])
    # named assets come in the order given
    named = [register["04"][2], register["01"][0], register["04"][0]]
    assert numbers(named) == named
    assert numbers(named, department="04") == named[0::2]  # criteria combine
    assert register["disposed"] not in numbers(department="01")
    with pytest.raises(ValidationError, match="is disposed"):
        numbers([register["disposed"]])
    with pytest.raises(ValidationError, match="no asset number 'NOPE'"):
        numbers(["NOPE"])
    with pytest.raises(ValidationError, match="Choose what to label"):
        numbers()
    with pytest.raises(Exception, match="no department '99'"):
        numbers(department="99")
    with pytest.raises(ValidationError, match="no location 'R999'"):
        numbers(location="R999")


def test_numbers_code_128_cannot_carry_or_too_long_for_the_label_are_reported(tmp_path):
    long = "OLD/2540/17-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    run = render_labels(tmp_path / "x.pdf", [LabelData("ครุภัณฑ์-๑", "โต๊ะ", 2560),
                                             LabelData(long, "โต๊ะ", 2560),
                                             LabelData("416-68-0001", "โต๊ะ", 2568)],
                        get_template("a4-5x13"))
    assert run.without_barcode == ["ครุภัณฑ์-๑"] and run.narrow_barcode == [long]
    assert run.labels == 3


# ---- the command line ----------------------------------------------------------------------------

def test_print_labels_from_the_command_line(register, db_url, tmp_path, capsys):
    out = tmp_path / "dept.pdf"
    assert main(["print", "labels", "--db", db_url, "--department", "04", "--template", "a4-5x13",
                 "--start-at", "3", "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote 4 labels on 1 sheet (a4-5x13) to {out}"
    pages = _decoded_positions(out, get_template("a4-5x13"), dpi=400)
    assert pages[0][2:6] == register["04"] and pages[0][:2] == [None, None]

    out = tmp_path / "named.pdf"
    assert main(["print", "labels", "--db", db_url, "--asset", register["01"][3], "--asset",
                 register["04"][0], "--template", "roll-50x25", "-o", str(out)]) == 0
    assert "wrote 2 labels on 2 pages (roll-50x25)" in capsys.readouterr().out
    assert [p[0] for p in _decoded_positions(out, get_template("roll-50x25"))] == \
        [register["01"][3], register["04"][0]]


def test_print_labels_lists_templates_and_refuses_in_one_sentence(register, db_url, tmp_path, capsys):
    assert main(["print", "labels", "--list-templates"]) == 0
    listing = capsys.readouterr().out
    for name in templates():
        assert name in listing
    out = tmp_path / "none.pdf"
    for argv, words in (
            (["--department", "04"], "Name the PDF to write with -o FILE.pdf."),
            (["-o", str(out)], "Choose what to label"),
            (["--department", "99", "-o", str(out)], "There is no department '99'."),
            (["--department", "04", "--start-at", "25", "-o", str(out)], "between 1 and 24"),
            (["--department", "04", "--template", "a9", "-o", str(out)], "no label template 'a9'"),
            (["--department", "01", "--category", "418", "-o", str(out)], "No asset matches")):
        assert main(["print", "labels", "--db", db_url, *argv]) == 1
        assert words in one_error(capsys)
        assert not out.exists() and not out.with_name("none.pdf.part").exists()

"""The annual inspection report printed from a stock check, and its results as open data:
the Thai words a reader looks for are in the text layer exactly, the ticks follow the
results, an open check prints as a draft, long lists run over pages with their heading,
and the export carries its documented keys."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pypdfium2 as pdfium
import pytest

from assets_tui.cli import main
from forms import opendata
from forms.pdf import Document, PaperSettings
from forms.stockcheck_report import (
    DRAFT,
    MARGINS,
    PAGE,
    TICK,
    TICKS,
    render_report,
    report_data,
    result_columns,
)
from forms.thaitext import thai_digits
from models import accounts, assets, org, stockcheck
from models.accounts import SYSTEM, NewUser
from models.stockcheck import Scope
from tests.pdf_checks import all_text, page_count, page_text

FY = 2569
DAY = dt.date(2026, 10, 5)
AGENCY = PaperSettings("เทศบาลทดสอบ")
PRINTED_AT = dt.datetime(2026, 11, 28, 14, 5)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def office(users, password_hash, sample_asset):
    made = dict(users)
    for n, name in ((1, "สมชาย ใจดี"), (2, "สมหญิง รักงาน"), (3, "วิชัย มั่นคง")):
        made[f"insp{n}"] = accounts.create_user(
            SYSTEM, NewUser(f"insp{n}", "", "staff", name, position="นักวิเคราะห์นโยบายและแผน"),
            password_hash=password_hash)
    d01 = org.get_department("01")
    for code in ("R1", "R2"):
        org.add_location(SYSTEM, code, f"ห้อง {code}", d01)
    numbers = {}
    for code, count in (("R1", 3), ("R2", 2)):
        for n in range(count):
            a = assets.register_asset(SYSTEM, {**sample_asset, "serial_no": f"{code}-{n}", "location": code,
                                               "name": f"โต๊ะทำงาน {code}/{n}", "custodian": "ทดสอบ staff"})
            numbers.setdefault(code, []).append(a.asset_no)
    made["n"] = numbers
    return made


def printed_ticks(path) -> dict[str, list[str]]:
    """Which tick columns hold a mark on each asset's row of the result list, read from
    where the marks are printed: a mark belongs to the row whose asset number shares its
    baseline, and to the tick column it lies in."""
    widths = Document(io.BytesIO(), "x", pagesize=PAGE, margins=MARGINS)._column_widths(result_columns())
    edges = [MARGINS[3] + sum(widths[:i]) for i in range(len(widths) + 1)]
    spans = {key: (edges[4 + n], edges[5 + n]) for n, (key, _) in enumerate(TICKS)}
    found: dict[str, list[str]] = {}
    with pdfium.PdfDocument(str(path)) as doc:
        for page in doc:
            text = page.get_textpage()
            boxes = [(text.get_text_range(i, 1), text.get_charbox(i)) for i in range(text.count_chars())]
            marks = [((b[0] + b[2]) / 2, b[1]) for ch, b in boxes if ch == TICK]
            numbers = {}
            for match in re.finditer(r"\d{3}-\d{2}-\d{4}", text.get_text_range()):
                hit = text.search(match.group()).get_next()
                left, bottom = text.get_charbox(hit[0])[:2]
                if edges[2] <= left <= edges[3]:  # the asset-number column of the result list
                    numbers[match.group()] = bottom
            for number, baseline in numbers.items():
                row = found.setdefault(number, [])
                for x, y in marks:
                    if abs(y - baseline) < 3:
                        row += [key for key, (a, b) in spans.items() if a < x < b]
    return found


def closed_check(o, close=True):
    """R1: one in use, one damaged, one unscanned; R2: one found in R1 (misplaced, not needed),
    one unscanned; and a code that is none of ours."""
    r1, r2 = o["n"]["R1"], o["n"]["R2"]
    check = stockcheck.open_stock_check(o["agency_head"], FY, ("insp1", "insp2", "insp3"),
                                        Scope(departments=["01"]), today=dt.date(2026, 9, 20))
    scan = lambda who, code, **kw: stockcheck.scan(o[who], check.id, code, today=DAY, **kw)  # noqa: E731
    scan("insp1", r1[0], location="R1")
    scan("insp2", r1[1], location="R1", condition="damaged", note="ขาโต๊ะหัก")
    scan("insp1", r2[0], location="R1", condition="not_needed")
    scan("insp3", "ZZ-0001", location="R2")
    stockcheck.explain(o["insp1"], check.id, r1[2], "ไม่พบในห้อง สอบถามผู้ใช้แล้วไม่ทราบ")
    stockcheck.explain(o["insp1"], check.id, "ZZ-0001", "ป้ายของโครงการเก่า")
    if close:
        stockcheck.close_check(o["insp1"], check.id, today=DAY)
    return check


def test_the_report_of_a_closed_check_says_what_the_committee_found(office, tmp_path):
    o = office
    r1, r2 = o["n"]["R1"], o["n"]["R2"]
    check = closed_check(o)
    data = report_data(check.id)
    assert not data.draft
    path = tmp_path / "report.pdf"
    assert render_report(path, data, AGENCY, "ทดสอบ auditor", PRINTED_AT) >= 1
    text = flat(all_text(path))
    for words in (
            "รายงานผลการตรวจสอบพัสดุประจำปี",
            "ส่วนราชการ เทศบาลทดสอบ ปีงบประมาณ 2569",
            "ระหว่างวันที่ 1 ตุลาคม 2568 – 30 กันยายน 2569",
            "ณ วันที่ 30 กันยายน 2569",
            "เริ่มตรวจสอบวันที่ 1 ตุลาคม 2569 กำหนดรายงานผลภายในวันที่ 16 พฤศจิกายน 2569",
            "ขอบเขตการตรวจสอบ หน่วยงาน สำนักปลัดเทศบาล",
            "1. สมชาย ใจดี ตำแหน่ง นักวิเคราะห์นโยบายและแผน ประธานกรรมการ",
            "2. สมหญิง รักงาน ตำแหน่ง นักวิเคราะห์นโยบายและแผน กรรมการ",
            "พัสดุที่ไม่พบ (สูญไป) 2 รายการ",
            "ไม่พบในห้อง สอบถามผู้ใช้แล้วไม่ทราบ",
            "พัสดุที่พบผิดสถานที่ 1 รายการ",
            "รายการที่พบแต่ไม่อยู่ในบัญชี 1 รายการ",
            "ป้ายของโครงการเก่า; ไม่ใช่หมายเลขครุภัณฑ์ในทะเบียน",
            "( สมชาย ใจดี )", "( สมหญิง รักงาน )", "( วิชัย มั่นคง )",
            "วันที่ 5 ตุลาคม 2569",
            "ขาโต๊ะหัก",
    ):
        assert words in text, words
    assert DRAFT not in text
    # the tick columns' headings, in the regulation's order (they wrap in their narrow columns)
    assert "ชำรุดเสื่อมสภาพสูญไปไม่จำเป็นต้องใช้ใช้งานได้วันที่ได้มา" in text.replace(" ", "")
    assert text.count("ประธานกรรมการ") == 2 and "ลงชื่อ" in text
    for number in (r1[2], r2[1]):       # the missing ones, in the table and the discrepancies
        assert text.count(number) == 2, number
    # the result list, one line per row: the ticks in the order damaged, deteriorated, lost,
    # not needed, in use
    rows = {r["code"]: r for r in data.rows}
    assert [r["result"] for r in data.rows if r["expected"]].count("missing") == 2
    ticks = {code: [k for k in ("damaged", "deteriorated", "lost", "not_needed", "in_use") if r[k]]
             for code, r in rows.items() if r["expected"]}
    assert ticks == {r1[0]: ["in_use"], r1[1]: ["damaged"], r1[2]: ["lost"], r2[0]: ["not_needed"],
                     r2[1]: ["lost"]}
    assert printed_ticks(path) == ticks
    summary = re.search(r"สรุปผลการตรวจสอบ [^\d]+ ([\d ]+)", text).group(1).split()
    assert summary[:10] == ["5", "3", "2", "1", "1", "0", "0", "1", "0", "1"]


def test_an_open_check_prints_as_a_draft_and_long_lists_repeat_their_heading(office, sample_asset, tmp_path):
    o = office
    for n in range(60):
        assets.register_asset(SYSTEM, {**sample_asset, "serial_no": f"X{n}", "location": "R2",
                                       "name": f"เก้าอี้สำนักงาน {n}"})
    check = closed_check(o, close=False)
    data = report_data(check.id)
    assert data.draft and data.closed_on is None
    path = tmp_path / "draft.pdf"
    pages = render_report(path, data, AGENCY, "ทดสอบ auditor", PRINTED_AT)
    assert pages == page_count(path) > 2
    for page in range(pages):
        text = flat(page_text(path, page))
        assert DRAFT in text and f"หน้า {page + 1}/{pages}" in text
    assert sum("ยี่ห้อ/รุ่น ชำรุด" in flat(page_text(path, p)) for p in range(pages)) >= 2
    assert "พัสดุที่ไม่พบ (สูญไป) 62 รายการ" in flat(all_text(path))


def test_an_agency_that_prints_thai_digits_gets_them_in_the_report(office, tmp_path):
    check = closed_check(office)
    path = tmp_path / "thai.pdf"
    pages = render_report(path, report_data(check.id), PaperSettings("เทศบาลทดสอบ", thai_digits=True),
                          "ทดสอบ auditor", PRINTED_AT)
    text = flat(all_text(path))
    for words in ("ปีงบประมาณ ๒๕๖๙", "ระหว่างวันที่ ๑ ตุลาคม ๒๕๖๘ – ๓๐ กันยายน ๒๕๖๙",
                  "กำหนดรายงานผลภายในวันที่ ๑๖ พฤศจิกายน ๒๕๖๙", "๒๕,๙๐๐.๐๐", f"หน้า ๑/{thai_digits(str(pages))}",
                  "พัสดุที่ไม่พบ (สูญไป) ๒ รายการ"):
        assert words in text, words
    assert "2569" not in text


def test_print_stockcheck_from_the_command_line(office, db_url, tmp_path, capsys):
    check = closed_check(office)
    out = tmp_path / "r.pdf"
    assert main(["--db", db_url, "print", "stockcheck", str(check.id), "-o", str(out), "--as", "auditor"]) == 0
    assert f"wrote the report of stock check {check.id} (FY2569, " in capsys.readouterr().out
    text = flat(all_text(out))
    assert "พิมพ์เมื่อ" in text and "โดย ทดสอบ auditor (auditor)" in text
    assert "หน้า 1/" in text


def test_export_stockcheck_as_open_data(office, db_url, tmp_path, capsys):
    o = office
    r1, r2 = o["n"]["R1"], o["n"]["R2"]
    check = closed_check(o)
    buf = io.BytesIO()
    assert opendata.export_stockcheck(buf, "json", check.id) == 6
    records = json.loads(buf.getvalue())
    assert list(records[0]) == list(opendata.STOCKCHECK_KEYS)
    by_code = {r["code"]: r for r in records}
    assert sorted(c for c, r in by_code.items() if r["status"] == "missing") == sorted([r1[2], r2[1]])
    assert by_code[r2[0]]["status"] == "misplaced" and by_code[r2[0]]["found_location"] == "R1"
    assert by_code[r2[0]]["expected_location"] == "R2" and by_code[r2[0]]["condition"] == "not_needed"
    assert by_code["ZZ-0001"]["status"] == "unexpected" and by_code["ZZ-0001"]["asset_no"] is None
    assert by_code[r1[1]]["scanned_by"] == "insp2" and by_code[r1[1]]["scanned_at"].endswith("Z")
    assert by_code[r1[0]]["price"] == "25900.00" and by_code[r1[0]]["acquired_on"] == "2024-03-15"
    assert by_code[r1[2]]["explanation"] == "ไม่พบในห้อง สอบถามผู้ใช้แล้วไม่ทราบ"

    out = tmp_path / "sc.csv"
    assert main(["--db", db_url, "export", "stockcheck", str(check.id), "-o", str(out)]) == 0
    assert "wrote 6 stock check rows" in capsys.readouterr().out
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == list(opendata.STOCKCHECK_COLUMNS)
    missing = [r for r in rows if r["status"] == "missing"]
    assert sorted(r["asset_no"] for r in missing) == sorted([r1[2], r2[1]])
    assert missing[0]["acquired_on_be"] == "15/3/2567"

    xlsx = tmp_path / "sc.xlsx"
    assert main(["--db", db_url, "export", "stockcheck", str(check.id), "-o", str(xlsx)]) == 0
    from openpyxl import load_workbook
    sheet = load_workbook(xlsx).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header == list(opendata.STOCKCHECK_COLUMNS) and sheet.max_row == 7

    assert main(["--db", db_url, "export", "stockcheck"]) == 1
    assert "export stockcheck ID" in capsys.readouterr().err
    assert main(["--db", db_url, "export", "assets", "7"]) == 1
    assert "only export stockcheck takes" in capsys.readouterr().err

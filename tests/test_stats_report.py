"""The printed service statistics carry the hand-counted figures of the year, in tables a
person can read and copy, with charts drawn from the same numbers; the open-data export
of the same statistics follows its dictionary."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pypdfium2 as pdfium

from assets_tui.cli import main
from forms import opendata
from forms.pdf import PaperSettings
from forms.stats_report import BLUE, RED, TITLE, render_stats_report
from models import stats
from models.accounts import SYSTEM
from tests.pdf_checks import all_text, page_count
from tests.test_stats import AS_OF, year  # noqa: F401 - the hand-counted year, a fixture

AGENCY = PaperSettings("เทศบาลทดสอบ")
PRINTED_AT = dt.datetime(2026, 1, 15, 9, 30)


def flat(text: str) -> str:
    return " ".join(text.split())


def _report(tmp_path, fiscal_year=2569, name="stats.pdf", settings=AGENCY):
    path = tmp_path / name
    pages = render_stats_report(path, stats.service_statistics(SYSTEM, fiscal_year, today=AS_OF),
                                settings, "tester", PRINTED_AT)
    assert pages == page_count(path)
    return path


def _pixels_of(path, colour) -> int:
    """How many pixels of the first page are (nearly) the given chart colour."""
    doc = pdfium.PdfDocument(str(path))
    try:
        image = doc[0].render(scale=1).to_pil().convert("RGB")
    finally:
        doc.close()
    r, g, b = (round(c * 255) for c in colour.rgb())
    data = image.tobytes()
    return sum(1 for x, y, z in zip(data[0::3], data[1::3], data[2::3], strict=True)
               if abs(x - r) <= 12 and abs(y - g) <= 12 and abs(z - b) <= 12)


def test_the_report_carries_the_hand_count(users, year, tmp_path):  # noqa: F811
    path = _report(tmp_path)
    text = flat(all_text(path))
    assert TITLE in text
    assert "ปีงบประมาณ 2569 (1 ตุลาคม 2568 - 30 กันยายน 2569) ข้อมูล ณ วันที่ 15 มกราคม 2569" in text
    # the year: 6 requests, 4 approved, 1 rejected, 1 on time, 2 late, 1 overdue,
    # 2 outside requests both approved, median 24 hours
    assert "6 4 1 1 2 1 2/2 24.0" in text
    # by month, October to January: requests 2 1 2 1; medians 48, 24, 120, 0 hours
    assert "คำขอ 2 1 2 1 0 0 0 0 0 0 0 0" in text
    assert "มัธยฐาน ชม. 48.0 24.0 120.0 0.0 - - - - - - - -" in text
    # by department: requested, approved, rejected, on time, late, overdue, outside, median
    assert "01 สำนักปลัดเทศบาล 4 2 1 1 1 0 0 24.0" in text
    assert "04 กองคลัง 2 2 0 0 1 1 2 72.0" in text
    assert "รวมทุกหน่วยงาน 6 4 1 1 2 1 2 24.0" in text
    # damage: 2 opened, 1 lost, 1 settled by paying 500 baht, 1 still open
    assert "รวมทุกหน่วยงาน 2 1 1 0 0 1 1 500.00" in text
    assert "ยังไม่มีการตรวจสอบพัสดุของปีงบประมาณนี้ในระบบ" in text


def test_charts_are_drawn_from_the_figures(users, year, tmp_path):  # noqa: F811
    counted = _report(tmp_path)
    empty = _report(tmp_path, 2571, "empty.pdf")
    assert "ยังไม่มีการตรวจสอบพัสดุ" in all_text(empty)
    # only the legend squares are coloured in a year without loans; bars add to them
    assert _pixels_of(counted, BLUE) > 3 * _pixels_of(empty, BLUE)
    assert _pixels_of(counted, RED) > _pixels_of(empty, RED)


def test_thai_digits_when_the_agency_prints_them(users, year, tmp_path):  # noqa: F811
    text = flat(all_text(_report(tmp_path, settings=PaperSettings("เทศบาลทดสอบ", thai_digits=True))))
    assert "๖ ๔ ๑ ๑ ๒ ๑ ๒/๒ ๒๔.๐" in text
    assert "ปีงบประมาณ ๒๕๖๙" in text


def test_print_and_export_stats_from_the_command_line(users, year, db_url, tmp_path,  # noqa: F811
                                                       capsys):
    target = tmp_path / "stats.pdf"
    assert main(["--db", db_url, "print", "stats", "--fiscal-year", "2569", "-o", str(target)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("wrote the service statistics of fiscal year 2569 on ")
    assert TITLE in all_text(target)

    data = tmp_path / "stats.json"
    assert main(["--db", db_url, "export", "stats", "--fiscal-year", "2569", "-o", str(data)]) == 0
    # 12 months, 5 month-and-department rows with loans, 2 departments, the year
    assert capsys.readouterr().out == f"wrote 20 rows of statistics to {data} (json)\n"
    rows = json.loads(data.read_text(encoding="utf-8"))
    assert isinstance(rows, list) and list(rows[-1]) == [f.name for f in opendata.DATASETS["stats"].fields]
    assert rows[-1]["level"] == "year" and rows[-1]["loans_requested"] == 6
    assert rows[-1]["damage_amount_paid"] == "500.00" and rows[-1]["median_decision_hours"] == "24.0"

    assert main(["--db", db_url, "export", "stats", "--fiscal-year", "2569", "--format", "csv"]) == 0
    lines = list(csv.DictReader(capsys.readouterr().out.lstrip("\ufeff").splitlines()))
    assert lines[-1]["loans_requested"] == "6" and lines[-1]["stockcheck_missing"] == "0"
    assert lines[0]["stockcheck_missing"] == ""

    assert main(["--db", db_url, "export", "assets", "--fiscal-year", "2569"]) == 1
    assert "--fiscal-year goes with export stats only." in capsys.readouterr().err

"""The ITA evidence pack: one folder, ready to publish on the agency's website, holding what
the integrity and transparency assessment asks about the use of government property, from
the product's own records, with an index page linking each document to the questions it
answers.

What goes in (for fiscal year FY):

- the current asset-use guideline and the summary of its acknowledgement by department
  (counts only: the public needs the proof, not staff names);
- the procedure flowchart, drawn from the approval routing the product enforces;
- the blank loan slip;
- the loan register of FY and the report of the annual stock check carried out in FY (the
  check of FY itself when there is one, else the check of FY-1, which is done in the
  first month of FY);
- the service statistics of FY as a PDF with charts and as CSV and JSON;
- the asset register, the loan register of FY and the stock check's results as open data
  (CSV and JSON), with the data dictionary as a page and as ``datapackage.json``
  (Frictionless Data) so the files can be validated against it;
- ``index.html``: plain Thai HTML, no script, no outside resources, relative links, so it
  works offline and on any web server.

Nothing personal beyond what the register must show: the loan data names the borrower
and their organisation, never an ID number, phone number or address.

The pack is written into a temporary folder beside the target and renamed into place at
the end, so a failure never leaves half a pack behind.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from models import guideline, stats
from models.accounts import SYSTEM
from models.errors import ValidationError
from models.loans import LoanFilter
from models.schema import StockCheck
from models.values import format_date_be, local_date

from . import opendata
from .flowchart import render_flowchart, routing
from .guideline_doc import render_acknowledgements, render_guideline
from .loan_register import loan_lines, render_loan_register
from .pdf import PaperSettings, paper_settings, thai_time
from .slip import blank_slip_data, render_slip
from .stats_report import render_stats_report
from .stockcheck_report import render_report, report_data

OPEN_DATA = "open-data"

# The questions of the assessment (DOMAIN.md, "Integrity and transparency (ITA) evidence").
QUESTIONS = {
    "private": "เจ้าหน้าที่นำทรัพย์สินของราชการไปใช้ประโยชน์ส่วนตัวหรือไม่",
    "easy": "ขั้นตอนการขอยืมทรัพย์สินของราชการสะดวกเพียงใด",
    "permission": "เจ้าหน้าที่ขออนุญาตยืมทรัพย์สินอย่างถูกต้องหรือไม่",
    "outsiders": "บุคคลภายนอกนำทรัพย์สินของราชการไปใช้โดยไม่ได้รับอนุญาตหรือไม่",
    "guideline": "เจ้าหน้าที่รู้แนวทางปฏิบัติการใช้ทรัพย์สินของราชการหรือไม่",
    "supervision": "หน่วยงานกำกับดูแลการใช้ทรัพย์สินของราชการหรือไม่",
    "publish": "การเผยแพร่แนวทางปฏิบัติ ทะเบียนการยืม และข้อมูลในรูปแบบที่เครื่องอ่านได้ (OIT)",
}


@dataclass
class PackItem:
    """One file of the pack and what it proves."""

    path: str            # relative to the pack, with / separators
    title: str
    explains: str
    answers: tuple[str, ...]
    kind: str            # PDF, CSV, JSON, HTML


@dataclass
class PackResult:
    directory: Path
    fiscal_year: int
    items: list[PackItem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)   # what could not be included, and why


def _refuse_occupied(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        what = "a file" if not directory.is_dir() else "a folder that is not empty"
        raise ValidationError("output", f"'{directory}' is {what}; the evidence pack goes into a new "
                                        "or empty folder, so nothing is mixed or overwritten.")


def _stock_check_for(fiscal_year: int) -> StockCheck | None:
    """The stock check to publish with FY: the latest of FY (closed ones first), else of
    FY-1 (counted in the first weeks of FY)."""
    for year in (fiscal_year, fiscal_year - 1):
        checks = list(StockCheck.select().where(StockCheck.fiscal_year == year)
                      .order_by(StockCheck.id.desc()))
        closed = [c for c in checks if c.status == "closed"]
        if closed or checks:
            return (closed or checks)[0]
    return None


class _Writer:
    def __init__(self, root: Path, result: PackResult):
        self.root = root
        self.result = result

    def add(self, path: str, title: str, explains: str, answers: tuple[str, ...],
            write: Callable[[Path], object]) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        write(target)
        kind = target.suffix.lstrip(".").upper()
        self.result.items.append(PackItem(path, title, explains, answers, kind))


def _binary(write: Callable[..., object], *args: object) -> Callable[[Path], object]:
    def run(target: Path) -> object:
        with open(target, "wb") as out:
            return write(out, *args)
    return run


def build_pack(directory: str | os.PathLike, fiscal_year: int, printed_by: str = "",
               printed_at: dt.datetime | None = None, today: dt.date | None = None,
               settings: PaperSettings | None = None) -> PackResult:
    """Write the evidence pack of ``fiscal_year`` (BE) into ``directory``, which must not
    exist yet or be empty."""
    directory = Path(directory)
    _refuse_occupied(directory)
    printed_at = printed_at or dt.datetime.now()
    today = today or printed_at.date()
    settings = settings or paper_settings()
    statistics = stats.service_statistics(SYSTEM, fiscal_year, today)
    parent = directory.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=parent))
    result = PackResult(directory, fiscal_year)
    try:
        _write(_Writer(staging, result), fiscal_year, statistics, settings, printed_by,
               printed_at, today)
        if directory.exists():
            directory.rmdir()  # empty, checked above
        # mkdtemp makes a private folder; the pack is for publishing, so it gets the
        # permissions an ordinary new folder would (0777 less the user's umask)
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)
        os.replace(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result.directory = directory
    return result


def _write(w: _Writer, fy: int, statistics: stats.ServiceStatistics, settings: PaperSettings,
           printed_by: str, printed_at: dt.datetime, today: dt.date) -> None:
    result = w.result
    pdf = {"settings": settings, "printed_by": printed_by, "printed_at": printed_at}

    version = guideline.current_version(today)
    if version is None:
        result.missing.append("แนวทางปฏิบัติการใช้ทรัพย์สินของราชการ: ยังไม่มีฉบับที่ลงนามและมีผลใช้บังคับ")
    else:
        w.add("01-guideline.pdf", f"{version.title} (ฉบับที่ {version.number})",
              f"ประกาศฉบับที่ใช้อยู่ มีผลตั้งแต่วันที่ {format_date_be(version.effective_on)} "
              f"ลงนามโดยหัวหน้าหน่วยงานเมื่อวันที่ {format_date_be(local_date(version.signed_off_at))}",
              ("guideline", "private", "publish"),
              lambda t: render_guideline(t, version, today=today, **pdf))
        report = guideline.acknowledgement_report(SYSTEM, version, today)
        w.add("02-guideline-acknowledgements.pdf", "สรุปผลการรับทราบแนวทางปฏิบัติ รายหน่วยงาน",
              f"บัญชีผู้ใช้ที่ใช้งานอยู่รับทราบแล้ว {report.acknowledged:,} จาก "
              f"{report.acknowledged + report.pending:,} บัญชี แยกตามหน่วยงาน (แสดงเฉพาะจำนวน) "
              "ทุกบัญชีต้องอ่านและรับทราบฉบับปัจจุบันเมื่อเข้าสู่ระบบ",
              ("guideline",), lambda t: render_acknowledgements(t, report, **pdf))

    w.add("03-flowchart.pdf", "แผนผังขั้นตอนการยืมทรัพย์สินของราชการ",
          "ขั้นตอนตั้งแต่ยื่นคำขอถึงการคืน ผู้อนุมัติแต่ละประเภทการยืม และการติดตามทวงคืน "
          "สร้างจากการกำหนดผู้อนุมัติในระบบ จึงตรงกับที่ระบบบังคับใช้จริง",
          ("easy", "permission", "outsiders"), lambda t: render_flowchart(t, routing(today), **pdf))
    w.add("04-loan-slip-blank.pdf", "แบบใบยืมพัสดุ (ฉบับว่าง)",
          "แบบคำขอยืมเป็นหนังสือ: วัตถุประสงค์ กำหนดส่งคืน คำรับรองของผู้ยืม และช่องลงนามผู้อนุมัติ",
          ("permission", "outsiders", "easy"), lambda t: render_slip(t, blank_slip_data(), **pdf))
    w.add(f"05-loan-register-{fy}.pdf", f"ทะเบียนการยืมทรัพย์สินของราชการ ปีงบประมาณ {fy}",
          "การยืมทุกรายการที่อนุมัติ: ผู้ยืม วัตถุประสงค์ สถานที่ใช้ ผู้อนุมัติ วันส่งมอบและวันคืน",
          ("private", "permission", "outsiders", "publish"),
          lambda t: render_loan_register(t, loan_lines(fy, today=today), fiscal_year=fy, **pdf))

    check = _stock_check_for(fy)
    if check is None:
        result.missing.append(f"รายงานผลการตรวจสอบพัสดุประจำปี: ยังไม่มีการตรวจสอบของปีงบประมาณ {fy} "
                              f"หรือ {fy - 1} ในระบบ")
    else:
        draft = " (ฉบับร่าง การตรวจนับยังไม่ปิด)" if check.status != "closed" else ""
        when = (f" ซึ่งตรวจนับเมื่อต้นปีงบประมาณ {fy} (ทรัพย์สิน ณ วันที่ 30 กันยายน {fy - 1})"
                if check.fiscal_year != fy else "")
        w.add(f"06-stockcheck-report-{check.fiscal_year}.pdf",
              f"รายงานผลการตรวจสอบพัสดุประจำปีงบประมาณ {check.fiscal_year}{draft}",
              f"ผลการตรวจนับพัสดุทุกรายการ{when} โดยคณะกรรมการที่ไม่ใช่เจ้าหน้าที่พัสดุ "
              "รายการชำรุด เสื่อมสภาพ สูญหาย และคำชี้แจง",
              ("supervision", "private"), lambda t: render_report(t, report_data(check.id), **pdf))

    w.add(f"07-statistics-{fy}.pdf", f"สถิติการให้บริการยืมทรัพย์สินของราชการ ปีงบประมาณ {fy}",
          "คำขอยืม การอนุมัติ การคืนตามกำหนดและเกินกำหนด เวลาพิจารณา (มัธยฐาน) ตามเดือนและหน่วยงาน "
          "ความเสียหายและการชดใช้ และผลการตรวจสอบพัสดุ พร้อมแผนภูมิ",
          ("easy", "supervision", "outsiders"),
          lambda t: render_stats_report(t, statistics, **pdf))
    for fmt in ("csv", "json"):
        w.add(f"{OPEN_DATA}/statistics-{fy}.{fmt}", f"สถิติการให้บริการ ปีงบประมาณ {fy} ({fmt.upper()})",
              "ตัวเลขชุดเดียวกับรายงานสถิติ ทุกเดือนและทุกหน่วยงาน", ("publish", "easy"),
              _binary(opendata.export_stats, fmt, statistics))

    resources = []
    for fmt in ("csv", "json"):
        path = f"{OPEN_DATA}/assets.{fmt}"
        w.add(path, f"ทะเบียนครุภัณฑ์ ({fmt.upper()})",
              "ครุภัณฑ์ทุกรายการ: หมายเลข รายการ หน่วยงาน สถานที่ สถานะ ราคา แหล่งเงิน",
              ("publish", "supervision"), _binary(opendata.export_assets, fmt))
        resources.append(("assets", fmt, f"assets.{fmt}"))
    for fmt in ("csv", "json"):
        w.add(f"{OPEN_DATA}/loans-{fy}.{fmt}", f"ทะเบียนการยืม ปีงบประมาณ {fy} ({fmt.upper()})",
              "คำขอยืมทุกรายการของปี ทั้งที่อนุมัติและไม่อนุมัติ พร้อมรายการครุภัณฑ์ "
              "(ไม่มีเลขประจำตัวประชาชน โทรศัพท์ หรือที่อยู่ของผู้ยืม)",
              ("publish", "outsiders", "permission"),
              _binary(opendata.export_loans, fmt, LoanFilter(fiscal_year=fy)))
        resources.append(("loans", fmt, f"loans-{fy}.{fmt}"))
    if check is not None:
        for fmt in ("csv", "json"):
            w.add(f"{OPEN_DATA}/stockcheck-{check.fiscal_year}.{fmt}",
                  f"ผลการตรวจสอบพัสดุ ปีงบประมาณ {check.fiscal_year} ({fmt.upper()})",
                  "ผลการตรวจนับรายรายการ", ("publish", "supervision"),
                  _binary(opendata.export_stockcheck, fmt, check.id))
            resources.append(("stockcheck", fmt, f"stockcheck-{check.fiscal_year}.{fmt}"))
    resources += [("stats", fmt, f"statistics-{fy}.{fmt}") for fmt in ("csv", "json")]

    package = opendata.datapackage(
        resources, title=f"ข้อมูลเปิด การใช้และการยืมทรัพย์สินของราชการ {settings.agency} "
                         f"ปีงบประมาณ {fy}".strip(),
        description="Open data of the asset register, the loan register, the stock check and "
                    "the service statistics, with their data dictionary (Table Schema).",
        base=w.root / OPEN_DATA)
    w.add(f"{OPEN_DATA}/datapackage.json", "คำอธิบายข้อมูลสำหรับโปรแกรม (datapackage.json)",
          "คำอธิบายข้อมูลแบบ Frictionless Data Package: ชื่อคอลัมน์ ชนิดข้อมูล และค่าที่เป็นไปได้ "
          "ใช้ตรวจสอบความถูกต้องของไฟล์ข้อมูลเปิดได้ด้วยเครื่องมือมาตรฐาน", ("publish",),
          lambda t: t.write_text(json.dumps(package, ensure_ascii=False, indent=1) + "\n",
                                 encoding="utf-8"))
    w.add(f"{OPEN_DATA}/data-dictionary.html", "คำอธิบายข้อมูล (data dictionary)",
          "ความหมายของทุกคอลัมน์ในไฟล์ข้อมูลเปิด", ("publish",),
          lambda t: t.write_text(dictionary_html(), encoding="utf-8"))

    w.add("index.html", "หน้ารวมหลักฐาน", "หน้านี้", (),
          lambda t: t.write_text(index_html(result, settings, printed_at, w.root), encoding="utf-8"))
    result.items.pop()  # the index lists the others, not itself


# ---- HTML -------------------------------------------------------------------------------

_STYLE = ("body{font-family:'Sarabun','TH Sarabun New',sans-serif;max-width:60em;margin:1em auto;"
          "padding:0 1em;line-height:1.6;color:#111}"
          "table{border-collapse:collapse;width:100%}th,td{border:1px solid #888;padding:.3em .5em;"
          "text-align:left;vertical-align:top}th{background:#eee}code{font-size:.95em}")


def _page(title: str, body: list[str]) -> str:
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="th">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
        "",
    ])


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024:,.0f} KB" if size >= 1024 else f"{size:,} ไบต์"


def index_html(result: PackResult, settings: PaperSettings, printed_at: dt.datetime,
               root: Path) -> str:
    """The index page: every file with what it shows and the questions of the assessment
    it answers, then each question with its files. ``root`` is where the files are."""
    e = html.escape
    fy = result.fiscal_year
    body = [f"<h1>หลักฐานการใช้และการยืมทรัพย์สินของราชการ ปีงบประมาณ {fy}</h1>",
            f"<p>{e(settings.agency)} จัดทำจากระบบทะเบียนทรัพย์สินเมื่อ {e(thai_time(printed_at))} "
            "เพื่อประกอบการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ (ITA) "
            "ทุกเอกสารสร้างจากข้อมูลที่บันทึกในระบบ ไม่ได้จัดทำขึ้นแยกต่างหาก</p>",
            "<p>ไม่มีข้อมูลส่วนบุคคลเกินกว่าที่ทะเบียนต้องแสดง: ไม่มีเลขประจำตัวประชาชน "
            "หมายเลขโทรศัพท์ หรือที่อยู่ของผู้ยืม</p>"]
    body.append("<h2>เอกสารและข้อมูล</h2>")
    body.append("<table>")
    body.append("<thead><tr><th scope=\"col\">เอกสาร</th><th scope=\"col\">คำอธิบาย</th>"
                "<th scope=\"col\">ตอบประเด็นการประเมิน</th></tr></thead>")
    body.append("<tbody>")
    for item in result.items:
        size = _size(root / item.path)
        answers = "".join(f"<li>{e(QUESTIONS[a])}</li>" for a in item.answers)
        body.append(f'<tr><td><a href="{e(item.path)}">{e(item.title)}</a><br>'
                    f"<small>{e(item.kind)} {e(size)}</small></td><td>{e(item.explains)}</td>"
                    f"<td><ul>{answers}</ul></td></tr>")
    body.append("</tbody></table>")
    if result.missing:
        body.append("<h2>ยังไม่มีในชุดนี้</h2><ul>")
        body += [f"<li>{e(m)}</li>" for m in result.missing]
        body.append("</ul>")
    body.append("<h2>ประเด็นการประเมินและหลักฐาน</h2><dl>")
    for key, question in QUESTIONS.items():
        files = [i for i in result.items if key in i.answers]
        if not files:
            continue
        links = ", ".join(f'<a href="{e(i.path)}">{e(i.title)}</a>' for i in files)
        body.append(f"<dt>{e(question)}</dt><dd>{links}</dd>")
    body.append("</dl>")
    body.append("<h2>ข้อมูลเปิด</h2>")
    body.append(f'<p>ไฟล์ CSV (UTF-8 มี BOM เปิดด้วย Excel ได้) และ JSON อยู่ในโฟลเดอร์ '
                f'<code>{OPEN_DATA}/</code> ความหมายของทุกคอลัมน์ดูได้ที่ '
                f'<a href="{OPEN_DATA}/data-dictionary.html">คำอธิบายข้อมูล</a> และสำหรับโปรแกรมที่ '
                f'<a href="{OPEN_DATA}/datapackage.json">datapackage.json</a> '
                "(Frictionless Data Package) วันที่เป็น ค.ศ. รูปแบบ YYYY-MM-DD "
                "และใน CSV มีคอลัมน์ _be เป็น พ.ศ.</p>")
    return _page(f"หลักฐาน ITA การใช้ทรัพย์สินของราชการ ปีงบประมาณ {fy}", body)


def dictionary_html() -> str:
    """The data dictionary as a page (the same source as docs/data-dictionary.md)."""
    e = html.escape
    body = ["<h1>คำอธิบายข้อมูลเปิด (data dictionary)</h1>",
            "<p>CSV เป็น UTF-8 มี BOM แถวแรกเป็นชื่อคอลัมน์; JSON เป็นรายการของออบเจ็กต์ที่มีคีย์เดียวกัน "
            "วันที่เป็น ค.ศ. YYYY-MM-DD และ CSV มีคอลัมน์ *_be เป็น พ.ศ. จำนวนเงินเป็นทศนิยมสองตำแหน่ง "
            "ช่องว่างหรือ null หมายถึงไม่มีค่า</p>",
            '<p><a href="../index.html">กลับหน้ารวมหลักฐาน</a> · '
            '<a href="datapackage.json">datapackage.json</a></p>']
    for d in opendata.DATASETS.values():
        body.append(f'<h2 id="{e(d.name)}">{e(d.name)}: {e(d.title)}</h2>')
        body.append(f"<p>{e(d.description)}</p>")
        body.append("<table><thead><tr><th scope=\"col\">คอลัมน์</th><th scope=\"col\">ชนิด</th>"
                    "<th scope=\"col\">ชื่อภาษาไทย</th><th scope=\"col\">ความหมาย</th>"
                    "<th scope=\"col\">ค่าที่เป็นไปได้</th><th scope=\"col\">อยู่ใน</th></tr></thead><tbody>")
        for f in d.fields:
            kind = f.type + (f" (JSON: {f.json_type})" if f.json_type else "")
            values = ", ".join(f.enum) + (f" รูปแบบ {f.pattern}" if f.pattern else "")
            where = {"": "CSV, JSON", "csv": "CSV", "json": "JSON"}[f.only]
            body.append(f"<tr><td><code>{e(f.name)}</code></td><td>{e(kind)}</td><td>{e(f.title)}</td>"
                        f"<td>{e(f.description)}</td><td>{e(values)}</td><td>{where}</td></tr>")
        body.append("</tbody></table>")
    return _page("คำอธิบายข้อมูลเปิด", body)

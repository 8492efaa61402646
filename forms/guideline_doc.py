"""The asset-use guideline (ประกาศแนวทางปฏิบัติการใช้ทรัพย์สินของราชการ) as a printed
announcement, and the summary of who has acknowledged it by department.

The announcement prints one version's Thai text (and its English rendering, if any, on
the pages after) with its number, effective date and the agency head's sign-off; a version
not yet signed off prints marked as a draft, so a draft can never pass for the rule.

The acknowledgement summary counts, per department, the active accounts that have and have
not acknowledged the version. With ``names`` it also lists them (for the administrator and
the heads chasing the rest); the published copy in the evidence pack carries the counts
only, since the public needs the proof, not the names of staff.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import BinaryIO

from reportlab.lib.units import mm

from models import guideline
from models.guideline import AcknowledgementReport
from models.schema import GuidelineVersion, Person, User
from models.values import local_date

from .pdf import FONT_BOLD, Column, Document, PaperSettings, draw_text

ACK_TITLE = "สรุปผลการรับทราบแนวทางปฏิบัติการใช้ทรัพย์สินของราชการ"


@dataclass
class Signer:
    name: str
    position: str
    on: dt.date | None


def _signer(user_id: int | None, at: dt.datetime | None) -> Signer | None:
    if not user_id:
        return None
    user = User.select(User, Person).join(Person).where(User.id == user_id).first()
    if user is None:
        return None
    return Signer(user.person.name, user.person.position, local_date(at))


def render_guideline(out: str | os.PathLike | BinaryIO, version: GuidelineVersion,
                     settings: PaperSettings | None = None, printed_by: str = "",
                     printed_at: dt.datetime | None = None, today: dt.date | None = None) -> int:
    """Write one version of the guideline as an announcement; returns the page count."""
    doc = Document(out, version.title, printed_by=printed_by, printed_at=printed_at,
                   settings=settings, reference=f"ฉบับที่ {version.number}", size=15,
                   line_factor=1.4, margins=(20 * mm, 20 * mm, 20 * mm, 30 * mm))
    state = guideline.version_state(version, today)
    if state == "draft":
        doc.heading("ร่าง (ยังไม่ได้รับการลงนาม ไม่มีผลบังคับใช้)", 13, "right")
    doc.heading(f"ประกาศ{doc.settings.agency}" if doc.settings.agency else "ประกาศ", 17)
    title = version.title.removeprefix("ประกาศ")
    doc.heading(f"เรื่อง {title}", 16)
    doc.paragraph(doc.digits(f"(ฉบับที่ {version.number})"), align="centre")
    doc.paragraph("-" * 20, align="centre", size=12)
    for paragraph in version.text_th.replace("\r", "").split("\n"):
        if paragraph.strip():
            doc.paragraph(paragraph.strip())
        else:
            doc.space(doc.leading() * 0.4)
    doc.space(3 * mm)
    doc.paragraph(f"ทั้งนี้ ตั้งแต่วันที่ {doc.date(version.effective_on)} เป็นต้นไป",
                  first_indent=25 * mm)
    signer = _signer(version.signed_off_by_id, version.signed_off_at)
    doc.space(2 * mm)
    if signer is not None:
        doc.paragraph(f"ประกาศ ณ วันที่ {doc.date(signer.on)}", first_indent=45 * mm)
    doc.ensure(doc.signature_height(lines=("position",)))
    width = 90 * mm
    height = doc.signature(doc.right - width, doc.y, width, "",
                           signer.name if signer else "", signer.position if signer else "",
                           lines=("position",))
    doc.space(height)
    if signer is not None:
        doc.paragraph(f"ลงนามในระบบโดย {signer.name} เมื่อวันที่ {doc.date(signer.on)}",
                      size=10, align="right")
    if version.text_en.strip():
        doc.new_page()
        doc.heading("English rendering (for information; the Thai text prevails)", 14)
        for paragraph in version.text_en.replace("\r", "").split("\n"):
            if paragraph.strip():
                doc.paragraph(paragraph.strip(), size=12)
    return doc.close()


def render_acknowledgements(out: str | os.PathLike | BinaryIO, report: AcknowledgementReport,
                            settings: PaperSettings | None = None, printed_by: str = "",
                            printed_at: dt.datetime | None = None, names: bool = False) -> int:
    """Write the acknowledgement summary by department; with ``names`` the list of who
    has and has not acknowledged follows. Returns the page count."""
    version = report.version
    doc = Document(out, ACK_TITLE, printed_by=printed_by, printed_at=printed_at, settings=settings,
                   reference=f"ฉบับที่ {version.number}", size=12)
    doc.heading(ACK_TITLE, 16)
    doc.paragraph(doc.digits(f"{version.title} ฉบับที่ {version.number}") +
                  f" มีผลตั้งแต่วันที่ {doc.date(version.effective_on)}", align="centre")
    total = report.acknowledged + report.pending
    share = f"{report.acknowledged * 100 / total:.1f}" if total else "-"
    doc.space(2 * mm)
    doc.paragraph(doc.digits(f"บัญชีผู้ใช้ที่ใช้งานอยู่ {total:,} บัญชี รับทราบแล้ว {report.acknowledged:,} "
                             f"บัญชี (ร้อยละ {share}) ยังไม่รับทราบ {report.pending:,} บัญชี"))

    def percent(done: int, of: int) -> str:
        return f"{done * 100 / of:.1f}" if of else "-"

    rows = [[f"{d.code} {d.name}".strip(), f"{d.total:,}", f"{len(d.acknowledged):,}",
             f"{len(d.pending):,}", percent(len(d.acknowledged), d.total)] for d in report.departments]
    rows.append(["รวม", f"{total:,}", f"{report.acknowledged:,}", f"{report.pending:,}",
                 percent(report.acknowledged, total)])
    doc.space(2 * mm)
    doc.table([Column("หน่วยงาน"), Column("บัญชีผู้ใช้", 24, "right"),
               Column("รับทราบแล้ว", 26, "right"), Column("ยังไม่รับทราบ", 28, "right"),
               Column("ร้อยละ\nที่รับทราบ", 26, "right")],
              [[doc.digits(c) for c in row] for row in rows])
    if names:
        doc.space(4 * mm)
        doc.heading("รายชื่อ", 14, "left")
        lines = []
        for d in report.departments:
            unit = f"{d.code} {d.name}".strip()
            for s in d.acknowledged:
                lines.append([unit, s.name, s.username, doc.date(local_date(s.acknowledged_at))])
            for s in d.pending:
                lines.append([unit, s.name, s.username, "ยังไม่รับทราบ"])
        doc.table([Column("หน่วยงาน", 55), Column("ชื่อ"), Column("ผู้ใช้", 28),
                   Column("รับทราบเมื่อ", 36)], lines)
    else:
        doc.space(3 * mm)
        draw_text(doc.canvas, doc.left, doc.y - 10, "ฉบับเผยแพร่แสดงเฉพาะจำนวน "
                  "รายชื่อบุคคลดูได้จากระบบโดยผู้มีสิทธิ์", FONT_BOLD, 10)
        doc.space(6 * mm)
    return doc.close()

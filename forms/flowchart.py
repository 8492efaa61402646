"""The procedure flowchart (แผนผังขั้นตอนการยืมทรัพย์สินของราชการ), drawn from the approval
routing the product enforces: who approves each kind of loan (the ``approver_*`` settings,
the agency head's delegates, the head of the supply unit) and the days within which an
overdue loan must be chased (``follow_up_days``). The routing is read through the same
functions the loan rules use (``models.loans.approver_role``, ``follow_up_days``), so a
change of setting changes the chart, and the published chart never says something the
product does not do.

One A4 page: request, the supply officer's check, the approver for each kind side by side,
the decision, hand-over, the due date with the follow-up loop, the return with its
condition, and the damage case, then notes on the rules behind them.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import BinaryIO

from reportlab.lib.units import mm

from models.accounts import role_label
from models.loans import KIND_NAMES, approver_role, follow_up_days
from models.org import get_setting
from models.schema import Person, User

from .pdf import FONT, FONT_BOLD, Document, PaperSettings, draw_text, wrap_text

TITLE = "แผนผังขั้นตอนการยืมทรัพย์สินของราชการ"
KINDS = ("inside", "outside", "agency")


@dataclass
class KindRoute:
    """Who approves one kind of loan."""

    kind: str
    name: str                # ยืมใช้ภายในสถานที่ ...
    role: str                # the approver_* setting: a role name
    approver: str            # the approver in words
    also: list[str] = field(default_factory=list)  # named people who may approve too


@dataclass
class Routing:
    """The approval routing as configured today."""

    kinds: list[KindRoute]
    follow_up_days: int
    as_of: dt.date


def _names(setting: str) -> list[str]:
    """The full names (and positions) of the accounts a setting lists by username."""
    usernames = [u.strip() for u in get_setting(setting).split(",") if u.strip()]
    if not usernames:
        return []
    found = {u.username: u for u in User.select(User, Person).join(Person)
             .where(User.username.in_(usernames) & (User.active == True))}  # noqa: E712
    out = []
    for username in usernames:
        user = found.get(username)
        if user is not None:
            person = user.person
            out.append(f"{person.name} ({person.position})" if person.position else person.name)
    return out


def _w(*parts: str) -> str:
    """Thai phrases, a space between each as Thai writes them (a line may break there)."""
    return " ".join(parts)


def approver_words(role: str) -> str:
    if role == "dept_head":
        return _w("หัวหน้าหน่วยงาน", "ที่ครอบครองพัสดุนั้น")
    return role_label(role, "th")


def routing(today: dt.date | None = None) -> Routing:
    """Read the routing from the settings through the loan rules' own functions."""
    kinds = []
    for kind in KINDS:
        role = approver_role(SimpleNamespace(kind=kind))
        if role == "dept_head":
            also = [f"หัวหน้าหน่วยพัสดุ {n}" for n in _names("supply_head")]
        else:
            also = [f"ผู้ได้รับมอบหมาย {n}" for n in _names("agency_head_delegates")]
        kinds.append(KindRoute(kind, KIND_NAMES[kind][0], role, approver_words(role), also))
    return Routing(kinds, follow_up_days(), today or dt.date.today())


# ---- drawing -----------------------------------------------------------------------------

SIZE = 9
HEAD = 9
PAD = 1.5 * mm


@dataclass
class _Box:
    x: float       # centre
    top: float
    width: float
    height: float
    shape: str = "box"   # box, end (rounded), decision (diamond)

    @property
    def bottom(self) -> float:
        return self.top - self.height

    @property
    def mid(self) -> float:
        return self.top - self.height / 2


class _Chart:
    def __init__(self, doc: Document):
        self.doc = doc
        self.c = doc.canvas

    def _lines(self, who: str, text: str, width: float) -> list[tuple[str, str]]:
        out = [(FONT_BOLD, line) for line in wrap_text(who, width, FONT_BOLD, HEAD)] if who else []
        out += [(FONT, line) for line in wrap_text(text, width, FONT, SIZE)]
        return out

    def box(self, x: float, top: float, width: float, who: str, text: str,
            shape: str = "box", min_height: float = 0) -> _Box:
        """A step: who does it in bold, then what, centred in a box (rounded for the ends)."""
        inner = width - 2 * PAD if shape != "decision" else width * 0.62
        lines = self._lines(who, text, inner)
        lead = SIZE * 1.35
        height = max(min_height, len(lines) * lead + 2 * PAD)
        if shape == "decision":
            height = max(min_height, len(lines) * lead + 7 * mm)
        b = _Box(x, top, width, height, shape)
        c = self.c
        c.saveState()
        c.setLineWidth(0.9)
        c.setFillGray(0.94 if shape != "box" else 1)
        left = x - width / 2
        if shape == "end":
            c.roundRect(left, b.bottom, width, height, 4 * mm, stroke=1, fill=1)
        elif shape == "decision":
            p = c.beginPath()
            p.moveTo(x, top)
            p.lineTo(x + width / 2, b.mid)
            p.lineTo(x, b.bottom)
            p.lineTo(x - width / 2, b.mid)
            p.close()
            c.drawPath(p, stroke=1, fill=1)
        else:
            c.rect(left, b.bottom, width, height, stroke=1, fill=0)
        c.restoreState()
        y = b.mid + len(lines) * lead / 2 - SIZE * 1.15  # room for marks above the line
        for font, line in lines:
            draw_text(c, x, y, line, font, SIZE, "centre")
            y -= lead
        return b

    def arrow(self, points: list[tuple[float, float]], label: str = "",
              label_at: int = 0) -> None:
        """A line through the points with an arrowhead at the last; ``label`` beside the
        segment starting at point ``label_at``."""
        c = self.c
        c.saveState()
        c.setLineWidth(0.8)
        p = c.beginPath()
        p.moveTo(*points[0])
        for pt in points[1:]:
            p.lineTo(*pt)
        c.drawPath(p, stroke=1, fill=0)
        (x1, y1), (x2, y2) = points[-2], points[-1]
        length = max(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5, 0.001)
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        head, half = 2.6 * mm, 1.1 * mm
        bx, by = x2 - ux * head, y2 - uy * head
        tri = c.beginPath()
        tri.moveTo(x2, y2)
        tri.lineTo(bx - uy * half, by + ux * half)
        tri.lineTo(bx + uy * half, by - ux * half)
        tri.close()
        c.setFillGray(0)
        c.drawPath(tri, stroke=0, fill=1)
        c.restoreState()
        if label:
            (ax, ay), (bx2, by2) = points[label_at], points[label_at + 1]
            if ay == by2:  # horizontal: above the line, near its start
                draw_text(c, ax + 1.5 * mm if bx2 > ax else ax - 1.5 * mm, ay + 1.2 * mm, label,
                          FONT_BOLD, 8.5, "left" if bx2 > ax else "right")
            else:          # vertical: beside the line
                draw_text(c, ax + 1.5 * mm, (ay + by2) / 2 - 3, label, FONT_BOLD, 8.5)

    def down(self, a: _Box, b: _Box, label: str = "") -> None:
        self.arrow([(a.x, a.bottom), (b.x, b.top)], label)


def _notes(r: Routing, digits=str) -> list[str]:
    days = digits(str(r.follow_up_days))
    notes = [
        "ผู้ขอยืมหรือผู้ได้ประโยชน์จากการยืมจะอนุมัติการยืมนั้นเองไม่ได้ ระบบไม่ยอมให้บันทึกการอนุมัติเช่นนั้น",
        "ยืมได้เฉพาะเพื่อใช้ในราชการ คำขอต้องระบุวัตถุประสงค์และวันส่งคืน และพัสดุหนึ่งรายการอยู่ในการยืมได้ครั้งละหนึ่งรายการยืมเท่านั้น",
        f"เมื่อครบกำหนดแล้วยังไม่ได้รับคืน ผู้อนุมัติหรือเจ้าหน้าที่พัสดุต้องติดตามทวงคืนภายใน {days} วัน"
        "นับแต่วันครบกำหนด และบันทึกการติดตามทุกครั้ง (พิมพ์หนังสือทวงคืนจากระบบได้)",
        "ทุกขั้นตอนบันทึกในทะเบียนการยืมและบันทึกการตรวจสอบ (audit log) ที่แก้ไขย้อนหลังไม่ได้",
    ]
    for route in r.kinds:
        if route.also:
            notes.append(f"{route.name}: นอกจาก{route.approver} ผู้อนุมัติได้อีก ได้แก่ "
                         + ", ".join(route.also))
    return notes


def render_flowchart(out: str | os.PathLike | BinaryIO, r: Routing,
                     settings: PaperSettings | None = None, printed_by: str = "",
                     printed_at: dt.datetime | None = None) -> int:
    """Write the flowchart as a one-page PDF; returns the number of pages."""
    doc = Document(out, TITLE, printed_by=printed_by, printed_at=printed_at, settings=settings,
                   margins=(16 * mm, 14 * mm, 16 * mm, 14 * mm), size=10)
    doc.heading(TITLE, 17)
    doc.paragraph(doc.digits(f"{doc.settings.agency} ตามระเบียบกระทรวงการคลังว่าด้วยการจัดซื้อจัดจ้างและการบริหาร"
                  f"พัสดุภาครัฐ พ.ศ. 2560 ข้อ 207-211 และการกำหนดผู้อนุมัติในระบบ ณ วันที่ "
                  ) + doc.date(r.as_of), size=9.5, align="centre")
    chart = _Chart(doc)
    side_w = 50 * mm
    side_x = doc.right - side_w / 2
    centre = doc.left + (doc.width - side_w - 8 * mm) / 2
    wide = 100 * mm
    diamond = 60 * mm
    gap = 5 * mm
    y = doc.y - 3 * mm

    start = chart.box(centre, y, wide, "ผู้ยืม (บุคคลภายนอก: เจ้าหน้าที่พัสดุบันทึกแทน)",
                      _w("ยื่นคำขอยืมเป็นหนังสือ (ใบยืมพัสดุ)", "ระบุวัตถุประสงค์", "เพื่อใช้ในราชการ",
                         "กำหนดวันยืม", "และวันส่งคืน"), "end")
    check = chart.box(centre, start.bottom - gap, wide, "เจ้าหน้าที่พัสดุ",
                      _w("ตรวจสอบว่าพัสดุให้ยืมได้", "และไม่ซ้อนกับการยืมอื่น", "ในช่วงเวลาเดียวกัน"))
    chart.down(start, check)
    kind = chart.box(centre, check.bottom - gap, diamond, "", "ประเภทของการยืม", "decision")
    chart.down(check, kind)

    # the approvers, side by side
    col_w = (doc.width - 2 * 5 * mm) / 3
    xs = [doc.left + col_w / 2 + i * (col_w + 5 * mm) for i in range(3)]
    top = kind.bottom - 8 * mm
    texts = [(route, f"ผู้อนุมัติ: {route.approver}"
              + ("".join(f" หรือ{a}" for a in route.also))) for route in r.kinds]
    heights = [chart._lines(route.name, t, col_w - 2 * PAD) for route, t in texts]
    tallest = max(len(h) for h in heights) * SIZE * 1.35 + 2 * PAD
    approvers = [chart.box(x, top, col_w, route.name, t, min_height=tallest)
                 for x, (route, t) in zip(xs, texts, strict=True)]
    split = kind.bottom - 4.5 * mm
    chart.c.saveState()
    chart.c.setLineWidth(0.8)
    chart.c.line(kind.x, kind.bottom, kind.x, split)
    chart.c.line(xs[0], split, xs[-1], split)
    chart.c.restoreState()
    for box in approvers:
        chart.arrow([(box.x, split), (box.x, box.top)])

    decide = chart.box(centre, approvers[0].bottom - 9 * mm, diamond, "", "พิจารณาอนุมัติ",
                       "decision")
    join = approvers[0].bottom - 5 * mm
    chart.c.saveState()
    chart.c.setLineWidth(0.8)
    for box in approvers:
        chart.c.line(box.x, box.bottom, box.x, join)
    chart.c.line(xs[0], join, xs[-1], join)
    chart.c.restoreState()
    chart.arrow([(centre, join), (centre, decide.top)])
    refused = chart.box(side_x, decide.mid + 7 * mm, side_w, "ไม่อนุมัติ",
                        _w("บันทึกเหตุผล", "และแจ้งผู้ขอยืม", "สิ้นสุดคำขอ"), "end")
    chart.arrow([(decide.x + decide.width / 2, decide.mid), (refused.x - side_w / 2, decide.mid)],
                "ไม่อนุมัติ")

    issue = chart.box(centre, decide.bottom - gap, wide, "เจ้าหน้าที่พัสดุ",
                      _w("ส่งมอบพัสดุเมื่อถึงวันเริ่มยืม", "สแกนบาร์โค้ดทีละรายการ",
                         "บันทึกในทะเบียนการยืม", "ผู้ยืมลงชื่อรับ"))
    chart.down(decide, issue, "อนุมัติ")
    due = chart.box(centre, issue.bottom - gap, diamond, "", "ส่งคืนภายในกำหนด?", "decision")
    chart.down(issue, due)
    chase = chart.box(side_x, due.mid + 9 * mm, side_w, "ผู้อนุมัติ / เจ้าหน้าที่พัสดุ",
                      _w(f"ติดตามทวงคืนภายใน {doc.digits(str(r.follow_up_days))} วัน", "นับแต่วันครบกำหนด",
                         "(หนังสือ โทรศัพท์ หรือไปพบ)", "บันทึกทุกครั้ง"))
    chart.arrow([(due.x + due.width / 2, due.mid), (chase.x - side_w / 2, due.mid)], "ไม่คืน")

    back = chart.box(centre, due.bottom - gap, wide, "เจ้าหน้าที่พัสดุ",
                     _w("รับคืนทีละรายการ", "ตรวจสภาพและบันทึก:", "ใช้การได้ ชำรุด หรือสูญหาย"))
    chart.down(due, back, "คืน")
    chart.arrow([(chase.x, chase.bottom), (chase.x, back.mid), (back.x + wide / 2, back.mid)])
    condition = chart.box(centre, back.bottom - gap, diamond, "", "สภาพเมื่อคืน", "decision")
    chart.down(back, condition)
    damage = chart.box(side_x, condition.mid + 8 * mm, side_w, "ผู้ยืม",
                       _w("ซ่อมแซมให้คงสภาพเดิม", "ชดใช้เป็นพัสดุอย่างเดียวกัน", "หรือชดใช้เป็นเงิน",
                          "ตามราคาขณะยืม", "เรื่องเปิดอยู่จนกว่าจะชดใช้"))
    chart.arrow([(condition.x + condition.width / 2, condition.mid),
                 (damage.x - side_w / 2, condition.mid)], "ชำรุด/สูญหาย")
    done = chart.box(centre, min(condition.bottom, damage.bottom) - gap, wide, "",
                     _w("ปิดการยืม", "พัสดุกลับเข้าทะเบียนพร้อมให้ยืม"), "end")
    chart.down(condition, done, "ใช้การได้")
    chart.arrow([(damage.x, damage.bottom), (damage.x, done.mid), (done.x + wide / 2, done.mid)])

    doc.y = done.bottom - 3 * mm
    size = 8
    draw_text(doc.canvas, doc.left, doc.y - size, "หมายเหตุ", FONT_BOLD, size)
    for n, note in enumerate(_notes(r, doc.digits), start=1):
        lines = wrap_text(note, doc.width - 16 * mm, FONT, size)
        for i, line in enumerate(lines):
            if i == 0:
                draw_text(doc.canvas, doc.left + 15 * mm, doc.y - size, doc.digits(f"{n}."), FONT,
                          size, "right")
            draw_text(doc.canvas, doc.left + 16 * mm, doc.y - size, line, FONT, size)
            doc.y -= size * 1.4
    return doc.close()


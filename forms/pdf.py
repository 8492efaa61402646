"""Thai PDF machinery shared by every printed document: the Sarabun font, shaped text
with a text layer that copies as the same Thai words, Code 128 barcodes as vector bars,
and a page frame (agency, title, print date and time, who printed, "หน้า 3/12") around
flowing content: paragraphs, form lines, tables whose header repeats on each page, tick
boxes and signature blocks.

Shaping. Without it a tone mark over an upper vowel lands on the vowel and vanishes
(ที่ prints as ที). HarfBuzz (``uharfbuzz``) positions the marks; reportlab draws the
shaped run. The shaped glyphs, though, include alternates that have no Unicode of their
own (reportlab gives them private-use codes), so each shaped run is wrapped in a marked
content span carrying ``/ActualText``: PDF viewers, pdftotext and PDFium copy, search and
extract the original Thai instead of the glyphs.

reportlab's own ``drawString(..., shaping=True)`` only shapes when its optional bidi
package is installed; ``shapeStr`` (what it calls) shapes without it, so it is used
directly.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, BinaryIO

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeStr
from reportlab.pdfgen.canvas import Canvas

from models.values import BE_OFFSET, THAI_MONTHS, format_date_be

from .thaitext import clusters, leads_syllable, thai_digits

FONT = "Sarabun"
FONT_BOLD = "Sarabun-Bold"
ELLIPSIS = "…"
ZWSP = "\u200b"  # a place where a line may break; never printed
NBSP = "\u00a0"  # a space where a line must not break; printed as a space

# Compressed streams as plain binary: ASCII85 on top only makes files bigger and slower.
rl_config.useA85 = 0

_fonts_lock = threading.Lock()
_fonts_ready = False


def register_fonts() -> None:
    """Register Sarabun regular and bold (from the fontpkg-sarabun package) once."""
    global _fonts_ready
    if _fonts_ready:
        return
    with _fonts_lock:
        if _fonts_ready:
            return
        import fontpkg

        pdfmetrics.registerFont(TTFont(FONT, str(fontpkg.path("Sarabun", 400))))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(fontpkg.path("Sarabun", 700))))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)
        _fonts_ready = True


# ---- shaped text -----------------------------------------------------------------------

def needs_shaping(text: str) -> bool:
    """Thai (and any other script with marks) needs HarfBuzz; plain Latin does not."""
    return any(ord(ch) >= 0x0300 for ch in text)


@lru_cache(maxsize=8192)
def shaped(text: str, font: str = FONT) -> str:
    """The run as reportlab draws it: a ``ShapedStr`` (glyphs with HarfBuzz positions) for
    Thai, the text itself otherwise. Positions are per 1000 units of the font size, so one
    shaping serves every size."""
    register_fonts()
    if not needs_shaping(text):
        return text
    return shapeStr(text, font, 10)


@lru_cache(maxsize=8192)
def _width_per_1000(text: str, font: str) -> float:
    run = shaped(text, font)
    if isinstance(run, ShapedStr):
        return float(sum(sd.x_advance for sd in run.__shapeData__))
    return pdfmetrics.stringWidth(text, font, 1000)


def text_width(text: str, font: str = FONT, size: float = 12) -> float:
    """Width in points of the text as printed (after shaping)."""
    text = text.replace(ZWSP, "").replace(NBSP, " ")
    return _width_per_1000(text, font) * size / 1000


def _utf16_hex(text: str) -> str:
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def draw_text(canvas: Canvas, x: float, y: float, text: str, font: str = FONT,
              size: float = 12, align: str = "left", invisible: bool = False) -> float:
    """Draw one line at baseline ``y``: ``align`` left (x is the start), right (x is the
    end) or centre. Thai is shaped and carries its original text for copying. Invisible
    text is only in the text layer. Returns the width drawn."""
    text = text.replace(ZWSP, "").replace(NBSP, " ")
    if not text:
        return 0.0
    register_fonts()
    run = shaped(text, font)
    width = text_width(text, font, size)
    if align == "right":
        x -= width
    elif align == "centre":
        x -= width / 2
    marked = isinstance(run, ShapedStr)
    if invisible:  # the render mode is graphics state: keep it inside q/Q
        canvas.saveState()
    if marked:
        canvas.addLiteral(f"/Span <</ActualText {_utf16_hex(text)}>> BDC")
    canvas.addLiteral(_text_code(canvas, run, text, font, size, invisible)
                      .replace(_AT_ORIGIN, f"BT 1 0 0 1 {x:.2f} {y:.2f} Tm", 1))
    if marked:
        canvas.addLiteral("EMC")
    if invisible:
        canvas.restoreState()
    return width


_AT_ORIGIN = "BT 1 0 0 1 0 0 Tm"


def _text_code(canvas: Canvas, run: str, text: str, font: str, size: float,
               invisible: bool) -> str:
    """The text object's operators for one run drawn at the origin. Encoding a run (glyph
    positions, font subset codes) costs more than anything else on a long register, and a
    run's encoding never changes within one document, so each canvas keeps its own."""
    cache = canvas.__dict__.setdefault("_assets_text_code", {})
    key = (text, font, size, invisible)
    code = cache.get(key)
    if code is None:
        obj = canvas.beginText(0, 0)
        obj.setFont(font, size)
        if invisible:
            obj.setTextRenderMode(3)
        obj.textOut(run)
        code = cache[key] = obj.getCode()
    return code


def fit_text(text: str, width: float, font: str = FONT, size: float = 12) -> str:
    """The text, or as much of it as fits in ``width`` followed by an ellipsis; cut between
    words where one ends close enough, else between letters (never inside a cluster of a
    consonant and its marks)."""
    text = " ".join(text.replace(ZWSP, " ").split())
    if text_width(text, font, size) <= width:
        return text
    pieces = clusters(text)
    room = width - text_width(ELLIPSIS, font, size)
    # Unshaped widths are a close first guess (Thai marks have no advance either way).
    lo, hi = 0, len(pieces)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pdfmetrics.stringWidth("".join(pieces[:mid]), font, size) <= room:
            lo = mid
        else:
            hi = mid - 1
    keep = lo
    while keep > 0 and text_width("".join(pieces[:keep]), font, size) > room:
        keep -= 1
    head = "".join(pieces[:keep])
    space = head.rfind(" ")
    if space > 0 and space >= len(head) * 0.6:
        head = head[:space]
    head = head.rstrip()
    return head + ELLIPSIS if head else ""


def wrap_text(text: str, width: float, font: str = FONT, size: float = 12,
              first_width: float | None = None) -> list[str]:
    """Lines no wider than ``width`` (the first no wider than ``first_width``). Lines break
    at spaces and at zero-width spaces; a word longer than a line is cut between
    clusters. Newlines in the text are kept."""
    lines: list[str] = []
    limit = width if first_width is None else first_width
    for paragraph in text.split("\n"):
        words = [w for w in paragraph.replace(ZWSP, " " + ZWSP).split(" ") if w]
        line = ""
        for word in words:
            joined_word = word.lstrip(ZWSP)
            glue = "" if word.startswith(ZWSP) else " "
            candidate = line + (glue if line else "") + joined_word
            if text_width(candidate, font, size) <= limit:
                line = candidate
                continue
            if line:
                lines.append(line)
                limit = width
                line = ""
            if text_width(joined_word, font, size) <= limit:
                line = joined_word
                continue
            if not lines and limit < width and text_width(joined_word, font, size) <= width:
                lines.append("")  # a short first line: start the word on the next one whole
                limit = width
                line = joined_word
                continue
            pieces = clusters(joined_word)  # a word wider than a line: cut it
            i = 0
            while i < len(pieces):
                j = i
                while j < len(pieces) and text_width(line + "".join(pieces[i:j + 1]), font,
                                                     size) <= limit:
                    j += 1
                if j == len(pieces):
                    line += "".join(pieces[i:])
                    break
                if j == i:
                    if line:
                        lines.append(line)
                        line, limit = "", width
                        continue
                    j = i + 1
                # rather before a vowel written ahead of its consonant (a syllable starts)
                for k in range(j, i + max(1, (j - i) * 6 // 10), -1):
                    if leads_syllable(pieces[k]):
                        j = k
                        break
                lines.append(line + "".join(pieces[i:j]))
                line, limit = "", width
                i = j
        lines.append(line)
        limit = width
    return lines


# ---- barcodes --------------------------------------------------------------------------

QUIET_MODULES = 10  # blank modules each side of a Code 128 symbol


class BarcodeError(ValueError):
    """A value Code 128 cannot carry."""


@lru_cache(maxsize=4096)
def code128_modules(value: str) -> str:
    """The Code 128 symbol of ``value`` as a string of modules, ``1`` for a bar (start,
    data, check character and stop; python-barcode picks the shortest code sets)."""
    import barcode
    from barcode.errors import BarcodeError as _Error

    if not value or any(not (32 <= ord(ch) < 127) for ch in value):
        raise BarcodeError(f"'{value}' cannot be a Code 128 barcode: only letters, digits "
                           "and ASCII signs can.")
    try:
        return barcode.get_barcode_class("code128")(value, writer=None).build()[0]
    except _Error as exc:  # pragma: no cover - guarded above
        raise BarcodeError(str(exc)) from None


def code128_width(value: str, module: float) -> float:
    """Width of the bars alone (without quiet zones) at ``module`` points per module."""
    return len(code128_modules(value)) * module


def draw_code128(canvas: Canvas, x: float, y: float, value: str, module: float,
                 height: float) -> float:
    """Draw the bars of ``value`` as filled rectangles from (x, y) up, in the current fill
    colour; returns their width. Leave ``QUIET_MODULES`` modules blank on either side."""
    modules = code128_modules(value)
    bars = []
    i, n = 0, len(modules)
    while i < n:
        if modules[i] == "1":
            j = modules.find("0", i)
            j = n if j < 0 else j
            bars.append(f"{x + i * module:.3f} {y:.3f} {(j - i) * module:.3f} {height:.3f} re")
            i = j
        else:
            i += 1
    # one path of rectangles, filled once: written directly, it is many times faster than
    # building it through reportlab's path object for a thousand labels
    canvas.addLiteral("\n".join(bars) + "\nf")
    return n * module


# ---- the agency's choices ------------------------------------------------------------------

@dataclass
class PaperSettings:
    agency: str = ""
    thai_digits: bool = False
    checkpoint: str = ""  # the audit log's checkpoint when printed (SEQ:HASH-HEAD), in the footer


def paper_settings() -> PaperSettings:
    """The agency name and the Thai-digits choice from the bound database's settings, and
    the audit log's checkpoint, so that a printed page can later prove the record it was
    printed from was not rewritten (``assets-tui verify --checkpoint``)."""
    from models.backup import current_checkpoint
    from models.org import get_setting

    return PaperSettings(agency=get_setting("agency_name"),
                         thai_digits=get_setting("thai_digits").strip() in ("1", "true", "yes"),
                         checkpoint=current_checkpoint().short)


def thai_time(moment: dt.datetime) -> str:
    """``28 พฤศจิกายน 2569 เวลา 14:05 น.``"""
    return (f"{moment.day} {THAI_MONTHS[moment.month - 1]} {moment.year + BE_OFFSET} "
            f"เวลา {moment:%H:%M} น.")


# ---- documents -------------------------------------------------------------------------

class _PagedCanvas(Canvas):
    """Holds every page until the end so each can be framed knowing the page count."""

    def __init__(self, *args: Any, frame: Callable[[Canvas, int, int], None] | None = None,
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict[str, Any]] = []
        self._frame = frame

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        # A page waits packed: a register of thousands of pages would otherwise hold every
        # page's drawing operators in memory at full size until the end.
        state = dict(self.__dict__)
        state["_code"] = zlib.compress("\n".join(self._code).encode("utf-8"), 1)
        self._held_pages.append(state)
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        held, self._held_pages = self._held_pages, []
        for i, state in enumerate(held):
            held[i] = None  # let each page go once it is written
            state["_code"] = [zlib.decompress(state["_code"]).decode("utf-8")]
            self.__dict__.update(state)
            if self._frame is not None:
                self._frame(self, self._pageNumber, total)
            Canvas.showPage(self)
        Canvas.save(self)


@dataclass
class Column:
    """A table column: heading, width in millimetres (``None`` shares what is left),
    alignment of its cells (left, right or centre)."""

    heading: str
    width: float | None = None
    align: str = "left"


@dataclass
class Document:
    """A printed document on A4 with the agency's page frame.

    Content flows down from ``y``; every drawing method moves ``y`` below what it drew
    and starts a new page when the content would not fit. The frame (agency name, title,
    print time and who printed it, "หน้า n/N") is drawn on every page at the end.
    """

    out: str | os.PathLike | BinaryIO
    title: str
    printed_by: str = ""
    printed_at: dt.datetime | None = None
    settings: PaperSettings | None = None
    reference: str = ""              # e.g. the slip number, shown beside the title on every page
    pagesize: tuple[float, float] = A4
    margins: tuple[float, float, float, float] = (18 * mm, 15 * mm, 18 * mm, 20 * mm)  # t r b l
    size: float = 13.0               # body text size in points
    line_factor: float = 1.45        # line pitch in sizes: Thai stacks marks above and below
    page_count: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        register_fonts()
        self.settings = self.settings or PaperSettings()
        self.printed_at = self.printed_at or dt.datetime.now()
        out = os.fspath(self.out) if isinstance(self.out, os.PathLike) else self.out
        self.canvas = _PagedCanvas(out, pagesize=self.pagesize, frame=self._draw_frame,
                                   pageCompression=1)
        self.canvas.setTitle(self.title + (f" {self.reference}" if self.reference else ""))
        self.canvas.setAuthor(self.settings.agency)
        self.canvas.setCreator("assets-tui")
        self.canvas.setSubject(self.title)
        top, right, bottom, left = self.margins
        self.left = left
        self.right = self.pagesize[0] - right
        self.top = self.pagesize[1] - top
        self.bottom = bottom
        self.width = self.right - self.left
        self.page_count = 1
        self.y = self.top

    # -- values as this agency prints them --

    def digits(self, text: str) -> str:
        """Digits as the agency prints them (Thai ๐-๙ when its setting says so)."""
        return thai_digits(text) if self.settings.thai_digits else text

    def date(self, value: dt.date | None) -> str:
        """``28 พฤศจิกายน 2569``, kept on one line."""
        return self.digits(format_date_be(value)).replace(" ", NBSP) if value else ""

    def money(self, amount: Decimal | None) -> str:
        return self.digits(f"{amount:,.2f}") if amount is not None else ""

    # -- pages --

    def new_page(self) -> None:
        self.canvas.showPage()
        self.page_count += 1
        self.y = self.top

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` points fit above the bottom margin."""
        if self.y - height < self.bottom and self.y < self.top:
            self.new_page()

    def space(self, height: float) -> None:
        self.y -= height

    def leading(self, size: float | None = None) -> float:
        """Line pitch for text of ``size`` points."""
        return (size or self.size) * self.line_factor

    def _draw_frame(self, canvas: Canvas, number: int, total: int) -> None:
        top = self.pagesize[1] - self.margins[0] + 5 * mm
        canvas.saveState()
        canvas.setFillGray(0.25)
        draw_text(canvas, self.left, top, self.settings.agency, FONT_BOLD, 9)
        head = self.title + (f"  {self.reference}" if self.reference else "")
        draw_text(canvas, self.right, top, head, FONT, 9, "right")
        canvas.setStrokeGray(0.6)
        canvas.setLineWidth(0.4)
        canvas.line(self.left, top - 2.2 * mm, self.right, top - 2.2 * mm)
        foot = self.bottom - 8 * mm
        canvas.line(self.left, foot + 4 * mm, self.right, foot + 4 * mm)
        printed = "พิมพ์เมื่อ " + self.digits(thai_time(self.printed_at))
        if self.printed_by:
            printed += f" โดย {self.printed_by}"
        draw_text(canvas, self.left, foot, printed, FONT, 8.5)
        draw_text(canvas, self.right, foot, self.digits(f"หน้า {number}/{total}"), FONT, 8.5,
                  "right")
        if self.settings.checkpoint:
            draw_text(canvas, self.left, foot - 3.6 * mm,
                      f"ตรวจสอบบันทึก: assets-tui verify --checkpoint {self.settings.checkpoint}", FONT, 7)
        canvas.restoreState()

    def close(self) -> int:
        """Finish the PDF; returns the number of pages."""
        self.canvas.showPage()
        self.canvas.save()
        return self.page_count

    # -- text --

    def text(self, x: float, y: float, text: str, font: str = FONT, size: float | None = None,
             align: str = "left") -> float:
        return draw_text(self.canvas, x, y, text, font, size or self.size, align)

    def heading(self, text: str, size: float = 18, align: str = "centre") -> None:
        lead = self.leading(size)
        self.ensure(lead)
        x = {"centre": (self.left + self.right) / 2, "right": self.right}.get(align, self.left)
        self.y -= size
        self.text(x, self.y, text, FONT_BOLD, size, align)
        self.y -= lead - size

    def paragraph(self, text: str, size: float | None = None, font: str = FONT,
                  indent: float = 0, first_indent: float = 0, align: str = "left") -> None:
        """Wrapped text from the current position; the first line may be indented more
        (Thai official letters indent each paragraph's first line)."""
        size = size or self.size
        lead = self.leading(size)
        width = self.width - indent
        lines = wrap_text(text, width, font, size, first_width=width - first_indent)
        for i, line in enumerate(lines):
            self.ensure(lead)
            x = self.left + indent + (first_indent if i == 0 else 0)
            self.y -= lead
            if align == "centre":
                self.text((self.left + self.right) / 2, self.y + lead - size, line, font, size, "centre")
            else:
                self.text(x, self.y + lead - size, line, font, size)

    def form_line(self, runs: Sequence[tuple[str, str] | tuple[str, str, float]],
                  size: float | None = None, indent: float = 0) -> None:
        """Lines of a paper form: labels in plain text, each followed by its value written
        in bold over a dotted rule, flowing onto further lines as needed. A run is
        ``(label, value)`` or ``(label, value, min_width_mm)``; a minimum width of 0 makes
        the value fill the rest of its line. ``indent`` moves the first line in."""
        size = size or self.size
        lead = self.leading(size)
        start = self.left
        full = self.right - start
        gap = size * 0.35

        def next_line() -> float:
            self.ensure(lead)
            self.y -= lead
            return self.y + lead - size

        baseline = next_line()
        x = start + indent
        for run in runs:
            label, value = run[0], run[1]
            fill = len(run) > 2 and run[2] == 0
            min_width = run[2] * mm if len(run) > 2 and run[2] else 0
            label_w = text_width(label, FONT, size) + gap if label else 0
            natural = text_width(value, FONT_BOLD, size) + 2 * gap
            want = max(natural, min_width)
            if x > start + indent and x + label_w + min(want, full - label_w) > self.right:
                x, baseline = start, next_line()
            if label:
                self.text(x, baseline, label, FONT, size)
                x += label_w
            room = self.right - x
            if natural <= room:
                parts = [value]
            else:
                parts = wrap_text(value, full - 2 * gap, FONT_BOLD, size, first_width=room - 2 * gap)
            for i, part in enumerate(parts):
                if i:
                    x, baseline = start, next_line()
                    room = full
                last = i == len(parts) - 1
                span = room if (fill or not last) else min(room, max(
                    want if len(parts) == 1 else 0, text_width(part, FONT_BOLD, size) + 2 * gap))
                self.dots(x, baseline - size * 0.22, span)
                if part:
                    self.text(x + gap, baseline, part, FONT_BOLD, size)
                x += span + gap

    def dots(self, x: float, y: float, width: float) -> None:
        """A dotted rule to write on."""
        c = self.canvas
        c.saveState()
        c.setStrokeGray(0.35)
        c.setLineWidth(0.5)
        c.setDash(0.6, 1.8)
        c.line(x, y, x + width, y)
        c.restoreState()

    # -- tick boxes --

    def checkbox(self, x: float, baseline: float, ticked: bool, label: str,
                 size: float | None = None) -> float:
        """A square box on the baseline, ticked or empty, then its label; returns the width."""
        size = size or self.size
        box = size * 0.72
        c = self.canvas
        c.saveState()
        c.setLineWidth(0.7)
        c.rect(x, baseline - size * 0.05, box, box, stroke=1, fill=0)
        if ticked:
            c.setLineWidth(1.4)
            c.setLineCap(1)
            c.setLineJoin(1)
            p = c.beginPath()
            p.moveTo(x + box * 0.18, baseline - size * 0.05 + box * 0.52)
            p.lineTo(x + box * 0.42, baseline - size * 0.05 + box * 0.2)
            p.lineTo(x + box * 0.9, baseline - size * 0.05 + box * 1.05)
            c.drawPath(p, stroke=1, fill=0)
        c.restoreState()
        # the text layer says which boxes are ticked, so a copied form still tells
        draw_text(c, x, baseline, "[/]" if ticked else "[ ]", FONT, size * 0.3, invisible=True)
        return box + size * 0.4 + draw_text(c, x + box + size * 0.4, baseline, label, FONT, size)

    # -- tables --

    def table(self, columns: Sequence[Column], rows: Iterable[Sequence[str]],
              size: float | None = None, heading_size: float | None = None) -> int:
        """A ruled table whose heading row repeats at the top of every page it runs onto.
        Cells wrap; a row never splits across pages. Returns the number of rows drawn."""
        size = size or self.size - 1
        heading_size = heading_size or size
        widths = self._column_widths(columns)
        pad = 1.6 * mm
        lead = self.leading(size)

        def cell_lines(values: Sequence[str], font: str, s: float) -> list[list[str]]:
            return [wrap_text(str(v), w - 2 * pad, font, s) for v, w in zip(values, widths, strict=True)]

        heading = cell_lines([c.heading for c in columns], FONT_BOLD, heading_size)
        heading_height = max(len(lines) for lines in heading) * self.leading(heading_size) + pad

        def draw_row(lines: list[list[str]], height: float, font: str, s: float, shade: bool) -> None:
            c = self.canvas
            top = self.y
            if shade:
                c.saveState()
                c.setFillGray(0.92)
                c.rect(self.left, top - height, sum(widths), height, stroke=0, fill=1)
                c.restoreState()
            x = self.left
            for col, cell, w in zip(columns, lines, widths, strict=True):
                base = top - pad / 2 - s * 1.1
                align = "centre" if shade else col.align
                for line in cell:
                    tx = {"right": x + w - pad, "centre": x + w / 2}.get(align, x + pad)
                    draw_text(c, tx, base, line, font, s, align)
                    base -= self.leading(s)
                x += w
            # the row's box and column rules as one path, written directly: on a register of
            # thousands of pages this is many times faster than a call per line
            bottom = top - height
            rules = [f"{self.left:.2f} {bottom:.2f} {sum(widths):.2f} {height:.2f} re"]
            x = self.left
            for w in widths[:-1]:
                x += w
                rules.append(f"{x:.2f} {top:.2f} m {x:.2f} {bottom:.2f} l")
            c.saveState()
            c.setLineWidth(0.5)
            c.addLiteral("\n".join(rules) + " S")
            c.restoreState()
            self.y -= height

        def draw_heading() -> None:
            draw_row(heading, heading_height, FONT_BOLD, heading_size, True)

        self.ensure(heading_height + lead + pad)
        draw_heading()
        count = 0
        for row in rows:
            lines = cell_lines(row, FONT, size)
            height = max(len(cell) for cell in lines) * lead + pad
            if self.y - height < self.bottom:
                self.new_page()
                draw_heading()
            draw_row(lines, height, FONT, size, False)
            count += 1
        return count

    def _column_widths(self, columns: Sequence[Column]) -> list[float]:
        fixed = sum(c.width * mm for c in columns if c.width is not None)
        flexible = [c for c in columns if c.width is None]
        share = (self.width - fixed) / len(flexible) if flexible else 0
        return [c.width * mm if c.width is not None else share for c in columns]

    # -- signatures --

    def signature_height(self, size: float | None = None,
                         lines: Sequence[str] = ("position", "date"), space: float = 1.6) -> float:
        return self.leading(size) * (space + 1 + len(lines)) + 2 * mm

    def signature(self, x: float, top: float, width: float, role: str, name: str = "",
                  position: str = "", day: str = "", size: float | None = None,
                  lines: Sequence[str] = ("position", "date"), space: float = 1.6) -> float:
        """A signature block centred in ``width``: the dotted line to sign on with the role
        after it, the name in brackets, then the ``lines`` asked for ("position", "date").
        Empty values leave dotted space to write in. ``space`` is the room above the line
        to sign in, in lines. Returns the block's height."""
        size = size or self.size
        lead = self.leading(size)
        centre = x + width / 2
        c = self.canvas
        gap = size * 0.35
        y = top - lead * space
        sign = "ลงชื่อ"
        label_w = text_width(sign, FONT, size)
        role_w = text_width(role, FONT, size)
        line_w = max(10 * mm, min(width - label_w - role_w - 6 * gap, 45 * mm))
        start = centre - (label_w + line_w + role_w + 2 * gap) / 2
        draw_text(c, start, y, sign, FONT, size)
        self.dots(start + label_w + gap, y - size * 0.22, line_w)
        draw_text(c, start + label_w + line_w + 2 * gap, y, role, FONT, size)
        y -= lead
        if name:
            draw_text(c, centre, y, f"( {name} )", FONT, size, "centre")
        else:
            blank = min(45 * mm, width - 12 * mm)
            draw_text(c, centre - blank / 2 - gap / 2, y, "(", FONT, size, "right")
            self.dots(centre - blank / 2, y - size * 0.22, blank)
            draw_text(c, centre + blank / 2 + gap / 2, y, ")", FONT, size)
        values = {"position": ("ตำแหน่ง", position), "date": ("วันที่", day)}
        for key in lines:
            label, value = values[key]
            y -= lead
            if value:
                draw_text(c, centre, y, f"{label} {value}", FONT, size, "centre")
            else:
                span = min(40 * mm, width - 20 * mm)
                label_w = text_width(label, FONT, size)
                left = centre - (label_w + span + gap) / 2
                draw_text(c, left, y, label, FONT, size)
                self.dots(left + label_w + gap, y - size * 0.22, span)
        return self.signature_height(size, lines, space)

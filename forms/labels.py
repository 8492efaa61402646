"""Asset labels (ป้ายครุภัณฑ์): a Code 128 barcode of the asset number drawn as vector bars,
the number under it, the asset's name shortened to fit, the agency's name and the fiscal
year the asset was acquired in, on label sheets or a label-printer roll.

Sheet and roll sizes are data (``label_templates.json``), not code; a partly used sheet
is printed on from a later position with ``start_at``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import BinaryIO

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from models.assets import AssetFilter, asset_query
from models.errors import ValidationError
from models.schema import Asset, Category, Location
from models.values import fiscal_year_of

from .pdf import (
    FONT,
    FONT_BOLD,
    QUIET_MODULES,
    BarcodeError,
    PaperSettings,
    code128_modules,
    draw_code128,
    draw_text,
    fit_text,
    register_fonts,
    text_width,
    wrap_text,
)
from .thaitext import thai_digits

DEFAULT_TEMPLATE = "a4-3x8"
MAX_MODULE = 0.33 * mm    # bars no wider than this: a label scanner's comfortable size
MIN_BARCODE = 4.0 * mm    # and never shorter than this
MIN_MODULE = 0.17 * mm    # narrower bars than this many scanners cannot read
QR_SHARE = 0.36           # at most this part of a label's width goes to its QR code


@dataclass(frozen=True)
class LabelTemplate:
    """One sheet (or roll) layout; lengths in millimetres as in the data file."""

    name: str
    description: str
    page: tuple[float, float]
    columns: int
    rows: int
    label: tuple[float, float]
    margin: tuple[float, float]
    pitch: tuple[float, float]
    padding: float
    text_pt: float
    name_lines: int = 1

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def box(self, position: int) -> tuple[float, float, float, float]:
        """(x, y, width, height) in points of the label at ``position`` (0 = top left,
        along the rows), measured from the page's bottom-left corner."""
        row, col = divmod(position, self.columns)
        x = (self.margin[0] + col * self.pitch[0]) * mm
        top = (self.page[1] - self.margin[1] - row * self.pitch[1]) * mm
        return x, top - self.label[1] * mm, self.label[0] * mm, self.label[1] * mm


@cache
def templates() -> dict[str, LabelTemplate]:
    """Every template of ``label_templates.json``, by name."""
    raw = json.loads(resources.files(__package__).joinpath("label_templates.json").read_text("utf-8"))
    out = {}
    for name, spec in raw.items():
        if name.startswith("_"):
            continue
        out[name] = LabelTemplate(
            name=name, description=spec["description"], page=tuple(spec["page"]),
            columns=int(spec["columns"]), rows=int(spec["rows"]), label=tuple(spec["label"]),
            margin=tuple(spec["margin"]), pitch=tuple(spec["pitch"]),
            padding=float(spec["padding"]), text_pt=float(spec["text_pt"]),
            name_lines=int(spec.get("name_lines", 1)))
    return out


def get_template(name: str | None) -> LabelTemplate:
    key = (name or DEFAULT_TEMPLATE).strip().lower().replace("×", "x").replace("_", "-")
    found = templates().get(key)
    if found is None:
        raise ValidationError("template", f"There is no label template '{name}': use one of "
                                          f"{', '.join(templates())}.")
    return found


# ---- what goes on a label ------------------------------------------------------------------

@dataclass(frozen=True)
class LabelData:
    asset_no: str
    name: str
    fiscal_year: int  # BE fiscal year of acquisition


def label_data(asset: Asset) -> LabelData:
    return LabelData(asset.asset_no, asset.name, fiscal_year_of(asset.acquired_on))


def select_assets(asset_nos: Sequence[str] = (), department: str | None = None,
                  location: str | None = None, category: str | None = None,
                  batch: int = 500) -> Iterator[Asset]:
    """The assets to label, streamed from the register: those named (in the order given)
    and/or those of a department, location or category (by asset number). Criteria
    combine: named assets outside a chosen department are left out. Disposed assets get
    no label."""
    from models import org

    if not (asset_nos or department or location or category):
        raise ValidationError("assets", "Choose what to label: name assets, or a department, "
                                        "location or category.")
    if department:
        org.get_department(department)
    if location and not Location.select().where(Location.code == location).exists():
        raise ValidationError("location", f"There is no location '{location}'.")
    if category and not Category.select().where(Category.code == category).exists():
        raise ValidationError("category", f"There is no category '{category}'.")
    f = AssetFilter(department=department, location=location, category=category)
    active = Asset.status != "disposed"
    if not asset_nos:
        yield from asset_query(f).where(active).iterator()
        return
    numbers = list(dict.fromkeys(n.strip() for n in asset_nos if n.strip()))
    for start in range(0, len(numbers), batch):
        chunk = numbers[start:start + batch]
        found = {a.asset_no: a for a in asset_query(f).where(Asset.asset_no.in_(chunk) & active)}
        if len(found) < len(chunk):
            status = dict(Asset.select(Asset.asset_no, Asset.status)
                          .where(Asset.asset_no.in_(chunk)).tuples())
            for number in chunk:
                if number not in status:
                    raise ValidationError("asset", f"There is no asset number '{number}'.")
                if status[number] == "disposed":
                    raise ValidationError("asset", f"Asset {number} is disposed: it has left the "
                                                   "register and gets no label.")
        yield from (found[n] for n in chunk if n in found)


# ---- drawing -------------------------------------------------------------------------------

@dataclass
class LabelRun:
    """What a print run produced."""

    labels: int = 0
    pages: int = 0
    template: str = ""
    without_barcode: list[str] = field(default_factory=list)  # numbers Code 128 cannot carry
    narrow_barcode: list[str] = field(default_factory=list)   # too long for the label's width


def _fit_size(text: str, font: str, size: float, width: float) -> float:
    """The largest size up to ``size`` at which ``text`` fits ``width``: numbers are shrunk,
    never cut."""
    w = text_width(text, font, size)
    if w <= width:
        return size
    return size * width / w * 0.999


def draw_qr(canvas: Canvas, x: float, y: float, side: float, value: str) -> None:
    """A QR code of ``value`` filling the square of ``side`` points at (x, y), as vector
    modules (low error correction keeps the modules large on a small label)."""
    widget = QrCodeWidget(value, barLevel="L", barBorder=0)
    x0, y0, x1, y1 = widget.getBounds()
    scale = side / max(x1 - x0, y1 - y0)
    drawing = Drawing(side, side, transform=[scale, 0, 0, scale, 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def draw_label(canvas: Canvas, x: float, y: float, template: LabelTemplate, data: LabelData,
               settings: PaperSettings, qr: bool = False) -> str:
    """One label with its bottom-left corner at (x, y). Returns "ok"; "none" when the
    number cannot be a barcode (the label then carries it in text only); "narrow" when the
    number is so long that its bars are thinner than many scanners read. With ``qr`` a QR
    code of the number takes a square at the label's right and the rest moves left."""
    pad = template.padding * mm
    left, right = x + pad, x + template.label[0] * mm - pad
    top, bottom = y + template.label[1] * mm - pad, y + pad
    if qr:
        side = min(top - bottom, (right - left) * QR_SHARE)
        draw_qr(canvas, right - side, bottom + (top - bottom - side) / 2, side, data.asset_no)
        right -= side + pad
    width = right - left
    centre = (left + right) / 2
    s = template.text_pt

    # top: agency, then the asset's name
    agency_size = s * 0.95
    cursor = top - agency_size * 1.02
    if settings.agency:
        draw_text(canvas, centre, cursor, fit_text(settings.agency, width, FONT_BOLD, agency_size),
                  FONT_BOLD, agency_size, "centre")
        cursor -= s * 1.42
    else:
        cursor = top - s * 1.05
    lines = wrap_text(" ".join(data.name.split()), width, FONT, s)
    keep = template.name_lines
    if len(lines) > keep:
        lines = lines[:keep - 1] + [fit_text(" ".join(lines[keep - 1:]), width, FONT, s)]
    for line in lines:
        draw_text(canvas, centre, cursor, fit_text(line, width, FONT, s), FONT, s, "centre")
        cursor -= s * 1.3
    name_bottom = cursor + s * 1.3 - s * 0.45  # lowest descender of the last name line

    # bottom: fiscal year, and the number above it
    year = f"ปีงบประมาณ {data.fiscal_year}"
    if settings.thai_digits:
        year = thai_digits(year)
    year_size = s * 0.9
    draw_text(canvas, centre, bottom + year_size * 0.3, fit_text(year, width, FONT, year_size),
              FONT, year_size, "centre")
    number_size = _fit_size(data.asset_no, FONT_BOLD, s * 1.2, width)
    number_base = bottom + year_size * 0.3 + year_size * 1.25
    draw_text(canvas, centre, number_base, data.asset_no, FONT_BOLD, number_size, "centre")

    # the barcode fills what is left between
    bars_bottom = number_base + number_size * 0.85
    bars_top = name_bottom - s * 0.25
    try:
        modules = len(code128_modules(data.asset_no))
    except BarcodeError:
        return "none"
    module = min(MAX_MODULE, width / (modules + 2 * QUIET_MODULES))
    height = max(MIN_BARCODE, min(bars_top - bars_bottom, modules * module * 0.45))
    bars_bottom += (bars_top - bars_bottom - height) / 2
    draw_code128(canvas, centre - modules * module / 2, bars_bottom, data.asset_no, module, height)
    return "narrow" if module < MIN_MODULE else "ok"


def render_labels(out: str | os.PathLike | BinaryIO, labels: Iterable[LabelData], template: LabelTemplate,
                  start_at: int = 1, settings: PaperSettings | None = None,
                  outline: bool = False, qr: bool = False) -> LabelRun:
    """Write the labels as a PDF, filling sheets along the rows from position ``start_at``
    (1 = top left) of the first sheet. ``outline`` draws each label's edge, for a trial on
    plain paper; ``qr`` adds a QR code of the number beside the barcode."""
    if not 1 <= start_at <= template.per_sheet:
        raise ValidationError("start_at", f"The start position must be between 1 and "
                                          f"{template.per_sheet} on the {template.name} template.")
    register_fonts()
    settings = settings or PaperSettings()
    canvas = Canvas(os.fspath(out) if isinstance(out, os.PathLike) else out, pagesize=(template.page[0] * mm, template.page[1] * mm), pageCompression=1)
    canvas.setTitle(f"ป้ายครุภัณฑ์ ({template.name})")
    canvas.setAuthor(settings.agency)
    canvas.setCreator("assets-tui")
    run = LabelRun(template=template.name)
    position = start_at - 1
    for data in labels:
        if position == template.per_sheet:
            canvas.showPage()
            run.pages += 1
            position = 0
        x, y, w, h = template.box(position)
        if outline:
            canvas.saveState()
            canvas.setStrokeGray(0.75)
            canvas.setLineWidth(0.3)
            canvas.roundRect(x, y, w, h, 1.5 * mm, stroke=1, fill=0)
            canvas.restoreState()
        drawn = draw_label(canvas, x, y, template, data, settings, qr)
        if drawn == "none":
            run.without_barcode.append(data.asset_no)
        elif drawn == "narrow":
            run.narrow_barcode.append(data.asset_no)
        run.labels += 1
        position += 1
    if run.labels:
        canvas.showPage()
        run.pages += 1
    canvas.save()
    return run

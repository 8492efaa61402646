"""The printed documents as one catalogue, for a screen that lets people pick one: what
each needs to be told, how much it will print (before printing), and writing it.

Each document is written by its own module; this only gives them one shape so the app's
print screen needs no knowledge of any of them. Nothing here records anything: printing
only reads the register.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from models.errors import ValidationError
from models.values import BIDI_CONTROLS

from .pdf import paper_settings

# What a document may need: the fields of the print screen.
FISCAL_YEAR = "fiscal_year"
DEPARTMENT = "department"
CATEGORY = "category"
LOCATION = "location"
ASSETS = "assets"
ASSET = "asset"
LOAN = "loan"
CHECK = "check"
TEMPLATE = "template"
START_AT = "start_at"
QR = "qr"

SAFE_NAME = re.compile(r"[^\w.\-]+")


@dataclass
class Choice:
    """What the person chose on the print screen; only the fields the document needs are read."""

    fiscal_year: int | None = None
    department: str | None = None
    category: str | None = None
    location: str | None = None
    assets: list[str] = field(default_factory=list)
    asset: str = ""
    loan: str = ""
    check: str = ""
    template: str | None = None
    start_at: int = 1
    qr: bool = False


@dataclass(frozen=True)
class Preview:
    """How much a document will print: ``count`` things (``unit``: labels, assets, loans,
    items, events, results) and, where it is known beforehand, ``pages``; ``note`` names the
    subject (a borrower, a loan) when there is one."""

    count: int
    unit: str
    pages: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Written:
    pages: int
    count: int
    unit: str


@dataclass(frozen=True)
class Kind:
    key: str
    title_th: str
    title_en: str
    needs: tuple[str, ...]
    required: tuple[str, ...]
    preview: Callable[[Choice], Preview]
    write: Callable[[Choice, BinaryIO, str, dt.datetime], Written]

    def title(self, lang: str) -> str:
        return self.title_th if lang == "th" else self.title_en


def _need(choice: Choice, kind: Kind) -> None:
    """One sentence naming the first field the document needs and was not given."""
    words = {FISCAL_YEAR: "Give the fiscal year (Buddhist Era, e.g. 2569).",
             ASSET: "Give the asset's number.", LOAN: "Give the loan's number.",
             CHECK: "Give the stock check's number."}
    for name in kind.required:
        if not getattr(choice, name):
            raise ValidationError(name, words[name])
    if kind.key == "labels" and not (choice.assets or choice.department or choice.location
                                      or choice.category):
        raise ValidationError("assets", "Choose what to label: name assets, or a department, "
                                        "location or category.")


# ---- labels --------------------------------------------------------------------------------

def _label_query(choice: Choice):
    from . import labels

    return labels.select_assets(choice.assets, department=choice.department,
                                location=choice.location, category=choice.category)


def _labels_preview(choice: Choice) -> Preview:
    from . import labels

    template = labels.get_template(choice.template)
    _check_start(choice, template)
    count = _label_count(choice)
    used = choice.start_at - 1 + count
    sheets = -(-used // template.per_sheet) if count else 0
    return Preview(count, "labels", sheets)


def _label_count(choice: Choice) -> int:
    """How many labels the choice prints, checked as printing checks it. Named assets are
    read as printing reads them (only as many as were named); the assets of a department,
    location or category are counted by the database without reading them, so the count
    comes at once however large the register."""
    from models import org
    from models.assets import AssetFilter, count_assets
    from models.schema import Category, Location

    if choice.assets:
        return sum(1 for _ in _label_query(choice))
    if choice.department:
        org.get_department(choice.department)
    if choice.location and not Location.select().where(Location.code == choice.location).exists():
        raise ValidationError("location", f"There is no location '{choice.location}'.")
    if choice.category and not Category.select().where(Category.code == choice.category).exists():
        raise ValidationError("category", f"There is no category '{choice.category}'.")
    # disposed assets get no label, and the register leaves them out unless asked
    return count_assets(AssetFilter(department=choice.department, location=choice.location,
                                    category=choice.category))


def _check_start(choice: Choice, template) -> None:
    if not 1 <= choice.start_at <= template.per_sheet:
        raise ValidationError("start_at", f"The start position must be between 1 and "
                                          f"{template.per_sheet} on the {template.name} template.")


def _labels_write(choice: Choice, out: BinaryIO, printed_by: str, at: dt.datetime) -> Written:
    from . import labels

    template = labels.get_template(choice.template)
    _check_start(choice, template)
    run = labels.render_labels(out, (labels.label_data(a) for a in _label_query(choice)), template,
                               start_at=choice.start_at, settings=paper_settings(), qr=choice.qr)
    if run.labels == 0:
        raise ValidationError("assets", "No asset matches: there is nothing to label.")
    return Written(run.pages, run.labels, "labels")


# ---- registers -----------------------------------------------------------------------------

def _words_of(choice: Choice) -> tuple[str, str]:
    """The department and category as the register's title names them."""
    from models.org import find_category, find_department

    department = category = ""
    if choice.department:
        d = find_department(choice.department)
        department = f"{d.code} {d.name}"
    if choice.category:
        c = find_category(choice.category)
        category = f"{c.code} ครุภัณฑ์{c.name}"
    return department, category


def _register_preview(choice: Choice) -> Preview:
    from models.depreciation import register_assets

    _words_of(choice)
    return Preview(register_assets(choice.fiscal_year, choice.department, choice.category).count(),
                   "assets")


def _register_write(choice: Choice, out: BinaryIO, printed_by: str, at: dt.datetime) -> Written:
    from .register import register_cards, render_register

    department, category = _words_of(choice)
    run = render_register(out, register_cards(choice.fiscal_year, choice.department, choice.category),
                          choice.fiscal_year, paper_settings(), printed_by, at, department, category)
    return Written(run.pages, run.assets, "assets")


def _summary_write(choice: Choice, out: BinaryIO, printed_by: str, at: dt.datetime) -> Written:
    from models.depreciation import register_summary

    from .register import render_summary

    department, category = _words_of(choice)
    run = render_summary(out, register_summary(choice.fiscal_year, choice.department, choice.category),
                         paper_settings(), printed_by, at, department, category)
    return Written(run.pages, run.assets, "assets")


def _loan_register_preview(choice: Choice) -> Preview:
    from models.loans import LoanFilter, loan_query

    from .loan_register import REGISTERED

    _words_of(choice)
    query = loan_query(LoanFilter(fiscal_year=choice.fiscal_year, department=choice.department,
                                  statuses=list(REGISTERED)))
    return Preview(query.count(), "loans")


def _loan_register_write(choice: Choice, out: BinaryIO, printed_by: str,
                         at: dt.datetime) -> Written:
    from .loan_register import loan_lines, render_loan_register

    department, _ = _words_of(choice)
    run = render_loan_register(out, loan_lines(choice.fiscal_year, choice.department),
                               paper_settings(), printed_by, at, choice.fiscal_year, department)
    return Written(run.pages, run.loans, "loans")


# ---- one loan, one asset, one check --------------------------------------------------------

def _slip_preview(choice: Choice) -> Preview:
    from .slip import slip_data

    data = slip_data(choice.loan.strip())
    return Preview(len(data.items), "items", note=f"{data.loan_no} {data.borrower.name}")


def _slip_write(choice: Choice, out: BinaryIO, printed_by: str, at: dt.datetime) -> Written:
    from .slip import render_slip, slip_data

    data = slip_data(choice.loan.strip())
    pages = render_slip(out, data, paper_settings(), printed_by=printed_by, printed_at=at)
    return Written(pages, len(data.items), "items")


def _letter_preview(choice: Choice) -> Preview:
    from .letters import overdue_letter_data

    data = overdue_letter_data(choice.loan.strip())
    return Preview(len(data.items), "items", note=data.borrower)


def _letter_write(choice: Choice, out: BinaryIO, printed_by: str, at: dt.datetime) -> Written:
    from .letters import overdue_letter_data, render_overdue_letter

    data = overdue_letter_data(choice.loan.strip())
    pages = render_overdue_letter(out, data, paper_settings(), printed_by, at)
    return Written(pages, len(data.items), "items")


def _history_preview(choice: Choice) -> Preview:
    from .history_card import history_card

    card = history_card(choice.asset.strip())
    return Preview(len(card.lines), "events", note=card.asset_no)


def _history_write(choice: Choice, out: BinaryIO, printed_by: str, at: dt.datetime) -> Written:
    from .history_card import history_card, render_history_card

    card = history_card(choice.asset.strip())
    pages = render_history_card(out, card, paper_settings(), printed_by, at)
    return Written(pages, len(card.lines), "events")


def _stockcheck_preview(choice: Choice) -> Preview:
    from .stockcheck_report import report_data

    data = report_data(choice.check.strip())
    return Preview(len(data.rows), "results", note=f"FY{data.fiscal_year}")


def _stockcheck_write(choice: Choice, out: BinaryIO, printed_by: str, at: dt.datetime) -> Written:
    from .stockcheck_report import render_report, report_data

    data = report_data(choice.check.strip())
    pages = render_report(out, data, paper_settings(), printed_by=printed_by, printed_at=at)
    return Written(pages, len(data.rows), "results")


KINDS: tuple[Kind, ...] = (
    Kind("labels", "ป้ายครุภัณฑ์", "Asset labels",
         (ASSETS, DEPARTMENT, LOCATION, CATEGORY, TEMPLATE, START_AT, QR), (),
         _labels_preview, _labels_write),
    Kind("register", "ทะเบียนคุมทรัพย์สิน", "Asset register", (FISCAL_YEAR, DEPARTMENT, CATEGORY),
         (FISCAL_YEAR,), _register_preview, _register_write),
    Kind("summary", "ทะเบียนคุมทรัพย์สิน (สรุป)", "Summary register",
         (FISCAL_YEAR, DEPARTMENT, CATEGORY), (FISCAL_YEAR,), _register_preview, _summary_write),
    Kind("loan-register", "ทะเบียนการยืมทรัพย์สิน", "Loan register", (FISCAL_YEAR, DEPARTMENT), (),
         _loan_register_preview, _loan_register_write),
    Kind("slip", "ใบยืมพัสดุ", "Loan slip", (LOAN,), (LOAN,), _slip_preview, _slip_write),
    Kind("overdue-letter", "หนังสือทวงคืน", "Follow-up letter", (LOAN,), (LOAN,), _letter_preview,
         _letter_write),
    Kind("history", "บัตรประวัติครุภัณฑ์", "Asset history card", (ASSET,), (ASSET,),
         _history_preview, _history_write),
    Kind("stockcheck", "รายงานผลการตรวจสอบพัสดุประจำปี", "Stock check report", (CHECK,), (CHECK,),
         _stockcheck_preview, _stockcheck_write),
)


def get_kind(key: str) -> Kind:
    for kind in KINDS:
        if kind.key == key:
            return kind
    raise ValidationError("document", f"There is no printed document '{key}'.")


def preview(key: str, choice: Choice) -> Preview:
    """How much the document will print, checking the choice as writing would."""
    kind = get_kind(key)
    _need(choice, kind)
    return kind.preview(choice)


def file_name(key: str, choice: Choice, at: dt.datetime) -> str:
    """A file name that says what the PDF holds, e.g. ``register-2569-01-20261128-1605.pdf``."""
    parts = [key]
    kind = get_kind(key)
    for name in (FISCAL_YEAR, DEPARTMENT, CATEGORY, LOCATION, ASSET, LOAN, CHECK):
        value = getattr(choice, name)
        if name in kind.needs and value:
            parts.append(str(value))
    parts.append(at.strftime("%Y%m%d-%H%M"))
    return SAFE_NAME.sub("_", "-".join(parts)) + ".pdf"


def output_path(folder: str | os.PathLike, name: str) -> str:
    """The file ``name`` inside ``folder``: a plain file name, never a path that leaves it."""
    name = name.strip()
    if any(ch in BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs") for ch in name):
        raise ValidationError("file", "The file name contains a control character or an invisible "
                                      "direction mark: type a plain name, e.g. register-2569.pdf.")
    if not name or name in (".", "..") or os.sep in name or (os.altsep and os.altsep in name) \
            or name.startswith("."):
        raise ValidationError("file", f"'{name}' is not a file name: give a name without folders, "
                                      "e.g. register-2569.pdf.")
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return os.path.join(os.fspath(folder), name)


def write(key: str, choice: Choice, path: str | os.PathLike, printed_by: str,
          at: dt.datetime | None = None) -> Written:
    """Write the document to ``path`` (beside it first, then renamed: a failure never leaves
    half a PDF)."""
    kind = get_kind(key)
    _need(choice, kind)
    at = at or dt.datetime.now()
    target = os.fspath(path)
    partial = target + ".part"
    try:
        with open(partial, "wb") as out:
            written = kind.write(choice, out, printed_by, at)
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return written

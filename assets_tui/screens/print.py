"""The print screen: pick a document, say what it covers (a fiscal year, a department, a
loan…) and the label sheet, see how much will print, then write the PDF into a folder
and, where CUPS is installed, send it to a printer. The documents themselves come from
``forms.documents``; printing reads the register and records nothing."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass

import peewee
from platformdirs import user_documents_dir
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, Static

from forms import documents
from forms.labels import DEFAULT_TEMPLATE, templates
from models import org
from models.db import db
from models.errors import DomainError, ValidationError
from models.schema import Person
from models.values import fiscal_year_of

from ..domain_th import error_text
from ..i18n import language, t
from ..printing import PrinterError, printing_available, send_to_printer
from ..widgets import SectionBar
from .base import AppScreen

PREVIEW_DELAY = 0.3  # seconds of quiet typing before the count is redone
CHOICE_FIELDS = ("fiscal_year", "department", "category", "location", "assets", "asset", "loan",
                 "check", "template", "start_at", "qr")


def _row(name: str, label: str, widget: Widget) -> ComposeResult:
    with Horizontal(classes="form-row", id=f"row-{name}"):
        yield Label(label, classes="form-label")
        yield widget
    yield Static("", id=f"error-{name}", classes="field-error", markup=False)


@dataclass
class Outcome(Message):
    """A preview counted or a document written, in the background; ``error`` when refused."""

    serial: int
    preview: documents.Preview | None = None
    written: documents.Written | None = None
    path: str = ""
    sent: str = ""
    error: BaseException | None = None


class PrintScreen(AppScreen[None]):
    BINDINGS = [
        Binding("ctrl+s", "write", "bind.write_pdf", tooltip="bind.write_pdf.tip", id="print.write"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._serial = 0          # the latest preview asked for; older answers are dropped
        self._timer: Timer | None = None
        self._named_by_hand = False

    # ---- building the form -----------------------------------------------------------

    def compose(self) -> ComposeResult:
        lang = language()
        kinds = [(kind.title(lang), kind.key) for kind in documents.KINDS]
        everything = t("print.all")
        departments = [(f"{d.code} {d.name}", d.code) for d in org.departments()]
        categories = [(f"{c.code} {c.name}", c.code) for c in org.categories()]
        locations = [(f"{x.code} {x.name}", x.code) for x in org.locations()]
        sheets = [(f"{name} · {tpl.description}", name) for name, tpl in templates().items()]
        year = fiscal_year_of(dt.date.today())
        yield SectionBar()
        with Vertical(id="print-form"):
            yield Static(t("print.title"), id="form-title")
            with VerticalScroll(id="form-fields"):
                yield from _row("document", t("print.document"), Select(
                    kinds, id="field-document", compact=True, allow_blank=False, value="register"))
                yield from _row("fiscal_year", t("print.fiscal_year"), Input(
                    str(year), id="field-fiscal_year", compact=True, max_length=4,
                    restrict=r"[0-9]*"))
                yield from _row("department", t("print.department"), Select(
                    departments, id="field-department", compact=True, prompt=everything))
                yield from _row("category", t("print.category"), Select(
                    categories, id="field-category", compact=True, prompt=everything))
                yield from _row("location", t("print.location"), Select(
                    locations, id="field-location", compact=True, prompt=everything))
                yield from _row("assets", t("print.assets"), Input(
                    id="field-assets", compact=True, placeholder=t("print.assets_hint")))
                yield from _row("asset", t("print.asset"), Input(
                    id="field-asset", compact=True, max_length=50))
                yield from _row("loan", t("print.loan"), Input(
                    id="field-loan", compact=True, max_length=30))
                yield from _row("check", t("print.check"), Input(
                    id="field-check", compact=True, max_length=10, restrict=r"[0-9]*"))
                yield from _row("template", t("print.template"), Select(
                    sheets, id="field-template", compact=True, allow_blank=False,
                    value=DEFAULT_TEMPLATE))
                yield from _row("start_at", t("print.start_at"), Input(
                    "1", id="field-start_at", compact=True, max_length=3, restrict=r"[0-9]*"))
                yield from _row("qr", "", Checkbox(t("print.qr"), False, id="field-qr",
                                                   compact=True))
                yield from _row("folder", t("print.folder"), Input(
                    user_documents_dir(), id="field-folder", compact=True))
                yield from _row("file", t("print.file"), Input(id="field-file", compact=True))
                if printing_available():
                    yield from _row("printer", t("print.printer"), Input(
                        id="field-printer", compact=True, placeholder=t("print.printer_hint")))
                else:
                    yield Static(t("print.no_printing"), id="print-no-cups", markup=False)
            with Horizontal(id="print-preview-row"):
                yield Label(t("print.preview"), classes="form-label")
                yield Static("", id="print-preview", markup=False)
            yield Static("", id="form-error", classes="field-error", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button(t("print.write"), variant="primary", id="print-write")
            yield Static("", id="print-done", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._show_fields()
        self.query_one("#field-document").focus()
        self.refresh_preview()

    # ---- what the person chose -------------------------------------------------------

    @property
    def document(self) -> str:
        return str(self.query_one("#field-document", Select).value)

    def _text(self, name: str) -> str:
        return self.query_one(f"#field-{name}", Input).value.strip()

    def _picked(self, name: str) -> str | None:
        value = self.query_one(f"#field-{name}", Select).value
        return None if value == Select.NULL else str(value)

    def choice(self) -> documents.Choice:
        year = self._text("fiscal_year")
        return documents.Choice(
            fiscal_year=int(year) if year else None, department=self._picked("department"),
            category=self._picked("category"), location=self._picked("location"),
            assets=[n for n in re.split(r"[\s,]+", self._text("assets")) if n],
            asset=self._text("asset"), loan=self._text("loan"), check=self._text("check"),
            template=self._picked("template"), start_at=int(self._text("start_at") or "0"),
            qr=self.query_one("#field-qr", Checkbox).value)

    def _show_fields(self) -> None:
        """Only the fields this document reads are on screen."""
        needs = documents.get_kind(self.document).needs
        for name in CHOICE_FIELDS:
            self.query_one(f"#row-{name}").display = name in needs
        self._clear_errors()

    # ---- the preview -----------------------------------------------------------------

    @on(Select.Changed)
    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event: Message) -> None:
        control = getattr(event, "control", None)
        name = (control.id or "").removeprefix("field-") if control is not None else ""
        if name in ("folder", "printer"):
            return
        if name == "file":
            self._named_by_hand = bool(self._text("file"))
            return
        if name == "document":
            self._show_fields()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(PREVIEW_DELAY, self.refresh_preview)

    def refresh_preview(self) -> None:
        self._serial += 1
        self.query_one("#print-preview", Static).update(t("print.counting"))
        self._count(self._serial, self.document, self.choice())

    @work(thread=True, exclusive=True, exit_on_error=False, group="print-preview")
    def _count(self, serial: int, key: str, choice: documents.Choice) -> None:
        try:
            with db.connection_context():
                preview = documents.preview(key, choice)
        except (DomainError, peewee.DatabaseError) as error:
            self.post_message(Outcome(serial, error=error))
            return
        self.post_message(Outcome(serial, preview=preview))

    # ---- writing ---------------------------------------------------------------------

    def action_write(self) -> None:
        self._clear_errors()
        key, choice = self.document, self.choice()
        folder = os.path.expanduser(self._text("folder"))
        name = self._text("file") if self._named_by_hand else ""
        name = name or documents.file_name(key, choice, dt.datetime.now())
        try:
            path = documents.output_path(folder, name)
        except ValidationError as refused:
            self._show_error(refused)
            return
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            self._show_error(ValidationError("folder", t("print.folder_missing", folder=folder,
                                                         reason=exc.strerror or str(exc))))
            return
        printer = self._text("printer") if printing_available() else ""
        self.query_one("#print-done", Static).update(t("print.writing"))
        self.query_one("#print-write", Button).disabled = True
        self._serial += 1
        self._write(self._serial, key, choice, path, self._printed_by(), printer)

    @on(Button.Pressed, "#print-write")
    def _write_pressed(self) -> None:
        self.action_write()

    def _printed_by(self) -> str:
        user = self.user
        if user is None:
            return ""
        person = Person.get_or_none(Person.id == user.person_id)
        return f"{person.name} ({user.username})" if person else user.username

    @work(thread=True, exclusive=True, exit_on_error=False, group="print-write")
    def _write(self, serial: int, key: str, choice: documents.Choice, path: str, printed_by: str,
               printer: str) -> None:
        try:
            with db.connection_context():
                written = documents.write(key, choice, path, printed_by)
        except (DomainError, peewee.DatabaseError, OSError) as error:
            self.post_message(Outcome(serial, error=error))
            return
        sent = ""
        if printer:
            try:
                sent = send_to_printer(path, printer) or "-"
            except PrinterError as error:
                self.post_message(Outcome(serial, written=written, path=path, error=error))
                return
        self.post_message(Outcome(serial, written=written, path=path, sent=sent))

    # ---- answers ---------------------------------------------------------------------

    def on_outcome(self, outcome: Outcome) -> None:
        if outcome.serial != self._serial:
            return  # an older question; a newer answer is on its way
        done = self.query_one("#print-done", Static)
        if outcome.written is not None or outcome.path:
            self.query_one("#print-write", Button).disabled = False
        if outcome.written is not None:
            message = t("print.written", pages=outcome.written.pages, path=outcome.path)
            if outcome.sent:
                message += "\n" + t("print.sent", printer=self._text("printer"), said=outcome.sent)
            done.update(message)
            self.notify(message, markup=False)
        if outcome.error is not None:
            if outcome.written is None and outcome.preview is None:
                self.query_one("#print-write", Button).disabled = False
                done.update("")
            self._show_error(outcome.error)
            if outcome.written is None:
                self.query_one("#print-preview", Static).update(t("print.nothing")
                                                                if _nothing(outcome.error) else "")
            return
        if outcome.preview is not None:
            self._clear_errors()
            self.query_one("#print-preview", Static).update(_preview_words(outcome.preview))

    def _show_error(self, error: BaseException) -> None:
        if isinstance(error, ValidationError) and self.query(f"#error-{error.field}"):
            slot = self.query_one(f"#error-{error.field}", Static)
            slot.update(error_text(error))
            slot.add_class("-shown")
        elif isinstance(error, (DomainError, PrinterError)):
            slot = self.query_one("#form-error", Static)
            slot.update(error_text(error))
            slot.add_class("-shown")
        else:
            self.app.report_error(error)  # type: ignore[attr-defined]

    def _clear_errors(self) -> None:
        for slot in self.query(".field-error"):
            if isinstance(slot, Static):
                slot.update("")
                slot.remove_class("-shown")


def _nothing(error: BaseException) -> bool:
    return isinstance(error, ValidationError) and error.message.startswith("No asset matches")


def _preview_words(preview: documents.Preview) -> str:
    if preview.count == 0:
        return t("print.nothing")
    return t(f"print.unit.{preview.unit}", count=preview.count, pages=preview.pages or 0,
             note=preview.note)

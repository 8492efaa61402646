"""A written loan request (คำขอยืมพัสดุ): the assets, typed or scanned one by one or picked
from a search, the purpose, the place of use and the period; at the loan desk also the
borrower, a member of staff or an outside person or agency. The domain checks it all."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import peewee
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Checkbox, DataTable, Footer, Input, Label, Select, Static

from models import accounts, loans
from models.assets import AssetFilter, asset_query
from models.db import db
from models.errors import DomainError, ValidationError
from models.schema import Asset, Person, User
from models.values import format_date_be

from ..domain_th import error_text
from ..i18n import status_label, t
from ..widgets import AssetTable, PickerBox, SearchBox
from .base import AppModal
from .loan_parts import cell, word

SEARCH_DELAY = 0.2
PICK_LIMIT = 200
BORROWER_KINDS = ("self", "staff", "external")
ITEM_WIDTHS = (("asset_no", 12), ("name", 20), ("department", 14), ("status", 10))
# The domain's field names, and which widget of the form each one points at.
FIELD_WIDGETS = {"assets": "asset"}
# The outside borrower's details (ExternalBorrower) and their words on screen.
EXTERNAL_FIELDS = ("external", "organisation", "address", "phone", "thai_id")


def _row(name: str, label: str, widget: Widget, classes: str = "") -> ComposeResult:
    with Horizontal(classes=f"form-row {classes}".strip(), id=f"row-{name}"):
        yield Label(label, classes="form-label")
        yield widget
    yield Static("", id=f"error-{name}", classes=f"field-error {classes}".strip(), markup=False)


class LoanRequestScreen(AppModal[str | None]):
    """Dismisses with the new loan's number, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "bind.cancel", tooltip="bind.cancel.tip", id="request.cancel"),
        Binding("ctrl+s", "save", "bind.send_request", tooltip="bind.send_request.tip",
                id="request.save"),
        Binding("ctrl+f", "pick", "bind.pick_asset", tooltip="bind.pick_asset.tip",
                id="request.pick", priority=True),
        Binding("delete", "remove_asset", "bind.remove_asset", tooltip="bind.remove_asset.tip",
                id="request.remove"),
    ]

    borrower_kind: reactive[str] = reactive("self", init=False)

    def __init__(self) -> None:
        super().__init__()
        self.asset_nos: list[str] = []

    @property
    def for_others(self) -> bool:
        """The loan desk enters requests on others' behalf; everyone else asks for themselves
        (the domain refuses anything else whoever asks)."""
        return accounts.can(self.user, "loan.issue")

    # ---- building the form -----------------------------------------------------------

    def compose(self) -> ComposeResult:
        today = format_date_be(dt.date.today(), short=True)
        places = [(word("place", code), code) for code in ("inside", "outside")]
        with Vertical(id="form-dialog"):
            yield Static(t("request.title"), id="form-title")
            with VerticalScroll(id="form-fields"):
                yield from _row("asset", t("request.assets") + " *", Input(
                    id="field-asset", compact=True, max_length=50,
                    placeholder=t("request.asset_hint")))
                # the domain names the list "assets"
                yield Static("", id="error-assets", classes="field-error", markup=False)
                yield DataTable(id="request-items", cursor_type="row", zebra_stripes=True)
                yield from _row("purpose", t("request.purpose") + " *", Input(
                    id="field-purpose", compact=True, max_length=500))
                yield from _row("place", t("request.place") + " *", Select(
                    places, id="field-place", compact=True, prompt=t("form.choose")))
                yield from _row("start_on", t("request.start_on") + " *", Input(
                    today, id="field-start_on", compact=True, placeholder=t("form.date_hint")))
                yield from _row("due_on", t("request.due_on") + " *", Input(
                    id="field-due_on", compact=True, placeholder=t("form.date_hint")))
                if self.for_others:
                    yield from self._borrower_fields()
            yield Static("", id="form-error", classes="field-error", markup=False)
            with Horizontal(id="form-buttons"):
                yield Static(t("form.required"), id="form-required")
                yield Button(t("request.send"), variant="primary", id="form-save")
                yield Button(t("form.cancel"), id="form-cancel")
        yield Footer()

    def _borrower_fields(self) -> ComposeResult:
        kinds = [(t(f"request.borrower.{kind}"), kind) for kind in BORROWER_KINDS]
        staff = (User.select(User.username, Person.name).join(Person)
                 .where(User.active == True).order_by(Person.name).tuples())  # noqa: E712
        yield Static(t("request.borrower_heading"), classes="section-title")
        yield from _row("borrower_kind", t("request.borrower_kind"), Select(
            kinds, id="field-borrower_kind", compact=True, value="self", allow_blank=False))
        yield from _row("borrower", t("request.borrower") + " *", Select(
            [(f"{name} ({username})", username) for username, name in staff],
            id="field-borrower", compact=True, prompt=t("form.choose")), "borrower-staff")
        for name in EXTERNAL_FIELDS:
            yield from _row(name, t(f"request.{name}") + " *", Input(
                id=f"field-{name}", compact=True, max_length=200,
                placeholder=t("request.thai_id_hint") if name == "thai_id" else ""),
                "borrower-external")
        yield from _row("state_agency", "", Checkbox(
            t("request.state_agency"), False, id="field-state_agency", compact=True),
            "borrower-external")

    def on_mount(self) -> None:
        table = self.query_one("#request-items", DataTable)
        for key, width in ITEM_WIDTHS:
            table.add_column(t(f"request.item.{key}"), key=key, width=width)
        table.display = False
        self.query_one("#field-asset").focus()

    def watch_borrower_kind(self, kind: str) -> None:
        for name in BORROWER_KINDS[1:]:
            self.set_class(kind == name, f"-borrower-{name}")

    @on(Select.Changed, "#field-borrower_kind")
    def _borrower_kind_chosen(self, event: Select.Changed) -> None:
        self.borrower_kind = str(event.value)

    # ---- the assets ------------------------------------------------------------------

    def add_asset(self, number: str) -> None:
        field = self.query_one("#field-asset", Input)
        self.clear_error("assets")
        if number in self.asset_nos:
            self.show_error("assets", t("request.already_listed", asset_no=number))
            return
        try:
            asset = loans.lendable_asset(number)
        except DomainError as refused:
            self.show_error("assets", error_text(refused))
            field.select_all()
            return
        except peewee.DatabaseError as failure:
            self.app.report_error(failure)  # type: ignore[attr-defined]
            return
        self.asset_nos.append(asset.asset_no)
        table = self.query_one("#request-items", DataTable)
        table.display = True
        table.add_row(cell(asset.asset_no), cell(asset.name), cell(asset.department.name),
                      cell(status_label(asset.status)), key=asset.asset_no)
        table.move_cursor(row=table.row_count - 1, animate=False)
        field.value = ""
        field.focus()

    def action_pick(self) -> None:
        text = self.query_one("#field-asset", Input).value.strip()
        self.app.push_screen(AssetPickerScreen(text), callback=self._picked)

    def _picked(self, asset_no: str | None) -> None:
        if asset_no:
            self.add_asset(asset_no)

    def action_remove_asset(self) -> None:
        table = self.query_one("#request-items", DataTable)
        if self.focused is not table or not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        table.remove_row(key)
        self.asset_nos.remove(str(key.value))
        self.clear_error("assets")  # it may have been about the asset taken off
        if not table.row_count:
            table.display = False
            self.query_one("#field-asset").focus()

    # ---- reading and sending ---------------------------------------------------------

    def _value(self, name: str) -> Any:
        widget = self.query_one(f"#field-{name}")
        if isinstance(widget, Select):
            return "" if widget.value == Select.NULL else str(widget.value)
        if isinstance(widget, Checkbox):
            return widget.value
        assert isinstance(widget, Input)
        return widget.value.strip()

    def request(self) -> loans.LoanRequest | None:
        """The request as typed, or None (with the reason shown) when a borrower is missing."""
        kind = self.borrower_kind if self.for_others else "self"
        borrower, external = None, None
        if kind == "staff":
            borrower = self._value("borrower")
            if not borrower:
                self.show_error("borrower", t("request.choose_borrower"))
                return None
        elif kind == "external":
            external = loans.ExternalBorrower(
                name=self._value("external"), organisation=self._value("organisation"),
                address=self._value("address"), phone=self._value("phone"),
                thai_id=self._value("thai_id"))
        return loans.LoanRequest(
            assets=list(self.asset_nos), purpose=self._value("purpose"), place=self._value("place"),
            start_on=self._value("start_on"), due_on=self._value("due_on"), borrower=borrower,
            external=external, state_agency=kind == "external" and self._value("state_agency"))

    def show_error(self, field: str, message: str) -> None:
        """The domain's sentence next to the field it names (or under the form)."""
        name = FIELD_WIDGETS.get(field, field)
        rows = self.query(f"#row-{name}") if name else None
        shown = bool(rows) and rows.first().display  # hidden: the borrower this form is not for
        target = self.query_one(f"#error-{field}" if shown else "#form-error", Static)
        target.update(message)
        target.add_class("-shown")
        if shown:
            widget = self.query_one(f"#field-{name}")
            widget.add_class("-invalid")
            widget.focus()
            widget.scroll_visible()

    def clear_error(self, field: str) -> None:
        error = self.query_one(f"#error-{field}", Static)
        error.remove_class("-shown")
        error.update("")
        self.query_one(f"#field-{FIELD_WIDGETS.get(field, field)}").remove_class("-invalid")

    def clear_errors(self) -> None:
        for error in self.query(".field-error"):
            error.remove_class("-shown")
            error.update("")
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")

    def action_save(self) -> None:
        self.clear_errors()
        request = self.request()
        if request is None:
            return
        try:
            loan = loans.request_loan(self.user, request)
            approvers = ", ".join(u.person.name for u in loans.eligible_approvers(loan))
        except ValidationError as refused:
            self.show_error(refused.field, error_text(refused))
            return
        except DomainError as refused:  # not allowed, ...
            self.show_error("", error_text(refused))
            self.notify(error_text(refused), severity="error", markup=False)
            return
        except peewee.DatabaseError as failure:
            self.app.report_error(failure)  # type: ignore[attr-defined]
            return
        self.notify(t("request.saved", loan_no=loan.loan_no, approvers=approvers or "—"),
                    timeout=10)
        self.dismiss(loan.loan_no)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#form-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _entered(self, event: Input.Submitted) -> None:
        if event.input.id != "field-asset":
            self.focus_next()
        elif event.value.strip():
            self.add_asset(event.value.strip())
        else:  # the list is complete: on to the purpose, past the list itself
            self.query_one("#field-purpose").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "remove_asset":
            return self.focused is self.query_one("#request-items") and bool(self.asset_nos)
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()


class AssetPickerScreen(AppModal[str | None]):
    """Search the lendable assets and pick one with Enter; dismisses with its number."""

    BINDINGS = [
        Binding("escape", "cancel", "bind.cancel", tooltip="bind.cancel_pick.tip", id="picker.cancel"),
    ]

    @dataclass
    class Found(Message):
        query: str
        rows: list[tuple[Text, ...]]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial = query
        self._debounce: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-dialog"):
            yield Static(t("picker.title"), id="picker-title")
            yield PickerBox(self.initial, placeholder=t("assets.search_placeholder"), id="picker-search",
                            select_on_focus=False)
            yield Static(t("assets.loading"), id="picker-count", markup=False)
            yield AssetTable(id="picker-results")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(AssetTable)
        for key in ("asset_no", "name", "department", "status"):
            table.add_column(t(f"request.item.{key}"), key=key)
        self.query_one(PickerBox).focus()
        self.search(self.initial)

    @work(thread=True, exclusive=True, exit_on_error=False, group="asset-picker")
    def search(self, query: str) -> None:
        with db.connection_context():
            found = (asset_query(AssetFilter(query=query))
                     .where((Asset.lendable == True) & (Asset.status != "disposed"))  # noqa: E712
                     .limit(PICK_LIMIT))
            rows = [(cell(a.asset_no), cell(a.name), cell(a.department.name),
                     cell(status_label(a.status))) for a in found]
        self.post_message(self.Found(query, rows))

    def on_asset_picker_screen_found(self, found: Found) -> None:
        if found.query != self.query_one(PickerBox).value:
            return
        table = self.query_one(AssetTable)
        table.clear()
        for row in found.rows:
            table.add_row(*row, key=row[0].plain)
        self.query_one("#picker-count", Static).update(
            t("picker.count", count=f"{len(found.rows):,}") if found.rows else t("picker.none"))

    @on(SearchBox.Changed, "#picker-search")
    def _changed(self, event: SearchBox.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(SEARCH_DELAY, lambda: self.search(event.value))

    @on(SearchBox.Submitted, "#picker-search")
    @on(SearchBox.ToResults)
    def _to_results(self) -> None:
        table = self.query_one(AssetTable)
        if table.row_count:
            table.focus()

    @on(DataTable.RowSelected, "#picker-results")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.dismiss(event.row_key.value)

    def action_cancel(self) -> None:
        self.dismiss(None)

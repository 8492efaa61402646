"""The loan desk (จุดจ่าย-รับคืนพัสดุ): everything with the scanner and the keyboard.

The scan field always has the focus. Scanning a loan number opens that loan; scanning an
asset number then hands the item over (an approved loan, the item still in store) or
takes it back (the item out), each through the domain, and the outcome is one line in
the log, green or red. Ctrl+D marks the next item taken back as damaged, then lost, and
asks what happened. Scans are handled in the order they arrive, on the app's own thread:
each is a short write, and a scanner may send the next before the last is answered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import peewee
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import DataTable, Footer, Header, Label, RichLog, Static

from models import loans
from models.errors import DomainError, NotFound

from ..domain_th import error_text
from ..i18n import t
from ..widgets import ScanBox, SectionBar
from .base import AppScreen, LiveList
from .loan_parts import NoteScreen, borrower_name, cell, loan_status_label, local_day, period, word

if TYPE_CHECKING:
    from models.schema import Loan, LoanItem

CONDITIONS = ("usable", "damaged", "lost")


def item_state(item: LoanItem) -> str:
    if item.returned_at is not None:
        return t("desk.state.returned", day=local_day(item.returned_at),
                 condition=word("condition", item.returned_condition))
    if item.issued_at is not None:
        return t("desk.state.out", day=local_day(item.issued_at))
    return t("desk.state.waiting")


class LoanDeskScreen(LiveList, AppScreen[None]):
    BINDINGS = [
        Binding("ctrl+d", "condition", "bind.condition", tooltip="bind.condition.tip",
                id="desk.condition", priority=True),
        Binding("escape", "put_away", "bind.put_away", tooltip="bind.put_away.tip", id="desk.put_away"),
    ]

    condition: reactive[str] = reactive("usable", init=False)

    def __init__(self) -> None:
        super().__init__()
        self.sub_title = t("section.desk.title")
        self.loan: Loan | None = None
        self.scanned: str | None = None  # the asset number scanned last on this loan
        self.note = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="desk"):
            with Horizontal(id="desk-scan-bar"):
                yield Label(t("desk.scan"), id="desk-scan-label")
                yield ScanBox(placeholder=t("desk.scan_hint"), id="desk-scan", max_length=60)
            yield Static(t("desk.condition", condition=word("condition", "usable")),
                         id="desk-condition", markup=False)
            yield Static(t("desk.no_loan"), id="desk-loan", markup=False)
            yield DataTable(id="desk-items", cursor_type="row", zebra_stripes=True)
            yield Static(t("desk.log"), classes="section-title")
            yield RichLog(id="desk-log", markup=False, wrap=True, max_lines=500)
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#desk-items", DataTable)
        for key in ("no", "asset_no", "name", "state"):
            table.add_column(Text(t(f"desk.column.{key}")), key=key)
        table.can_focus = False
        self.query_one(RichLog).can_focus = False
        table.display = False
        self.query_one(ScanBox).focus()

    def on_screen_resume(self) -> None:
        self.query_one(ScanBox).focus()
        if self.loan is not None:
            self.show_loan(self.loan.loan_no, self.scanned)

    def reload(self) -> None:
        """The loan on the desk as it stands now (another terminal may have changed it)."""
        if self.loan is not None:
            self.show_loan(self.loan.loan_no, self.scanned)

    # ---- scanning --------------------------------------------------------------------

    @on(ScanBox.Submitted, "#desk-scan")
    def _scanned(self, event: ScanBox.Submitted) -> None:
        event.input.value = ""
        text = event.value.strip()
        if text:
            self.scan(text)

    def scan(self, text: str) -> None:
        try:
            loan = loans.get_loan(text)
        except NotFound as not_a_loan:
            if self.loan is None:
                self.outcome(False, f"{error_text(not_a_loan)} {t('desk.loan_first')}")
            else:
                self.scan_item(text)
            return
        except peewee.DatabaseError as failure:
            self.app.report_error(failure)  # type: ignore[attr-defined]
            return
        self.outcome(True, t("desk.opened", loan_no=loan.loan_no, status=loan_status_label(loan.status),
                             borrower=borrower_name(loan)))
        self.show_loan(loan.loan_no)

    def scan_item(self, asset_no: str) -> None:
        assert self.loan is not None
        loan_no = self.loan.loan_no
        try:
            current = loans.get_loan(loan_no)
            item = {i.asset.asset_no: i for i in loans.loan_items(current)}.get(asset_no)
            # An item in store goes out; anything else is a return, and the domain says
            # why not when it is neither (not on this loan, already back, ...).
            if item is not None and item.issued_at is None or item is None and current.status == "approved":
                loan = loans.issue_items(self.user, loan_no, [asset_no])
                name = item.asset.name if item is not None else ""
                self.outcome(True, t("desk.issued", asset_no=asset_no, name=name))
                if loan.status == "active":
                    self.outcome(True, t("desk.all_out", loan_no=loan_no))
            else:
                condition, note = self.condition, self.note
                loan = loans.return_item(self.user, loan_no, asset_no, condition, note)
                name = item.asset.name if item is not None else ""
                self.outcome(True, t("desk.returned", asset_no=asset_no, name=name,
                                     condition=word("condition", condition))
                             + (f": {note}" if note else ""), warn=condition != "usable")
                self.set_condition("usable", "")
                if loan.status == "returned":
                    self.outcome(True, t("desk.all_back", loan_no=loan_no))
        except DomainError as refused:
            self.outcome(False, error_text(refused))
        except peewee.DatabaseError as failure:
            self.app.report_error(failure)  # type: ignore[attr-defined]
        self.show_loan(loan_no, scanned=asset_no)

    def show_loan(self, loan_no: str, scanned: str | None = None) -> None:
        """The loan's heading and each item with its state, read again from the register;
        the item just scanned is highlighted."""
        self.scanned = scanned
        try:
            loan = loans.get_loan(loan_no)
            items = loans.loan_items(loan)
        except DomainError as refused:
            self.outcome(False, error_text(refused))
            return
        keys_change = self.loan is None  # put_away is offered once a loan is on the desk
        self.loan = loan
        self.query_one("#desk-loan", Static).update(t(
            "desk.loan", loan_no=loan.loan_no, status=loan_status_label(loan.status),
            borrower=borrower_name(loan), period=period(loan.start_on, loan.due_on),
            place=word("place", loan.place), purpose=loan.purpose))
        table = self.query_one("#desk-items", DataTable)
        table.display = True
        table.clear()
        for n, item in enumerate(items, start=1):
            table.add_row(cell(str(n)), cell(item.asset.asset_no), cell(item.asset.name),
                          cell(item_state(item)), key=item.asset.asset_no)
        numbers = [item.asset.asset_no for item in items]
        table.show_cursor = scanned in numbers
        if scanned in numbers:
            table.move_cursor(row=numbers.index(scanned), animate=False)
        if keys_change:  # rebuilding the footer on every scan would slow each one down
            self.refresh_bindings()

    def outcome(self, ok: bool, message: str, warn: bool = False) -> None:
        """One line in the log: green when it happened (amber when an item came back damaged
        or lost), red with the domain's reason when it did not."""
        variables = self.app.theme_variables
        name, fallback = (("text-warning", "yellow") if warn else ("text-success", "green")) if ok \
            else ("text-error", "red")
        self.query_one(RichLog).write(Text(("✓ " if ok else "✗ ") + message,
                                           style=variables.get(name, fallback)))

    # ---- condition of the next item taken back ---------------------------------------

    def set_condition(self, condition: str, note: str) -> None:
        self.note = note
        self.condition = condition
        self.watch_condition(condition)  # the note may have changed alone

    def watch_condition(self, condition: str) -> None:
        text = t("desk.condition", condition=word("condition", condition))
        if self.note:
            text += f": {self.note}"
        status = self.query_one("#desk-condition", Static)
        status.update(text)
        for name in CONDITIONS[1:]:
            status.set_class(condition == name, f"-{name}")

    def action_condition(self) -> None:
        following = CONDITIONS[(CONDITIONS.index(self.condition) + 1) % len(CONDITIONS)]
        if following == "usable":
            self.set_condition("usable", "")
            return
        self.app.push_screen(
            NoteScreen(t("desk.condition_title", condition=word("condition", following)),
                       t("desk.condition_note"), value=self.note),
            callback=lambda note: self._condition_noted(following, note))

    def _condition_noted(self, condition: str, note: str | None) -> None:
        if note is not None:  # else left as it was
            self.set_condition(condition, note)

    def action_put_away(self) -> None:
        self.loan = None
        self.set_condition("usable", "")
        self.query_one("#desk-loan", Static).update(t("desk.no_loan"))
        table = self.query_one("#desk-items", DataTable)
        table.clear()
        table.display = False
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "put_away":
            return None if self.loan is None else True
        return True

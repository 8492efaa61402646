"""My requests: the loans a person borrows or asked for on someone's behalf, with their
status, period and items; a new request starts here and one not yet handed over can be
withdrawn."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from models import accounts, loans
from models.db import db
from models.schema import Asset, Loan, LoanItem

from ..i18n import language, t
from ..widgets import LoanTable, SectionBar
from .base import AppScreen, FittedColumns, LiveList, fill_keeping_cursor
from .loan_detail import LoanDetailScreen, cancel_loan
from .loan_parts import NoteScreen, borrower_name, cell, loan_status_label, period, set_columns
from .loan_request import LoanRequestScreen

SHOWN = 500  # a person's own loans; the register lists everyone's
COLUMNS = (
    ("loan_no", 12, None),
    ("status", 16, None),
    ("period", 23, None),
    ("borrower", None, (2, 12)),
    ("items", None, (3, 12)),
)


class MyLoansScreen(FittedColumns, LiveList, AppScreen[None]):
    BINDINGS = [
        Binding("ctrl+n", "new_request", "bind.new_request", tooltip="bind.new_request.tip",
                id="requests.new"),
        Binding("c", "cancel_loan", "bind.cancel_loan", tooltip="bind.cancel_loan.tip",
                id="requests.cancel"),
    ]

    @dataclass
    class Loaded(Message):
        rows: list[tuple[Text, ...]]

    def __init__(self) -> None:
        super().__init__()
        self.sub_title = t("section.requests.title")
        self._select: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="my-loans"):
            yield Static(t("assets.loading"), id="my-loans-count", markup=False)
            yield LoanTable(id="my-loan-table")
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        user = self.user
        if user is not None:
            self.sub_title = t("section.requests.title") + " · " + t(
                "app.signed_in", name=user.person.name, role=accounts.role_label(user.role, language()))
        self.query_one(LoanTable).focus()

    def on_screen_resume(self) -> None:
        self.call_after_refresh(self.reload)

    def build_columns(self, table: DataTable) -> None:
        set_columns(table, COLUMNS, "loans.column")

    def reload(self) -> None:
        self.fit_columns(self.query_one(LoanTable))
        if self.user is not None:
            self.load(self.user.id, self.user.person_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="my-loans")
    def load(self, user_id: int, person_id: int) -> None:
        with db.connection_context():
            mine = list(loans.loan_query(loans.LoanFilter())
                        .where((Loan.borrower == person_id) | (Loan.requested_by == user_id))
                        .limit(SHOWN))
            numbers: dict[int, list[str]] = {}
            if mine:
                for loan_id, asset_no in (LoanItem.select(LoanItem.loan, Asset.asset_no).join(Asset)
                                          .where(LoanItem.loan.in_([loan.id for loan in mine]))
                                          .order_by(Asset.asset_no).tuples()):
                    numbers.setdefault(loan_id, []).append(asset_no)
            rows = [(cell(loan.loan_no), cell(loan_status_label(loan.status)),
                     cell(period(loan.start_on, loan.due_on)), cell(borrower_name(loan)),
                     cell(", ".join(numbers.get(loan.id, []))))
                    for loan in mine]
        self.post_message(self.Loaded(rows))

    def on_my_loans_screen_loaded(self, loaded: Loaded) -> None:
        table = self.query_one(LoanTable)
        fill_keeping_cursor(table, loaded.rows)
        if self._select is not None:
            keys = [row[0].plain for row in loaded.rows]
            if self._select in keys:
                table.move_cursor(row=keys.index(self._select), animate=False)
            self._select = None
        self.query_one("#my-loans-count", Static).update(
            t("requests.count", count=f"{len(loaded.rows):,}") if loaded.rows else t("requests.none"))
        self.refresh_bindings()

    # ---- actions ---------------------------------------------------------------------

    def selected(self) -> str | None:
        table = self.query_one(LoanTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @on(DataTable.RowSelected, "#my-loan-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(LoanDetailScreen(event.row_key.value))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new_request", "cancel_loan"):
            if not accounts.can(self.user, "loan.request"):
                return False
            if action == "cancel_loan" and self.selected() is None:
                return None
        return True

    def action_new_request(self) -> None:
        self.app.push_screen(LoanRequestScreen(), callback=self._requested)

    def _requested(self, loan_no: str | None) -> None:
        if loan_no:
            self._select = loan_no
            self.reload()

    def action_cancel_loan(self) -> None:
        loan_no = self.selected()
        if loan_no is None:
            return
        self.app.push_screen(NoteScreen(t("cancel.title", loan_no=loan_no), t("decide.note")),
                             callback=lambda note: self._cancel(loan_no, note))

    def _cancel(self, loan_no: str, note: str | None) -> None:
        if note is not None and cancel_loan(self, loan_no, note):
            self._select = loan_no
            self.reload()

"""The approvals inbox: the requests this head, the mayor or a delegate may decide, each
with its details, every item's earlier loans and any clash with loans already approved.
``a`` approves and ``r`` rejects, each after an optional note."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Label, Static

from models import loans
from models.db import db
from models.schema import Loan, User

from ..i18n import status_label, t
from ..widgets import LoanTable, SectionBar
from .base import AppScreen, FittedColumns, LiveList, fill_keeping_cursor
from .loan_detail import LoanDetailScreen
from .loan_parts import (
    LoanDecisions,
    borrower_name,
    cell,
    kind_label,
    loan_status_label,
    local_day,
    period,
    set_columns,
    word,
)

INBOX_COLUMNS = (
    ("loan_no", 12, None),
    ("requested_on", 11, None),
    ("borrower", None, (3, 12)),
    ("kind", None, (2, 10)),
    ("period", 23, None),
    ("items", 7, None),
)
REQUEST_FIELDS = ("borrower", "unit", "purpose", "kind", "place", "period", "requested_by")


@dataclass
class Request:
    """One request as the approver reads it."""

    loan_no: str
    fields: dict[str, str]
    items: list[tuple[str, ...]]
    history: list[tuple[str, ...]]
    conflicts: list[str]


def read_request(loan_no: str) -> Request:
    loan = loans.get_loan(loan_no)
    items = loans.loan_items(loan)
    borrower = loan.borrower
    requester = User.get_by_id(loan.requested_by_id)
    unit = borrower.organisation or (borrower.department.name if borrower.department_id else "")
    fields = {
        "borrower": borrower.name + (f", {borrower.position}" if borrower.position else ""),
        "unit": " · ".join(part for part in (unit, borrower.phone) if part),
        "purpose": loan.purpose,
        "kind": kind_label(loan.kind),
        "place": word("place", loan.place),
        "period": period(loan.start_on, loan.due_on, long=True),
        "requested_by": f"{requester.person.name} ({requester.username}) {local_day(loan.requested_at)}",
    }
    history = []
    for item in items:
        earlier = [other for other in loans.asset_loans(item.asset.asset_no) if other.id != loan.id]
        for n, other in enumerate(earlier):
            history.append((item.asset.asset_no if n == 0 else "", other.loan_no,
                            borrower_name(other), period(other.start_on, other.due_on),
                            loan_status_label(other.status)))
        if not earlier:
            history.append((item.asset.asset_no, "", t("approvals.never_lent"), "", ""))
    clashes = [t("approvals.conflict", asset_no=asset.asset_no, loan_no=other.loan_no,
                 period=period(other.start_on, other.due_on), borrower=borrower_name(other))
               for asset, other in loans.conflicts([i.asset_id for i in items], loan.start_on,
                                                   loan.due_on, exclude_loan=loan.id)]
    return Request(
        loan_no=loan.loan_no, fields=fields,
        items=[(i.asset.asset_no, i.asset.name, f"{i.value_at_loan:,.2f}", status_label(i.asset.status))
               for i in items],
        history=history, conflicts=clashes)


class ApprovalsScreen(FittedColumns, LoanDecisions, LiveList, AppScreen[None]):
    BINDINGS = [
        Binding("a", "approve", "bind.approve", tooltip="bind.approve.tip", id="approvals.approve"),
        Binding("r", "reject", "bind.reject", tooltip="bind.reject.tip", id="approvals.reject"),
    ]

    @dataclass
    class InboxLoaded(Message):
        rows: list[tuple[Text, ...]]

    @dataclass
    class RequestLoaded(Message):
        request: Request

    def __init__(self) -> None:
        super().__init__()
        self.sub_title = t("section.approvals.title")

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="approvals"):
            yield Static(t("assets.loading"), id="approvals-count", markup=False)
            yield LoanTable(id="inbox")
            with VerticalScroll(id="approval-detail"):
                yield Static("", id="approval-heading", markup=False)
                with Vertical(id="approval-fields"):
                    for key in REQUEST_FIELDS:
                        with Horizontal(classes="field-row"):
                            yield Label(t(f"approvals.{key}"), classes="field-label")
                            yield Static("", id=f"request-{key}", classes="field-value", markup=False)
                yield Static("", id="approval-conflicts", markup=False)
                yield Static(t("slip.items"), classes="section-title")
                yield DataTable(id="approval-items", cursor_type="row", zebra_stripes=True)
                yield Static(t("approvals.history"), classes="section-title")
                yield DataTable(id="approval-history", cursor_type="row", zebra_stripes=True)
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        for selector, prefix, keys in (
                ("#approval-items", "request.item", ("asset_no", "name", "value", "status")),
                ("#approval-history", "approvals.column",
                 ("asset_no", "loan_no", "borrower", "period", "status"))):
            table = self.query_one(selector, DataTable)
            table.can_focus = False
            table.show_cursor = False
            for key in keys:
                table.add_column(Text(t(f"{prefix}.{key}")), key=key)
        self.query_one("#approval-detail").display = False
        self.query_one("#inbox").focus()

    def on_screen_resume(self) -> None:
        self.call_after_refresh(self.reload)

    def build_columns(self, table: DataTable) -> None:
        set_columns(table, INBOX_COLUMNS, "approvals.column")

    def reload(self) -> None:
        self.fit_columns(self.query_one("#inbox", LoanTable))
        if self.user is not None:
            self.load_inbox(self.user)

    @work(thread=True, exclusive=True, exit_on_error=False, group="approvals")
    def load_inbox(self, user: User) -> None:
        with db.connection_context():
            waiting: list[Loan] = loans.approvals_inbox(user)
            rows = [(cell(loan.loan_no), cell(local_day(loan.requested_at)), cell(borrower_name(loan)),
                     cell(kind_label(loan.kind)), cell(period(loan.start_on, loan.due_on)),
                     cell(f"{len(loans.loan_items(loan)):,}", justify="right"))
                    for loan in waiting]
        self.post_message(self.InboxLoaded(rows))

    def on_approvals_screen_inbox_loaded(self, loaded: InboxLoaded) -> None:
        table = self.query_one("#inbox", LoanTable)
        fill_keeping_cursor(table, loaded.rows)
        self.query_one("#approvals-count", Static).update(
            t("approvals.count", count=f"{len(loaded.rows):,}") if loaded.rows else t("approvals.none"))
        self.app.show_approvals_count(len(loaded.rows))  # type: ignore[attr-defined]
        if loaded.rows:
            self.load_request(self.selected() or "")
        else:
            self.query_one("#approval-detail").display = False
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#inbox")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.load_request(event.row_key.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="approval-request")
    def load_request(self, loan_no: str) -> None:
        with db.connection_context():
            request = read_request(loan_no)
        self.post_message(self.RequestLoaded(request))

    def on_approvals_screen_request_loaded(self, loaded: RequestLoaded) -> None:
        request = loaded.request
        if request.loan_no != self.selected():
            return
        self.query_one("#approval-detail").display = True
        self.query_one("#approval-heading", Static).update(t("approvals.heading", loan_no=request.loan_no))
        for key, value in request.fields.items():
            self.query_one(f"#request-{key}", Static).update(value or "—")
        conflicts = self.query_one("#approval-conflicts", Static)
        conflicts.update("\n".join(request.conflicts))
        conflicts.set_class(bool(request.conflicts), "-shown")
        for selector, rows in (("#approval-items", request.items), ("#approval-history", request.history)):
            table = self.query_one(selector, DataTable)
            table.clear()
            for row in rows:
                table.add_row(*(Text(value) for value in row))

    # ---- deciding --------------------------------------------------------------------

    def selected(self) -> str | None:
        table = self.query_one("#inbox", LoanTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @on(DataTable.RowSelected, "#inbox")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(LoanDetailScreen(event.row_key.value))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("approve", "reject"):
            return None if self.selected() is None else True
        return True

    def action_approve(self) -> None:
        if (loan_no := self.selected()) is not None:
            self.decide(loan_no, "approve")

    def action_reject(self) -> None:
        if (loan_no := self.selected()) is not None:
            self.decide(loan_no, "reject")

    def decided(self, loan: Loan) -> None:
        self.reload()

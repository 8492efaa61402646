"""Loans past their due date with items still out, most overdue first: who has them, how
to reach them, what is out, when they were last chased, and a flag on those nobody has
chased within the configured days (clause 211: within 7 days of the due date).
``f`` records a follow-up: a letter, a phone call or a visit."""

from __future__ import annotations

from dataclasses import dataclass

import peewee
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Input, Label, RadioButton, RadioSet, Static

from models import loans
from models.db import db
from models.errors import DomainError, ValidationError

from ..domain_th import error_text
from ..i18n import t
from ..widgets import ConfirmBox, LoanTable, SectionBar
from .base import AppModal, AppScreen, FittedColumns, LiveList, fill_keeping_cursor
from .loan_detail import LoanDetailScreen
from .loan_parts import borrower_name, cell, day, set_columns, word

COLUMNS = (
    ("flag", 14, None),
    ("loan_no", 11, None),
    ("borrower", None, (3, 12)),
    ("phone", None, (2, 12)),
    ("due_on", 11, None),
    ("days", 9, None),
    ("items", None, (2, 10)),
    ("last", None, (3, 16)),
)


class OverdueScreen(FittedColumns, LiveList, AppScreen[None]):
    BINDINGS = [
        Binding("f", "follow_up", "bind.follow_up", tooltip="bind.follow_up.tip", id="overdue.follow_up"),
    ]

    @dataclass
    class Loaded(Message):
        rows: list[tuple[Text, ...]]
        late: int
        days: int

    def __init__(self) -> None:
        super().__init__()
        self.sub_title = t("section.overdue.title")

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="overdue"):
            yield Static(t("assets.loading"), id="overdue-count", markup=False)
            yield LoanTable(id="overdue-table")
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(LoanTable).focus()

    def on_screen_resume(self) -> None:
        self.call_after_refresh(self.reload)

    def build_columns(self, table: DataTable) -> None:
        set_columns(table, COLUMNS, "overdue.column")

    def reload(self) -> None:
        self.fit_columns(self.query_one(LoanTable))
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="overdue")
    def load(self) -> None:
        with db.connection_context():
            late = loans.overdue_loans()
            days = loans.follow_up_days()
        error = self.app.theme_variables.get("text-error", "red")
        rows = []
        for o in late:
            last = o.last_follow_up
            rows.append((
                cell(t("overdue.flag") if o.follow_up_late else "", style=f"bold {error}"),
                cell(o.loan.loan_no), cell(borrower_name(o.loan)), cell(o.loan.borrower.phone),
                cell(day(o.loan.due_on)), cell(f"{o.days_overdue:,}", justify="right"),
                cell(", ".join(i.asset.asset_no for i in o.items)),
                cell(f"{day(last.on_date)} {word('method', last.method)}" if last else
                     t("overdue.never"))))
        self.post_message(self.Loaded(rows, sum(o.follow_up_late for o in late), days))

    def on_overdue_screen_loaded(self, loaded: Loaded) -> None:
        table = self.query_one(LoanTable)
        fill_keeping_cursor(table, loaded.rows, key_column=1)
        self.query_one("#overdue-count", Static).update(
            t("overdue.count", count=f"{len(loaded.rows):,}", late=f"{loaded.late:,}", days=loaded.days)
            if loaded.rows else t("overdue.none"))
        self.refresh_bindings()

    def selected(self) -> str | None:
        table = self.query_one(LoanTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @on(DataTable.RowSelected, "#overdue-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(LoanDetailScreen(event.row_key.value))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "follow_up":
            return None if self.selected() is None else True
        return True

    def action_follow_up(self) -> None:
        if (loan_no := self.selected()) is not None:
            self.app.push_screen(FollowUpScreen(loan_no), callback=lambda done: self.reload())


class FollowUpScreen(AppModal[bool]):
    """Record one chase of an overdue loan; dismisses with True once the domain recorded it."""

    BINDINGS = [
        Binding("escape", "cancel", "bind.cancel", tooltip="bind.cancel.tip", id="follow_up.cancel"),
    ]

    def __init__(self, loan_no: str) -> None:
        super().__init__()
        self.loan_no = loan_no

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog"):
            yield Static(t("follow_up.title", loan_no=self.loan_no), id="note-title", markup=False)
            with Horizontal(id="follow-up-method-row"):
                yield Label(t("follow_up.method"), id="follow-up-method-label")
                with RadioSet(id="follow-up-method", compact=True):
                    for method in loans.FOLLOW_UP_METHODS:
                        yield RadioButton(word("method", method), id=f"method-{method}", compact=True)
            yield Static("", id="error-method", classes="field-error", markup=False)
            yield Label(t("follow_up.note"), id="note-prompt")
            yield ConfirmBox(id="note", compact=True, max_length=500)
            yield Static("", id="form-error", classes="field-error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    @on(RadioSet.Changed)
    def _method_chosen(self) -> None:
        self.query_one("#note", Input).focus()

    def method(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return (pressed.id or "").removeprefix("method-") if pressed is not None else ""

    @on(ConfirmBox.Submitted, "#note")
    def _confirmed(self, event: ConfirmBox.Submitted) -> None:
        for error in self.query(".field-error"):
            error.remove_class("-shown")
        try:
            loans.record_follow_up(self.user, self.loan_no, self.method(), event.value)
        except ValidationError as refused:
            target = "#error-method" if refused.field == "method" else "#form-error"
            self.query_one(target, Static).update(error_text(refused))
            self.query_one(target, Static).add_class("-shown")
            if refused.field == "method":
                self.query_one(RadioSet).focus()
            return
        except DomainError as refused:
            self.query_one("#form-error", Static).update(error_text(refused))
            self.query_one("#form-error", Static).add_class("-shown")
            self.notify(error_text(refused), severity="error", markup=False)
            return
        except peewee.DatabaseError as failure:
            self.app.report_error(failure)  # type: ignore[attr-defined]
            return
        self.notify(t("follow_up.done", loan_no=self.loan_no, method=word("method", self.method())))
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

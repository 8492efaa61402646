"""The loan register (ทะเบียนการยืม): every loan, newest first, filtered by status,
fiscal year and borrower in the database, one page at a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from math import ceil

import peewee as pw
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Label, Select, Static
from textual.worker import get_current_worker

from models import loans
from models.db import db
from models.errors import NotFound
from models.schema import Loan, LoanItem
from models.values import fiscal_year_of

from ..i18n import t
from ..widgets import LoanSearchBox, LoanTable, SearchBox, SectionBar
from .base import AppScreen, LiveList, PagedList, fill_keeping_cursor
from .loan_detail import LoanDetailScreen
from .loan_parts import borrower_name, cell, day, kind_label, loan_status_label, set_columns

SEARCH_DELAY = 0.2
COLUMNS = (
    ("loan_no", 11, None),
    ("status", 14, None),
    ("kind", None, (2, 12)),
    ("borrower", None, (3, 12)),
    ("department", None, (2, 8)),
    ("start_on", 11, None),
    ("due_on", 11, None),
    ("items", 7, None),
)


def item_counts(loan_ids: list[int]) -> dict[int, int]:
    if not loan_ids:
        return {}
    return dict(LoanItem.select(LoanItem.loan, pw.fn.COUNT(LoanItem.id))
                .where(LoanItem.loan.in_(loan_ids)).group_by(LoanItem.loan).tuples())


def loan_row(loan: Loan, items: int) -> tuple[Text, ...]:
    return (cell(loan.loan_no), cell(loan_status_label(loan.status)), cell(kind_label(loan.kind)),
            cell(borrower_name(loan)), cell(loan.department.name), cell(day(loan.start_on)),
            cell(day(loan.due_on)), cell(f"{items:,}", justify="right"))


def fiscal_years() -> list[int]:
    """The fiscal years the register covers, newest first (this year at least)."""
    first, last = (value if value is None or isinstance(value, dt.date)
                   else dt.date.fromisoformat(str(value)[:10])
                   for value in Loan.select(pw.fn.MIN(Loan.start_on), pw.fn.MAX(Loan.start_on))
                   .scalar(as_tuple=True))
    this_year = fiscal_year_of(dt.date.today())
    low = fiscal_year_of(first) if first else this_year
    high = max(this_year, fiscal_year_of(last) if last else this_year)
    return list(range(high, low - 1, -1))


class LoanRegisterScreen(PagedList, LiveList, AppScreen[None]):
    BINDINGS = [
        Binding("pagedown", "next_page", "bind.next_page", tooltip="bind.next_page.tip",
                id="loans.next_page", priority=True, key_display="PgDn"),
        Binding("pageup", "previous_page", "bind.prev_page", tooltip="bind.prev_page.tip",
                id="loans.previous_page", priority=True, key_display="PgUp"),
        Binding("escape", "clear_search", "bind.clear_search", tooltip="bind.clear_search.tip",
                id="loans.clear_search"),
    ]

    @dataclass
    class PageLoaded(Message):
        key: tuple[object, ...]
        page: int
        pages: int
        matched: int
        rows: list[tuple[Text, ...]]

    @dataclass
    class NumberLookedUp(Message):
        text: str
        found: bool

    def __init__(self) -> None:
        super().__init__()
        self.sub_title = t("section.loans.title")
        self.query_text = ""
        self._debounce: Timer | None = None

    def compose(self) -> ComposeResult:
        statuses = [(loan_status_label(code), code) for code in loans.STATUS_NAMES]
        years = [(str(year), year) for year in fiscal_years()]
        yield Header()
        with Vertical(id="loan-register"):
            with Horizontal(id="loan-filters"):
                yield Label(t("assets.search"), classes="filter-label")
                yield LoanSearchBox(placeholder=t("loans.search_placeholder"), id="loan-search",
                                    select_on_focus=False, compact=True)
                yield Label(t("loans.status"), classes="filter-label")
                yield Select(statuses, id="filter-status", compact=True, prompt=t("loans.any_status"))
                yield Label(t("loans.fiscal_year"), classes="filter-label")
                yield Select(years, id="filter-year", compact=True, prompt=t("loans.any_year"))
            yield Static(t("assets.loading"), id="loan-count", markup=False)
            yield LoanTable(id="loans")
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(LoanSearchBox).focus()

    # ---- loading pages ---------------------------------------------------------------

    def paged_table(self) -> LoanTable:
        return self.query_one(LoanTable)

    def build_columns(self, table: DataTable) -> None:
        set_columns(table, COLUMNS, "loans.column")

    def _filter(self) -> loans.LoanFilter:
        status = self.query_one("#filter-status", Select).value
        year = self.query_one("#filter-year", Select).value
        return loans.LoanFilter(
            status=None if status == Select.NULL else str(status),
            fiscal_year=None if year == Select.NULL else int(year),  # type: ignore[arg-type]
            borrower=self.query_text.strip() or None)

    def reload(self) -> None:
        f = self._filter()
        self.load_page((f.status, f.fiscal_year, f.borrower), f, self.page, self.page_size)

    @work(thread=True, exclusive=True, exit_on_error=False, group="loan-register")
    def load_page(self, key: tuple[object, ...], f: loans.LoanFilter, page: int, size: int) -> None:
        worker = get_current_worker()
        with db.connection_context():
            found = loans.loan_query(f)
            matched = found.count()
            pages = max(1, ceil(matched / size))
            page = min(max(1, page), pages)
            shown = list(found.paginate(page, size))
            counts = item_counts([loan.id for loan in shown])
            rows = [loan_row(loan, counts.get(loan.id, 0)) for loan in shown]
        if not worker.is_cancelled:
            self.post_message(self.PageLoaded(key, page, pages, matched, rows))

    def on_loan_register_screen_page_loaded(self, loaded: PageLoaded) -> None:
        f = self._filter()
        if loaded.key != (f.status, f.fiscal_year, f.borrower):
            return  # an answer to an older question; a newer one is on its way
        self.page, self.pages = loaded.page, loaded.pages
        table = self.query_one(LoanTable)
        fill_keeping_cursor(table, loaded.rows)
        self.query_one("#loan-count", Static).update(
            t("loans.count", matched=f"{loaded.matched:,}", page=f"{loaded.page:,}",
              pages=f"{loaded.pages:,}") if loaded.matched else t("loans.none"))
        self.refresh_bindings()

    # ---- searching and filtering -----------------------------------------------------

    @on(SearchBox.Changed, "#loan-search")
    def _search_changed(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(SEARCH_DELAY, self._search_now)

    def _search_now(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        self.query_text = self.query_one(LoanSearchBox).value
        self.page = 1
        self.reload()

    @on(Select.Changed)
    def _filter_changed(self) -> None:
        self.page = 1
        self.reload()

    @on(SearchBox.Submitted, "#loan-search")
    def _search_submitted(self, event: SearchBox.Submitted) -> None:
        text = event.value.strip()
        if text:
            self.look_up_number(text)
        else:
            self._search_now()

    @work(thread=True, exclusive=True, exit_on_error=False, group="loan-scan")
    def look_up_number(self, text: str) -> None:
        with db.connection_context():
            try:
                loans.get_loan(text)
                found = True
            except NotFound:
                found = False
        self.post_message(self.NumberLookedUp(text, found))

    def on_loan_register_screen_number_looked_up(self, answer: NumberLookedUp) -> None:
        if answer.found:
            self.open_loan(answer.text)
        else:
            self._search_now()

    @on(SearchBox.ToResults)
    def _to_results(self) -> None:
        table = self.query_one(LoanTable)
        if table.row_count:
            table.focus()

    # ---- actions ---------------------------------------------------------------------

    @on(DataTable.RowSelected, "#loans")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_loan(event.row_key.value)

    def open_loan(self, loan_no: str) -> None:
        self.app.push_screen(LoanDetailScreen(loan_no))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.paging_allowed(action)

    def action_clear_search(self) -> None:
        search = self.query_one(LoanSearchBox)
        search.focus()
        if search.value:
            search.value = ""
            self._search_now()

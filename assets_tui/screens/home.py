"""The home screen (หน้าแรก): what waits for this person today, one number a line, each
opening the list behind it.

A storekeeper sees the loans to hand over and to take back today, the overdue ones (and
those nobody has chased yet), the requests waiting and the stock check's progress; a
department or agency head the requests waiting for their decision; an auditor how much
the registers hold and whether the audit log's chain is intact. The counts come from
``models.dashboard`` and are read again whenever the data change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from math import ceil

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from models import accounts, audit, dashboard, guideline, loans, stockcheck
from models.db import db
from models.schema import Loan, User

from ..i18n import language, t
from ..widgets import LoanTable, SectionBar
from .base import AppScreen, LiveList, PagedList, fill_keeping_cursor
from .loan_detail import LoanDetailScreen
from .loan_parts import set_columns
from .loan_register import COLUMNS, item_counts, loan_row
from .stockcheck import days_left

NUMBER_WIDTH = 8


@dataclass
class Line:
    """One line of the home screen: a heading (``target`` empty) or a number with what it
    counts and where Enter leads (``section:MODE``, ``list:NAME``, ``report``, ``verify``);
    the audit log's line carries the result of the chain's verification beneath it."""

    text: str
    count: int | None = None
    target: str = ""
    verification: bool = False


def _my_open_loans(user: User) -> int:
    return (Loan.select().where((Loan.borrower == user.person_id)
                                & Loan.status.in_(("requested", "approved", "active"))).count())


def home_lines(user: User, today: dt.date | None = None) -> list[Line]:
    """Everything the home screen shows this user, read from the domain in one go."""
    lines: list[Line] = []
    desk = dashboard.loan_desk_figures(user, today)
    if desk:
        lines.append(Line(t("home.group.desk")))
        targets = {"overdue": "section:overdue", "overdue_unchased": "section:overdue"}
        for figure in desk:
            text = t(f"home.{figure.name}", days=loans.follow_up_days())
            lines.append(Line(text, figure.count, targets.get(figure.name, f"list:{figure.name}")))
    if loans.decides_loans(user):
        lines.append(Line(t("home.group.decide")))
        lines.append(Line(t("home.approvals"), len(loans.approvals_inbox(user)), "section:approvals"))
    if accounts.can(user, "loan.request") and not desk:
        lines.append(Line(t("home.group.mine")))
        lines.append(Line(t("home.mine"), _my_open_loans(user), "section:requests"))
    if accounts.can(user, "stockcheck.follow_up") or accounts.can(user, "audit.read"):
        lines.append(Line(t("home.group.stockcheck")))
        checks = dashboard.open_stock_checks()
        for check in checks:
            p = stockcheck.progress(check.id, today)
            done = p.expected - p.missing
            percent = 100 * done // p.expected if p.expected else 100
            lines.append(Line(t("home.stockcheck", year=check.fiscal_year, done=f"{done:,}",
                                expected=f"{p.expected:,}", percent=percent,
                                left=days_left(p.working_days_left)), p.missing, "section:stockcheck"))
        if not checks:
            lines.append(Line(t("home.no_stockcheck")))
    registers = dashboard.register_figures(user)
    if registers:
        lines.append(Line(t("home.group.registers")))
        targets = {"assets": "section:register", "loans": "section:loans",
                   "stock_checks": "section:stockcheck", "audit_events": "section:audit"}
        lines.extend(Line(t(f"home.{f.name}"), f.count, targets[f.name], f.name == "audit_events")
                     for f in registers)
    if guideline.may_see_report(user):
        version = guideline.current_version(today)
        if version is not None:
            report = guideline.acknowledgement_report(user, version, today)
            total = report.acknowledged + report.pending
            lines.append(Line(t("home.guideline", version=version.number, done=f"{report.acknowledged:,}",
                                total=f"{total:,}"), report.pending, "report"))
    return lines


class HomeScreen(LiveList, AppScreen[None]):
    """Enter (or a click) on a number opens its list; the lists are the app's sections
    or a list of loans pushed over this screen, and Escape comes back."""

    BINDINGS = [
        Binding("v", "verify", "bind.verify", tooltip="bind.verify.tip", id="home.verify"),
    ]

    @dataclass
    class Counted(Message):
        lines: list[Line]

    @dataclass
    class Verified(Message):
        text: str

    def __init__(self) -> None:
        super().__init__()
        self.sub_title = t("section.home.title")
        self.lines: list[Line] = []
        self.verification = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home"):
            yield OptionList(id="home-figures")
            yield Static(t("home.hint"), id="home-hint", markup=False)
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        user = self.user
        if user is not None:
            self.sub_title = t("app.signed_in", name=user.person.name,
                               role=accounts.role_label(user.role, language()))
        self.query_one(OptionList).focus()
        # the counts come from on_screen_resume, which follows the first mount as well
        if accounts.can(user, "audit.read"):
            self.action_verify()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        if self.user is not None:
            self.count(self.user)

    @work(thread=True, exclusive=True, exit_on_error=False, group="home")
    def count(self, user: User) -> None:
        with db.connection_context():
            lines = home_lines(user)
        self.post_message(self.Counted(lines))

    def on_home_screen_counted(self, counted: Counted) -> None:
        self.lines = counted.lines
        self.show()

    def show(self) -> None:
        figures = self.query_one(OptionList)
        keep = figures.highlighted
        figures.clear_options()
        options: list[Option] = []
        for n, line in enumerate(self.lines):
            if line.verification and self.verification:
                text = Text(" " * (NUMBER_WIDTH + 2) + self.verification)
                options.append(Option(Text.assemble(self._number(line), line.text, "\n", text),
                                      id=f"{n}"))
            elif line.count is None and not line.target:
                options.append(Option(Text(line.text, style="bold"), id=f"{n}", disabled=True))
            else:
                options.append(Option(Text.assemble(self._number(line), line.text), id=f"{n}"))
        figures.add_options(options)
        enabled = [i for i, line in enumerate(self.lines) if line.target]
        if enabled:
            figures.highlighted = keep if keep in enabled else enabled[0]

    @staticmethod
    def _number(line: Line) -> Text:
        count = "" if line.count is None else f"{line.count:,}"
        return Text(f"{count:>{NUMBER_WIDTH}}  ", style="bold")

    @on(OptionList.OptionSelected, "#home-figures")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        line = self.lines[int(event.option.id or 0)]
        self.open_target(line.target)

    def open_target(self, target: str) -> None:
        kind, _, name = target.partition(":")
        if kind == "section" and name in getattr(self.app, "sections", ()):
            self.app.action_section(name)  # type: ignore[attr-defined]
        elif kind == "section" and name == "audit":
            self.action_verify()  # no audit log section in this app: verify its chain instead
        elif kind == "list":
            self.app.push_screen(LoanListScreen(name))
        elif kind == "report":
            from .guideline import AcknowledgementReportScreen
            self.app.push_screen(AcknowledgementReportScreen())
        elif kind == "verify":
            self.action_verify()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "verify":
            return accounts.can(self.user, "audit.read")
        return True

    # ---- the audit log's chain -------------------------------------------------------

    def action_verify(self) -> None:
        self.verification = t("home.verifying")
        self.show()
        self.verify_chain()

    @work(thread=True, exclusive=True, exit_on_error=False, group="home-verify")
    def verify_chain(self) -> None:
        with db.connection_context():
            checked, problems = audit.verify_chain()
        at = dt.datetime.now().strftime("%H:%M")
        text = (t("home.tampered", problems=f"{len(problems):,}", first=problems[0].message) if problems
                else t("home.verified", count=f"{checked:,}", time=at))
        self.post_message(self.Verified(text))

    def on_home_screen_verified(self, verified: Verified) -> None:
        self.verification = verified.text
        self.show()


class LoanListScreen(PagedList, LiveList, AppScreen[None]):
    """The loans behind one number of the home screen, a page at a time; Enter opens one."""

    BINDINGS = [
        Binding("pagedown", "next_page", "bind.next_page", tooltip="bind.next_page.tip",
                id="list.next_page", priority=True, key_display="PgDn"),
        Binding("pageup", "previous_page", "bind.prev_page", tooltip="bind.prev_page.tip",
                id="list.previous_page", priority=True, key_display="PgUp"),
        Binding("escape", "back", "bind.back", tooltip="bind.back.tip", id="list.back"),
    ]

    @dataclass
    class PageLoaded(Message):
        page: int
        pages: int
        matched: int
        rows: list[tuple[Text, ...]]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.list_name = name
        self.sub_title = t(f"home.{name}", days=0)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="loan-list"):
            yield Static(self.sub_title, id="loan-list-title", markup=False)
            yield Static(t("assets.loading"), id="loan-list-count", markup=False)
            yield LoanTable(id="loan-list-table")
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = t(f"home.{self.list_name}", days=loans.follow_up_days())
        self.query_one("#loan-list-title", Static).update(self.sub_title)
        self.query_one(LoanTable).focus()

    def paged_table(self) -> LoanTable:
        return self.query_one(LoanTable)

    def build_columns(self, table: DataTable) -> None:
        set_columns(table, COLUMNS, "loans.column")

    def reload(self) -> None:
        self.load_page(self.page, self.page_size)

    @work(thread=True, exclusive=True, exit_on_error=False, group="loan-list")
    def load_page(self, page: int, size: int) -> None:
        worker = get_current_worker()
        with db.connection_context():
            found = dashboard.loan_list(self.list_name)
            matched = found.count()
            pages = max(1, ceil(matched / size))
            page = min(max(1, page), pages)
            shown = list(found.paginate(page, size))
            counts = item_counts([loan.id for loan in shown])
            rows = [loan_row(loan, counts.get(loan.id, 0)) for loan in shown]
        if not worker.is_cancelled:
            self.post_message(self.PageLoaded(page, pages, matched, rows))

    def on_loan_list_screen_page_loaded(self, loaded: PageLoaded) -> None:
        self.page, self.pages = loaded.page, loaded.pages
        table = self.query_one(LoanTable)
        fill_keeping_cursor(table, loaded.rows)
        self.query_one("#loan-list-count", Static).update(
            t("list.count", count=f"{loaded.matched:,}", page=f"{loaded.page:,}", pages=f"{loaded.pages:,}")
            if loaded.matched else t("list.none"))
        self.refresh_bindings()

    @on(DataTable.RowSelected, "#loan-list-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(LoanDetailScreen(event.row_key.value))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.paging_allowed(action)

    def action_back(self) -> None:
        self.dismiss()

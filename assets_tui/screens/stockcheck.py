"""The annual stock check (ตรวจนับพัสดุประจำปี): choose a check, count it with the scanner,
follow everyone's progress, review the discrepancies and close.

The list shows each check with its fiscal year, scope, status, deadline (BE) and the
working days left; Enter opens one. Counting works from the scanner alone: the scan field
always has the focus, Ctrl+O sets the location being counted (scan or type its code),
Ctrl+D changes the condition of the next item (in use, damaged, deteriorated, not needed).
Each scan goes to the domain and comes back as one coloured line with a short word
(found, duplicate, misplaced, unexpected); anything but "found" rings the terminal bell.
The progress table is read again whenever the app sees the audit counter move, so several
terminals counting at once see each other's scans within a couple of seconds. Ctrl+R reviews the
discrepancies: ``e`` adds an explanation, ``c`` closes the check for good after a
confirmation. Those not on the committee see the same screens; the domain refuses what
they may not do, and its sentence is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee
from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Footer, Header, Input, Label, RichLog, Static

from models import accounts, audit, org, stockcheck
from models.db import db
from models.errors import DomainError
from models.schema import StockCheck, StockCheckMember, User

from ..domain_th import error_text, in_thai
from ..i18n import language, t
from ..widgets import LoanTable, SectionBar
from ..widgets.localized import localize_bindings
from .base import AppModal, AppScreen, FittedColumns, LiveList, fill_keeping_cursor
from .loan_parts import NoteScreen, cell, day, set_columns

CONDITIONS = ("in_use", "damaged", "deteriorated", "not_needed")
REVIEW_COLUMNS = (
    ("code", 12, None),
    ("kinds", None, (2, 10)),
    ("name", None, (3, 12)),
    ("expected", 9, None),
    ("found", 9, None),
    ("by", 11, None),
    ("reason", None, (2, 10)),
    ("explanation", None, (3, 12)),
)
WORD_WIDTH = 16  # the short word of a scan's outcome, padded so the messages line up


def offered(user: User) -> bool:
    """The section is offered once a check exists, to its committees and to those who
    open, follow up or audit checks."""
    if not accounts.can(user, "stockcheck.read") or not StockCheck.select().exists():
        return False
    if any(accounts.can(user, action) for action in ("stockcheck.open", "stockcheck.follow_up",
                                                     "audit.read")):
        return True
    return StockCheckMember.select().where(StockCheckMember.user == user.id).exists()


def pair(names: dict[str, tuple[str, str]], code: str | None) -> str:
    if not code:
        return ""
    th, en = names.get(code, (code, code))
    return th if language() == "th" else en


def is_member(user: User | None, check: StockCheck) -> bool:
    return user is not None and any(u.id == user.id for u in stockcheck.committee(check))


def scope_text(check: StockCheck) -> str:
    scope = stockcheck.scope_of(check)
    parts = [t(f"sc.scope.{kind}", codes=", ".join(codes))
             for kind, codes in (("departments", scope.departments), ("locations", scope.locations),
                                 ("categories", scope.categories)) if codes]
    return "; ".join(parts) or t("sc.scope.all")


def days_left(days: int) -> str:
    return t("sc.days_left", days=f"{days:,}") if days >= 0 else t("sc.days_late", days=f"{-days:,}")


class StockScanBox(Input):
    """The stock check's scan field: a keyboard-wedge scanner types a label and Enter."""

    BINDINGS = [
        Binding("enter", "submit", "bind.scan_desk", tooltip="bind.sc_scan.tip", id="sc.scan"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        localize_bindings(self)


class CheckTable(LoanTable):
    """The list of checks: Enter opens the chosen one."""

    BINDINGS = [
        Binding("enter", "select_cursor", "bind.open", tooltip="bind.sc_open.tip", id="sc.open"),
    ]


class DiscrepancyTable(LoanTable):
    """The discrepancies: Enter explains the chosen one, as ``e`` does."""

    BINDINGS = [
        Binding("enter", "select_cursor", "bind.sc_explain", tooltip="bind.sc_explain.tip",
                id="sc.explain_row", show=False),
    ]


# ---- the list of checks ----------------------------------------------------------------

class StockCheckScreen(LiveList, AppScreen[None]):
    """Every stock check, newest first; Enter counts or follows the chosen one."""

    BINDINGS = [
        Binding("r", "reload", "bind.reload", tooltip="bind.reload.tip", id="sc.reload"),
    ]

    @dataclass
    class Loaded(Message):
        rows: list[tuple[Text, ...]]

    def __init__(self) -> None:
        super().__init__()
        self.sub_title = t("section.stockcheck.title")

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="sc-list"):
            yield Static(t("assets.loading"), id="sc-count", markup=False)
            yield CheckTable(id="sc-checks")
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(CheckTable)
        for key in ("id", "fiscal_year", "scope", "status", "deadline", "left", "counted", "member"):
            table.add_column(Text(t(f"sc.column.{key}")), key=key)
        table.focus()

    def on_screen_resume(self) -> None:
        self.load()

    def reload(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="stockchecks")
    def load(self) -> None:
        user = self.user
        rows = []
        with db.connection_context():
            for check in stockcheck.checks():
                p = stockcheck.progress(check.id)
                rows.append((
                    cell(str(check.id), justify="right"), cell(str(check.fiscal_year)),
                    cell(scope_text(check)), cell(t(f"sc.status.{check.status}")),
                    cell(day(check.deadline_on)),
                    cell(days_left(p.working_days_left) if check.status == "open" else ""),
                    cell(f"{p.counted + p.on_loan + p.in_repair:,}/{p.expected:,}", justify="right"),
                    cell(t("sc.member") if is_member(user, check) else "")))
        self.post_message(self.Loaded(rows))

    def on_stock_check_screen_loaded(self, loaded: Loaded) -> None:
        fill_keeping_cursor(self.query_one(CheckTable), loaded.rows)
        self.query_one("#sc-count", Static).update(
            t("sc.count", count=f"{len(loaded.rows):,}") if loaded.rows else t("sc.none"))

    @on(DataTable.RowSelected, "#sc-checks")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(CountScreen(int(event.row_key.value)))


# ---- counting --------------------------------------------------------------------------

class CountScreen(LiveList, AppScreen[None]):
    """Count one check with the scanner and watch its progress."""

    BINDINGS = [
        Binding("ctrl+o", "location", "bind.sc_location", tooltip="bind.sc_location.tip",
                id="sc.location", priority=True),
        Binding("ctrl+d", "condition", "bind.sc_condition", tooltip="bind.sc_condition.tip",
                id="sc.condition", priority=True),
        Binding("ctrl+r", "review", "bind.sc_review", tooltip="bind.sc_review.tip",
                id="sc.review", priority=True),
        Binding("escape", "back", "bind.back", tooltip="bind.back.tip", id="sc.back"),
    ]

    condition: reactive[str] = reactive("in_use", init=False)

    @dataclass
    class Loaded(Message):
        seq: int
        progress: stockcheck.Progress

    def __init__(self, check_id: int) -> None:
        super().__init__()
        self.check_id = check_id
        self.location: str | None = None  # the code of the location being counted
        self.seq = -1
        self.member = False
        self.progress: stockcheck.Progress | None = None
        self.sub_title = t("sc.title", id=check_id)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="sc-count-view"):
            yield Static("", id="sc-heading", markup=False)
            with Horizontal(id="sc-scan-bar"):
                yield Label(t("desk.scan"), id="sc-scan-label")
                yield StockScanBox(placeholder=t("sc.scan_hint"), id="sc-scan", max_length=100)
            yield Static("", id="sc-where", markup=False)
            yield Static("", id="sc-summary", markup=False)
            yield DataTable(id="sc-progress", cursor_type="none", zebra_stripes=True)
            yield Static(t("desk.log"), classes="section-title")
            yield RichLog(id="sc-log", markup=False, wrap=True, max_lines=500)
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#sc-progress", DataTable)
        for key in ("location", "name", "counted", "expected", "accounted", "remaining"):
            table.add_column(Text(t(f"sc.progress.{key}")), key=key)
        table.can_focus = False
        self.query_one(RichLog).can_focus = False
        check = stockcheck.get_check(self.check_id)
        self.member = is_member(self.user, check)
        heading = t("sc.heading", id=check.id, year=check.fiscal_year, scope=scope_text(check),
                    status=t(f"sc.status.{check.status}"), deadline=day(check.deadline_on))
        if not self.member:
            heading += " · " + t("sc.read_only")
        self.query_one("#sc-heading", Static).update(heading)
        self.query_one("#sc-scan-bar").display = check.status == "open"
        self.show_where()
        self.query_one(StockScanBox).focus()
        self.load()

    def on_screen_resume(self) -> None:
        self.query_one(StockScanBox).focus()
        self.seq = -1
        self.load()

    # ---- progress ----------------------------------------------------------------------

    def reload(self) -> None:
        """Another terminal scanned (the app noticed the audit log move): read again."""
        self.load(only_if_changed=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="stockcheck-progress")
    def load(self, only_if_changed: bool = False) -> None:
        with db.connection_context():
            seq = audit.last_seq()
            if only_if_changed and seq == self.seq:
                return
            progress = stockcheck.progress(self.check_id)
        self.post_message(self.Loaded(seq, progress))

    def on_count_screen_loaded(self, loaded: Loaded) -> None:
        self.seq = loaded.seq
        self.progress = p = loaded.progress
        table = self.query_one("#sc-progress", DataTable)
        table.clear()
        for place in p.locations:
            accounted = place.on_loan + place.in_repair
            table.add_row(cell(place.location or t("sc.no_location")), cell(place.name),
                          cell(f"{place.counted:,}", justify="right"),
                          cell(f"{place.expected:,}", justify="right"),
                          cell(f"{accounted:,}" if accounted else "", justify="right"),
                          cell(f"{place.remaining:,}", justify="right"),
                          key=place.location or "")
        summary = t("sc.summary", counted=f"{p.counted:,}", expected=f"{p.expected:,}",
                    missing=f"{p.missing:,}", misplaced=f"{p.misplaced:,}", on_loan=f"{p.on_loan:,}",
                    in_repair=f"{p.in_repair:,}", unexpected=f"{p.unexpected:,}",
                    duplicates=f"{p.duplicates:,}")
        if p.status == "open":
            summary += " · " + days_left(p.working_days_left)
        else:
            summary += " · " + t("sc.closed")
        self.query_one("#sc-summary", Static).update(summary)
        if p.status != "open":
            self.query_one("#sc-scan-bar").display = False

    # ---- scanning ----------------------------------------------------------------------

    @on(Input.Submitted, "#sc-scan")
    def _scanned(self, event: Input.Submitted) -> None:
        event.input.value = ""
        text = event.value.strip()
        if text:
            self.scan(text)

    def scan(self, code: str) -> None:
        condition = self.condition
        try:
            result = stockcheck.scan(self.user, self.check_id, code, location=self.location,
                                     condition=condition)
        except DomainError as refused:
            self.outcome("refused", error_text(refused))
            self.notify(error_text(refused), severity="error", timeout=8, markup=False)
            return
        except peewee.DatabaseError as failure:
            self.app.report_error(failure)  # type: ignore[attr-defined]
            return
        message = in_thai(result.message) if language() == "th" else result.message
        if condition != "in_use" and result.outcome != "duplicate":
            message += f" ({pair(stockcheck.CONDITION_NAMES, condition)})"
        self.outcome(result.outcome, message)
        self.condition = "in_use"  # the condition was for that one item
        self.load()

    def outcome(self, outcome: str, message: str) -> None:
        """One line in the log with a short word: green when found, amber for a duplicate
        or a misplaced item, red when unexpected or refused; the bell on every problem."""
        variables = self.app.theme_variables
        name, fallback = {"found": ("text-success", "green"), "duplicate": ("text-warning", "yellow"),
                          "misplaced": ("text-warning", "yellow")}.get(outcome, ("text-error", "red"))
        word = t(f"sc.outcome.{outcome}")
        word += " " * max(1, WORD_WIDTH - cell_len(word))
        self.query_one(RichLog).write(Text(word + message, style=variables.get(name, fallback)))
        if outcome != "found":
            self.app.bell()

    # ---- location and condition ----------------------------------------------------------

    def show_where(self) -> None:
        where = self.query_one("#sc-where", Static)
        where.update(t("sc.where", location=self.location or t("sc.where.none"),
                       condition=pair(stockcheck.CONDITION_NAMES, self.condition)))
        where.set_class(self.condition != "in_use", "-problem")

    def watch_condition(self, condition: str) -> None:
        self.show_where()

    def action_condition(self) -> None:
        self.condition = CONDITIONS[(CONDITIONS.index(self.condition) + 1) % len(CONDITIONS)]

    def action_location(self) -> None:
        self.app.push_screen(NoteScreen(t("sc.location_title"), t("sc.location_prompt"),
                                        value=self.location or ""), callback=self._location_chosen)

    def _location_chosen(self, text: str | None) -> None:
        if text is None:
            return
        if not text:
            self.location = None
        else:
            place = org.find_location(text)
            if place is None:
                self.outcome("refused", t("sc.location_unknown", location=text))
                return
            self.location = place.code
        self.show_where()

    def action_review(self) -> None:
        self.app.push_screen(ReviewScreen(self.check_id))

    def action_back(self) -> None:
        self.app.pop_screen()


# ---- review and closing ----------------------------------------------------------------

class ReviewScreen(FittedColumns, LiveList, AppScreen[None]):
    """The discrepancies the committee looks at before closing."""

    BINDINGS = [
        Binding("e", "explain", "bind.sc_explain", tooltip="bind.sc_explain.tip", id="sc.explain"),
        Binding("c", "close_check", "bind.sc_close", tooltip="bind.sc_close.tip", id="sc.close"),
        Binding("escape", "back", "bind.back", tooltip="bind.back.tip", id="sc.review_back"),
    ]

    def __init__(self, check_id: int) -> None:
        super().__init__()
        self.check_id = check_id
        self.items: list[stockcheck.Discrepancy] = []
        self.open = True
        self.sub_title = t("sc.review_title", id=check_id)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="sc-review"):
            yield Static("", id="sc-review-count", markup=False)
            yield DiscrepancyTable(id="sc-discrepancies")
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DiscrepancyTable).focus()
        self.call_after_refresh(self.reload)

    def build_columns(self, table: DataTable) -> None:
        set_columns(table, REVIEW_COLUMNS, "sc.review")

    def reload(self) -> None:
        self.fit_columns(self.query_one(DiscrepancyTable))
        try:
            check = stockcheck.get_check(self.check_id)
            self.items = stockcheck.discrepancies(self.check_id)
        except DomainError as refused:
            self.notify(error_text(refused), severity="error", markup=False)
            return
        self.open = check.status == "open"
        fill_keeping_cursor(self.query_one(DiscrepancyTable), [
            (cell(d.code), cell(", ".join(pair(stockcheck.DISCREPANCY_NAMES, k) for k in d.kinds)),
             cell(d.name), cell(d.expected_location), cell(d.found_location),
             cell(d.found_by), cell(d.reason), cell(d.explanation)) for d in self.items])
        counts = {kind: sum(kind in d.kinds for d in self.items) for kind in stockcheck.DISCREPANCY_KINDS}
        text = " · ".join(f"{pair(stockcheck.DISCREPANCY_NAMES, k)} {n:,}" for k, n in counts.items())
        self.query_one("#sc-review-count", Static).update(
            (text if self.items else t("sc.review.none"))
            + ("" if self.open else " · " + t("sc.closed")))
        self.refresh_bindings()

    @on(DataTable.RowSelected, "#sc-discrepancies")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        if self.open:
            self.action_explain()

    def selected(self) -> stockcheck.Discrepancy | None:
        table = self.query_one(DiscrepancyTable)
        if not table.row_count:
            return None
        return self.items[table.cursor_row]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "explain":
            return None if not self.open or self.selected() is None else True
        if action == "close_check":
            return None if not self.open else True
        return True

    def action_explain(self) -> None:
        item = self.selected()
        if item is None:
            return
        self.app.push_screen(
            NoteScreen(t("sc.explain_title", code=item.code), t("sc.explain_prompt"),
                       value=item.explanation, detail=f"{item.name} · {item.reason}".strip(" ·")),
            callback=lambda text: self._explained(item.code, text))

    def _explained(self, code: str, text: str | None) -> None:
        if text is None:
            return
        try:
            stockcheck.explain(self.user, self.check_id, code, text)
        except DomainError as refused:
            self.notify(error_text(refused), severity="error", timeout=8, markup=False)
            return
        self.reload()

    def action_close_check(self) -> None:
        missing = sum("missing" in d.kinds for d in self.items)
        self.app.push_screen(ConfirmClose(t("sc.close_question", id=self.check_id,
                                            count=f"{len(self.items):,}", missing=f"{missing:,}")),
                             callback=self._close_confirmed)

    def _close_confirmed(self, yes: bool | None) -> None:
        if not yes:
            return
        try:
            stockcheck.close_check(self.user, self.check_id)
        except DomainError as refused:
            self.notify(error_text(refused), severity="error", timeout=10, markup=False)
            return
        self.notify(t("sc.closed_done", id=self.check_id))
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()


class ConfirmClose(AppModal[bool]):
    """Closing is final: ``y`` closes, Escape or ``n`` does not."""

    BINDINGS = [
        Binding("y", "yes", "bind.sc_yes", tooltip="bind.sc_yes.tip", id="sc.confirm_yes"),
        Binding("n,escape", "no", "bind.cancel", tooltip="bind.cancel_note.tip", id="sc.confirm_no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog"):
            yield Static(t("sc.close_title"), id="note-title", markup=False)
            yield Static(self.question, id="sc-confirm-text", markup=False)
        yield Footer()

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)

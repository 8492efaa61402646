"""The audit log as auditors read it: every change anyone made, newest first, narrowed in
the database by user, action, record and dates, one page at a time; the highlighted
event's before and after values in full below; the whole log exported as CSV."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from math import ceil

import peewee
from platformdirs import user_documents_dir
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Label, Static
from textual.worker import get_current_worker

from models import audit
from models.audit_log import AuditFilter, audit_query, change_summary, local_time
from models.db import db
from models.errors import DomainError
from models.schema import AuditEvent
from models.values import format_date_be

from ..domain_th import error_text
from ..i18n import action_label, t
from ..widgets import SectionBar
from .base import AppScreen, LiveList, PagedList, fill_keeping_cursor
from .loan_parts import cell, set_columns

FILTER_DELAY = 0.3
FILTERS = ("actor", "action", "record", "since", "until")
COLUMNS = (
    ("seq", 8, None),
    ("at", 17, None),
    ("actor", None, (1, 10)),
    ("action", None, (2, 14)),
    ("record", None, (1, 12)),
    ("change", None, (4, 12)),
)


def event_row(event: AuditEvent) -> tuple[Text, ...]:
    moment = local_time(event)
    when = f"{format_date_be(moment.date(), short=True)} {moment:%H:%M}"
    return (cell(str(event.seq), justify="right"), cell(when), cell(event.actor),
            cell(action_label(event.action)), cell(event.entity_id), cell(change_summary(event)))


class AuditLogScreen(PagedList, LiveList, AppScreen[None]):
    BINDINGS = [
        Binding("pagedown", "next_page", "bind.next_page", tooltip="bind.next_page.tip",
                id="audit.next_page", priority=True, key_display="PgDn"),
        Binding("pageup", "previous_page", "bind.prev_page", tooltip="bind.prev_page.tip",
                id="audit.previous_page", priority=True, key_display="PgUp"),
        Binding("ctrl+e", "export", "bind.export_audit", tooltip="bind.export_audit.tip",
                id="audit.export"),
    ]

    @dataclass
    class PageLoaded(Message):
        key: tuple[object, ...]
        page: int
        pages: int
        matched: int
        rows: list[tuple[Text, ...]]
        details: dict[str, str]

    @dataclass
    class Refused(Message):
        error: BaseException

    @dataclass
    class Exported(Message):
        path: str
        count: int
        error: BaseException | None = None

    def __init__(self) -> None:
        super().__init__()
        self.sub_title = t("section.audit")
        self._timer: Timer | None = None
        self._details: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="audit-log"):
            with Horizontal(id="audit-filters"):
                for name in FILTERS:
                    yield Label(t(f"audit.{name}"), classes="filter-label")
                    yield Input(id=f"field-{name}", compact=True, max_length=60,
                                placeholder=t(f"audit.{name}.hint"))
            yield Static("", id="audit-error", classes="field-error", markup=False)
            yield Static(t("assets.loading"), id="audit-count", markup=False)
            yield DataTable(id="audit-events", cursor_type="row", zebra_stripes=True)
            yield Static("", id="audit-detail", markup=False)
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#audit-events").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.paging_allowed(action)

    # ---- loading pages ---------------------------------------------------------------

    def paged_table(self) -> DataTable:
        return self.query_one("#audit-events", DataTable)

    def build_columns(self, table: DataTable) -> None:
        set_columns(table, COLUMNS, "audit.column")

    def _filter(self) -> AuditFilter:
        values = {name: self.query_one(f"#field-{name}", Input).value.strip() or None
                  for name in FILTERS}
        return AuditFilter(**values)

    def reload(self) -> None:
        f = self._filter()
        self.load_page(tuple(vars(f).values()), f, self.page, self.page_size)

    @work(thread=True, exclusive=True, exit_on_error=False, group="audit-log")
    def load_page(self, key: tuple[object, ...], f: AuditFilter, page: int, size: int) -> None:
        worker = get_current_worker()
        try:
            with db.connection_context():
                found = audit_query(self.user, f)
                matched = found.count()
                pages = max(1, ceil(matched / size))
                page = min(max(1, page), pages)
                shown = list(found.paginate(page, size))
        except (DomainError, peewee.DatabaseError) as error:
            self.post_message(self.Refused(error))
            return
        rows = [event_row(e) for e in shown]
        details = {str(e.seq): _detail(e) for e in shown}
        if not worker.is_cancelled:
            self.post_message(self.PageLoaded(key, page, pages, matched, rows, details))

    def on_audit_log_screen_page_loaded(self, loaded: PageLoaded) -> None:
        if loaded.key != tuple(vars(self._filter()).values()):
            return  # an answer to an older question
        self._show_error("")
        self.page, self.pages = loaded.page, loaded.pages
        self._details = loaded.details
        table = self.query_one("#audit-events", DataTable)
        fill_keeping_cursor(table, loaded.rows)
        self.query_one("#audit-count", Static).update(
            t("audit.count", matched=f"{loaded.matched:,}", page=f"{loaded.page:,}",
              pages=f"{loaded.pages:,}") if loaded.matched else t("audit.none"))
        self._show_detail()
        self.refresh_bindings()

    def on_audit_log_screen_refused(self, refused: Refused) -> None:
        if isinstance(refused.error, DomainError):
            self._show_error(error_text(refused.error))
        else:
            self.app.report_error(refused.error)  # type: ignore[attr-defined]

    def _show_error(self, message: str) -> None:
        slot = self.query_one("#audit-error", Static)
        slot.update(message)
        slot.set_class(bool(message), "-shown")

    # ---- filtering and reading -------------------------------------------------------

    @on(Input.Changed)
    def _filter_changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(FILTER_DELAY, self._filter_now)

    def _filter_now(self) -> None:
        self.page = 1
        self.reload()

    @on(DataTable.RowHighlighted, "#audit-events")
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        table = self.query_one("#audit-events", DataTable)
        text = ""
        if table.row_count:
            key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
            text = self._details.get(str(key), "")
        self.query_one("#audit-detail", Static).update(text)

    # ---- export ----------------------------------------------------------------------

    def action_export(self) -> None:
        folder = user_documents_dir()
        name = f"audit-log-{dt.datetime.now():%Y%m%d-%H%M%S}.csv"
        self.notify(t("audit.exporting"), markup=False)
        self._export(os.path.join(folder, name))

    @work(thread=True, exclusive=True, exit_on_error=False, group="audit-export")
    def _export(self, path: str) -> None:
        from forms.opendata import export_audit
        from models.accounts import require

        partial = path + ".part"
        try:
            with db.connection_context():
                require(self.user, "audit.read")
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(partial, "wb") as out:
                    count = export_audit(out, "csv")
            os.replace(partial, path)
        except (DomainError, peewee.DatabaseError, OSError) as error:
            if os.path.exists(partial):
                os.unlink(partial)
            self.post_message(self.Exported(path, 0, error))
            return
        self.post_message(self.Exported(path, count))

    def on_audit_log_screen_exported(self, done: Exported) -> None:
        if done.error is not None:
            self.app.report_error(done.error)  # type: ignore[attr-defined]
            return
        self.notify(t("audit.exported", count=f"{done.count:,}", path=done.path), markup=False)


def _detail(event: AuditEvent) -> str:
    """The event in full: who, when, which record, and every value before and after."""
    moment = local_time(event)
    lines = [f"#{event.seq} · {format_date_be(moment.date())} {moment:%H:%M:%S} · {event.actor} · "
             f"{action_label(event.action)} · {event.entity} {event.entity_id}"]
    before, after = audit.decode(event.before), audit.decode(event.after)
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key, "—"), after.get(key, "—")
        lines.append(f"  {key}: {old} → {new}" if old != new or not before else f"  {key}: {new}")
    return "\n".join(lines)

"""What every screen shares: key bindings in the chosen language, the logged-in
user, and one place where a failed background job is reported."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label, Static
from textual.worker import Worker, WorkerState

from ..widgets.localized import localize_bindings

if TYPE_CHECKING:
    from models.schema import User

ResultType = TypeVar("ResultType")


class _Shared:
    """Behaviour common to full screens and dialogs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        localize_bindings(self)  # type: ignore[arg-type]

    @property
    def user(self) -> User | None:
        return getattr(self.app, "user", None)  # type: ignore[attr-defined]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A background job that raised is reported once, here, as a notification."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.report_error(event.worker.error)  # type: ignore[attr-defined]

    async def _dispatch_message(self, message: Message) -> None:
        """A failure in a screen's own handler is reported as a sentence (and logged by the
        app) instead of closing the app with a traceback over the screen."""
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except Exception as error:  # noqa: BLE001 - the last line of defence, reported and logged
            self.app.report_error(error)  # type: ignore[attr-defined]


class AppScreen(_Shared, Screen[ResultType]):
    """A full screen of the app."""


class AppModal(_Shared, ModalScreen[ResultType]):
    """A dialog over the current screen; Escape closes it."""


TWO_FIELDS_FROM = 120  # terminal columns: below this, one field to a line


def compose_fields(rows: Sequence[tuple[str, ...]], label: Callable[[str], str],
                   prefix: str) -> ComposeResult:
    """Label/value fields, a line (``#{prefix}row-{first key}``) for each of ``rows``, one or
    two fields to a line; the value of ``key`` is the Static ``#{prefix}{key}``. A screen
    that shows them is a ``FieldLines``."""
    for row in rows:
        with Horizontal(classes="field-row", id=f"{prefix}row-{row[0]}"):
            for key in row:
                with Horizontal(classes="field-pair"):
                    yield Label(label(key), classes="field-label")
                    yield Static("", id=f"{prefix}{key}", classes="field-value", markup=False)


class FieldLines:
    """A screen of fields from ``compose_fields`` that keeps Thai words whole. Thai has no
    spaces between words, so a value wrapped in a narrow column is cut in the middle of a
    word: below ``TWO_FIELDS_FROM`` columns each field has a line of its own, and in a
    wider terminal so do the two fields of a line where a word of either would not fit in
    half of it."""

    def show_fields(self, prefix: str, values: dict[str, str]) -> None:
        """Show each value (a dash for none) and give its words the room they need."""
        for key, value in values.items():
            self.query_one(f"#{prefix}{key}", Static).update(value or "—")  # type: ignore[attr-defined]
        self.call_after_refresh(self.give_long_words_room)  # type: ignore[attr-defined]

    def on_resize(self) -> None:
        self.lay_out_fields()

    def on_screen_resume(self) -> None:
        self.lay_out_fields()  # the terminal may have changed size behind another screen

    def lay_out_fields(self) -> None:
        self.set_class(self.app.size.width < TWO_FIELDS_FROM, "-narrow-fields")  # type: ignore[attr-defined]
        self.call_after_refresh(self.give_long_words_room)  # type: ignore[attr-defined]

    def give_long_words_room(self) -> None:
        """Two fields share a line only where every word of both fits in half of it."""
        for row in self.query(".field-row"):  # type: ignore[attr-defined]
            values = list(row.query(".field-value").results(Static))
            if len(values) < 2:
                continue
            room = (row.size.width // len(values) - row.query_one(Label).outer_size.width
                    - values[0].styles.gutter.width)
            words = [word for value in values for word in str(value.content).split()]
            row.set_class(any(cell_len(word) > room for word in words), "-stacked")


MIN_PAGE_SIZE = 5  # the fewest rows a page holds, however short the terminal


class FittedColumns:
    """A list whose table's columns are built for the table's width: in a narrow terminal
    the columns that matter least leave. Each screen says how its columns are built
    (``build_columns``) and calls ``fit_columns`` before it fills the table."""

    _table_width: int = -1  # the width the columns were last built for

    def build_columns(self, table: DataTable) -> None:
        raise NotImplementedError

    def fit_columns(self, table: DataTable) -> bool:
        """Build ``table``'s columns again when its width changed; True when they were."""
        if table.size.width == self._table_width:
            return False
        self._table_width = table.size.width
        self.build_columns(table)
        return True


class PagedList(FittedColumns):
    """Paging for a screen that shows one page of a database list at a time: the screen
    keeps ``page`` and ``pages`` and reloads the current page with ``reload()``.

    A page is as many rows as the screen's table shows, so PageDown shows the next ones;
    when the table's width changes its columns are built again (``FittedColumns``). Each
    screen says which table it pages (``paged_table``) and how its columns are built
    (``build_columns``)."""

    page: int = 1
    pages: int = 1
    page_size: int = 20
    reload: Callable[[], None]  # each paged screen says how it reads the current page

    def paged_table(self) -> DataTable:
        raise NotImplementedError

    def resumed(self) -> None:
        """What else the screen does when it comes to the front."""

    def on_screen_resume(self) -> None:
        # Shown first, or back from another screen: the list may have changed.
        self.call_after_refresh(self.fit_page_to_table, True)  # type: ignore[attr-defined]
        self.resumed()

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_page_to_table)  # type: ignore[attr-defined]

    def fit_page_to_table(self, reload: bool = False) -> None:
        """Build the columns for the table's width and make a page as many rows as the
        table shows, keeping the first row shown on the page; read the page again when
        either changed (or when ``reload``)."""
        table = self.paged_table()
        if self.fit_columns(table):
            reload = True
        rows = max(MIN_PAGE_SIZE, table.size.height - 2)  # less the header and a scroll bar
        if rows != self.page_size:
            first = (self.page - 1) * self.page_size
            self.page_size = rows
            self.page = first // rows + 1
            reload = True
        if reload:
            self.reload()

    def paging_allowed(self, action: str) -> bool | None:
        """For ``check_action``: hide the page key that would lead nowhere."""
        if action == "next_page":
            return None if self.page >= self.pages else True
        if action == "previous_page":
            return None if self.page <= 1 else True
        return True

    def action_next_page(self) -> None:
        if self.page < self.pages:
            self.page += 1
            self.reload()

    def action_previous_page(self) -> None:
        if self.page > 1:
            self.page -= 1
            self.reload()


class LiveList:
    """A screen that shows what others may change from another terminal. The app polls
    the audit log's change counter and calls ``data_changed()`` on the screen in front when
    it moved; the screen reads its data again in the background and keeps the cursor on
    the same row (screens further back read theirs when they come to the front)."""

    reload: Callable[[], None]  # each live screen says how it reads its data again

    def data_changed(self) -> None:
        self.reload()


def fill_keeping_cursor(table: DataTable, rows: Sequence[tuple[Text, ...]], key_column: int = 0) -> None:
    """Fill ``table`` with ``rows``, each keyed by the text of its ``key_column``; the cursor
    stays on the same record when it is still there (another terminal may have added or
    removed rows above it), else on the same line."""
    key = None
    if table.row_count:
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
    line = table.cursor_row if table.row_count else 0
    table.clear()
    keys = [row[key_column].plain for row in rows]
    shown = getattr(table, "shown_columns", None)  # the columns the table's width leaves
    for row, row_key in zip(rows, keys, strict=True):
        table.add_row(*(row if shown is None else (row[n] for n in shown)), key=row_key)
    if rows:
        table.move_cursor(row=keys.index(key) if key in keys else min(line, len(rows) - 1), animate=False)

"""The asset register: search as you type, one page of results at a time.

The register may hold a hundred thousand assets, so the table only ever holds the
page on screen; counting and fetching run in a background thread with their own
database connection. A barcode scanner types the asset number and Enter into the
search box: an exact number opens that asset straight away.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from rich.console import JustifyMethod
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Label, Static
from textual.worker import get_current_worker

from models import accounts
from models.assets import AssetFilter, asset_query, count_assets, get_asset
from models.db import db
from models.errors import NotFound
from models.schema import Asset
from models.values import format_money

from ..i18n import field_label, language, status_label, t
from ..widgets import AssetTable, SearchBox, SectionBar
from .asset_detail import AssetDetailScreen
from .asset_form import AssetFormScreen
from .base import AppScreen, LiveList, PagedList, fill_keeping_cursor
from .loan_parts import column_widths as shared_column_widths

SEARCH_DELAY = 0.05  # seconds of quiet typing before the register is searched
COUNT_CAP = 10_000  # a search's matches are counted up to here ("10,000+")


# Columns: key, fixed width, or (share of the remaining width, least width).
COLUMNS: tuple[tuple[str, int | None, tuple[int, int] | None], ...] = (
    ("asset_no", 13, None),
    ("name", None, (3, 16)),
    ("brand_model", None, (2, 8)),
    ("department", None, (2, 8)),
    ("location", None, (2, 8)),
    ("custodian", None, (2, 8)),
    ("status", 11, None),
    ("price", None, (1, 14)),  # the first to leave a narrow terminal
)


def column_widths(total: int) -> dict[str, int]:
    """Share the table's width so that long names are cut short; in a narrow terminal the
    columns that matter least leave (``loan_parts.column_widths``)."""
    return shared_column_widths(COLUMNS, total)


def column_title(key: str) -> Text:
    if key == "brand_model":
        return Text(t("assets.brand_model"))
    if key == "status":
        return Text(t("assets.status"))
    if key == "price":
        return Text(field_label("price"), justify="right")
    return Text(field_label(key))


def cell(text: str, justify: JustifyMethod = "left") -> Text:
    """Plain text (an asset name may hold brackets) that ends in … when cut short."""
    return Text(text, justify=justify, overflow="ellipsis", no_wrap=True)


def asset_row(asset: Asset) -> tuple[Text, ...]:
    """One table row; the linked records came with the same query."""
    return (
        cell(asset.asset_no),
        cell(asset.name),
        cell(" ".join(part for part in (asset.brand, asset.model) if part)),
        cell(asset.department.name),
        cell(asset.location.name if asset.location_id else ""),
        cell(asset.custodian.name if asset.custodian_id else ""),
        cell(status_label(asset.status)),
        cell(format_money(asset.price), justify="right"),
    )


class AssetListScreen(PagedList, LiveList, AppScreen[None]):
    BINDINGS = [
        Binding("pagedown", "next_page", "bind.next_page", tooltip="bind.next_page.tip",
                id="assets.next_page", priority=True, key_display="PgDn"),
        Binding("pageup", "previous_page", "bind.prev_page", tooltip="bind.prev_page.tip",
                id="assets.previous_page", priority=True, key_display="PgUp"),
        Binding("ctrl+n", "register", "bind.register", tooltip="bind.register.tip",
                id="assets.register"),
        Binding("escape", "clear_search", "bind.clear_search", tooltip="bind.clear_search.tip",
                id="assets.clear_search"),
    ]

    @dataclass
    class PageLoaded(Message):
        query: str
        page: int
        pages: int
        matched: int
        total: int
        rows: list[tuple[Text, ...]]

    @dataclass
    class NumberLookedUp(Message):
        """The answer to "is this text exactly an asset number?" after Enter."""

        text: str
        found: bool

    def __init__(self) -> None:
        super().__init__()
        self.query_text = ""
        self._debounce: Timer | None = None
        self._paging: tuple[bool, bool] | None = None
        self._typed_into_table = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="asset-list"):
            with Horizontal(id="search-bar"):
                yield Label(t("assets.search"), id="search-label")
                yield SearchBox(placeholder=t("assets.search_placeholder"), id="search",
                                select_on_focus=False)
            yield Static(t("assets.loading"), id="result-count", markup=False)
            yield AssetTable(id="assets")
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        user = self.user
        if user is not None:
            self.sub_title = t("app.signed_in", name=user.person.name,
                               role=accounts.role_label(user.role, language()))
        self.query_one(SearchBox).focus()

    def resumed(self) -> None:
        search = self.query_one(SearchBox)
        if self.focused is search:
            search.select_all()  # the next scan replaces the last one

    # ---- loading pages ---------------------------------------------------------------

    def paged_table(self) -> AssetTable:
        return self.query_one(AssetTable)

    def build_columns(self, table: DataTable) -> None:
        widths = column_widths(table.size.width)
        table.clear(columns=True)
        table.shown_columns = [n for n, (key, _, _) in enumerate(COLUMNS) if key in widths]  # type: ignore[attr-defined]
        for key, _, _ in COLUMNS:
            if key in widths:
                table.add_column(column_title(key), key=key, width=widths[key])

    def reload(self) -> None:
        self.load_page(self.query_text, self.page, self.page_size)

    @work(thread=True, exclusive=True, exit_on_error=False, group="asset-search")
    def load_page(self, query: str, page: int, size: int) -> None:
        worker = get_current_worker()
        with db.connection_context():
            wanted = AssetFilter(query=query)
            found = asset_query(wanted)
            matched = count_assets(wanted, COUNT_CAP if query.strip() else None)
            total = Asset.select().count() if query.strip() else matched
            pages = max(1, ceil(matched / size))
            page = min(max(1, page), pages)
            rows = [asset_row(asset) for asset in found.paginate(page, size)]
        if not worker.is_cancelled:
            self.post_message(self.PageLoaded(query, page, pages, matched, total, rows))

    def on_asset_list_screen_page_loaded(self, loaded: PageLoaded) -> None:
        if loaded.query != self.query_text:
            return  # an answer to what was typed before; a newer search is on its way
        self.page, self.pages = loaded.page, loaded.pages
        table = self.query_one(AssetTable)
        fill_keeping_cursor(table, loaded.rows)
        if loaded.matched == 0 and loaded.query.strip():
            summary = t("assets.none", query=loaded.query.strip())
        else:
            more = "+" if loaded.matched > COUNT_CAP else ""  # counting stopped there
            summary = t("assets.count", matched=f"{min(loaded.matched, COUNT_CAP):,}{more}",
                        total=f"{loaded.total:,}", page=f"{loaded.page:,}", pages=f"{loaded.pages:,}{more}")
        self.query_one("#result-count", Static).update(summary)
        paging = (loaded.page > 1, loaded.page < loaded.pages)
        if paging != self._paging:  # the footer is rebuilt only when a page key comes or goes
            self._paging = paging
            self.refresh_bindings()

    # ---- typing and scanning ---------------------------------------------------------

    @on(SearchBox.Changed, "#search")
    def _search_changed(self, event: SearchBox.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(
            SEARCH_DELAY, lambda: self.search(self.query_one(SearchBox).value))

    def search(self, text: str) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        self.query_text = text
        self.page = 1
        self.query_one("#result-count", Static).update(t("assets.loading"))
        self.reload()

    @on(SearchBox.Submitted, "#search")
    def _search_submitted(self, event: SearchBox.Submitted) -> None:
        self._enter_pressed(event.value)

    def _enter_pressed(self, text: str) -> None:
        self._typed_into_table = False
        text = text.strip()
        if text:
            self.look_up_number(text)
        else:
            self.search("")

    @work(thread=True, exclusive=True, exit_on_error=False, group="asset-scan")
    def look_up_number(self, text: str) -> None:
        with db.connection_context():
            try:
                get_asset(text)
                found = True
            except NotFound:
                found = False
        self.post_message(self.NumberLookedUp(text, found))

    def on_asset_list_screen_number_looked_up(self, answer: NumberLookedUp) -> None:
        if answer.found:
            self.open_asset(answer.text)
        else:
            self.search(self.query_one(SearchBox).value)

    def on_key(self, event: events.Key) -> None:
        """Typing while the results have focus goes to the search box, so a scan is
        never lost and its Enter never opens whichever row happened to be selected."""
        search = self.query_one(SearchBox)
        if self.focused is search:
            return
        if event.is_printable and event.character and event.key not in self.active_bindings:
            if not self._typed_into_table:
                search.value = ""
                self._typed_into_table = True
            search.value += event.character
            search.cursor_position = len(search.value)
            search.focus()
            event.stop()
            event.prevent_default()
        elif event.key == "enter" and self._typed_into_table:
            event.stop()
            event.prevent_default()
            self._enter_pressed(search.value)

    @on(events.DescendantFocus, "#search")
    def _search_focused(self) -> None:
        self._typed_into_table = False

    @on(SearchBox.ToResults)
    def _to_results(self) -> None:
        table = self.query_one(AssetTable)
        if table.row_count:
            table.focus()

    # ---- actions ---------------------------------------------------------------------

    @on(DataTable.RowSelected, "#assets")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_asset(event.row_key.value)

    def open_asset(self, asset_no: str) -> None:
        self.app.push_screen(AssetDetailScreen(asset_no))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "register":
            return accounts.can(self.user, "asset.register")
        return self.paging_allowed(action)

    def action_clear_search(self) -> None:
        search = self.query_one(SearchBox)
        search.focus()
        if search.value:
            search.value = ""
            self.search("")

    def action_register(self) -> None:
        self.app.push_screen(AssetFormScreen(), callback=self._registered)

    def _registered(self, asset_no: str | None) -> None:
        if asset_no:
            self.notify(t("assets.registered", asset_no=asset_no))
            self.open_asset(asset_no)

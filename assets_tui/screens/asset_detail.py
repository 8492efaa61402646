"""One asset: every register header field and its whole change history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from models import accounts, org
from models.assets import FIELD_LABELS, HistoryEntry, asset_history, funding_label, get_asset
from models.db import db
from models.schema import Asset, Category, Department, Location, Person, User
from models.values import format_date_be, format_money

from ..i18n import action_label, field_label, has, language, status_label, t
from ..widgets import SectionBar
from .asset_form import MOVE_FIELDS, AssetFormScreen
from .base import AppScreen, FieldLines, compose_fields

# The register header, two fields to a line; the long texts take a line of their own.
# Thai has no spaces between words, so a value is given the width to keep its words whole
# (FieldLines): in a narrow terminal each field has a line of its own, and in a wide one
# so do the two fields of a line where a word of either would not fit in half the line.
SHOWN_FIELDS = (
    "agency", "asset_no", "category", "name", "description", "brand", "model",
    "serial_no", "unit", "department", "location", "custodian", "status", "acquired_on",
    "price", "funding_source", "acquisition_method", "supplier", "document_no",
    "useful_life_years", "lendable", "remarks",
)
WIDE_FIELDS = {"agency", "name", "description", "remarks"}
HISTORY_COLUMNS = ("when", "who", "what", "change")


def _field_rows() -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    pending: list[str] = []
    for key in SHOWN_FIELDS:
        if key in WIDE_FIELDS:
            rows.append((key,))
        else:
            pending.append(key)
            if len(pending) == 2:
                rows.append(tuple(pending))
                pending = []
    if pending:
        rows.append(tuple(pending))
    return rows


@dataclass
class Names:
    """Codes in the audit log turned back into the names people know."""

    departments: dict[str, str] = field(default_factory=dict)
    locations: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)


def local_time_be(at: str) -> str:
    """An audit timestamp (UTC) as the local date in the Buddhist Era and time."""
    moment = dt.datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone()
    return f"{format_date_be(moment.date(), short=True)} {moment:%H:%M}"


def category_name(category: Category) -> str:
    name = category.name if language() == "th" or not category.name_en else category.name_en
    return f"{category.code} {name}"


def show_value(name: str, value: Any, names: Names) -> str:
    """A value as the audit log stored it, written the way the register shows it."""
    if value is None or value == "":
        return "—"
    if name == "acquired_on":
        try:
            return format_date_be(dt.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if name == "price":
        try:
            return format_money(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    if name == "lendable":
        return t("asset.yes") if value else t("asset.no")
    if name == "status":
        return status_label(str(value))
    if name == "funding_source":
        return funding_label(str(value), language())
    if name == "department":
        return names.departments.get(str(value), str(value))
    if name == "location":
        return names.locations.get(str(value), str(value))
    if name == "category":
        return names.categories.get(str(value), str(value))
    return str(value)


def _field_order(key: str) -> tuple[int, str]:
    order = list(FIELD_LABELS)
    return (order.index(key) if key in order else len(order), key)


def _label(key: str) -> str:
    if key in FIELD_LABELS:
        return field_label(key)
    return {"status": t("assets.status"), "agency": t("asset.agency")}.get(key, key)


LOAN_EVENT_KEYS = ("condition", "settlement", "amount", "method", "due_on", "note")


def loan_event_detail(entry: HistoryEntry) -> str:
    """A loan or damage event in a few words: condition, settlement, amount, method, due date, note."""
    parts = []
    for key in LOAN_EVENT_KEYS:
        value = entry.after.get(key)
        if value in (None, "") or (key == "due_on" and entry.action != "loan.extend"):
            continue
        if key == "amount":
            value = f"{Decimal(str(value)):,.2f}"
        elif key == "due_on":
            value = format_date_be(dt.date.fromisoformat(str(value)), short=True)
        elif has(f"loanevent.value.{value}"):
            value = t(f"loanevent.value.{value}")
        parts.append(f"{t(f'loanevent.{key}')}: {value}")
    return " · ".join(parts)


def history_rows(history: list[HistoryEntry], names: Names) -> list[tuple[str, str, str, str]]:
    """(when, who, what, change) rows: one per changed field, the event named on its first."""
    rows = []
    for entry in reversed(history):  # newest first
        who = names.users.get(entry.actor, entry.actor)
        if not entry.action.startswith("asset."):
            rows.append((local_time_be(entry.at), who, f"{action_label(entry.action)} {entry.ref}".strip(),
                         loan_event_detail(entry)))
            continue
        head = (local_time_be(entry.at), who, action_label(entry.action))
        changed = [] if entry.action in ("asset.register", "asset.import") else sorted(
            set(entry.before) | set(entry.after), key=_field_order)
        if not changed:
            rows.append((*head, ""))
            continue
        for i, key in enumerate(changed):
            before = show_value(key, entry.before.get(key), names)
            after = show_value(key, entry.after.get(key), names)
            rows.append((*(head if i == 0 else ("", "", "")),
                         f"{_label(key)}: {before} → {after}"))
    return rows


class AssetDetailScreen(FieldLines, AppScreen[None]):
    BINDINGS = [
        Binding("escape", "back", "bind.back", tooltip="bind.back.tip", id="asset.back"),
        Binding("e", "edit", "bind.edit", tooltip="bind.edit.tip", id="asset.edit"),
        Binding("m", "move", "bind.move", tooltip="bind.move.tip", id="asset.move"),
        Binding("r", "reload", "bind.reload", tooltip="bind.reload.tip", id="asset.reload",
                show=False),
    ]

    @dataclass
    class Loaded(Message):
        asset: Asset
        agency: str
        history: list[HistoryEntry]
        names: Names

    def __init__(self, asset_no: str) -> None:
        super().__init__()
        self.asset_no = asset_no
        self.asset: Asset | None = None
        self.sub_title = t("asset.title", asset_no=asset_no)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="asset-detail"):
            yield Static(t("asset.loading"), id="asset-heading", markup=False)
            with Vertical(id="asset-fields"):
                yield from compose_fields(_field_rows(), _label, "value-")
            yield Static(t("asset.history"), classes="section-title")
            yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="asset-detail")
    def load(self) -> None:
        with db.connection_context():
            asset = get_asset(self.asset_no)
            history = asset_history(self.asset_no)
            actors = {entry.actor for entry in history}
            names = Names(
                departments={d.code: d.name for d in Department.select()},
                locations={loc.code: loc.name for loc in Location.select()},
                categories={c.code: category_name(c) for c in Category.select()},
                users={u.username: u.person.name for u in User.select(User, Person).join(Person)
                       .where(User.username.in_(actors))} if actors else {},
            )
            agency = org.get_setting("agency_name")
        self.post_message(self.Loaded(asset, agency, history, names))

    def on_asset_detail_screen_loaded(self, loaded: Loaded) -> None:
        self.asset = asset = loaded.asset
        self.query_one("#asset-heading", Static).update(f"{asset.asset_no}  {asset.name}")
        self.show_fields("value-", self._field_values(asset, loaded.agency))
        self._show_history(history_rows(loaded.history, loaded.names)
                           or [(t("asset.history.none"), "", "", "")])
        self.refresh_bindings()

    def _show_history(self, rows: list[tuple[str, str, str, str]]) -> None:
        # Columns are sized from the rows here: a table that was already drawn empty keeps
        # its header at the old widths when it grows columns by itself.
        table = self.query_one("#history", DataTable)
        table.clear(columns=True)
        for i, key in enumerate(HISTORY_COLUMNS):
            title = t(f"asset.history.{key}")
            width = max(cell_len(text) for text in [title, *(row[i] for row in rows)])
            table.add_column(title, key=key, width=width)
        for i, row in enumerate(rows):
            table.add_row(*(Text(cell) for cell in row), key=str(i))

    def _field_values(self, asset: Asset, agency: str) -> dict[str, str]:
        life = asset.useful_life_years
        return {
            "agency": agency,
            "asset_no": asset.asset_no,
            "category": category_name(asset.category),
            "name": asset.name,
            "description": asset.description,
            "brand": asset.brand,
            "model": asset.model,
            "serial_no": asset.serial_no,
            "unit": asset.unit,
            "department": asset.department.name,
            "location": asset.location.name if asset.location_id else "",
            "custodian": asset.custodian.name if asset.custodian_id else "",
            "status": status_label(asset.status),
            "acquired_on": format_date_be(asset.acquired_on),
            "price": format_money(asset.price),
            "funding_source": funding_label(asset.funding_source, language()),
            "acquisition_method": asset.acquisition_method,
            "supplier": asset.supplier,
            "document_no": asset.document_no,
            "useful_life_years": str(life) if life else t(
                "asset.useful_life_default", years=asset.category.useful_life_years),
            "lendable": t("asset.yes") if asset.lendable else t("asset.no"),
            "remarks": asset.remarks,
        }

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "move"):
            if not accounts.can(self.user, "asset.edit" if action == "edit" else "asset.move"):
                return False
            if self.asset is None or self.asset.status == "disposed":
                return None
        return True

    def action_back(self) -> None:
        self.dismiss()

    def action_reload(self) -> None:
        self.load()

    def action_edit(self) -> None:
        if self.asset is not None:
            self.app.push_screen(AssetFormScreen(self.asset), callback=self._saved)

    def action_move(self) -> None:
        if self.asset is not None:
            self.app.push_screen(AssetFormScreen(self.asset, fields=MOVE_FIELDS),
                                 callback=self._saved)

    def _saved(self, asset_no: str | None) -> None:
        if asset_no:
            self.load()

"""Registering an asset, editing its register record, moving it or changing its
custodian: one form, filled by a person, checked by the domain."""

from __future__ import annotations

from typing import Any

import peewee
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, Static

from models import assets, org
from models.errors import DomainError, ValidationError
from models.schema import Asset, Person
from models.values import format_date_be, format_money

from ..domain_th import error_text
from ..i18n import field_label, language, t
from .base import AppModal

REGISTER_FIELDS = (
    "name", "description", "category", "department", "location", "custodian",
    "brand", "model", "serial_no", "acquired_on", "price", "funding_source",
    "acquisition_method", "supplier", "document_no", "lendable", "remarks",
)
MOVE_FIELDS = ("department", "location", "custodian")
SELECTS = ("category", "department", "location", "funding_source")
HINTS = {"acquired_on": "form.date_hint", "price": "form.price_hint",
         "custodian": "form.custodian_hint"}
MAX_LENGTHS = {**assets.TEXT_LIMITS, "custodian": 200}


def form_values(asset: Asset) -> dict[str, Any]:
    """An asset's register record as the form shows it."""
    return {
        "name": asset.name,
        "description": asset.description,
        "category": asset.category.code,
        "department": asset.department.code,
        "location": asset.location.code if asset.location_id else "",
        "custodian": asset.custodian.name if asset.custodian_id else "",
        "brand": asset.brand,
        "model": asset.model,
        "serial_no": asset.serial_no,
        "acquired_on": format_date_be(asset.acquired_on, short=True),
        "price": format_money(asset.price),
        "funding_source": asset.funding_source,
        "acquisition_method": asset.acquisition_method,
        "supplier": asset.supplier,
        "document_no": asset.document_no,
        "lendable": asset.lendable,
        "remarks": asset.remarks,
    }


class AssetFormScreen(AppModal[str | None]):
    """Register a new asset (no ``asset``) or change one; dismisses with the number of
    the asset saved, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "bind.cancel", tooltip="bind.cancel.tip", id="form.cancel"),
        Binding("ctrl+s", "save", "bind.save", tooltip="bind.save.tip", id="form.save"),
    ]

    def __init__(self, asset: Asset | None = None, fields: tuple[str, ...] = REGISTER_FIELDS) -> None:
        super().__init__()
        self.asset = asset
        self.fields = fields
        self.initial: dict[str, Any] = form_values(asset) if asset is not None else {}

    # ---- building the form -----------------------------------------------------------

    def _title(self) -> str:
        if self.asset is None:
            return t("form.register")
        key = "form.move" if self.fields == MOVE_FIELDS else "form.edit"
        return t(key, asset_no=self.asset.asset_no)

    def _defaults(self) -> dict[str, Any]:
        if self.initial:
            return self.initial
        person = self.user.person if self.user is not None else None
        department = person.department.code if person and person.department_id else ""
        return {"department": department, "lendable": True}

    def _choices(self, name: str, current: str) -> list[tuple[str, str]]:
        if name == "category":
            rows = [(c.code, c.name if language() == "th" else (c.name_en or c.name), c.active)
                    for c in org.categories()]
        elif name == "department":
            rows = [(d.code, d.name, d.active) for d in org.departments()]
        elif name == "location":
            rows = [(loc.code, loc.name, loc.active) for loc in org.locations()]
        else:
            return [(label, code) for code, label in
                    ((code, assets.funding_label(code, language())) for code in assets.FUNDING_SOURCES)]
        return [(f"{code}  {label}", code) for code, label, active in rows
                if active or code == current]

    def _field(self, name: str, value: Any) -> Widget:
        widget_id = f"field-{name}"
        if name in SELECTS:
            required = name in assets.REQUIRED
            return Select(self._choices(name, value or ""), id=widget_id, compact=True,
                          prompt=t("form.choose" if required else "form.none"),
                          value=value if value else Select.NULL)
        if name == "lendable":
            return Checkbox(t("form.lendable"), bool(value), id=widget_id, compact=True)
        suggester = None
        if name == "custodian":
            people = Person.select(Person.name).where(
                (Person.external == False) & (Person.active == True)).order_by(Person.name)  # noqa: E712
            suggester = SuggestFromList([p.name for p in people.limit(5000)], case_sensitive=False)
        elif name == "acquisition_method":
            suggester = SuggestFromList(assets.ACQUISITION_METHODS, case_sensitive=False)
        return Input(str(value or ""), id=widget_id, compact=True, suggester=suggester,
                     placeholder=t(HINTS[name]) if name in HINTS else "",
                     max_length=MAX_LENGTHS.get(name, 0))

    def compose(self) -> ComposeResult:
        values = self._defaults()
        with Vertical(id="form-dialog"):
            yield Static(self._title(), id="form-title")
            with VerticalScroll(id="form-fields"):
                for name in self.fields:
                    with Horizontal(classes="form-row", id=f"row-{name}"):
                        mark = " *" if name in assets.REQUIRED else ""
                        yield Label(field_label(name) + mark, classes="form-label")
                        yield self._field(name, values.get(name))
                    yield Static("", id=f"error-{name}", classes="field-error", markup=False)
            yield Static("", id="form-error", classes="field-error", markup=False)
            with Horizontal(id="form-buttons"):
                yield Static(t("form.required"), id="form-required")
                yield Button(t("form.save"), variant="primary", id="form-save")
                yield Button(t("form.cancel"), id="form-cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(f"#field-{self.fields[0]}").focus()

    # ---- reading and saving ----------------------------------------------------------

    def values(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in self.fields:
            widget = self.query_one(f"#field-{name}")
            if isinstance(widget, Select):
                data[name] = "" if widget.value == Select.NULL else widget.value
            elif isinstance(widget, Checkbox):
                data[name] = widget.value
            else:
                data[name] = widget.value.strip()
        return data

    def show_error(self, field: str, message: str) -> None:
        """The domain's sentence next to the field it names (or under the form)."""
        target = field if field in self.fields else None
        error = self.query_one(f"#error-{target}" if target else "#form-error", Static)
        error.update(message)
        error.add_class("-shown")
        if target:
            widget = self.query_one(f"#field-{target}")
            widget.add_class("-invalid")
            widget.focus()
            self.query_one(f"#row-{target}").scroll_visible()

    def clear_errors(self) -> None:
        for error in self.query(".field-error"):
            error.remove_class("-shown")
            error.update("")
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")

    def action_save(self) -> None:
        self.clear_errors()
        data = self.values()
        try:
            if self.asset is None:
                saved = assets.register_asset(self.user, data)
            else:
                changes = {k: v for k, v in data.items() if v != self.initial.get(k)}
                if not changes:
                    self.notify(t("asset.unchanged"))
                    self.dismiss(None)
                    return
                action = "asset.move" if set(changes) <= set(MOVE_FIELDS) else "asset.edit"
                saved = assets.update_asset(self.user, self.asset.asset_no, changes, action=action)
        except ValidationError as refused:
            self.show_error(refused.field, error_text(refused))
            return
        except DomainError as refused:  # not allowed, no longer there, ...
            self.show_error("", error_text(refused))
            self.notify(error_text(refused), severity="error", markup=False)
            return
        except peewee.DatabaseError as failure:
            self.app.report_error(failure)  # type: ignore[attr-defined]
            return
        if self.asset is not None:
            self.notify(t("asset.saved", asset_no=saved.asset_no))
        self.dismiss(saved.asset_no)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#form-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _next_field(self) -> None:
        self.focus_next()

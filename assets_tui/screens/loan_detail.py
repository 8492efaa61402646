"""One loan slip (ใบยืมพัสดุ) with every field, its items, follow-ups and damage cases;
a request can be approved, rejected or cancelled from here by whoever the domain allows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import peewee
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from forms.opendata import loan_detail
from models import accounts, loans, org
from models.db import db
from models.errors import DomainError
from models.schema import Loan

from ..domain_th import error_text
from ..i18n import t
from ..widgets import SectionBar
from .base import AppScreen, FieldLines, compose_fields
from .loan_parts import (
    LoanDecisions,
    NoteScreen,
    day,
    kind_label,
    loan_status_label,
    local_day,
    period,
    word,
)

# The slip's fields, two to a line; the long texts take a line of their own. A Thai value
# keeps its words whole (FieldLines): in a narrow terminal each field has a line of its
# own, and in a wide one so do the two fields of a line where a word would not fit.
SLIP_ROWS: tuple[tuple[str, ...], ...] = (
    ("agency",),
    ("loan_no", "requested"),
    ("status", "kind"),
    ("borrower", "position"),
    ("unit", "phone"),
    ("address",),
    ("lent_by", "place"),
    ("purpose",),
    ("period",),
    ("decision",),
    ("approvers",),
    ("issued_on", "returned_on"),
)
ITEM_COLUMNS = ("no", "asset_no", "name", "quantity", "value", "issued", "returned",
                "condition", "note")


def slip_values(s: dict[str, Any], agency: str, approvers: list[str]) -> dict[str, str]:
    """The slip as the screen shows it, from ``forms.opendata.loan_detail``."""

    def who(name: str | None, username: str | None) -> str:
        return f"{name} ({username})" if name else ""

    decision = ""
    if s["decided_by"]:
        verb = t("slip.rejected_by" if s["status"] == "rejected" else "slip.approved_by")
        decision = f"{verb} {who(s['decided_by_name'], s['decided_by'])} {local_day(s['decided_at'])}"
        if s["decision_note"]:
            decision += f": {s['decision_note']}"
    elif s["status"] == "requested":
        decision = loan_status_label("requested")
    return {
        "agency": agency,
        "loan_no": s["loan_no"],
        "requested": (f"{local_day(s['requested_at'], long=True)} "
                      f"{t('slip.by')} {who(s['requested_by_name'], s['requested_by'])}"),
        "status": loan_status_label(s["status"]),
        "kind": kind_label(s["kind"]),
        "borrower": s["borrower"],
        "position": s["borrower_position"],
        "unit": s["organisation"] or s["borrower_unit"] or "",
        "phone": s["borrower_phone"],
        "address": s["borrower_address"],
        "lent_by": s["department"],
        "place": word("place", s["place"]),
        "purpose": s["purpose"],
        "period": period(s["start_on"], s["due_on"], long=True),
        "decision": decision,
        "approvers": ", ".join(approvers),
        "issued_on": day(s["issued_on"], long=True),
        "returned_on": day(s["returned_on"], long=True),
    }


class LoanDetailScreen(FieldLines, LoanDecisions, AppScreen[None]):
    BINDINGS = [
        Binding("escape", "back", "bind.back", tooltip="bind.back.tip", id="loan.back"),
        Binding("a", "approve", "bind.approve", tooltip="bind.approve.tip", id="loan.approve"),
        Binding("r", "reject", "bind.reject", tooltip="bind.reject.tip", id="loan.reject"),
        Binding("c", "cancel_loan", "bind.cancel_loan", tooltip="bind.cancel_loan.tip",
                id="loan.cancel"),
    ]

    @dataclass
    class Loaded(Message):
        slip: dict[str, Any]
        agency: str
        approvers: list[str]

    def __init__(self, loan_no: str) -> None:
        super().__init__()
        self.loan_no = loan_no
        self.status: str | None = None
        self.sub_title = t("slip.title", loan_no=loan_no)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="loan-detail"):
            yield Static(t("asset.loading"), id="loan-heading", markup=False)
            yield Static("", id="loan-error", classes="field-error", markup=False)
            with Vertical(id="loan-fields"):
                yield from compose_fields(SLIP_ROWS, lambda key: t(f"slip.{key}"), "slip-")
            yield Static(t("slip.items"), classes="section-title")
            yield DataTable(id="loan-items", cursor_type="row", zebra_stripes=True)
            yield Static(t("slip.follow_ups"), classes="section-title", id="follow-ups-title")
            yield DataTable(id="loan-follow-ups", cursor_type="row", zebra_stripes=True)
            yield Static(t("slip.damage"), classes="section-title", id="damage-title")
            yield DataTable(id="loan-damage", cursor_type="row", zebra_stripes=True)
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="loan-detail")
    def load(self) -> None:
        with db.connection_context():
            slip = loan_detail(self.loan_no)
            approvers = []
            if slip["status"] == "requested":
                loan = loans.get_loan(self.loan_no)
                approvers = [f"{u.person.name} ({u.username})" for u in loans.eligible_approvers(loan)]
            agency = org.get_setting("agency_name")
        self.post_message(self.Loaded(slip, agency, approvers))

    def on_loan_detail_screen_loaded(self, loaded: Loaded) -> None:
        s = loaded.slip
        self.status = s["status"]
        self.query_one("#loan-heading", Static).update(
            f"{t('slip.heading')} {s['loan_no']}  ·  {loan_status_label(s['status'])}")
        self.show_fields("slip-", slip_values(s, loaded.agency, loaded.approvers))
        self.query_one("#slip-row-address").display = bool(s["borrower_address"])
        self.query_one("#slip-row-approvers").display = bool(loaded.approvers)
        self._fill(self.query_one("#loan-items", DataTable), "slip.item", ITEM_COLUMNS, [
            (str(n), i["asset_no"], i["name"], "1", f"{Decimal(i['value_at_loan']):,.2f}",
             local_day(i["issued_at"]), local_day(i["returned_at"]),
             word("condition", i["returned_condition"]), i["return_note"])
            for n, i in enumerate(s["items"], start=1)])
        self._fill(self.query_one("#loan-follow-ups", DataTable), "slip.follow_up",
                   ("on_date", "method", "by", "note"),
                   [(day(f["on_date"]), word("method", f["method"]), f["by"], f["note"])
                    for f in s["follow_ups"]])
        self._fill(self.query_one("#loan-damage", DataTable), "slip.case",
                   ("asset_no", "condition", "amount", "status", "note"),
                   [(c["asset_no"], word("condition", c["condition"]),
                     f"{Decimal(c['suggested_amount']):,.2f}", word("case", c["status"]),
                     c["note"]) for c in s["damage_cases"]])
        for name, rows in (("follow-ups", s["follow_ups"]), ("damage", s["damage_cases"])):
            self.query_one(f"#{name}-title").display = bool(rows)
            self.query_one(f"#loan-{name}").display = bool(rows)
        self.refresh_bindings()

    @staticmethod
    def _fill(table: DataTable, prefix: str, keys: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        table.clear(columns=True)
        for key in keys:
            table.add_column(Text(t(f"{prefix}.{key}")), key=key)
        for row in rows:
            table.add_row(*(Text(value or "") for value in row))

    # ---- actions ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("approve", "reject"):
            if not accounts.can(self.user, "loan.decide"):
                return False
            return None if self.status != "requested" else True
        if action == "cancel_loan":
            if not accounts.can(self.user, "loan.request"):
                return False
            return None if self.status not in ("requested", "approved") else True
        return True

    def action_back(self) -> None:
        self.dismiss()

    def action_approve(self) -> None:
        self.decide(self.loan_no, "approve")

    def action_reject(self) -> None:
        self.decide(self.loan_no, "reject")

    def show_refusal(self, message: str) -> None:
        error = self.query_one("#loan-error", Static)
        error.update(message)
        error.add_class("-shown")
        super().show_refusal(message)

    def decided(self, loan: Loan) -> None:
        self.query_one("#loan-error", Static).remove_class("-shown")
        self.load()

    def action_cancel_loan(self) -> None:
        self.app.push_screen(NoteScreen(t("cancel.title", loan_no=self.loan_no), t("decide.note")),
                             callback=self._cancel)

    def _cancel(self, note: str | None) -> None:
        if note is None:
            return
        if cancel_loan(self, self.loan_no, note):
            self.load()


def cancel_loan(screen: AppScreen, loan_no: str, note: str) -> bool:
    """Withdraw a request through the domain; its refusal is shown as it is written."""
    try:
        loans.cancel_loan(screen.user, loan_no, note)
    except DomainError as refused:
        screen.notify(error_text(refused), severity="error", timeout=10, markup=False)
        return False
    except peewee.DatabaseError as failure:
        screen.app.report_error(failure)  # type: ignore[attr-defined]
        return False
    screen.notify(t("cancel.done", loan_no=loan_no))
    screen.app.count_approvals()  # type: ignore[attr-defined]
    return True

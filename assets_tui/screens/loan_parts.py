"""What the loan screens share: loan words and dates as people read them, table columns
that share the width, the small note dialog, and approving or rejecting a request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import peewee
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, Static

from models import loans
from models.errors import DomainError
from models.values import format_date_be, local_date

from ..domain_th import error_text
from ..i18n import language, t
from ..widgets import ConfirmBox
from .base import AppModal

if TYPE_CHECKING:
    from models.schema import Loan

# Columns: key, fixed width, or (share of the remaining width, least width).
Columns = Sequence[tuple[str, int | None, tuple[int, int] | None]]


def column_widths(columns: Columns, total: int) -> dict[str, int]:
    """Share a table's width so that every column shows and long names are cut short.
    When even the least widths do not fit (an 80-column terminal), the sharing columns
    with the smallest share leave, the later first, until the rest fit."""
    kept = list(columns)
    while True:
        fixed = sum(width for _, width, _ in kept if width)
        free = max(0, total - 2 * len(kept) - 2 - fixed)  # cell padding and a scroll bar
        sharing = [(n, share) for n, (_, _, share) in enumerate(kept) if share]
        if len(sharing) <= 1 or sum(share[1] for _, share in sharing) <= free:
            break
        drop, _ = min(reversed(sharing), key=lambda item: item[1][0])
        del kept[drop]
    # Each sharing column gets its least width, then the rest of the space by its share.
    spare = max(0, free - sum(share[1] for _, _, share in kept if share))
    shares = sum(share[0] for _, _, share in kept if share) or 1
    return {key: width if width else share[1] + spare * share[0] // shares
            for key, width, share in kept if width or share}


def set_columns(table: DataTable, columns: Columns, prefix: str) -> None:
    """(Re)build a table's columns for its current width, titled from ``prefix.key``; the
    table remembers which of ``columns`` it shows, for ``shown_cells``."""
    widths = column_widths(columns, table.size.width or 100)
    table.clear(columns=True)
    table.shown_columns = [n for n, (key, _, _) in enumerate(columns) if key in widths]  # type: ignore[attr-defined]
    for key, _, _ in columns:
        if key in widths:
            table.add_column(Text(t(f"{prefix}.{key}")), key=key, width=widths[key])


def shown_cells(table: DataTable, row: Sequence[Text]) -> tuple[Text, ...]:
    """The cells of a full row that the table shows at its width (see ``set_columns``)."""
    shown = getattr(table, "shown_columns", None)
    return tuple(row) if shown is None else tuple(row[n] for n in shown)


def cell(text: str | None, style: str = "", justify: str = "left") -> Text:
    """Plain text (a name may hold brackets) that ends in … when cut short."""
    return Text(text or "", style=style, justify=justify, overflow="ellipsis",  # type: ignore[arg-type]
                no_wrap=True)


# ---- words -----------------------------------------------------------------------------

def _pair(names: dict[str, tuple[str, str]], code: str | None) -> str:
    if not code:
        return ""
    th, en = names.get(code, (code, code))
    return th if language() == "th" else en


def loan_status_label(status: str | None) -> str:
    return _pair(loans.STATUS_NAMES, status)


def kind_label(kind: str | None) -> str:
    return _pair(loans.KIND_NAMES, kind)


def word(group: str, code: str | None) -> str:
    """``place``, ``condition`` and ``method`` codes in the app's language."""
    return t(f"{group}.{code}") if code else ""


# ---- dates -----------------------------------------------------------------------------

def day(value: dt.date | str | None, long: bool = False) -> str:
    """A date in the Buddhist Era: ``1/12/2569``, or ``1 ธันวาคม 2569`` when ``long``."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return format_date_be(value, short=not long)


def local_day(moment: dt.datetime | str | None, long: bool = False) -> str:
    """The local calendar day (BE) of a stored UTC time or an ISO ``...Z`` stamp."""
    if not moment:
        return ""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment.removesuffix("Z"))
    return day(local_date(moment), long)


def period(start: dt.date | str | None, due: dt.date | str | None, long: bool = False) -> str:
    return f"{day(start, long)} – {day(due, long)}"


def borrower_name(loan: Loan) -> str:
    borrower = loan.borrower
    return borrower.name + (f" ({borrower.organisation})" if borrower.organisation else "")


# ---- a note before a decision ----------------------------------------------------------

class NoteScreen(AppModal[str | None]):
    """Asks for a short note; Enter confirms (an empty note is a note too) and Escape
    cancels. Dismisses with the note, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "bind.cancel", tooltip="bind.cancel_note.tip", id="note.cancel"),
    ]

    def __init__(self, title: str, prompt: str, value: str = "", detail: str = "") -> None:
        super().__init__()
        self.heading = title
        self.prompt = prompt
        self.value = value
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog"):
            yield Static(self.heading, id="note-title", markup=False)
            if self.detail:
                yield Static(self.detail, id="note-detail", markup=False)
            yield Label(self.prompt, id="note-prompt")
            yield ConfirmBox(self.value, id="note", compact=True, max_length=500)
        yield Footer()

    @on(ConfirmBox.Submitted, "#note")
    def _confirmed(self, event: ConfirmBox.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class LoanDecisions:
    """Approve (``a``) and reject (``r``) for a screen that shows a request: each asks for
    an optional note, then the domain decides; its refusal is shown as it is written."""

    def decide(self, loan_no: str, verb: str) -> None:
        screen = self  # a screen of the app

        def chosen(note: str | None) -> None:
            if note is None:
                return
            decide = loans.approve_loan if verb == "approve" else loans.reject_loan
            try:
                loan = decide(screen.user, loan_no, note)  # type: ignore[attr-defined]
            except DomainError as refused:
                screen.show_refusal(error_text(refused))
                return
            except peewee.DatabaseError as failure:
                screen.app.report_error(failure)  # type: ignore[attr-defined]
                return
            screen.notify(t(f"decide.{verb}.done", loan_no=loan.loan_no))  # type: ignore[attr-defined]
            screen.app.count_approvals()  # type: ignore[attr-defined]
            screen.decided(loan)

        screen.app.push_screen(  # type: ignore[attr-defined]
            NoteScreen(t(f"decide.{verb}.title", loan_no=loan_no), t("decide.note")),
            callback=chosen)

    def show_refusal(self, message: str) -> None:
        self.notify(message, severity="error", timeout=10, markup=False)  # type: ignore[attr-defined]

    def decided(self, loan: Loan) -> None:
        """The domain recorded a decision on ``loan``."""

"""What the home screen counts: the loans waiting for someone's hand today, and the
figures an auditor looks at first.

Each list is a query (never a list of rows), so the home screen asks the database only
for its count and a screen behind the number pages through the same query. The counts
are single ``COUNT`` queries, cheap enough to run again whenever the data change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import peewee as pw

from . import loans
from .accounts import can
from .schema import Asset, AuditHead, Department, Loan, LoanFollowUp, LoanItem, Person, StockCheck

LoanList = Callable[[dt.date], pw.ModelSelect]


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _loans() -> pw.ModelSelect:
    """Loans with their borrower and department, as the loan register shows them."""
    return Loan.select(Loan, Person, Department).join(Person).switch(Loan).join(Department).switch(Loan)


def _has_item(condition: pw.Expression) -> pw.Expression:
    return pw.fn.EXISTS(LoanItem.select(LoanItem.id).where((LoanItem.loan == Loan.id) & condition))


def handovers_due(today: dt.date) -> pw.ModelSelect:
    """Approved loans whose period has begun with an item still in store: to hand over."""
    return (_loans().where((Loan.status == "approved") & (Loan.start_on <= today)
                           & _has_item(LoanItem.issued_at.is_null()))
            .order_by(Loan.start_on, Loan.loan_no))


def returns_due(today: dt.date) -> pw.ModelSelect:
    """Loans due back today with an item still out."""
    return (_loans().where(Loan.status.in_(loans.OPEN_STATUSES) & (Loan.due_on == today)
                           & _has_item(LoanItem.out_flag == 1))
            .order_by(Loan.loan_no))


def overdue(today: dt.date) -> pw.ModelSelect:
    """Loans past their due date with an item still out (as ``loans.overdue_loans``)."""
    return (_loans().where(Loan.status.in_(loans.OPEN_STATUSES) & (Loan.due_on < today)
                           & _has_item(LoanItem.out_flag == 1))
            .order_by(Loan.due_on, Loan.loan_no))


def overdue_unchased(today: dt.date) -> pw.ModelSelect:
    """Overdue loans nobody has followed up within the configured days after the due
    date: the ones ``loans.overdue_loans`` flags as ``follow_up_late``."""
    chased = pw.fn.EXISTS(LoanFollowUp.select(LoanFollowUp.id).where(
        (LoanFollowUp.loan == Loan.id) & (LoanFollowUp.on_date > Loan.due_on)))
    late = today - dt.timedelta(days=loans.follow_up_days())
    return overdue(today).where((Loan.due_on < late) & ~chased)


def requests_waiting(today: dt.date) -> pw.ModelSelect:
    """Requests nobody has approved or rejected yet, soonest start first."""
    return _loans().where(Loan.status == "requested").order_by(Loan.start_on, Loan.loan_no)


LOAN_LISTS: dict[str, LoanList] = {
    "handovers_due": handovers_due,
    "returns_due": returns_due,
    "overdue": overdue,
    "overdue_unchased": overdue_unchased,
    "requests_waiting": requests_waiting,
}


def loan_list(name: str, today: dt.date | None = None) -> pw.ModelSelect:
    """The loans behind one number of the home screen."""
    return LOAN_LISTS[name](_today(today))


@dataclass
class Figure:
    """One number of the home screen: ``name`` says what it counts (and which list it opens)."""

    name: str
    count: int


def loan_desk_figures(user, today: dt.date | None = None) -> list[Figure]:
    """For those who hand items over and take them back: the day's work."""
    if not can(user, "loan.issue"):
        return []
    today = _today(today)
    return [Figure(name, loan_list(name, today).count()) for name in LOAN_LISTS]


def register_figures(user) -> list[Figure]:
    """For those who audit: how much the registers hold and how long the audit log is."""
    if not can(user, "audit.read"):
        return []
    last = AuditHead.select(AuditHead.seq).where(AuditHead.id == 1).scalar() or 0
    return [Figure("assets", Asset.select().count()), Figure("loans", Loan.select().count()),
            Figure("stock_checks", StockCheck.select().count()), Figure("audit_events", int(last))]


def open_stock_checks() -> list[StockCheck]:
    return list(StockCheck.select().where(StockCheck.status == "open").order_by(StockCheck.fiscal_year))


__all__ = ["Figure", "LOAN_LISTS", "loan_list", "loan_desk_figures", "register_figures",
           "open_stock_checks", "handovers_due", "returns_due", "overdue", "overdue_unchased",
           "requests_waiting"]

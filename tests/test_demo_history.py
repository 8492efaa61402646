"""Ten fiscal years of past loans in the demo, written in bulk: the same rows and audit
events the loan desk's functions leave, so the register, an asset's history and `verify`
read them like loans lived through the desk."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from models import audit, demo, integrity
from models import db as dbmod
from models.assets import asset_history
from models.schema import AssetNumberCounter, AuditEvent, Loan, LoanItem
from models.values import fiscal_year_of

ASSETS, LINES = 300, 900


@pytest.fixture
def built(db_url):
    dbmod.bind(db_url)
    return demo.build_demo(ASSETS, seed=1, loan_lines=LINES)


def _past() -> list[Loan]:
    cutoff = dt.date.today() - dt.timedelta(days=demo.LOAN_DAYS)
    return list(Loan.select().where(Loan.start_on < cutoff).order_by(Loan.id))


def test_past_loans_are_closed_logged_numbered_and_verify(built):
    past = _past()
    lines = LoanItem.select().where(LoanItem.loan.in_([p.id for p in past])).count()
    assert LINES * 0.9 <= lines <= LINES + 30  # the last loan may take a few more
    assert {p.status for p in past} == {"returned"}
    first = dt.date(fiscal_year_of(demo.ANCHOR) - demo.FISCAL_YEARS + 1 - 544, 10, 1)
    assert min(p.start_on for p in past) >= first
    assert max(p.returned_on for p in past) < dt.date.today() - dt.timedelta(days=demo.LOAN_DAYS)
    assert not LoanItem.select().where(LoanItem.loan.in_([p.id for p in past])
                                       & (LoanItem.returned_at.is_null() | LoanItem.out_flag.is_null(False))).exists()
    report = integrity.verify()
    assert report.ok, [c for c in report.checks if not c.ok]
    checked, problems = audit.verify_chain()
    assert (checked, problems) == (AuditEvent.select().count(), [])

    # each past loan has the audit events the desk's functions log
    loan = _past()[len(_past()) // 2]
    n = LoanItem.select().where(LoanItem.loan == loan).count()
    actions = [e.action for e in audit.history("loan", loan.loan_no)]
    assert actions == (["loan.request", "loan.approve"] + ["loan.issue"] * n + ["loan.activate"]
                       + ["loan.return"] * n + ["loan.close"])
    request = audit.decode(audit.history("loan", loan.loan_no)[0].after)
    assert request["status"] == "requested" and len(request["items"]) == n
    assert request["start_on"] == loan.start_on.isoformat()

    # an asset's history shows its past loans on their days
    item = LoanItem.select().join(Loan).where(Loan.id == _past()[0].id).first()
    history = asset_history(item.asset.asset_no)
    issued = [h for h in history if h.action == "loan.issue" and h.ref == item.loan.loan_no]
    assert len(issued) == 1
    assert issued[0].at.startswith(item.loan.start_on.isoformat())

    # loan numbers run on from the past within a fiscal year: each given once, none skipped
    numbers = [no for (no,) in Loan.select(Loan.loan_no).tuples()]
    assert len(numbers) == len(set(numbers))
    by_year = Counter(no.split("-")[0] for no in numbers)
    for prefix, count in by_year.items():
        counter = AssetNumberCounter.get_by_id(f"loan-{prefix[1:]}")
        assert counter.last == count


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # two files to compare
def test_the_same_seed_draws_the_same_past(db_url, tmp_path):
    def draw(url):
        dbmod.bind(url)
        demo.build_demo(100, seed=3, loan_lines=200)
        rows = [(p.loan_no, p.borrower.name, p.purpose, p.start_on,
                 sorted(i.asset.asset_no for i in p.items)) for p in _past()]
        dbmod.close()
        return rows

    assert draw(db_url) == draw(f"sqlite:///{tmp_path / 'again.db'}")

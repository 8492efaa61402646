"""Races between real connections: two desks, one asset. Exactly one wins; the other
gets a clear refusal; the record never shows an asset on two open loans."""

import datetime as dt
import threading

import pytest

from models import accounts, assets, integrity, loans
from models.accounts import SYSTEM, NewUser
from models.db import db
from models.errors import DomainError
from models.loans import LoanRequest
from models.schema import Department, Loan, LoanItem

TODAY = dt.date(2026, 11, 2)
ROUNDS = 6


def _race(*calls):
    """Run the calls at the same moment, each on its own connection; return results/errors."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except DomainError as exc:
            results[i] = exc
        finally:
            db.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture
def desk(users, password_hash, sample_asset):
    second_head = accounts.create_user(
        SYSTEM, NewUser("deputy", "", "dept_head", "รองหัวหน้า สำนักปลัด", department=Department.get(code="01")),
        password_hash=password_hash)
    second_keeper = accounts.create_user(SYSTEM, NewUser("keeper2", "", "storekeeper", "พัสดุ สอง"),
                                         password_hash=password_hash)
    numbers = [assets.register_asset(SYSTEM, {**sample_asset, "serial_no": f"R{n}"}).asset_no
               for n in range(ROUNDS)]
    return {**users, "deputy": second_head, "keeper2": second_keeper, "numbers": numbers}


def test_two_heads_approving_overlapping_reservations_at_once(desk):
    for number in desk["numbers"]:
        a = loans.request_loan(desk["staff"], LoanRequest([number], "อบรม", "inside", TODAY, TODAY + dt.timedelta(3)), today=TODAY)
        b = loans.request_loan(desk["storekeeper"], LoanRequest([number], "ประชุม", "inside", TODAY + dt.timedelta(1),
                                                                TODAY + dt.timedelta(5), borrower="agency_head"), today=TODAY)
        results = _race(lambda a=a: loans.approve_loan(desk["dept_head"], a.loan_no, today=TODAY),
                        lambda b=b: loans.approve_loan(desk["deputy"], b.loan_no, today=TODAY))
        won = [r for r in results if isinstance(r, Loan)]
        lost = [r for r in results if isinstance(r, DomainError)]
        assert len(won) == 1 and len(lost) == 1, results
        assert won[0].loan_no in str(lost[0]) and "already lent" in str(lost[0])
        approved = Loan.select().join(LoanItem).where(Loan.status == "approved").count()
        assert approved == desk["numbers"].index(number) + 1
    assert integrity.verify().ok


def test_two_storekeepers_handing_over_the_same_item_at_once(desk):
    for number in desk["numbers"]:
        loan = loans.request_loan(desk["staff"], LoanRequest([number], "อบรม", "inside", TODAY, TODAY), today=TODAY)
        loans.approve_loan(desk["dept_head"], loan.loan_no, today=TODAY)
        results = _race(*(lambda who=who, no=loan.loan_no, n=number: loans.issue_items(desk[who], no, [n], today=TODAY)
                          for who in ("storekeeper", "keeper2")))
        lost = [r for r in results if isinstance(r, DomainError)]
        assert len(lost) == 1, results
        assert number in str(lost[0]) or loan.loan_no in str(lost[0])
        assert LoanItem.select().where(LoanItem.out_flag == 1).count() == desk["numbers"].index(number) + 1
    assert integrity.verify().ok

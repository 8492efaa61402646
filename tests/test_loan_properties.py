"""Random sequences of loan actions by random users: the data rules hold after every step
and every refusal is a clear domain error, never a crash."""

import datetime as dt

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from models import assets, audit, integrity, loans
from models.accounts import SYSTEM
from models.errors import DomainError
from models.loans import LoanRequest
from models.schema import AuditEvent, Loan

START = dt.date(2026, 11, 2)
ROLES = ["staff", "dept_head", "agency_head", "storekeeper", "auditor", "admin"]
# Mostly the people whose job it is, sometimes someone who must be refused.
DECIDERS = ["dept_head", "agency_head"] * 3 + ["staff", "storekeeper", "auditor"]
KEEPERS = ["storekeeper"] * 4 + ["admin", "staff", "auditor", "dept_head"]
RECENT = st.integers(-3, -1)


def test_random_loan_workflows_keep_every_rule(users, sample_asset):
    def fresh_assets():
        return [assets.register_asset(SYSTEM, sample_asset).asset_no for _ in range(3)]

    class LoanMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.today = START + dt.timedelta(days=30 * Loan.select().count())  # clear of earlier examples
            self.loans: list[str] = []
            self.numbers = fresh_assets()  # earlier examples may have left theirs lost or damaged

        def _do(self, fn):
            before = audit.last_seq()
            try:
                fn()
            except DomainError as exc:
                assert str(exc).endswith(".") and len(str(exc)) > 10
                assert audit.last_seq() == before, "a refused action wrote to the log"
                return False
            assert audit.last_seq() > before, "a change was not audited"
            return True

        def _loan(self, i):
            return self.loans[i % len(self.loans)] if self.loans else "L0000-0000"

        def _pick(self, i, status):
            """One of this example's loans in a given state, else any of its loans."""
            mine = [n for (n,) in Loan.select(Loan.loan_no).where(
                Loan.loan_no.in_(self.loans) & (Loan.status == status)).order_by(Loan.id).tuples()]
            return mine[i % len(mine)] if mine else self._loan(i)

        @rule(role=st.sampled_from(ROLES), picks=st.sets(st.integers(0, 2), min_size=1, max_size=2),
              start=st.sampled_from([0, 0, 0, 1, 3, 6]), length=st.integers(0, 5), outside=st.booleans())
        def request(self, role, picks, start, length, outside):
            first = self.today + dt.timedelta(days=start)
            req = LoanRequest([self.numbers[p] for p in sorted(picks)], "ใช้ในราชการ", "outside" if outside else "inside", first,
                              first + dt.timedelta(days=length))

            def go():
                self.loans.append(loans.request_loan(users[role], req, today=self.today).loan_no)
            self._do(go)

        @rule(role=st.sampled_from(DECIDERS), i=RECENT, approve=st.sampled_from([True, True, True, False]))
        @precondition(lambda self: self.loans)
        def decide(self, role, i, approve):
            fn = loans.approve_loan if approve else loans.reject_loan
            kwargs = {"today": self.today} if approve else {}
            self._do(lambda: fn(users[role], self._pick(i, "requested"), **kwargs))

        @rule(role=st.sampled_from(KEEPERS), i=RECENT)
        @precondition(lambda self: self.loans)
        def issue(self, role, i):
            self._do(lambda: loans.issue_items(users[role], self._pick(i, "approved"), today=self.today))

        @rule(role=st.sampled_from(KEEPERS), i=RECENT, k=st.integers(0, 1),
              condition=st.sampled_from(["usable", "usable", "damaged", "lost"]))
        @precondition(lambda self: self.loans)
        def give_back(self, role, i, k, condition):
            loan = loans.get_loan(self._pick(i, "active"))
            items = loans.loan_items(loan)
            n = items[k % len(items)].asset.asset_no
            self._do(lambda: loans.return_item(users[role], loan.loan_no, n, condition, "ชำรุด", today=self.today))

        @rule(role=st.sampled_from(KEEPERS), i=RECENT, days=st.integers(1, 6))
        @precondition(lambda self: self.loans)
        def extend(self, role, i, days):
            def go():
                loan = loans.get_loan(self._pick(i, "active"))
                loans.extend_loan(users[role], loan.loan_no, loan.due_on + dt.timedelta(days=days), today=self.today)
            self._do(go)

        @rule(role=st.sampled_from(ROLES), i=RECENT)
        @precondition(lambda self: self.loans)
        def cancel(self, role, i):
            self._do(lambda: loans.cancel_loan(users[role], self._loan(i)))

        @rule(how=st.sampled_from(["repaired", "replaced", "paid"]))
        def settle(self, how):
            cases = [c for c in loans.open_damage_cases() if c.item.loan.loan_no in self.loans]
            if not cases:
                return
            case = cases[0]
            self._do(lambda: loans.settle_damage(users["storekeeper"], case.item.loan.loan_no,
                                                 case.item.asset.asset_no, how, "100"))

        @rule(i=RECENT, reject=st.sampled_from([False, False, False, True]),
              condition=st.sampled_from(["usable", "usable", "damaged", "lost"]))
        @precondition(lambda self: self.loans)
        def proceed(self, i, reject, condition):
            """The next step of a loan, taken by the person whose job it is."""
            loan = loans.get_loan(self._loan(i))
            if loan.status == "requested":
                approvers = loans.eligible_approvers(loan)
                if approvers:
                    who = users[approvers[0].username]
                    if reject:
                        self._do(lambda: loans.reject_loan(who, loan.loan_no, "ไม่อนุมัติ"))
                    else:
                        self._do(lambda: loans.approve_loan(who, loan.loan_no, today=self.today))
            elif loan.status == "approved":
                self._do(lambda: loans.issue_items(users["storekeeper"], loan.loan_no, today=self.today))
            elif loan.status == "active":
                out = [it for it in loans.loan_items(loan) if it.out_flag == 1]
                self._do(lambda: loans.return_item(users["storekeeper"], loan.loan_no, out[0].asset.asset_no,
                                                   condition, "ชำรุด", today=self.today))

        @rule(days=st.integers(1, 4))
        def next_days(self, days):
            self.today += dt.timedelta(days=days)

        @invariant()
        def rules_hold(self):
            problems = integrity._loan_problems()
            assert problems == [], problems

    LoanMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=40, deadline=None, derandomize=True,
                                             suppress_health_check=list(HealthCheck))
    run_state_machine_as_test(LoanMachine, settings=LoanMachine.TestCase.settings)
    reached = {a for (a,) in AuditEvent.select(AuditEvent.action).distinct().tuples()}
    wanted = {"loan.request", "loan.approve", "loan.reject", "loan.issue", "loan.return",
              "loan.close", "damage.open", "loan.cancel"}
    assert wanted <= reached, wanted - reached
    assert audit.verify_chain()[1] == []
    assert integrity.verify().ok

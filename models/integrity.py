"""``assets-tui verify``: the database's own health, the data rules of the product,
and the audit chain, each reported as one check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from . import audit
from .assets import number_reader
from .db import db, is_sqlite
from .loans import OPEN_STATUSES
from .org import get_setting
from .schema import (
    ASSET_STATUSES,
    Asset,
    AssetNumberCounter,
    AuditEvent,
    Category,
    Disposal,
    Loan,
    LoanItem,
    Repair,
    StockCheck,
    StockCheckItem,
    User,
)
from .setup import pending_migrations
from .stockcheck import tampered_checks


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class VerifyReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def add(self, name: str, problems: list[str], ok_detail: str = "") -> None:
        if problems:
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            self.checks.append(Check(name, False, "; ".join(problems[:3]) + more))
        else:
            self.checks.append(Check(name, True, ok_detail))


def verify(checkpoints: Sequence[Any] = ()) -> VerifyReport:
    """Every check; ``checkpoints`` (objects with ``seq`` and ``hash``, e.g. from a backup's
    manifest) add a check that the audit log still reaches each of them unchanged."""
    report = VerifyReport()
    report.add("database", _storage_problems(),
               "SQLite file intact, references hold" if is_sqlite() else "PostgreSQL answers")
    pending = pending_migrations()
    report.add("schema", [f"migration {name} has not been applied: run assets-tui init" for name in pending],
               "all migrations applied")
    if pending:
        return report
    report.add("asset records", _asset_problems(), f"{Asset.select().count():,} assets")
    report.add("asset numbers", _number_problems(), "unique, never reused")
    report.add("loans", _loan_problems(),
               f"{Loan.select().count():,} loans; no asset on two open loans, statuses agree")
    report.add("accounts", _account_problems(), f"{User.select().count():,} accounts")
    report.add("stock checks", _stock_check_problems(),
               f"{StockCheck.select().count():,} stock checks; closed results unchanged")
    report.add("repairs and disposals", _lifecycle_problems(),
               "statuses agree with repairs and disposals")
    report.add("asset history", _history_problems(), "every asset has its registration in the audit log")
    checked, problems = audit.verify_chain()
    report.add("audit log chain", [p.message for p in problems], f"{checked:,} events, chain intact")
    if checkpoints:
        found = [audit.verify_checkpoint(int(c.seq), str(c.hash)) for c in checkpoints]
        report.add("audit checkpoint", [p.message for p in found if p is not None],
                   "the log still holds " + ", ".join(f"event {c.seq}" for c in checkpoints)
                   + " unchanged")
    return report


def _storage_problems() -> list[str]:
    if is_sqlite():
        rows = [r[0] for r in db.execute_sql("PRAGMA quick_check").fetchall()]
        if rows != ["ok"]:
            return [f"SQLite reports damage: {rows[0]}"]
        violations = db.execute_sql("PRAGMA foreign_key_check").fetchall()
        if violations:
            return [f"{len(violations)} rows point to records that do not exist (first in table {violations[0][0]})"]
    else:
        db.execute_sql("select 1")
    return []


def _asset_problems() -> list[str]:
    problems = []
    bad_status = Asset.select(Asset.asset_no, Asset.status).where(Asset.status.not_in(ASSET_STATUSES)).limit(3)
    problems += [f"asset {a.asset_no} has an unknown status '{a.status}'" for a in bad_status]
    negative = Asset.select(Asset.asset_no).where(Asset.price < 0).limit(3)
    problems += [f"asset {a.asset_no} has a negative price" for a in negative]
    lendable_disposed = Asset.select(Asset.asset_no).where(
        (Asset.status == "disposed") & (Asset.lendable == True)).limit(3)  # noqa: E712
    problems += [f"disposed asset {a.asset_no} is still marked lendable" for a in lendable_disposed]
    return problems


def _loan_problems() -> list[str]:
    """An asset is on at most one open loan, its status agrees with its loans, and no two
    approved or active loans hold one asset at overlapping times."""
    problems = []
    out = LoanItem.select(LoanItem.id).where((LoanItem.asset == Asset.id) & (LoanItem.out_flag == 1))
    on_loan_not_out = Asset.select(Asset.asset_no).where(
        (Asset.status == "on_loan") & ~pw.fn.EXISTS(out)).limit(3)
    problems += [f"asset {a.asset_no} is marked on loan but no loan holds it" for a in on_loan_not_out]
    out_not_on_loan = Asset.select(Asset.asset_no, Asset.status).where(
        (Asset.status != "on_loan") & pw.fn.EXISTS(out)).limit(3)
    problems += [f"asset {a.asset_no} is out on a loan but marked {a.status}" for a in out_not_on_loan]
    twice = (LoanItem.select(LoanItem.asset, pw.fn.COUNT(LoanItem.id).alias("n"))
             .where(LoanItem.out_flag == 1).group_by(LoanItem.asset).having(pw.fn.COUNT(LoanItem.id) > 1))
    problems += [f"asset id {row.asset_id} is out on {row.n} loans at once" for row in twice.limit(3)]
    flag_wrong = LoanItem.select(LoanItem.id).where(
        ((LoanItem.out_flag == 1) & (LoanItem.issued_at.is_null() | LoanItem.returned_at.is_null(False)))
        | (LoanItem.out_flag.is_null() & LoanItem.issued_at.is_null(False) & LoanItem.returned_at.is_null())).limit(3)
    problems += [f"loan item {i.id} disagrees with its hand-over and return" for i in flag_wrong]
    A, B = LoanItem.alias("a"), LoanItem.alias("b")
    LA, LB = Loan.alias("la"), Loan.alias("lb")
    overlaps = (A.select(LA.loan_no.alias("first"), LB.loan_no.alias("second"))
                .join(LA, on=(A.loan == LA.id))
                .join(B, on=((B.asset == A.asset) & (B.id > A.id)))
                .join(LB, on=(B.loan == LB.id))
                .where(LA.status.in_(OPEN_STATUSES) & LB.status.in_(OPEN_STATUSES)
                       & A.returned_at.is_null() & B.returned_at.is_null()
                       & (LA.start_on <= LB.due_on) & (LB.start_on <= LA.due_on))
                .dicts().limit(3))
    problems += [f"loans {r['first']} and {r['second']} hold one asset at overlapping times" for r in overlaps]
    return problems


def _number_problems() -> list[str]:
    """Every number of the agency's pattern stays at or below its series' counter, so it is
    never handed out twice."""
    reader = number_reader(get_setting("asset_number_pattern"),
                            [c for (c,) in Category.select(Category.code).tuples()])
    if reader is None:
        return []
    counters = {c.prefix: c.last for c in AssetNumberCounter.select()}
    highest: dict[str, tuple[int, str]] = {}
    with pw.__exception_wrapper__:  # plain text straight from the driver: one row per asset
        cursor = db.execute(Asset.select(Asset.asset_no))
    for (number,) in cursor:
        m = reader.match(number)
        if m is None:
            continue
        found = m.groupdict()
        key = f"{found['category']}-{found.get('yy') or (found.get('yyyy') or '')[-2:]}"
        seq = int(found["seq"])
        if seq > highest.get(key, (0, ""))[0]:
            highest[key] = (seq, number)
    return [f"the running number for {key} stands at {counters.get(key, 0)} but {number} exists: "
            f"numbers could be handed out twice"
            for key, (seq, number) in sorted(highest.items()) if counters.get(key, 0) < seq]


def _stock_check_problems() -> list[str]:
    """Closed checks still hash to what was kept when they closed, and every row of a
    closed check has its result."""
    problems = tampered_checks()
    unfinished = (StockCheckItem.select(StockCheckItem.check, StockCheckItem.code).join(StockCheck)
                  .where((StockCheck.status == "closed") & StockCheckItem.result.is_null()).limit(3))
    problems += [f"asset {i.code} on closed stock check {i.check_id} has no result" for i in unfinished]
    return problems


def _lifecycle_problems() -> list[str]:
    """An asset away for repair is marked in repair; a disposed asset has its disposal
    record and a disposal record's asset is disposed."""
    away = Repair.select(Repair.id).where((Repair.asset == Asset.id) & (Repair.open_flag == 1))
    problems = [f"asset {a.asset_no} is away for repair but marked {a.status}"
                for a in Asset.select(Asset.asset_no, Asset.status)
                .where((Asset.status != "repair") & pw.fn.EXISTS(away)).limit(3)]
    disposal = Disposal.select(Disposal.id).where(Disposal.asset == Asset.id)
    problems += [f"asset {a.asset_no} is marked disposed but has no disposal record"
                 for a in Asset.select(Asset.asset_no).where((Asset.status == "disposed") & ~pw.fn.EXISTS(disposal)).limit(3)]
    problems += [f"asset {a.asset_no} has a disposal record but is marked {a.status}"
                 for a in Asset.select(Asset.asset_no, Asset.status).where((Asset.status != "disposed") & pw.fn.EXISTS(disposal)).limit(3)]
    return problems


def _account_problems() -> list[str]:
    problems = []
    if not User.select().where((User.role == "admin") & (User.active == True)).exists():  # noqa: E712
        problems.append("no active administrator account")
    return problems


def _history_problems() -> list[str]:
    registered = (AuditEvent.select(AuditEvent.entity_id)
                  .where((AuditEvent.entity == "asset") & (AuditEvent.entity_id == Asset.asset_no)))
    missing = Asset.select(Asset.asset_no).where(~pw.fn.EXISTS(registered)).limit(3)
    return [f"asset {a.asset_no} has no registration in the audit log" for a in missing]


__all__ = ["Check", "VerifyReport", "verify"]

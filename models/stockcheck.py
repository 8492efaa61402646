"""The annual stock check (การตรวจสอบพัสดุประจำปี, clause 213-214) and what follows it.

A check covers one fiscal year: the assets on hand as of 30 September. It starts on the
first working day of the next fiscal year and its report is due 30 working days later
(weekends, Thai public and government holidays and the agency's ``closure_days`` do not
count). The agency head appoints a committee of inspectors, none of them a supply
officer. At opening the expected list is frozen: one row per asset in the scope with the
department, location, status and price the register gave it then, so later edits of the
register do not move the goalposts.

Inspectors scan labels from several terminals at once. Each row of the list is counted
once: the first scan sets its found columns with a conditional update (and a code that is
not on the list becomes a row of its own under a unique index), so a second scan, on any
terminal, is a duplicate and nothing is counted twice. Assets out on a loan, or away for
repair, are accounted for without a scan.

Closing is final: the result of every row is written, a SHA-256 of the whole result is
kept (``verify`` recomputes it) and every later change is refused. One follow-on step then
opens fact-finding cases for losses and damage that is not plain wear and tear, proposes
unneeded and worn-out items for disposal, and queues registry corrections for misplaced
items, which a storekeeper confirms one by one.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import holidays
import peewee as pw

from . import audit
from .accounts import require, role_label
from .assets import update_asset
from .db import db, insert_rows, is_postgres
from .errors import NotFound, PermissionDenied, ValidationError
from .org import find_category, find_department, get_setting
from .schema import (
    FOUND_CONDITIONS,
    Asset,
    Department,
    DisposalCandidate,
    FactFindingCase,
    Loan,
    LoanItem,
    Location,
    Person,
    RegistryCorrection,
    Repair,
    StockCheck,
    StockCheckItem,
    StockCheckMember,
    StockCheckScan,
    User,
    utcnow,
)
from .values import (
    clean_text,
    fiscal_year_bounds,
    fiscal_year_of,
    format_date_be,
    parse_date,
    thai_to_arabic_digits,
)

REPORT_WORKING_DAYS = 30
COMMITTEE_SIZE = 3  # the usual committee; one inspector is the least the product accepts

CONDITION_NAMES = {
    "in_use": ("ใช้งาน", "in use"),
    "damaged": ("ชำรุด", "damaged"),
    "deteriorated": ("เสื่อมสภาพ", "deteriorated"),
    "not_needed": ("หมดความจำเป็น", "no longer needed"),
}
RESULT_NAMES = {
    "found": ("พบ", "found"),
    "misplaced": ("พบผิดที่", "misplaced"),
    "on_loan": ("อยู่ระหว่างยืม", "out on loan"),
    "in_repair": ("อยู่ระหว่างส่งซ่อม", "away for repair"),
    "missing": ("ไม่พบ", "missing"),
    "unexpected": ("ไม่อยู่ในบัญชี", "unexpected"),
}
OUTCOME_NAMES = {
    "found": ("พบ", "found"),
    "misplaced": ("พบผิดที่", "misplaced"),
    "duplicate": ("สแกนซ้ำ", "duplicate"),
    "unexpected": ("ไม่อยู่ในบัญชี", "unexpected"),
}
# The discrepancies the committee reviews before closing, in the order it reads them.
DISCREPANCY_KINDS = ("missing", "misplaced", "damaged", "deteriorated", "not_needed", "unexpected")
DISCREPANCY_NAMES = {
    "missing": ("ไม่พบ", "missing"),
    "misplaced": ("พบผิดที่", "misplaced"),
    "damaged": ("ชำรุด", "damaged"),
    "deteriorated": ("เสื่อมสภาพ", "deteriorated"),
    "not_needed": ("หมดความจำเป็น", "no longer needed"),
    "unexpected": ("ไม่อยู่ในบัญชี", "unexpected"),
}


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _moment(today: dt.date | None) -> dt.datetime:
    """Now in UTC, or the same time of day on a simulated ``today``."""
    now = utcnow()
    return now if today is None else now + dt.timedelta(days=(today - dt.date.today()).days)


# ---- working days --------------------------------------------------------------------

@functools.lru_cache(maxsize=32)
def _thai_holidays(year: int) -> frozenset[dt.date]:
    """Thailand's public and government-office holidays of one year, substitution days
    included (the ``holidays`` package)."""
    found = holidays.country_holidays("TH", years=year, categories=("public", "government"))
    return frozenset(found)


def closure_days() -> frozenset[dt.date]:
    """The agency's own closure days (the ``closure_days`` setting, comma-separated dates)."""
    text = get_setting("closure_days")
    days = set()
    for part in text.replace(";", ",").split(","):
        if part.strip():
            days.add(parse_date(part.strip(), "closure_days", "closure day"))
    return frozenset(days)


@dataclass(frozen=True)
class WorkingCalendar:
    """Monday to Friday, less Thai holidays and the agency's closure days."""

    closed: frozenset[dt.date] = frozenset()

    @classmethod
    def for_agency(cls) -> WorkingCalendar:
        return cls(closure_days())

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.closed and day not in _thai_holidays(day.year)

    def first_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the next one."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``day`` (``day`` itself not counted)."""
        while count > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    def working_days_between(self, after: dt.date, until: dt.date) -> int:
        """Working days in (after, until]; negative when ``until`` comes first."""
        if until < after:
            return -self.working_days_between(until, after)
        count, day = 0, after
        while day < until:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count


def check_dates(fiscal_year: int, calendar: WorkingCalendar | None = None) -> tuple[dt.date, dt.date, dt.date]:
    """(cut-off, start, report deadline) of the stock check of a BE fiscal year.

    The check of FY2569 counts what is on hand on 30 Sep 2569 and starts on the first
    working day of October 2569, in FY2570. The report is due within 30 working days of
    the start; as the Civil and Commercial Code counts periods (section 158), the day of
    the start is not one of them, so the deadline is the 30th working day after it."""
    calendar = calendar or WorkingCalendar.for_agency()
    _, cutoff = fiscal_year_bounds(fiscal_year)
    start = calendar.first_working_day(cutoff + dt.timedelta(days=1))
    return cutoff, start, calendar.add_working_days(start, REPORT_WORKING_DAYS)


def working_days_left(check: StockCheck, today: dt.date | None = None,
                      calendar: WorkingCalendar | None = None) -> int:
    """Working days after today up to and including the deadline (30 before the start,
    0 on the deadline itself, negative once it has passed)."""
    calendar = calendar or WorkingCalendar.for_agency()
    today = _today(today)
    return calendar.working_days_between(max(today, check.starts_on), check.deadline_on)


# ---- reading -------------------------------------------------------------------------

def _check_id(check_id: Any) -> int:
    text = str(check_id).strip().lstrip("#")
    if not text.isdigit():
        raise ValidationError("check", f"'{check_id}' is not a stock check number.")
    return int(text)


def get_check(check_id: Any) -> StockCheck:
    check = StockCheck.get_or_none(StockCheck.id == _check_id(check_id))
    if check is None:
        raise NotFound(f"There is no stock check {check_id}.")
    return check


def checks(fiscal_year: int | None = None) -> list[StockCheck]:
    q = StockCheck.select().order_by(StockCheck.fiscal_year.desc(), StockCheck.id.desc())
    if fiscal_year is not None:
        q = q.where(StockCheck.fiscal_year == fiscal_year)
    return list(q)


def committee(check: StockCheck) -> list[User]:
    return list(User.select(User, Person).join(Person)
                .switch(User).join(StockCheckMember, on=(StockCheckMember.user == User.id))
                .where(StockCheckMember.check == check.id).order_by(StockCheckMember.seat))


@dataclass
class Scope:
    """What a check covers: everything, or these departments (with the units under them),
    locations and categories (codes). Kinds combine with AND, codes of a kind with OR."""

    departments: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"departments": self.departments, "locations": self.locations,
                           "categories": self.categories}, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Scope:
        data = json.loads(text) if text else {}
        return cls(list(data.get("departments", [])), list(data.get("locations", [])),
                   list(data.get("categories", [])))

    def describe(self) -> str:
        parts = []
        for label, codes in (("departments", self.departments), ("locations", self.locations),
                             ("categories", self.categories)):
            if codes:
                parts.append(f"{label} {', '.join(codes)}")
        return "; ".join(parts) or "all assets"


def scope_of(check: StockCheck) -> Scope:
    return Scope.from_json(check.scope)


# ---- opening -------------------------------------------------------------------------

def _supply_heads() -> set[str]:
    return {u.strip() for u in get_setting("supply_head").split(",") if u.strip()}


def _inspector(username: str) -> User:
    """An account that may sit on a stock check committee, or the sentence saying why not."""
    name = (username or "").strip()
    user = User.select(User, Person).join(Person).where(User.username == name).first()
    if user is None:
        raise ValidationError("committee", f"There is no user '{name}' to appoint as an inspector.")
    who = f"{user.person.name} ({user.username})"
    if not user.active:
        raise ValidationError("committee", f"{who} has a deactivated account and cannot inspect the stock.")
    if user.role == "storekeeper" or user.username in _supply_heads():
        raise ValidationError(
            "committee", f"{who} is a supply officer (storekeeper) and cannot be an inspector: "
                         "the committee must come from outside the supply unit.")
    if user.role == "auditor":
        raise ValidationError("committee", f"{who} is an auditor, who reads the record but changes "
                                           "nothing, and cannot be an inspector.")
    return user


def _descendants(roots: Iterable[Department]) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for dept_id, parent_id in Department.select(Department.id, Department.parent).tuples():
        children.setdefault(parent_id, []).append(dept_id)
    found, todo = set(), [d.id for d in roots]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


def _resolve_scope(scope: Scope) -> tuple[Scope, pw.Expression | None]:
    """Clean codes and the condition on ``Asset`` they make."""
    cond = None
    clean = Scope()
    if scope.departments:
        depts = [find_department(code, "departments") for code in scope.departments]
        clean.departments = list(dict.fromkeys(d.code for d in depts))
        cond = Asset.department.in_(sorted(_descendants(depts)))
    if scope.locations:
        locs = []
        for code in scope.locations:
            loc = Location.get_or_none((Location.code == code.strip()) | (Location.name == code.strip()))
            if loc is None:
                raise ValidationError("locations", f"The location '{code}' is unknown.")
            locs.append(loc)
        clean.locations = list(dict.fromkeys(loc.code for loc in locs))
        part = Asset.location.in_([loc.id for loc in locs])
        cond = part if cond is None else cond & part
    if scope.categories:
        cats = [find_category(code, "categories") for code in scope.categories]
        clean.categories = list(dict.fromkeys(c.code for c in cats))
        part = Asset.category.in_([c.id for c in cats])
        cond = part if cond is None else cond & part
    return clean, cond


def open_stock_check(actor, fiscal_year: int, committee_usernames: Sequence[str],
                     scope: Scope | None = None, today: dt.date | None = None) -> StockCheck:
    """Appoint the committee and freeze the list of what should be where."""
    require(actor, "stockcheck.open")
    today = _today(today)
    if isinstance(fiscal_year, bool) or not isinstance(fiscal_year, int) or fiscal_year < 2400:
        raise ValidationError("fiscal_year", f"The fiscal year {fiscal_year} must be a Buddhist Era year, "
                                             f"such as {fiscal_year_of(today)}.")
    cutoff = fiscal_year_bounds(fiscal_year)[1]
    last_month = cutoff.replace(day=1)
    if today < last_month:
        raise ValidationError(
            "fiscal_year", f"The stock check of FY{fiscal_year} can be opened from "
                           f"{format_date_be(last_month)} ({last_month:%Y-%m-%d}), the last month of "
                           "that fiscal year.")
    names = [n.strip() for n in committee_usernames if n and n.strip()]
    if not names:
        raise ValidationError("committee", "Appoint at least one inspector (a committee is usually three).")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValidationError("committee", f"The inspector '{twice[0]}' is named twice.")
    calendar = WorkingCalendar.for_agency()
    cutoff, start, deadline = check_dates(fiscal_year, calendar)
    with db.atomic():
        members = [_inspector(n) for n in names]
        clean, cond = _resolve_scope(scope or Scope())
        query = (Asset.select(Asset.id, Asset.asset_no, Asset.name, Asset.department, Asset.location,
                              Asset.status, Asset.price)
                 .where((Asset.status != "disposed") & (Asset.acquired_on <= cutoff)))
        if cond is not None:
            query = query.where(cond)
        rows = list(query.order_by(Asset.asset_no).tuples())
        if not rows:
            raise ValidationError("scope", f"No asset held on {format_date_be(cutoff)} is in the scope "
                                           f"({clean.describe()}); there is nothing to check.")
        same_year = StockCheck.select(StockCheck.id).where(StockCheck.fiscal_year == fiscal_year)
        clash = (StockCheckItem.select(StockCheckItem.code, StockCheckItem.check)
                 .where(StockCheckItem.check.in_(same_year) & StockCheckItem.expected
                        & StockCheckItem.asset.in_(query.select(Asset.id).order_by()))
                 .order_by(StockCheckItem.code).first())
        if clash is not None:
            raise ValidationError("scope", f"Asset {clash.code} is already on stock check {clash.check_id} "
                                           f"of FY{fiscal_year}; an asset is checked once a year.")
        check = StockCheck.create(fiscal_year=fiscal_year, cutoff_on=cutoff, starts_on=start,
                                  deadline_on=deadline, scope=clean.to_json(), opened_by=actor.id,
                                  opened_at=_moment(today))
        StockCheckMember.insert_many([{"check": check.id, "user": u.id, "seat": seat}
                                      for seat, u in enumerate(members, start=1)]).execute()
        insert_rows(StockCheckItem, [
            {"check": check.id, "code": number, "expected": True, "asset": asset_id, "name": name,
             "department": dept_id, "location": loc_id, "asset_status": status, "price": price}
            for asset_id, number, name, dept_id, loc_id, status, price in rows])
        audit.record(actor, "stockcheck.open", "stock_check", check.id, after={
            "fiscal_year": fiscal_year, "cutoff_on": cutoff, "starts_on": start, "deadline_on": deadline,
            "scope": clean.describe(), "committee": [u.username for u in members], "expected": len(rows)})
    return check


# ---- counting ------------------------------------------------------------------------

def _lock_check(check_id: Any, exclusive: bool = False) -> StockCheck:
    """Read the check inside the caller's transaction, holding it against closing: scans
    share the lock, closing and the follow-on take it alone (PostgreSQL; SQLite writers
    are serial already)."""
    q = StockCheck.select().where(StockCheck.id == _check_id(check_id))
    if is_postgres():
        q = q.for_update(True if exclusive else "FOR SHARE")
    check = q.first()
    if check is None:
        raise NotFound(f"There is no stock check {check_id}.")
    return check


def _require_open(check: StockCheck, doing: str) -> None:
    if check.status != "open":
        raise ValidationError("status", f"Stock check {check.id} was closed on "
                                        f"{format_date_be(check.closed_at.date())}; its results are final "
                                        f"and nothing can be {doing}.")


def _require_member(actor, check: StockCheck, action: str) -> None:
    require(actor, action)
    if StockCheckMember.select().where((StockCheckMember.check == check.id)
                                       & (StockCheckMember.user == actor.id)).exists():
        return
    names = ", ".join(f"{u.person.name} ({u.username})" for u in committee(check))
    raise PermissionDenied(f"Only the committee of stock check {check.id} may do this: {names}.")


def _require_started(check: StockCheck, today: dt.date, doing: str) -> None:
    if today < check.starts_on:
        raise ValidationError("starts_on", f"Stock check {check.id} starts on {format_date_be(check.starts_on)} "
                                           f"({check.starts_on:%Y-%m-%d}), the first working day after the "
                                           f"cut-off; it cannot be {doing} before then.")


def _location(value: Any) -> Location | None:
    if value is None or isinstance(value, Location):
        return value
    text = " ".join(str(value).split())
    if not text:
        return None
    loc = Location.get_or_none((Location.code == text) | (Location.name == text))
    if loc is None:
        raise ValidationError("location", f"The location '{text}' is unknown.")
    return loc


def _condition(value: Any) -> str:
    text = str(value or "in_use").strip().lower().replace("-", "_").replace(" ", "_")
    if text not in FOUND_CONDITIONS:
        raise ValidationError("condition", "The condition must be in_use, damaged, deteriorated or not_needed.")
    return text


def normalise_code(code: Any) -> str:
    """What a scanner or a person typed, as an asset number: Thai digits read as digits."""
    text = thai_to_arabic_digits(clean_text(code, "code", "scanned code"))
    if not text:
        raise ValidationError("code", "The scanned code is empty.")
    if len(text) > 100:
        raise ValidationError("code", "The scanned code is longer than 100 characters: it is not one of our labels.")
    return text


def _loan_holding(asset_id: int | None) -> str:
    if asset_id is None:
        return ""
    loan = (Loan.select(Loan.loan_no).join(LoanItem)
            .where((LoanItem.asset == asset_id) & (LoanItem.out_flag == 1)).first())
    return loan.loan_no if loan else ""


@dataclass
class ScanResult:
    code: str
    outcome: str              # found, misplaced, duplicate, unexpected
    message: str              # one short sentence for the inspector
    asset_no: str | None = None
    name: str = ""
    expected_location: str | None = None
    found_location: str | None = None
    loan_no: str = ""         # the loan the asset is out on, if any

    @property
    def problem(self) -> bool:
        return self.outcome != "found"


def _why_unexpected(check: StockCheck, asset: Asset | None) -> str:
    if asset is None:
        return "not an asset number of this register"
    if asset.status == "disposed":
        return "disposed; no longer in the register"
    if asset.acquired_on > check.cutoff_on:
        return f"acquired on {asset.acquired_on:%Y-%m-%d}, after the cut-off"
    if StockCheckItem.select().where((StockCheckItem.asset == asset.id) & StockCheckItem.expected
                                     & (StockCheckItem.check != check.id)
                                     & StockCheckItem.check.in_(StockCheck.select(StockCheck.id).where(
                                         StockCheck.fiscal_year == check.fiscal_year))).exists():
        return "on another stock check of this fiscal year"
    _, cond = _resolve_scope(scope_of(check))
    if cond is None or Asset.select().where((Asset.id == asset.id) & cond).exists():
        return "not on the list frozen when the check opened (registered or moved into its scope since)"
    return f"outside the scope of this check ({scope_of(check).describe()})"


def scan(actor, check_id: Any, code: Any, location: Any = None, condition: str = "in_use",
         note: str = "", today: dt.date | None = None) -> ScanResult:
    """Record one scan by an inspector: where the asset was found and in what condition.
    The first scan of a row counts it; any later one is a duplicate."""
    today = _today(today)
    code = normalise_code(code)
    condition = _condition(condition)
    note = clean_text(note, "note", "note", 1000)
    with db.atomic():
        check = _lock_check(check_id)
        _require_member(actor, check, "stockcheck.scan")
        _require_open(check, "scanned")
        _require_started(check, today, "counted")
        loc = _location(location)
        stamp = _moment(today)
        found = {"found_at": stamp, "found_by": actor.id, "found_location": loc.id if loc else None,
                 "condition": condition, "note": note}
        item = StockCheckItem.get_or_none((StockCheckItem.check == check.id) & (StockCheckItem.code == code))
        if item is not None and item.expected:
            misplaced = loc is not None and item.location_id is not None and loc.id != item.location_id
            outcome = "misplaced" if misplaced else "found"
            counted = (StockCheckItem.update(**found)
                       .where((StockCheckItem.id == item.id) & StockCheckItem.found_at.is_null()).execute())
            if not counted:
                outcome = "duplicate"
        elif item is not None:
            outcome = "duplicate"
        else:
            asset = Asset.get_or_none(Asset.asset_no == code)
            try:
                with db.atomic():
                    item = StockCheckItem.create(
                        check=check.id, code=code, expected=False, asset=asset.id if asset else None,
                        name=asset.name if asset else "", department=asset.department_id if asset else None,
                        location=asset.location_id if asset else None,
                        asset_status=asset.status if asset else "", price=asset.price if asset else None,
                        reason=_why_unexpected(check, asset), **found)
                outcome = "unexpected"
            except pw.IntegrityError:  # another terminal recorded the same code a moment ago
                item = StockCheckItem.get((StockCheckItem.check == check.id) & (StockCheckItem.code == code))
                outcome = "duplicate"
        StockCheckScan.create(check=check.id, code=code, item=item.id, outcome=outcome,
                              location=loc.id if loc else None, condition=condition, note=note,
                              scanned_by=actor.id, scanned_at=stamp)
        audit.record(actor, "stockcheck.scan", "stock_check", check.id, after={
            "code": code, "outcome": outcome, "location": loc.code if loc else None,
            "condition": condition, "note": note})
        return _scan_result(check, StockCheckItem.get_by_id(item.id), code, outcome, loc)


def _scan_result(check: StockCheck, item: StockCheckItem, code: str, outcome: str,
                 loc: Location | None) -> ScanResult:
    expected_loc = Location.get_by_id(item.location_id).code if item.location_id else None
    loan_no = _loan_holding(item.asset_id)
    asset_no = code if item.asset_id else None
    result = ScanResult(code, outcome, "", asset_no, item.name, expected_loc, loc.code if loc else None, loan_no)
    on_loan = f"; out on loan {loan_no}" if loan_no else ""
    if outcome == "found":
        result.message = f"{code} {item.name}: found{on_loan}."
    elif outcome == "misplaced":
        result.message = (f"{code} {item.name}: misplaced, registered at {expected_loc}, "
                          f"found at {loc.code}{on_loan}.")
    elif outcome == "unexpected":
        what = f"{code} {item.name}" if item.name else code
        result.message = f"{what}: unexpected, {item.reason}."
    else:
        first = User.get_by_id(item.found_by_id).username if item.found_by_id else "?"
        where = Location.get_by_id(item.found_location_id).code if item.found_location_id else None
        at = f" at {where}" if where else ""
        result.message = f"{code}: duplicate, already scanned by {first}{at}; counted once."
    return result


def scan_many(actor, check_id: Any, codes: Iterable[Any], location: Any = None,
              condition: str = "in_use", today: dt.date | None = None) -> Iterator[ScanResult]:
    """Scan codes one after another (a file from a scanner); each is its own transaction."""
    for code in codes:
        if str(code or "").strip():
            yield scan(actor, check_id, code, location, condition, today=today)


# ---- progress and discrepancies ------------------------------------------------------

def _count(cond: pw.Expression) -> pw.Function:
    return pw.fn.COALESCE(pw.fn.SUM(pw.Case(None, [(cond, 1)], 0)), 0)


def _out_on_loan() -> pw.Expression:
    return pw.fn.EXISTS(LoanItem.select(LoanItem.id).where(
        (LoanItem.asset == StockCheckItem.asset) & (LoanItem.out_flag == 1)))


def _away_for_repair() -> pw.Expression:
    return pw.fn.EXISTS(Repair.select(Repair.id).where(
        (Repair.asset == StockCheckItem.asset) & (Repair.open_flag == 1)))


@dataclass
class LocationProgress:
    location: str | None      # code, None for assets registered with no location
    name: str
    expected: int
    counted: int              # scanned (wherever they were found)
    on_loan: int              # not scanned but out on a loan: accounted for
    in_repair: int            # not scanned but away for repair: accounted for

    @property
    def remaining(self) -> int:
        return self.expected - self.counted - self.on_loan - self.in_repair


@dataclass
class Progress:
    check_id: int
    fiscal_year: int
    status: str
    starts_on: dt.date
    deadline_on: dt.date
    working_days_left: int
    expected: int
    counted: int
    misplaced: int
    on_loan: int
    in_repair: int
    unexpected: int
    duplicates: int
    scans: int
    locations: list[LocationProgress]

    @property
    def missing(self) -> int:
        """Expected rows not yet accounted for (at closing: missing)."""
        return self.expected - self.counted - self.on_loan - self.in_repair


def progress(check_id: Any, today: dt.date | None = None) -> Progress:
    """Counted / expected per location, what is still missing, working days left. While a
    check is open, loans and repairs are read as they stand; once closed, as they stood."""
    check = get_check(check_id)
    item = StockCheckItem
    counted = item.found_at.is_null(False)
    if check.status == "closed":
        loan, repair = item.result == "on_loan", item.result == "in_repair"
    else:
        loan, repair = item.found_at.is_null() & _out_on_loan(), item.found_at.is_null() & _away_for_repair()
        repair = repair & ~_out_on_loan()
    misplaced = counted & item.found_location.is_null(False) & item.location.is_null(False) & (
        item.found_location != item.location)
    rows = (item.select(item.location, Location.code, Location.name, pw.fn.COUNT(item.id), _count(counted),
                        _count(loan), _count(repair), _count(misplaced))
            .join(Location, pw.JOIN.LEFT_OUTER, on=(item.location == Location.id))
            .where((item.check == check.id) & item.expected)
            .group_by(item.location, Location.code, Location.name).order_by(Location.code).tuples())
    places, totals = [], [0, 0, 0, 0, 0]
    for _loc_id, code, name, n, c, on_loan, away, wrong in rows:
        n, c, on_loan, away, wrong = (int(v) for v in (n, c, on_loan, away, wrong))
        places.append(LocationProgress(code, name or "", n, c, on_loan, away))
        totals = [a + b for a, b in zip(totals, (n, c, on_loan, away, wrong), strict=True)]
    places.sort(key=lambda p: (p.location is None, p.location or ""))
    unexpected = item.select().where((item.check == check.id) & ~item.expected).count()
    scans = StockCheckScan.select().where(StockCheckScan.check == check.id)
    return Progress(check.id, check.fiscal_year, check.status, check.starts_on, check.deadline_on,
                    working_days_left(check, today), totals[0], totals[1], totals[4], totals[2],
                    totals[3], unexpected, scans.where(StockCheckScan.outcome == "duplicate").count(),
                    scans.count(), places)


@dataclass
class Discrepancy:
    code: str
    kinds: list[str]
    name: str
    asset_no: str | None
    expected_location: str | None
    found_location: str | None
    condition: str | None
    found_by: str | None
    reason: str
    explanation: str
    wear_and_tear: bool


def _items(check: StockCheck) -> pw.ModelSelect:
    Found = Location.alias("found")
    Finder = User.alias("finder")
    return (StockCheckItem.select(StockCheckItem, Location.code.alias("expected_location"),
                                  Found.code.alias("found_location_code"),
                                  Finder.username.alias("finder"))
            .join(Location, pw.JOIN.LEFT_OUTER, on=(StockCheckItem.location == Location.id))
            .switch(StockCheckItem).join(Found, pw.JOIN.LEFT_OUTER, on=(StockCheckItem.found_location == Found.id))
            .switch(StockCheckItem).join(Finder, pw.JOIN.LEFT_OUTER, on=(StockCheckItem.found_by == Finder.id))
            .where(StockCheckItem.check == check.id).order_by(StockCheckItem.code))


def _kinds(row: StockCheckItem, accounted: bool) -> list[str]:
    kinds = []
    if not row.expected:
        kinds.append("unexpected")
    elif row.found_at is None:
        if not accounted:
            kinds.append("missing")
    elif (row.found_location_id is not None and row.location_id is not None
          and row.found_location_id != row.location_id):
        kinds.append("misplaced")
    if row.expected and row.condition in ("damaged", "deteriorated", "not_needed"):
        kinds.append(row.condition)
    return kinds


def discrepancies(check_id: Any) -> list[Discrepancy]:
    """What the committee must look at: missing, misplaced, damaged, deteriorated, not
    needed and unexpected rows, each with the explanation added so far."""
    check = get_check(check_id)
    closed = check.status == "closed"
    loans, away = set(), set()
    if not closed:
        unfound = (StockCheckItem.select(StockCheckItem.id)
                   .where((StockCheckItem.check == check.id) & StockCheckItem.found_at.is_null()))
        loans = {i for (i,) in unfound.where(_out_on_loan()).tuples()}
        away = {i for (i,) in unfound.where(_away_for_repair()).tuples()}
    out = []
    for row in _items(check).objects():
        accounted = row.result in ("on_loan", "in_repair") if closed else (row.id in loans or row.id in away)
        kinds = _kinds(row, accounted)
        if kinds:
            out.append(Discrepancy(row.code, kinds, row.name, row.code if row.asset_id else None,
                                   row.expected_location, row.found_location_code, row.condition,
                                   row.finder, row.reason, row.explanation, row.wear_and_tear))
    out.sort(key=lambda d: (DISCREPANCY_KINDS.index(d.kinds[0]), d.code))
    return out


def explain(actor, check_id: Any, code: Any, explanation: str, wear_and_tear: bool | None = None,
            condition: str | None = None) -> StockCheckItem:
    """The committee's explanation of one row before closing; it may also say that damage
    is plain wear and tear, or set the condition it settled on."""
    code = normalise_code(code)
    text = clean_text(explanation, "explanation", "explanation", 2000)
    with db.atomic():
        check = _lock_check(check_id)
        _require_member(actor, check, "stockcheck.close")
        _require_open(check, "explained")
        item = StockCheckItem.get_or_none((StockCheckItem.check == check.id) & (StockCheckItem.code == code))
        if item is None:
            raise ValidationError("code", f"{code} is neither on stock check {check.id} nor scanned for it.")
        before = {"explanation": item.explanation, "wear_and_tear": item.wear_and_tear,
                  "condition": item.condition}
        changes: dict[str, Any] = {"explanation": text}
        if wear_and_tear is not None:
            changes["wear_and_tear"] = bool(wear_and_tear)
        if condition is not None:
            if item.found_at is None:
                raise ValidationError("condition", f"{code} was not found; a condition needs it scanned first.")
            changes["condition"] = _condition(condition)
        StockCheckItem.update(**changes).where(StockCheckItem.id == item.id).execute()
        after = {**before, **changes}
        audit.record(actor, "stockcheck.explain", "stock_check", check.id,
                     {"code": code, **before}, {"code": code, **after})
        return StockCheckItem.get_by_id(item.id)


# ---- closing -------------------------------------------------------------------------

def _stamp(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def results_hash(check: StockCheck) -> str:
    """SHA-256 over the check as closed: its header, committee, every row and every scan."""
    digest = hashlib.sha256()

    def feed(value: Any) -> None:
        digest.update(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode())
        digest.update(b"\n")

    feed([check.id, check.fiscal_year, _stamp(check.cutoff_on), _stamp(check.starts_on),
          _stamp(check.deadline_on), check.scope, check.opened_by_id, _stamp(check.opened_at),
          check.closed_by_id, _stamp(check.closed_at)])
    for m in StockCheckMember.select().where(StockCheckMember.check == check.id).order_by(StockCheckMember.seat):
        feed([m.seat, m.user_id])
    for i in StockCheckItem.select().where(StockCheckItem.check == check.id).order_by(StockCheckItem.id).iterator():
        feed([i.id, i.code, i.expected, i.asset_id, i.name, i.department_id, i.location_id, i.asset_status,
              str(i.price) if i.price is not None else None, i.reason, _stamp(i.found_at), i.found_by_id,
              i.found_location_id, i.condition, i.note, i.explanation, i.wear_and_tear, i.result, i.loan_no])
    for s in StockCheckScan.select().where(StockCheckScan.check == check.id).order_by(StockCheckScan.id).iterator():
        feed([s.id, s.code, s.item_id, s.outcome, s.location_id, s.condition, s.note, s.scanned_by_id,
              _stamp(s.scanned_at)])
    return digest.hexdigest()


def close_check(actor, check_id: Any, today: dt.date | None = None) -> StockCheck:
    """Write every row's result and close the check for good."""
    today = _today(today)
    with db.atomic():
        check = _lock_check(check_id, exclusive=True)
        _require_member(actor, check, "stockcheck.close")
        _require_open(check, "closed again")
        _require_started(check, today, "closed")
        item = StockCheckItem
        mine = item.check == check.id
        unfound = mine & item.expected & item.found_at.is_null()
        wrong_place = (item.found_location.is_null(False) & item.location.is_null(False)
                       & (item.found_location != item.location))
        item.update(result="unexpected").where(mine & ~item.expected).execute()
        item.update(result="misplaced").where(mine & item.expected & item.found_at.is_null(False)
                                              & wrong_place).execute()
        item.update(result="found").where(mine & item.expected & item.found_at.is_null(False)
                                          & item.result.is_null()).execute()
        out = (item.select(item.id, Loan.loan_no).join(LoanItem, on=(
            (LoanItem.asset == item.asset) & (LoanItem.out_flag == 1))).join(Loan)
            .where(unfound).tuples())
        for item_id, loan_no in list(out):
            item.update(result="on_loan", loan_no=loan_no).where(item.id == item_id).execute()
        item.update(result="in_repair").where(unfound & item.result.is_null() & _away_for_repair()).execute()
        item.update(result="missing").where(unfound & item.result.is_null()).execute()
        closed_at = _moment(today)
        StockCheck.update(status="closed", closed_by=actor.id, closed_at=closed_at).where(
            StockCheck.id == check.id).execute()
        check = StockCheck.get_by_id(check.id)
        digest = results_hash(check)
        StockCheck.update(results_hash=digest).where(StockCheck.id == check.id).execute()
        check.results_hash = digest
        tally = dict(item.select(item.result, pw.fn.COUNT(item.id)).where(mine)
                     .group_by(item.result).tuples())
        audit.record(actor, "stockcheck.close", "stock_check", check.id, {"status": "open"},
                     {"status": "closed", "results": {k: int(v) for k, v in sorted(tally.items())},
                      "results_hash": digest})
    return check


def tampered_checks() -> list[str]:
    """Closed checks whose rows no longer hash to what was kept at closing."""
    return [f"stock check {c.id} (FY{c.fiscal_year}) changed after it was closed"
            for c in StockCheck.select().where(StockCheck.status == "closed").order_by(StockCheck.id)
            if results_hash(c) != c.results_hash]


# ---- the report's rows and open data -------------------------------------------------

def result_rows(check_id: Any) -> list[dict[str, Any]]:
    """One record per row of the check, as the inspection report and open data show it:
    number, item, brand, the ticks (in use / damaged / deteriorated / lost / not needed),
    acquisition date, register price, the user, and what the committee wrote."""
    check = get_check(check_id)
    Custodian = Person.alias("custodian")
    Dept = Department.alias("dept")
    assets = {a.id: a for a in (Asset.select(Asset, Custodian.name.alias("custodian_name"))
                                .join(Custodian, pw.JOIN.LEFT_OUTER, on=(Asset.custodian == Custodian.id))
                                .where(Asset.id.in_(StockCheckItem.select(StockCheckItem.asset)
                                                    .where(StockCheckItem.check == check.id)))
                                .objects())}
    depts = {d.id: d.code for d in Dept.select(Dept.id, Dept.code)}
    loans, away = set(), set()
    if check.status == "open":
        unfound = (StockCheckItem.select(StockCheckItem.id)
                   .where((StockCheckItem.check == check.id) & StockCheckItem.found_at.is_null()))
        loans = {i for (i,) in unfound.where(_out_on_loan()).tuples()}
        away = {i for (i,) in unfound.where(_away_for_repair()).tuples()}
    records = []
    for no, row in enumerate(_items(check).objects(), start=1):
        asset = assets.get(row.asset_id)
        result = row.result
        if result is None:  # still open: the result so far
            accounted = row.id in loans or row.id in away
            kinds = _kinds(row, accounted)
            result = ("unexpected" if not row.expected else "misplaced" if "misplaced" in kinds
                      else "found" if row.found_at else "on_loan" if row.id in loans
                      else "in_repair" if row.id in away else "missing")
        records.append({
            "check_id": check.id, "fiscal_year": check.fiscal_year, "no": no,
            "asset_no": row.code if row.asset_id else None, "code": row.code, "name": row.name,
            "brand": " ".join(p for p in (asset.brand, asset.model) if p) if asset else "",
            "expected": row.expected, "department": depts.get(row.department_id),
            "location": row.expected_location, "found_location": row.found_location_code,
            "result": result, "condition": row.condition,
            "in_use": row.condition == "in_use", "damaged": row.condition == "damaged",
            "deteriorated": row.condition == "deteriorated", "lost": result == "missing",
            "not_needed": row.condition == "not_needed",
            "acquired_on": asset.acquired_on if asset else None,
            "price": row.price, "custodian": asset.custodian_name if asset else None,
            "found_by": row.finder, "found_at": row.found_at, "loan_no": row.loan_no or None,
            "reason": row.reason, "explanation": row.explanation, "wear_and_tear": row.wear_and_tear,
        })
    return records


# ---- the follow-on -------------------------------------------------------------------

@dataclass
class FollowOn:
    fact_finding: list[FactFindingCase]
    disposal_candidates: list[DisposalCandidate]
    corrections: list[RegistryCorrection]


def follow_on(actor, check_id: Any, today: dt.date | None = None) -> FollowOn:
    """From a closed check, in one step: a fact-finding case for every loss and for damage
    that is not plain wear and tear; a disposal candidate for every item no longer needed,
    deteriorated, or damaged by wear and tear; a registry correction, waiting for a
    storekeeper, for every misplaced item. Done once per check."""
    require(actor, "stockcheck.follow_up")
    stamp = _moment(today)
    with db.atomic():
        check = _lock_check(check_id, exclusive=True)
        if check.status != "closed":
            raise ValidationError("status", f"Stock check {check.id} is still open; close it before its follow-on.")
        if check.followed_up_at is not None:
            by = User.get_by_id(check.followed_up_by_id).username
            raise ValidationError("status", f"The follow-on of stock check {check.id} was done on "
                                            f"{format_date_be(check.followed_up_at.date())} by {by}; "
                                            "it is done once.")
        made = FollowOn([], [], [])
        changes: list[audit.Change] = []
        rows = (StockCheckItem.select(StockCheckItem, Asset.status.alias("status_now"))
                .join(Asset, on=(StockCheckItem.asset == Asset.id))
                .where((StockCheckItem.check == check.id) & StockCheckItem.expected)
                .order_by(StockCheckItem.code).objects())
        for row in rows:
            why = row.explanation or ""
            if row.status_now == "disposed":
                continue
            if row.result == "missing" or (row.condition == "damaged" and not row.wear_and_tear):
                kind = "loss" if row.result == "missing" else "damage"
                case = FactFindingCase.create(asset=row.asset_id, check=check.id, kind=kind, note=why,
                                              opened_by=actor.id, opened_at=stamp)
                made.fact_finding.append(case)
                changes.append(audit.Change("factfinding.open", "asset", row.code, None, {
                    "case": case.id, "kind": kind, "stock_check": check.id, "note": why}))
            if row.condition in ("deteriorated", "not_needed") or (row.condition == "damaged" and row.wear_and_tear):
                reason = "not_needed" if row.condition == "not_needed" else "worn_out"
                cand = DisposalCandidate.create(asset=row.asset_id, check=check.id, reason=reason, note=why,
                                                created_by=actor.id, created_at=stamp)
                made.disposal_candidates.append(cand)
                changes.append(audit.Change("disposal.propose", "asset", row.code, None, {
                    "candidate": cand.id, "reason": reason, "stock_check": check.id, "note": why}))
            if row.result == "misplaced":
                corr = RegistryCorrection.create(check=check.id, asset=row.asset_id, from_location=row.location_id,
                                                 to_location=row.found_location_id, note=why)
                made.corrections.append(corr)
                changes.append(audit.Change("correction.propose", "asset", row.code, None, {
                    "correction": corr.id, "stock_check": check.id,
                    "location": Location.get_by_id(row.found_location_id).code}))
        StockCheck.update(followed_up_by=actor.id, followed_up_at=stamp).where(StockCheck.id == check.id).execute()
        changes.append(audit.Change("stockcheck.follow_on", "stock_check", str(check.id), None, {
            "fact_finding": len(made.fact_finding), "disposal_candidates": len(made.disposal_candidates),
            "corrections": len(made.corrections)}))
        audit.record_many(actor, changes)
    return made


def pending_corrections(check_id: Any | None = None) -> list[RegistryCorrection]:
    q = (RegistryCorrection.select(RegistryCorrection, Asset).join(Asset)
         .where(RegistryCorrection.status == "pending").order_by(Asset.asset_no))
    if check_id is not None:
        q = q.where(RegistryCorrection.check == _check_id(check_id))
    return list(q)


def decide_correction(actor, correction_id: int, apply: bool = True, note: str = "",
                      today: dt.date | None = None) -> RegistryCorrection:
    """A storekeeper confirms (the register moves the asset to where it was found) or
    rejects one queued correction."""
    require(actor, "stockcheck.correct")
    with db.atomic():
        corr = RegistryCorrection.get_or_none(RegistryCorrection.id == correction_id)
        if corr is None:
            raise NotFound(f"There is no registry correction {correction_id}.")
        if corr.status != "pending":
            raise ValidationError("status", f"Registry correction {corr.id} was already {corr.status}.")
        asset = Asset.get_by_id(corr.asset_id)
        target = Location.get_by_id(corr.to_location_id)
        if apply:
            update_asset(actor, asset.asset_no, {"location": target}, action="asset.move")
        status = "applied" if apply else "rejected"
        RegistryCorrection.update(status=status, decided_by=actor.id, decided_at=_moment(today),
                                  note=" ".join((note or corr.note or "").split())).where(
            RegistryCorrection.id == corr.id).execute()
        audit.record(actor, f"correction.{'apply' if apply else 'reject'}", "asset", asset.asset_no,
                     {"correction": corr.id, "status": "pending"},
                     {"correction": corr.id, "status": status, "location": target.code})
        return RegistryCorrection.get_by_id(corr.id)


def open_fact_finding_cases() -> list[FactFindingCase]:
    return list(FactFindingCase.select(FactFindingCase, Asset).join(Asset)
                .where(FactFindingCase.status == "open").order_by(FactFindingCase.id))


def pending_disposal_candidates() -> list[DisposalCandidate]:
    return list(DisposalCandidate.select(DisposalCandidate, Asset).join(Asset)
                .where(DisposalCandidate.status == "pending").order_by(Asset.asset_no))


def label(table: dict[str, tuple[str, str]], code: str | None, lang: str = "en") -> str:
    if code is None:
        return ""
    return table.get(code, (code, code))[0 if lang == "th" else 1]


def inspector_label(user: User, lang: str = "en") -> str:
    return f"{user.person.name} ({user.username}, {role_label(user.role, lang)})"


def summary(check: StockCheck) -> dict[str, Any]:
    """The check's header as open data."""
    return {"id": check.id, "fiscal_year": check.fiscal_year, "status": check.status,
            "cutoff_on": check.cutoff_on.isoformat(), "starts_on": check.starts_on.isoformat(),
            "deadline_on": check.deadline_on.isoformat(), "scope": scope_of(check).describe(),
            "committee": [u.username for u in committee(check)],
            "closed_at": _stamp(check.closed_at), "results_hash": check.results_hash or None}


__all__ = [
    "WorkingCalendar", "check_dates", "working_days_left", "Scope", "open_stock_check", "scan",
    "scan_many", "ScanResult", "progress", "Progress", "LocationProgress", "discrepancies", "Discrepancy",
    "explain", "close_check", "results_hash", "tampered_checks", "result_rows", "follow_on", "FollowOn",
    "pending_corrections", "decide_correction", "open_fact_finding_cases", "pending_disposal_candidates",
    "get_check", "checks", "committee", "summary",
]

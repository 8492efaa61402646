"""Lending (clause 207-211): request, approval by the right authority, hand-over and
return per item, reservations that never overlap, extensions, overdue follow-up and
damage cases.

Every function takes the acting user first and checks the permission itself. Writes
that could race (two approvals of overlapping reservations, two hand-overs of one
asset) lock the assets' rows first (PostgreSQL) or run inside SQLite's single writer
lock, and the database refuses an asset on two open loans with a unique index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import peewee as pw

from . import audit
from .accounts import require, role_label
from .db import db, is_postgres
from .depreciation import asset_book_value
from .errors import NotFound, PermissionDenied, ValidationError
from .org import get_setting
from .schema import (
    LOAN_KINDS,
    Asset,
    AssetNumberCounter,
    Category,
    DamageCase,
    Department,
    Loan,
    LoanFollowUp,
    LoanItem,
    Person,
    User,
    utcnow,
)
from .values import (
    clean_text,
    fiscal_year_of,
    format_date_be,
    local_date,
    parse_date,
    parse_money,
    parse_thai_id,
)

KIND_NAMES = {
    "inside": ("ยืมใช้ภายในสถานที่", "use inside the premises"),
    "outside": ("ยืมไปใช้นอกสถานที่", "use outside the premises"),
    "agency": ("ยืมระหว่างหน่วยงานของรัฐ", "loan to another state agency"),
}
STATUS_NAMES = {
    "requested": ("รออนุมัติ", "waiting for approval"),
    "approved": ("อนุมัติแล้ว", "approved"),
    "rejected": ("ไม่อนุมัติ", "rejected"),
    "cancelled": ("ยกเลิก", "cancelled"),
    "active": ("อยู่ระหว่างยืม", "on loan"),
    "returned": ("คืนแล้ว", "returned"),
}
OPEN_STATUSES = ("approved", "active")  # loans that hold their assets for their period
CONDITION_STATUS = {"usable": "available", "damaged": "repair", "lost": "lost"}
SETTLEMENTS = ("repaired", "replaced", "paid")
FOLLOW_UP_METHODS = ("letter", "phone", "visit")


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _moment(today: dt.date | None) -> dt.datetime:
    """When something happens, in UTC: now, or on a simulated ``today`` the same time of
    day on that day, so a record's times agree with the day it was made."""
    now = utcnow()
    return now if today is None else now + dt.timedelta(days=(today - dt.date.today()).days)


# ---- reading -------------------------------------------------------------------------

def _note(note: Any) -> str:
    """A note kept with a step of the loan: one line, nothing invisible, of a sensible length."""
    return clean_text(note, "note", "note", 1000)


def get_loan(loan_no: str) -> Loan:
    """The loan with its borrower, department, requester and decider, in one query."""
    requester, decider = User.alias("requester"), User.alias("decider")
    loan = (Loan.select(Loan, Person, Department, requester, decider)
            .join(Person).switch(Loan).join(Department)
            .switch(Loan).join(requester, on=(Loan.requested_by == requester.id), attr="requested_by")
            .switch(Loan).join(decider, pw.JOIN.LEFT_OUTER, on=(Loan.decided_by == decider.id),
                               attr="decided_by")
            .where(Loan.loan_no == (loan_no or "").strip()).first())
    if loan is None:
        raise NotFound(f"There is no loan number '{loan_no}'.")
    return loan


def loan_items(loan: Loan) -> list[LoanItem]:
    return list(LoanItem.select(LoanItem, Asset, Category).join(Asset).join(Category)
                .where(LoanItem.loan == loan).order_by(Asset.asset_no))


def snapshot(loan: Loan, items: Sequence[LoanItem] | None = None) -> dict[str, Any]:
    """The loan as the register shows it (open-data keys of the loan register)."""
    items = loan_items(loan) if items is None else items
    borrower = loan.borrower
    return {
        "loan_no": loan.loan_no,
        "kind": loan.kind,
        "borrower": borrower.name,
        "organisation": borrower.organisation,
        "department": loan.department.code,
        "purpose": loan.purpose,
        "place": loan.place,
        "status": loan.status,
        "requested_on": local_date(loan.requested_at),
        "requested_by": loan.requested_by.username,
        "approved_by": loan.decided_by.username if loan.decided_by_id and loan.status != "rejected" else None,
        "decided_at": loan.decided_at,
        "decision_note": loan.decision_note,
        "start_on": loan.start_on,
        "due_on": loan.due_on,
        "issued_on": loan.issued_on,
        "returned_on": loan.returned_on,
        "items": [
            {"asset_no": i.asset.asset_no, "name": i.asset.name, "value_at_loan": i.value_at_loan,
             "issued_at": i.issued_at, "returned_at": i.returned_at,
             "returned_condition": i.returned_condition, "return_note": i.return_note}
            for i in items
        ],
    }


# ---- approval routing ----------------------------------------------------------------

def _usernames(setting: str) -> set[str]:
    return {u.strip() for u in get_setting(setting).split(",") if u.strip()}


def _department_chain(department: Department) -> list[int]:
    """The department and every unit above it."""
    chain, seen = [], set()
    current = department
    while current is not None and current.id not in seen:
        chain.append(current.id)
        seen.add(current.id)
        current = Department.get_or_none(Department.id == current.parent_id) if current.parent_id else None
    return chain


def approver_role(loan: Loan) -> str:
    return get_setting(f"approver_{loan.kind}") or "agency_head"


def eligible_approvers(loan: Loan) -> list[User]:
    """Who may approve or reject this loan, by its kind (configurable routing)."""
    role = approver_role(loan)
    users = User.select(User, Person).join(Person).where(User.active == True)  # noqa: E712
    if role == "dept_head":
        chain = _department_chain(loan.department)
        names = _usernames("supply_head")
        cond = ((User.role == "dept_head") & (Person.department.in_(chain)))
        if names:
            cond |= User.username.in_(names)
        users = users.where(cond)
    else:
        names = _usernames("agency_head_delegates")
        cond = User.role == role
        if names:
            cond |= User.username.in_(names)
        users = users.where(cond)
    return [u for u in users.order_by(User.username)
            if u.id != loan.requested_by_id and u.person_id != loan.borrower_id]


def _require_approver(actor, loan: Loan) -> None:
    require(actor, "loan.decide")
    if actor.id == loan.requested_by_id:
        raise PermissionDenied(f"You requested loan {loan.loan_no}; somebody else must decide on it.")
    if actor.person_id == loan.borrower_id:
        raise PermissionDenied(f"You are the borrower of loan {loan.loan_no}; somebody else must decide on it.")
    allowed = eligible_approvers(loan)
    if any(u.id == actor.id for u in allowed):
        return
    kind = KIND_NAMES[loan.kind][1]
    role = approver_role(loan)
    if role == "dept_head":
        who = f"the head of {loan.department.name}"
        if _usernames("supply_head"):
            who += " or the head of the supply unit"
    else:
        who = f"the {role_label(role, 'en')}"
        if _usernames("agency_head_delegates"):
            who += " or a named delegate"
    names = ", ".join(f"{u.person.name} ({u.username})" for u in allowed) or "nobody is set up yet"
    raise PermissionDenied(
        f"Loan {loan.loan_no} ({kind}) may be approved only by {who}: {names}.")


# ---- conflicts -----------------------------------------------------------------------

def _lock_loan(loan_no: str) -> None:
    """Hold the loan's row until the transaction ends, before anything else. Every writer of
    a loan takes its locks in one order (the loan, then its assets, then the audit log's
    head), so two desks working at once wait for each other instead of deadlocking on
    PostgreSQL; and hand-over and return of one loan take their turns. SQLite writers are
    already serial."""
    if is_postgres():
        list(Loan.select(Loan.id).where(Loan.loan_no == (loan_no or "").strip()).for_update())


def _lock_assets(asset_ids: Iterable[int]) -> None:
    """Hold the assets' rows until the transaction ends (SQLite writers are already serial)."""
    ids = sorted(set(asset_ids))
    if ids and is_postgres():
        list(Asset.select(Asset.id).where(Asset.id.in_(ids)).order_by(Asset.id).for_update())


def conflicts(asset_ids: Iterable[int], start: dt.date, end: dt.date, exclude_loan: int | None = None,
              today: dt.date | None = None) -> list[tuple[Asset, Loan]]:
    """Approved or active loans holding any of these assets at any time in [start, end].
    An item still out after its due date holds its asset until it comes back."""
    ids = list(set(asset_ids))
    if not ids:
        return []
    today = _today(today)
    q = (LoanItem.select(LoanItem, Loan, Asset).join(Loan).switch(LoanItem).join(Asset)
         .where(LoanItem.asset.in_(ids) & Loan.status.in_(OPEN_STATUSES) & LoanItem.returned_at.is_null()
                & (Loan.start_on <= end)))
    if exclude_loan is not None:
        q = q.where(Loan.id != exclude_loan)
    found = []
    for item in q.order_by(Loan.start_on):
        held_until = item.loan.due_on
        if item.issued_at is not None and item.loan.due_on < today:
            held_until = dt.date.max
        if held_until >= start:
            found.append((item.asset, item.loan))
    return found


def _refuse_conflicts(asset_ids, start, end, exclude_loan=None, today=None) -> None:
    clash = conflicts(asset_ids, start, end, exclude_loan, today)
    if clash:
        asset, other = clash[0]
        raise ValidationError(
            "assets",
            f"Asset {asset.asset_no} is already lent on loan {other.loan_no} "
            f"from {format_date_be(other.start_on, short=True)} to {format_date_be(other.due_on, short=True)}.")


# ---- numbers -------------------------------------------------------------------------

def _next_loan_no(on: dt.date) -> str:
    fy = fiscal_year_of(on)
    key = f"loan-{fy}"
    AssetNumberCounter.insert(prefix=key, last=0).on_conflict_ignore().execute()
    AssetNumberCounter.update(last=AssetNumberCounter.last + 1).where(AssetNumberCounter.prefix == key).execute()
    seq = AssetNumberCounter.get_by_id(key).last
    return f"L{fy}-{seq:04d}"


# ---- request -------------------------------------------------------------------------

@dataclass
class ExternalBorrower:
    name: str
    organisation: str = ""
    address: str = ""
    phone: str = ""
    thai_id: str = ""
    position: str = ""


@dataclass
class LoanRequest:
    assets: Sequence[str]
    purpose: str
    place: str
    start_on: Any
    due_on: Any
    borrower: str | None = None            # username of an internal borrower
    external: ExternalBorrower | None = None
    state_agency: bool = False             # the borrower is another state agency


def _resolve_borrower(actor, req: LoanRequest) -> Person:
    entering_for_others = getattr(actor, "role", None) in ("storekeeper", "admin", "system")
    if req.external is not None:
        if req.borrower:
            raise ValidationError("borrower", "Name either a staff borrower or an outside borrower, not both.")
        if not entering_for_others:
            raise PermissionDenied("Only a storekeeper can enter a request for an outside borrower.")
        ext = req.external
        name = clean_text(ext.name, "name", "borrower's name", 200)
        if not name:
            raise ValidationError("external", "The outside borrower's name is missing.")
        organisation = clean_text(ext.organisation, "organisation", "borrower's organisation", 200)
        address = clean_text(ext.address, "address", "borrower's address", 500)
        phone = clean_text(ext.phone, "phone", "borrower's phone number", 50)
        if not organisation:
            raise ValidationError("organisation", "The outside borrower's organisation is missing.")
        if not address:
            raise ValidationError("address", "The outside borrower's address is missing.")
        if not phone:
            raise ValidationError("phone", "The outside borrower's phone number is missing.")
        thai_id = parse_thai_id(ext.thai_id, "thai_id")
        person = (Person.select().where((Person.external == True) & (Person.name == name)  # noqa: E712
                                        & (Person.organisation == organisation)).first())
        if person is None:
            person = Person.create(name=name, organisation=organisation, address=address,
                                   phone=phone, thai_id=thai_id, external=True,
                                   position=ext.position)
            audit.record(actor, "person.create", "person", person.id,
                         after={"name": name, "organisation": organisation, "external": True})
        return person
    if req.borrower:
        user = User.get_or_none(User.username == req.borrower.strip())
        if user is None:
            raise ValidationError("borrower", f"There is no user '{req.borrower}'.")
        if not user.active:
            raise ValidationError("borrower", f"The account '{user.username}' is deactivated.")
        if user.id != getattr(actor, "id", None) and not entering_for_others:
            raise PermissionDenied("You may request loans only for yourself; a storekeeper can enter a request on someone's behalf.")
        return user.person
    if getattr(actor, "person", None) is None:
        raise ValidationError("borrower", "Name the borrower.")
    return actor.person


def _refuse_unlendable(number: str, asset: Asset | None) -> None:
    if asset is None:
        raise ValidationError("assets", f"There is no asset number '{number}'.")
    if not asset.lendable:
        raise ValidationError("assets", f"Asset {number} is not lendable.")
    if asset.status not in ("available", "on_loan"):
        raise ValidationError("assets", f"Asset {number} cannot be lent: it is {asset.status.replace('_', ' ')}.")


def lendable_asset(asset_no: str) -> Asset:
    """The asset with this number if a request may name it, or the sentence saying why not
    (the same check ``request_loan`` makes), so a form can refuse it as it is typed."""
    number = clean_text(asset_no, "asset", "asset number")
    asset = Asset.select(Asset, Category).join(Category).where(Asset.asset_no == number).first()
    _refuse_unlendable(number, asset)
    return asset


def request_loan(actor, req: LoanRequest, today: dt.date | None = None) -> Loan:
    """Record a written loan request; it waits for the approver its kind calls for."""
    require(actor, "loan.request")
    today = _today(today)
    purpose = clean_text(req.purpose, "purpose", "purpose", 500)
    if not purpose:
        raise ValidationError("purpose", "The purpose is missing: loans are for official use only.")
    place = (req.place or "").strip().lower()
    if place not in ("inside", "outside"):
        raise ValidationError("place", "The place of use must be inside or outside (the premises).")
    start = parse_date(req.start_on, "start_on", "start date")
    due = parse_date(req.due_on, "due_on", "due date")
    if start < today:
        raise ValidationError("start_on", f"The start date {format_date_be(start, short=True)} is in the past.")
    if due < start:
        raise ValidationError("due_on", f"The due date {format_date_be(due, short=True)} is before the start date {format_date_be(start, short=True)}.")
    numbers = [n for n in (clean_text(a, "asset", "asset number") for a in req.assets) if n]
    if not numbers:
        raise ValidationError("assets", "Name at least one asset to borrow.")
    if len(set(numbers)) != len(numbers):
        raise ValidationError("assets", "An asset is named twice in the request.")
    with db.atomic():
        found = {a.asset_no: a for a in Asset.select(Asset, Category).join(Category)
                 .where(Asset.asset_no.in_(numbers))}
        for number in numbers:
            _refuse_unlendable(number, found.get(number))
        assets = [found[n] for n in numbers]
        kind = "agency" if req.state_agency else place
        departments = {a.department_id for a in assets}
        if kind == "inside" and len(departments) > 1:
            raise ValidationError("assets", "The assets belong to different departments; request them separately, one department per request.")
        borrower = _resolve_borrower(actor, req)
        if req.state_agency and not borrower.external:
            raise ValidationError("borrower", "A loan to another state agency needs the agency as an outside borrower.")
        _lock_assets(a.id for a in assets)
        _refuse_conflicts([a.id for a in assets], start, due, today=today)
        loan = Loan.create(loan_no=_next_loan_no(today), kind=kind, place=place, borrower=borrower,
                           department=assets[0].department_id, purpose=purpose, start_on=start,
                           due_on=due, requested_by=actor.id, requested_at=_moment(today))
        LoanItem.insert_many([
            {"loan": loan.id, "asset": a.id, "value_at_loan": asset_book_value(a, start)} for a in assets
        ]).execute()
        loan = get_loan(loan.loan_no)
        audit.record(actor, "loan.request", "loan", loan.loan_no, after=snapshot(loan))
    return loan


# ---- decision ------------------------------------------------------------------------

def _change_status(actor, loan: Loan, action: str, **values) -> Loan:
    items = loan_items(loan)  # a change of status leaves the items as they are
    before = snapshot(loan, items)
    Loan.update(**values).where(Loan.id == loan.id).execute()
    loan = get_loan(loan.loan_no)
    after = snapshot(loan, items)
    keys = [k for k in after if after[k] != before[k]]
    audit.record(actor, action, "loan", loan.loan_no, {k: before[k] for k in keys}, {k: after[k] for k in keys})
    return loan


def _require_status(loan: Loan, allowed: Sequence[str], doing: str) -> None:
    if loan.status not in allowed:
        raise ValidationError("status", f"Loan {loan.loan_no} is {STATUS_NAMES[loan.status][1]}; it cannot be {doing}.")


def approve_loan(actor, loan_no: str, note: str = "", today: dt.date | None = None) -> Loan:
    with db.atomic():
        _lock_loan(loan_no)
        loan = get_loan(loan_no)
        _require_approver(actor, loan)
        _require_status(loan, ("requested",), "approved")
        items = loan_items(loan)
        _lock_assets(i.asset_id for i in items)
        _refuse_conflicts([i.asset_id for i in items], loan.start_on, loan.due_on, exclude_loan=loan.id, today=today)
        for i in items:
            if i.asset.status not in ("available", "on_loan"):
                raise ValidationError("assets", f"Asset {i.asset.asset_no} cannot be lent now: it is {i.asset.status.replace('_', ' ')}.")
        return _change_status(actor, loan, "loan.approve", status="approved", decided_by=actor.id,
                              decided_at=_moment(today), decision_note=_note(note))


def reject_loan(actor, loan_no: str, note: str = "", today: dt.date | None = None) -> Loan:
    with db.atomic():
        _lock_loan(loan_no)
        loan = get_loan(loan_no)
        _require_approver(actor, loan)
        _require_status(loan, ("requested",), "rejected")
        return _change_status(actor, loan, "loan.reject", status="rejected", decided_by=actor.id,
                              decided_at=_moment(today), decision_note=_note(note))


def cancel_loan(actor, loan_no: str, note: str = "") -> Loan:
    """The requester, the borrower or a storekeeper withdraws a request not yet handed over."""
    require(actor, "loan.request")
    with db.atomic():
        _lock_loan(loan_no)
        loan = get_loan(loan_no)
        own = actor.id == loan.requested_by_id or actor.person_id == loan.borrower_id
        if not own and actor.role not in ("storekeeper", "admin"):
            raise PermissionDenied(f"Only the requester, the borrower or a storekeeper may cancel loan {loan.loan_no}.")
        _require_status(loan, ("requested", "approved"), "cancelled")
        if LoanItem.select().where((LoanItem.loan == loan) & LoanItem.issued_at.is_null(False)).exists():
            raise ValidationError("status", f"Items of loan {loan.loan_no} have been handed over; take them back instead of cancelling.")
        return _change_status(actor, loan, "loan.cancel", status="cancelled",
                              decision_note=_note(note or loan.decision_note))


# ---- hand-over and return ------------------------------------------------------------

def _item(loan: Loan, asset_no: str) -> LoanItem:
    number = (asset_no or "").strip()
    item = (LoanItem.select(LoanItem, Asset).join(Asset)
            .where((LoanItem.loan == loan) & (Asset.asset_no == number)).first())
    if item is None:
        if not Asset.select().where(Asset.asset_no == number).exists():
            raise ValidationError("asset", f"There is no asset number '{number}'.")
        raise ValidationError("asset", f"Asset {number} is not on loan {loan.loan_no}.")
    return item


def issue_items(actor, loan_no: str, asset_nos: Sequence[str] | None = None,
                today: dt.date | None = None) -> Loan:
    """Hand over the named items (all not yet handed over when none are named). The loan
    becomes active once every item is out."""
    require(actor, "loan.issue")
    today = _today(today)
    with db.atomic():
        _lock_loan(loan_no)
        loan = get_loan(loan_no)
        _require_status(loan, ("approved",), "handed over")
        if today < loan.start_on:
            raise ValidationError("start_on", f"Loan {loan.loan_no} starts on {format_date_be(loan.start_on, short=True)}; it cannot be handed over before then.")
        if asset_nos:
            wanted = [_item(loan, n) for n in asset_nos]
        else:
            wanted = [i for i in loan_items(loan) if i.issued_at is None]
            if not wanted:
                raise ValidationError("asset", f"Every item of loan {loan.loan_no} has already been handed over.")
        _lock_assets(i.asset_id for i in wanted)
        # Read again under the lock, in one query: another desk may have just handed one over.
        fresh = {i.id: i for i in LoanItem.select(LoanItem, Asset).join(Asset)
                 .where(LoanItem.id.in_([i.id for i in wanted]))}
        items = [fresh[i.id] for i in wanted]
        now, stamp = utcnow(), _moment(today)
        handed = []
        for item in items:
            if item.issued_at is not None:
                raise ValidationError("asset", f"Asset {item.asset.asset_no} of loan {loan.loan_no} has already been handed over.")
            asset = item.asset
            if asset.status != "available":
                holder = (LoanItem.select(LoanItem, Loan).join(Loan)
                          .where((LoanItem.asset == asset.id) & (LoanItem.out_flag == 1)).first())
                if holder is not None:
                    raise ValidationError("asset", f"Asset {asset.asset_no} is still out on loan {holder.loan.loan_no}.")
                raise ValidationError("asset", f"Asset {asset.asset_no} is not in store: it is {asset.status.replace('_', ' ')}.")
            try:
                with db.atomic():
                    LoanItem.update(issued_at=stamp, issued_by=actor.id, out_flag=1).where(LoanItem.id == item.id).execute()
            except pw.IntegrityError:
                raise ValidationError("asset", f"Asset {asset.asset_no} is already out on another loan.") from None
            handed.append(asset)
        if handed:
            Asset.update(status="on_loan", updated_at=now).where(Asset.id.in_([a.id for a in handed])).execute()
            audit.record_many(actor, [
                audit.Change("loan.issue", "loan", loan.loan_no, {"asset_no": a.asset_no, "status": "available"},
                             {"asset_no": a.asset_no, "status": "on_loan"}) for a in handed])
        remaining = LoanItem.select().where((LoanItem.loan == loan) & LoanItem.issued_at.is_null()).count()
        if remaining == 0:
            loan = _change_status(actor, loan, "loan.activate", status="active", issued_on=today)
        return get_loan(loan.loan_no)


def return_item(actor, loan_no: str, asset_no: str, condition: str = "usable", note: str = "",
                today: dt.date | None = None) -> Loan:
    """Take one item back and record its condition; a damaged or lost item opens a case."""
    require(actor, "loan.return")
    today = _today(today)
    condition = (condition or "usable").strip().lower()
    if condition not in CONDITION_STATUS:
        raise ValidationError("condition", "The condition must be usable, damaged or lost.")
    with db.atomic():
        _lock_loan(loan_no)
        loan = get_loan(loan_no)
        item = _item(loan, asset_no)
        if is_postgres():  # read again under the row lock; SQLite writers are already serial
            _lock_assets([item.asset_id])
            item = _item(loan, asset_no)
        if item.issued_at is None:
            raise ValidationError("asset", f"Asset {item.asset.asset_no} of loan {loan.loan_no} was never handed over.")
        if item.returned_at is not None:
            raise ValidationError("asset", f"Asset {item.asset.asset_no} of loan {loan.loan_no} has already been returned.")
        if condition != "usable" and not _note(note):
            raise ValidationError("note", f"Describe how the asset was {condition}.")
        now, stamp = utcnow(), _moment(today)
        LoanItem.update(returned_at=stamp, returned_by=actor.id, returned_condition=condition,
                        return_note=_note(note), out_flag=None).where(LoanItem.id == item.id).execute()
        Asset.update(status=CONDITION_STATUS[condition], updated_at=now).where(Asset.id == item.asset_id).execute()
        audit.record(actor, "loan.return", "loan", loan.loan_no,
                     {"asset_no": item.asset.asset_no, "status": "on_loan"},
                     {"asset_no": item.asset.asset_no, "status": CONDITION_STATUS[condition],
                      "condition": condition, "note": _note(note)})
        if condition != "usable":
            case = DamageCase.create(item=item.id, condition=condition, suggested_amount=item.value_at_loan,
                                     opened_at=stamp)
            audit.record(actor, "damage.open", "damage_case", case.id, after={
                "loan_no": loan.loan_no, "asset_no": item.asset.asset_no, "condition": condition,
                "suggested_amount": item.value_at_loan})
        open_items = LoanItem.select().where((LoanItem.loan == loan) & LoanItem.returned_at.is_null()).count()
        if open_items == 0 and loan.status == "active":
            loan = _change_status(actor, loan, "loan.close", status="returned", returned_on=today)
        return get_loan(loan.loan_no)


def extend_loan(actor, loan_no: str, due_on: Any, today: dt.date | None = None) -> Loan:
    """Move the due date later, unless that runs into someone else's reservation."""
    require(actor, "loan.extend")
    new_due = parse_date(due_on, "due_on", "due date")
    with db.atomic():
        _lock_loan(loan_no)
        loan = get_loan(loan_no)
        _require_status(loan, ("approved", "active"), "extended")
        if actor.id == loan.requested_by_id or actor.person_id == loan.borrower_id:
            raise PermissionDenied(f"You cannot extend loan {loan.loan_no}, which you requested or borrow.")
        if new_due <= loan.due_on:
            raise ValidationError("due_on", f"The new due date must be after {format_date_be(loan.due_on, short=True)}.")
        items = [i for i in loan_items(loan) if i.returned_at is None]
        _lock_assets(i.asset_id for i in items)
        _refuse_conflicts([i.asset_id for i in items], loan.due_on + dt.timedelta(days=1), new_due,
                          exclude_loan=loan.id, today=today)
        return _change_status(actor, loan, "loan.extend", due_on=new_due)


# ---- overdue and follow-up -----------------------------------------------------------

@dataclass
class OverdueLoan:
    loan: Loan
    items: list[LoanItem]
    days_overdue: int
    last_follow_up: LoanFollowUp | None
    follow_up_late: bool  # not chased within the configured days after the due date


def follow_up_days() -> int:
    try:
        return max(0, int(get_setting("follow_up_days")))
    except ValueError:
        return 7


def overdue_loans(today: dt.date | None = None) -> list[OverdueLoan]:
    """Loans past their due date with items still out, most overdue first."""
    today = _today(today)
    limit = follow_up_days()
    loans = (Loan.select(Loan, Person, Department).join(Person).switch(Loan).join(Department)
             .where(Loan.status.in_(OPEN_STATUSES) & (Loan.due_on < today)
                    & pw.fn.EXISTS(LoanItem.select(LoanItem.id).where(
                        (LoanItem.loan == Loan.id) & (LoanItem.out_flag == 1))))
             .order_by(Loan.due_on, Loan.loan_no))
    loans = list(loans)
    ids = [loan.id for loan in loans]
    # two queries for the whole list, not two per loan
    out_items: dict[int, list[LoanItem]] = {i: [] for i in ids}
    for item in (LoanItem.select(LoanItem, Asset, Category).join(Asset).join(Category)
                 .where(LoanItem.loan.in_(ids) & (LoanItem.out_flag == 1)).order_by(Asset.asset_no)):
        out_items[item.loan_id].append(item)
    chased: dict[int, LoanFollowUp] = {}
    for follow_up in (LoanFollowUp.select().join(Loan)
                      .where(LoanFollowUp.loan.in_(ids) & (LoanFollowUp.on_date > Loan.due_on))
                      .order_by(LoanFollowUp.on_date.desc(), LoanFollowUp.id.desc())):
        chased.setdefault(follow_up.loan_id, follow_up)
    out = []
    for loan in loans:
        items, last = out_items[loan.id], chased.get(loan.id)
        days = (today - loan.due_on).days
        out.append(OverdueLoan(loan, items, days, last, last is None and days > limit))
    return out


def overdue_by_borrower(today: dt.date | None = None) -> dict[int, list[OverdueLoan]]:
    """Overdue loans grouped per borrower, so one reminder covers all their items."""
    grouped: dict[int, list[OverdueLoan]] = {}
    for o in overdue_loans(today):
        grouped.setdefault(o.loan.borrower_id, []).append(o)
    return grouped


def record_follow_up(actor, loan_no: str, method: str, note: str = "",
                     today: dt.date | None = None) -> LoanFollowUp:
    require(actor, "loan.follow_up")
    today = _today(today)
    method = (method or "").strip().lower()
    if method not in FOLLOW_UP_METHODS:
        raise ValidationError("method", "The follow-up method must be letter, phone or visit.")
    with db.atomic():
        _lock_loan(loan_no)
        loan = get_loan(loan_no)
        if loan.status not in OPEN_STATUSES or loan.due_on >= today:
            raise ValidationError("loan", f"Loan {loan.loan_no} is not overdue; there is nothing to chase.")
        fu = LoanFollowUp.create(loan=loan.id, on_date=today, method=method, by_user=actor.id,
                                 note=_note(note))
        audit.record(actor, "loan.follow_up", "loan", loan.loan_no,
                     after={"method": method, "on_date": today, "note": fu.note})
    return fu


# ---- damage cases --------------------------------------------------------------------

def open_damage_cases() -> list[DamageCase]:
    return list(DamageCase.select(DamageCase, LoanItem, Loan, Asset)
                .join(LoanItem).join(Loan).switch(LoanItem).join(Asset)
                .where(DamageCase.status == "open").order_by(DamageCase.id))


def _case(loan_no: str, asset_no: str) -> DamageCase:
    loan = get_loan(loan_no)
    item = _item(loan, asset_no)
    case = DamageCase.get_or_none(DamageCase.item == item.id)
    if case is None:
        raise NotFound(f"Asset {asset_no} of loan {loan_no} has no damage case.")
    return case


def settle_damage(actor, loan_no: str, asset_no: str, settlement: str, amount: Any = None,
                  note: str = "", today: dt.date | None = None) -> DamageCase:
    """Close a damage case: repaired or replaced by the borrower, or paid in baht."""
    require(actor, "damage.settle")
    settlement = (settlement or "").strip().lower()
    if settlement not in SETTLEMENTS:
        raise ValidationError("settlement", "The settlement must be repaired, replaced or paid.")
    paid: Decimal | None = None
    if settlement != "paid" and amount not in (None, ""):
        raise ValidationError("amount", f"An amount is recorded only when the borrower paid; this case was {settlement}.")
    if settlement == "paid":
        paid = parse_money(amount, "amount", "amount paid")
        if paid <= 0:
            raise ValidationError("amount", "The amount paid must be more than 0.00 baht.")
    with db.atomic():
        case = _case(loan_no, asset_no)
        if case.status != "open":
            raise ValidationError("status", f"The damage case of asset {asset_no} on loan {loan_no} is already settled.")
        now = utcnow()
        DamageCase.update(status="settled", settlement=settlement, amount=paid, settled_at=_moment(today),
                          settled_by=actor.id, note=_note(note)).where(DamageCase.id == case.id).execute()
        item = LoanItem.get_by_id(case.item_id)
        if settlement == "repaired":
            Asset.update(status="available", updated_at=now).where(
                (Asset.id == item.asset_id) & (Asset.status == "repair")).execute()
        audit.record(actor, "damage.settle", "damage_case", case.id, {"status": "open"},
                     {"status": "settled", "settlement": settlement, "amount": paid,
                      "loan_no": loan_no, "asset_no": asset_no, "note": _note(note)})
        return DamageCase.get_by_id(case.id)


def refer_damage(actor, loan_no: str, asset_no: str, note: str = "") -> DamageCase:
    """Send a case that is not plain wear and tear to a fact-finding committee."""
    require(actor, "damage.settle")
    with db.atomic():
        case = _case(loan_no, asset_no)
        if case.status != "open" or case.referred:
            raise ValidationError("status", f"The damage case of asset {asset_no} on loan {loan_no} cannot be referred now.")
        DamageCase.update(referred=True, note=_note(note)).where(DamageCase.id == case.id).execute()
        audit.record(actor, "damage.refer", "damage_case", case.id, {"referred": False}, {"referred": True, "note": note})
        return DamageCase.get_by_id(case.id)


# ---- lists ---------------------------------------------------------------------------

@dataclass
class LoanFilter:
    status: str | None = None
    fiscal_year: int | None = None
    department: str | None = None
    kind: str | None = None
    borrower: str | None = None
    overdue: bool = False
    statuses: list[str] = field(default_factory=list)


def loan_query(f: LoanFilter, today: dt.date | None = None) -> pw.ModelSelect:
    """The loan register (ทะเบียนการยืม), filtered in the database, newest first."""
    from .values import fiscal_year_bounds

    q = Loan.select(Loan, Person, Department).join(Person).switch(Loan).join(Department)
    if f.status:
        q = q.where(Loan.status == f.status)
    if f.statuses:
        q = q.where(Loan.status.in_(f.statuses))
    if f.fiscal_year:
        first, last = fiscal_year_bounds(f.fiscal_year)
        q = q.where((Loan.start_on >= first) & (Loan.start_on <= last))
    if f.department:
        q = q.where(Department.code == f.department)
    if f.kind:
        q = q.where(Loan.kind == f.kind)
    if f.borrower:
        q = q.where(Person.name.contains(f.borrower))
    if f.overdue:
        q = q.where(Loan.status.in_(OPEN_STATUSES) & (Loan.due_on < _today(today))
                    & pw.fn.EXISTS(LoanItem.select(LoanItem.id).where(
                        (LoanItem.loan == Loan.id) & (LoanItem.out_flag == 1))))
    return q.order_by(Loan.requested_at.desc(), Loan.id.desc())


def decides_loans(user) -> bool:
    """Whether this user has an approvals inbox at all: department and agency heads, the
    agency head's delegates and the head of the supply unit."""
    return user is not None and (
        user.role in ("dept_head", "agency_head")
        or user.username in _usernames("agency_head_delegates") | _usernames("supply_head"))


def approvals_inbox(user) -> list[Loan]:
    """Requests waiting that this user may decide."""
    if not decides_loans(user):
        return []
    pending = Loan.select(Loan, Person, Department).join(Person).switch(Loan).join(Department) \
        .where(Loan.status == "requested").order_by(Loan.start_on, Loan.id)
    # the routing of eligible_approvers, worked out once for this user rather than per loan
    me = User.select(User, Person).join(Person).where(User.id == user.id).get()
    if not me.active:
        return []
    roles = {kind: get_setting(f"approver_{kind}") or "agency_head" for kind in LOAN_KINDS}
    supply, delegates = _usernames("supply_head"), _usernames("agency_head_delegates")
    chains: dict[int, list[int]] = {}

    def decides(loan: Loan) -> bool:
        if me.id == loan.requested_by_id or me.person_id == loan.borrower_id:
            return False
        role = roles[loan.kind]
        if role == "dept_head":
            if me.username in supply:
                return True
            if loan.department_id not in chains:
                chains[loan.department_id] = _department_chain(loan.department)
            return me.role == "dept_head" and me.person.department_id in chains[loan.department_id]
        return me.role == role or me.username in delegates

    return [loan for loan in pending if decides(loan)]


def asset_loans(asset_no: str) -> list[Loan]:
    """Every loan of one asset, newest first."""
    return list(Loan.select(Loan, Person, Department).join(Person).switch(Loan).join(Department)
                .switch(Loan).join(LoanItem).join(Asset).where(Asset.asset_no == asset_no)
                .order_by(Loan.start_on.desc()))

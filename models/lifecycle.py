"""The rest of an asset's life: repairs, transfers between departments, and disposal
(จำหน่าย, clause 215-219).

An asset away for repair has the status ``repair`` and cannot be lent until it is back.
A transfer names who approved it. A disposal is ordered by the head of the agency and
takes the asset out of the active register at once; it should be carried out within 60
days of the order and reported to the State Audit Office (สำนักงานการตรวจเงินแผ่นดิน)
within 30 days of being carried out. Nothing is deleted: every step is in the asset's
history, which stays readable for auditors after the disposal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import peewee as pw

from . import audit
from .accounts import require
from .assets import get_asset
from .db import db, is_postgres
from .errors import NotFound, PermissionDenied, ValidationError
from .org import find_department, get_setting
from .schema import (
    DISPOSAL_METHODS,
    Asset,
    AssetTransfer,
    Department,
    Disposal,
    DisposalCandidate,
    Loan,
    LoanItem,
    Location,
    Person,
    Repair,
    User,
    utcnow,
)
from .values import clean_text, format_date_be, parse_date, parse_money

DISPOSAL_METHOD_NAMES = {
    "sale": ("ขาย", "sale"),
    "auction": ("ขายทอดตลาด", "sale by auction"),
    "exchange": ("แลกเปลี่ยน", "exchange"),
    "transfer": ("โอน", "transfer to a state agency or charity"),
    "destruction": ("แปรสภาพหรือทำลาย", "conversion or destruction"),
    "write_off": ("จำหน่ายเป็นสูญ", "write-off as lost"),
}
SALES = ("sale", "auction")
DISPOSAL_WINDOW_DAYS = 60   # from the order to the disposal carried out
AUDIT_OFFICE_DAYS = 30      # from the disposal to the report to the State Audit Office


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _moment(today: dt.date | None) -> dt.datetime:
    now = utcnow()
    return now if today is None else now + dt.timedelta(days=(today - dt.date.today()).days)


def _day(value: Any, field: str, label: str, today: dt.date, default: dt.date | None = None) -> dt.date:
    if value in (None, "") and default is not None:
        return default
    day = parse_date(value, field, label)
    if day > today:
        raise ValidationError(field, f"The {label} {day:%Y-%m-%d} is in the future.")
    return day


def _lock(asset: Asset) -> Asset:
    """Hold the asset's row to the end of the transaction and read it again."""
    q = Asset.select().where(Asset.id == asset.id)
    if is_postgres():
        q = q.for_update()
    return q.get()


def _loan_out(asset: Asset) -> str:
    loan = (Loan.select(Loan.loan_no).join(LoanItem)
            .where((LoanItem.asset == asset.id) & (LoanItem.out_flag == 1)).first())
    return loan.loan_no if loan else ""


def _text(value: Any, field: str = "note", label: str | None = None) -> str:
    """One line of typed text; a control character or direction override is refused,
    naming the field."""
    return clean_text(value, field, label)


# ---- repairs -------------------------------------------------------------------------

def open_repair(asset: Asset) -> Repair | None:
    return Repair.get_or_none((Repair.asset == asset.id) & (Repair.open_flag == 1))


def send_for_repair(actor, asset_no: str, vendor: str, sent_on: Any = None, problem: str = "",
                    cost: Any = None, today: dt.date | None = None) -> Repair:
    """Send an asset to a repairer; it cannot be lent until it is back."""
    require(actor, "asset.repair")
    today = _today(today)
    vendor = _text(vendor, "vendor", "repairer's name")
    if not vendor:
        raise ValidationError("vendor", "The repairer (vendor) is missing.")
    if len(vendor) > 200:
        raise ValidationError("vendor", "The repairer's name is longer than 200 characters.")
    sent = _day(sent_on, "sent_on", "date sent", today, default=today)
    estimate = parse_money(cost, "cost", "repair cost") if cost not in (None, "") else None
    with db.atomic():
        asset = _lock(get_asset(asset_no))
        if asset.status == "on_loan":
            raise ValidationError("asset", f"Asset {asset.asset_no} is out on loan {_loan_out(asset)}; "
                                           "take it back before sending it for repair.")
        if asset.status in ("lost", "disposed"):
            raise ValidationError("asset", f"Asset {asset.asset_no} is {asset.status} and cannot be repaired.")
        if sent < asset.acquired_on:
            raise ValidationError("sent_on", f"The date sent {sent:%Y-%m-%d} is before asset "
                                             f"{asset.asset_no} was acquired.")
        try:
            with db.atomic():
                repair = Repair.create(asset=asset.id, sent_on=sent, vendor=vendor, problem=_text(problem, "problem"),
                                       cost=estimate, sent_by=actor.id, open_flag=1)
        except pw.IntegrityError:
            away = open_repair(asset)
            raise ValidationError("asset", f"Asset {asset.asset_no} is already away for repair at "
                                           f"{away.vendor} since {away.sent_on:%Y-%m-%d}.") from None
        Asset.update(status="repair", updated_at=utcnow()).where(Asset.id == asset.id).execute()
        audit.record(actor, "asset.repair_out", "asset", asset.asset_no, {"status": asset.status},
                     {"status": "repair", "repair": repair.id, "vendor": vendor, "sent_on": sent,
                      "problem": repair.problem, "cost": estimate})
    return repair


def return_from_repair(actor, asset_no: str, returned_on: Any = None, cost: Any = None,
                       note: str = "", today: dt.date | None = None) -> Repair:
    """The asset is back from the repairer, with what the repair cost."""
    require(actor, "asset.repair")
    today = _today(today)
    back = _day(returned_on, "returned_on", "date returned", today, default=today)
    final = parse_money(cost, "cost", "repair cost") if cost not in (None, "") else None
    with db.atomic():
        asset = _lock(get_asset(asset_no))
        repair = open_repair(asset)
        if repair is None:
            raise ValidationError("asset", f"Asset {asset.asset_no} is not away for repair.")
        if back < repair.sent_on:
            raise ValidationError("returned_on", f"The date returned {back:%Y-%m-%d} is before the date sent "
                                                 f"{repair.sent_on:%Y-%m-%d}.")
        total = final if final is not None else repair.cost
        Repair.update(returned_on=back, cost=total, returned_by=actor.id, note=_text(note),
                      open_flag=None).where(Repair.id == repair.id).execute()
        Asset.update(status="available", updated_at=utcnow()).where(Asset.id == asset.id).execute()
        audit.record(actor, "asset.repair_back", "asset", asset.asset_no, {"status": "repair"},
                     {"status": "available", "repair": repair.id, "returned_on": back, "cost": total,
                      "note": _text(note)})
        return Repair.get_by_id(repair.id)


def repairs(asset_no: str) -> list[Repair]:
    """The back of the register card: every repair of one asset, oldest first."""
    asset = get_asset(asset_no)
    return list(Repair.select().where(Repair.asset == asset.id).order_by(Repair.sent_on, Repair.id))


# ---- transfers -----------------------------------------------------------------------

def _chain(department: Department) -> list[int]:
    chain, current = [], department
    while current is not None and current.id not in chain:
        chain.append(current.id)
        current = Department.get_or_none(Department.id == current.parent_id) if current.parent_id else None
    return chain


def _delegates() -> set[str]:
    return {u.strip() for u in get_setting("agency_head_delegates").split(",") if u.strip()}


def _approver(username: str) -> User:
    name = _text(username, "approved_by", "approver")
    if not name:
        raise ValidationError("approved_by", "Name who approved it.")
    user = User.select(User, Person).join(Person).where(User.username == name).first()
    if user is None:
        raise ValidationError("approved_by", f"There is no user '{name}'.")
    if not user.active:
        raise ValidationError("approved_by", f"The account '{name}' is deactivated.")
    return user


def _is_agency_head(user: User) -> bool:
    return user.role == "agency_head" or user.username in _delegates()


def transfer_asset(actor, asset_no: str, to_department: Any, approved_by: str, on: Any = None,
                   location: Any = None, note: str = "", today: dt.date | None = None) -> AssetTransfer:
    """Hand an asset over to another department, approved by the head of the department
    giving it up (or of a unit above it) or by the agency head."""
    require(actor, "asset.transfer")
    today = _today(today)
    when = _day(on, "on", "transfer date", today, default=today)
    with db.atomic():
        asset = _lock(get_asset(asset_no))
        if asset.status == "disposed":
            raise ValidationError("asset", f"Asset {asset.asset_no} is disposed and cannot be transferred.")
        if asset.status == "on_loan":
            raise ValidationError("asset", f"Asset {asset.asset_no} is out on loan {_loan_out(asset)}; "
                                           "transfer it once it is back.")
        source = Department.get_by_id(asset.department_id)
        target = find_department(to_department, "to_department")
        if target.id == source.id:
            raise ValidationError("to_department", f"Asset {asset.asset_no} already belongs to {target.name}.")
        approver = _approver(approved_by)
        heads_source = approver.role == "dept_head" and approver.person.department_id in _chain(source)
        if not (heads_source or _is_agency_head(approver)):
            raise PermissionDenied(
                f"{approver.person.name} ({approver.username}) cannot approve this transfer: it is approved "
                f"by the head of {source.name}, which gives the asset up, or by the agency head.")
        new_location = asset.location_id
        if location not in (None, ""):
            loc = Location.get_or_none((Location.code == _text(location, "location")) | (Location.name == _text(location, "location")))
            if loc is None:
                raise ValidationError("location", f"The location '{_text(location)}' is unknown.")
            new_location = loc.id
        record = AssetTransfer.create(asset=asset.id, from_department=source.id, to_department=target.id,
                                      on_date=when, approved_by=approver.id, recorded_by=actor.id,
                                      recorded_at=_moment(today), note=_text(note))
        Asset.update(department=target.id, location=new_location, updated_at=utcnow()).where(
            Asset.id == asset.id).execute()
        codes = {loc.id: loc.code for loc in Location.select().where(
            Location.id.in_([i for i in (asset.location_id, new_location) if i]))}
        audit.record(actor, "asset.transfer", "asset", asset.asset_no,
                     {"department": source.code, "location": codes.get(asset.location_id)},
                     {"department": target.code, "location": codes.get(new_location), "on": when,
                      "approved_by": approver.username, "transfer": record.id, "note": _text(note)})
    return record


def transfers(asset_no: str) -> list[AssetTransfer]:
    asset = get_asset(asset_no)
    return list(AssetTransfer.select().where(AssetTransfer.asset == asset.id)
                .order_by(AssetTransfer.on_date, AssetTransfer.id))


# ---- disposal ------------------------------------------------------------------------

def _method(value: Any) -> str:
    text = _text(value, "method").lower().replace("-", "_").replace(" ", "_")
    for code, (th, _en) in DISPOSAL_METHOD_NAMES.items():
        if text in (code, th):
            return code
    raise ValidationError("method", "The disposal method must be one of: " + ", ".join(DISPOSAL_METHODS) + ".")


def get_disposal(asset_no: str) -> Disposal:
    asset = get_asset(asset_no)
    disposal = Disposal.get_or_none(Disposal.asset == asset.id)
    if disposal is None:
        raise NotFound(f"Asset {asset.asset_no} has not been disposed of.")
    return disposal


def _disposal_record(d: Disposal) -> dict[str, Any]:
    return {"method": d.method, "ordered_on": d.ordered_on, "approved_by": User.get_by_id(d.approved_by_id).username,
            "recipient": d.recipient, "completed_on": d.completed_on, "amount": d.amount,
            "reported_on": d.reported_on, "document_no": d.document_no, "note": d.note}


def dispose_asset(actor, asset_no: str, method: str, ordered_on: Any, approved_by: str,
                  recipient: str = "", amount: Any = None, completed_on: Any = None,
                  document_no: str = "", note: str = "", today: dt.date | None = None) -> Disposal:
    """Record the agency head's order to dispose of an asset; it leaves the active register
    at once. The completion, the proceeds of a sale and the report to the State Audit
    Office may be given now or later with :func:`record_disposal`."""
    require(actor, "asset.dispose")
    today = _today(today)
    method = _method(method)
    ordered = _day(ordered_on, "ordered_on", "order date", today)
    recipient = _text(recipient, "recipient")
    if method in ("transfer", "exchange") and not recipient:
        raise ValidationError("recipient", "Name the agency, charity or party receiving the asset.")
    if len(recipient) > 200:
        raise ValidationError("recipient", "The recipient's name is longer than 200 characters.")
    with db.atomic():
        asset = _lock(get_asset(asset_no))
        if asset.status == "disposed":
            done = Disposal.get_or_none(Disposal.asset == asset.id)
            when = f" on the order of {done.ordered_on:%Y-%m-%d}" if done else ""
            raise ValidationError("asset", f"Asset {asset.asset_no} is already disposed of{when}.")
        if asset.status == "on_loan":
            raise ValidationError("asset", f"Asset {asset.asset_no} is out on loan {_loan_out(asset)}; "
                                           "take it back before disposing of it.")
        if open_repair(asset) is not None:
            raise ValidationError("asset", f"Asset {asset.asset_no} is away for repair; "
                                           "record its return before disposing of it.")
        if ordered < asset.acquired_on:
            raise ValidationError("ordered_on", f"The order date {ordered:%Y-%m-%d} is before asset "
                                                f"{asset.asset_no} was acquired.")
        approver = _approver(approved_by)
        if not _is_agency_head(approver):
            raise PermissionDenied(f"{approver.person.name} ({approver.username}) cannot order a disposal: "
                                   "the head of the agency (or a delegate) does.")
        disposal = Disposal.create(asset=asset.id, method=method, ordered_on=ordered, approved_by=approver.id,
                                   recipient=recipient, document_no=_text(document_no, "document_no", "document number"), note=_text(note),
                                   recorded_by=actor.id, recorded_at=_moment(today))
        Asset.update(status="disposed", lendable=False, updated_at=utcnow()).where(Asset.id == asset.id).execute()
        DisposalCandidate.update(status="disposed").where(
            (DisposalCandidate.asset == asset.id) & (DisposalCandidate.status == "pending")).execute()
        audit.record(actor, "asset.dispose", "asset", asset.asset_no,
                     {"status": asset.status, "lendable": asset.lendable},
                     {"status": "disposed", "lendable": False, **_disposal_record(disposal)})
        if completed_on not in (None, "") or amount not in (None, ""):
            record_disposal(actor, asset.asset_no, completed_on=completed_on, amount=amount, today=today)
        return Disposal.get_by_id(disposal.id)


def record_disposal(actor, asset_no: str, completed_on: Any = None, amount: Any = None,
                    reported_on: Any = None, note: str | None = None,
                    today: dt.date | None = None) -> Disposal:
    """Record that a disposal was carried out (with the amount received for a sale), and
    the day it was reported to the State Audit Office. Each is recorded once."""
    require(actor, "asset.dispose")
    today = _today(today)
    with db.atomic():
        disposal = get_disposal(asset_no)
        before = _disposal_record(disposal)
        changes: dict[str, Any] = {}
        if completed_on not in (None, ""):
            if disposal.completed_on is not None:
                raise ValidationError("completed_on", f"The disposal of {asset_no} was already carried out on "
                                                      f"{disposal.completed_on:%Y-%m-%d}.")
            done = _day(completed_on, "completed_on", "date carried out", today)
            if done < disposal.ordered_on:
                raise ValidationError("completed_on", f"The date carried out {done:%Y-%m-%d} is before the "
                                                      f"order of {disposal.ordered_on:%Y-%m-%d}.")
            changes["completed_on"] = done
        if amount not in (None, ""):
            if disposal.method not in SALES:
                raise ValidationError("amount", f"An amount received is recorded for a sale or an auction, not "
                                                f"for {DISPOSAL_METHOD_NAMES[disposal.method][1]}.")
            if disposal.amount is not None:
                raise ValidationError("amount", f"The amount received for {asset_no} was already recorded.")
            changes["amount"] = parse_money(amount, "amount", "amount received")
        if reported_on not in (None, ""):
            if disposal.reported_on is not None:
                raise ValidationError("reported_on", f"The disposal of {asset_no} was already reported on "
                                                     f"{disposal.reported_on:%Y-%m-%d}.")
            done = changes.get("completed_on", disposal.completed_on)
            if done is None:
                raise ValidationError("reported_on", "Record the day the disposal was carried out before its "
                                                     "report to the State Audit Office.")
            reported = _day(reported_on, "reported_on", "date reported", today)
            if reported < done:
                raise ValidationError("reported_on", f"The date reported {reported:%Y-%m-%d} is before the "
                                                     f"disposal was carried out on {done:%Y-%m-%d}.")
            changes["reported_on"] = reported
        if note is not None and _text(note) != disposal.note:
            changes["note"] = _text(note)
        if not changes:
            raise ValidationError("completed_on", "Give the date carried out, the amount received or the "
                                                  "date reported.")
        if disposal.method in SALES and changes.get("completed_on") and disposal.amount is None \
                and "amount" not in changes:
            raise ValidationError("amount", f"Give the amount received for the {disposal.method} of {asset_no}.")
        Disposal.update(**changes).where(Disposal.id == disposal.id).execute()
        disposal = Disposal.get_by_id(disposal.id)
        after = _disposal_record(disposal)
        keys = [k for k in after if after[k] != before[k]]
        audit.record(actor, "asset.disposal", "asset", asset_no, {k: before[k] for k in keys},
                     {k: after[k] for k in keys})
        return disposal


@dataclass
class DisposalDue:
    disposal: Disposal
    asset_no: str
    complete_by: dt.date
    report_by: dt.date | None
    late: str  # a sentence when a deadline has passed, else ""


def disposal_deadlines(disposal: Disposal) -> tuple[dt.date, dt.date | None]:
    """(carry out by: 60 days after the order; report by: 30 days after it was carried out)."""
    report_by = (disposal.completed_on + dt.timedelta(days=AUDIT_OFFICE_DAYS)
                 if disposal.completed_on else None)
    return disposal.ordered_on + dt.timedelta(days=DISPOSAL_WINDOW_DAYS), report_by


def disposals_open(today: dt.date | None = None) -> list[DisposalDue]:
    """Disposals not yet carried out or not yet reported, with their deadlines."""
    today = _today(today)
    out = []
    q = (Disposal.select(Disposal, Asset.asset_no).join(Asset)
         .where(Disposal.completed_on.is_null() | Disposal.reported_on.is_null())
         .order_by(Disposal.ordered_on, Asset.asset_no))
    for d in q:
        complete_by, report_by = disposal_deadlines(d)
        late = ""
        if d.completed_on is None and today > complete_by:
            late = f"not carried out within {DISPOSAL_WINDOW_DAYS} days of the order ({format_date_be(complete_by)})"
        elif report_by is not None and today > report_by:
            late = f"not reported to the State Audit Office within {AUDIT_OFFICE_DAYS} days ({format_date_be(report_by)})"
        out.append(DisposalDue(d, d.asset.asset_no, complete_by, report_by, late))
    return out


def drop_disposal_candidate(actor, candidate_id: int, note: str = "") -> DisposalCandidate:
    """Keep an asset that was proposed for disposal (it is still needed or was repaired)."""
    require(actor, "asset.dispose")
    with db.atomic():
        cand = DisposalCandidate.get_or_none(DisposalCandidate.id == candidate_id)
        if cand is None:
            raise NotFound(f"There is no disposal candidate {candidate_id}.")
        if cand.status != "pending":
            raise ValidationError("status", f"Disposal candidate {candidate_id} is already {cand.status}.")
        DisposalCandidate.update(status="dropped", note=_text(note) or cand.note).where(
            DisposalCandidate.id == cand.id).execute()
        asset = Asset.get_by_id(cand.asset_id)
        audit.record(actor, "disposal.drop", "asset", asset.asset_no, {"candidate": cand.id, "status": "pending"},
                     {"candidate": cand.id, "status": "dropped", "note": _text(note)})
        return DisposalCandidate.get_by_id(cand.id)


__all__ = ["send_for_repair", "return_from_repair", "repairs", "open_repair", "transfer_asset", "transfers",
           "dispose_asset", "record_disposal", "get_disposal", "disposal_deadlines", "disposals_open",
           "drop_disposal_candidate", "DISPOSAL_METHOD_NAMES", "DisposalDue"]

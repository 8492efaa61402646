"""The agency's asset-use and borrowing guideline (ประกาศแนวทางปฏิบัติการใช้ทรัพย์สินของราชการ)
and each staff member's acknowledgement of it.

An administrator publishes a version (its number, Thai text, an optional English
rendering and the date it takes effect); the agency head signs it off. The *current*
version is the highest-numbered one that is signed off and already in effect: until then
a version is only a draft and nobody is asked to acknowledge it. Every active account must
acknowledge the current version once ("I have read and will comply"); the report shows
who has and who has not, by department, which is the evidence the ITA assessment asks
for ("do staff know the agency's asset-use guideline?").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from . import audit
from .accounts import can, require
from .db import db
from .errors import NotFound, PermissionDenied, ValidationError
from .schema import (
    GUIDELINE_TITLE,
    Department,
    GuidelineAcknowledgement,
    GuidelineVersion,
    Person,
    User,
    utcnow,
)
from .values import format_date_be, parse_date

NO_DEPARTMENT = ("", "ไม่สังกัดหน่วยงาน")


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _number(value: Any) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError("version", f"The version number '{value}' is not a whole number.") from None
    if number <= 0:
        raise ValidationError("version", f"The version number must be 1 or more, not {number}.")
    return number


def _snapshot(version: GuidelineVersion) -> dict[str, Any]:
    return {"number": version.number, "title": version.title, "text_th": version.text_th,
            "text_en": version.text_en, "effective_on": version.effective_on,
            "signed_off_by": version.signed_off_by.username if version.signed_off_by_id else None,
            "signed_off_at": version.signed_off_at}


# ---- reading -------------------------------------------------------------------------

def get_version(number: Any) -> GuidelineVersion:
    number = _number(number)
    version = GuidelineVersion.get_or_none(GuidelineVersion.number == number)
    if version is None:
        raise NotFound(f"There is no version {number} of the asset-use guideline.")
    return version


def versions() -> list[GuidelineVersion]:
    """Every version, newest first, drafts included."""
    return list(GuidelineVersion.select().order_by(GuidelineVersion.number.desc()))


def is_signed_off(version: GuidelineVersion) -> bool:
    return version.signed_off_at is not None


def current_version(today: dt.date | None = None) -> GuidelineVersion | None:
    """The version staff must follow: the newest signed off and already in effect."""
    return (GuidelineVersion.select()
            .where(GuidelineVersion.signed_off_at.is_null(False)
                   & (GuidelineVersion.effective_on <= _today(today)))
            .order_by(GuidelineVersion.number.desc()).first())


STATES = {
    "draft": ("ร่าง รอหัวหน้าหน่วยงานลงนาม", "draft, waiting for the agency head's sign-off"),
    "current": ("ฉบับที่ใช้อยู่", "current"),
    "scheduled": ("ลงนามแล้ว รอวันมีผล", "signed off, not yet in effect"),
    "superseded": ("ฉบับเดิม", "superseded"),
}


def version_state(version: GuidelineVersion, today: dt.date | None = None) -> str:
    """draft, current, scheduled (signed off, in effect later) or superseded."""
    if not is_signed_off(version):
        return "draft"
    current = current_version(today)
    if current is not None and current.id == version.id:
        return "current"
    if version.effective_on > _today(today):
        return "scheduled"
    return "superseded"


def status_label(version: GuidelineVersion, today: dt.date | None = None, lang: str = "en") -> str:
    th, en = STATES[version_state(version, today)]
    return th if lang == "th" else en


# ---- publishing and sign-off -----------------------------------------------------------

def publish_version(actor, number: Any, text_th: str, effective_on: Any = None, text_en: str = "",
                    title: str | None = None, today: dt.date | None = None) -> GuidelineVersion:
    """Publish a new version as a draft for the agency head to sign off. Publishing the
    number of a draft again replaces its text; a signed-off version never changes."""
    require(actor, "guideline.publish")
    number = _number(number)
    text = (text_th or "").strip()
    if not text:
        raise ValidationError("text_th", "The Thai text of the guideline is missing.")
    title = " ".join((title or GUIDELINE_TITLE).split())
    effective = parse_date(effective_on, "effective_on", "effective date") \
        if effective_on not in (None, "") else _today(today)
    values = dict(title=title, text_th=text, text_en=(text_en or "").strip(), effective_on=effective)
    with db.atomic():
        newest_signed = (GuidelineVersion.select(pw.fn.MAX(GuidelineVersion.number))
                         .where(GuidelineVersion.signed_off_at.is_null(False)).scalar())
        existing = GuidelineVersion.get_or_none(GuidelineVersion.number == number)
        if existing is not None and is_signed_off(existing):
            raise ValidationError("version", f"Version {number} of the guideline is signed off and "
                                             "cannot change; publish a new version number.")
        if newest_signed is not None and number < newest_signed:
            raise ValidationError("version", f"The version number must be above {newest_signed}, "
                                             "the newest version signed off.")
        if existing is None:
            version = GuidelineVersion.create(number=number, published_by=actor.id,
                                              published_at=utcnow(), **values)
            audit.record(actor, "guideline.publish", "guideline", number, after=_snapshot(version))
        else:
            before = _snapshot(existing)
            GuidelineVersion.update(published_by=actor.id, published_at=utcnow(), **values).where(
                GuidelineVersion.id == existing.id).execute()
            version = GuidelineVersion.get_by_id(existing.id)
            audit.record(actor, "guideline.revise", "guideline", number, before, _snapshot(version))
    return version


def sign_off(actor, number: Any) -> GuidelineVersion:
    """The agency head signs a draft off; from its effective date it is the current version
    and every account is asked to acknowledge it."""
    require(actor, "guideline.signoff")
    with db.atomic():
        version = get_version(number)
        if is_signed_off(version):
            raise ValidationError("version", f"Version {version.number} of the guideline is already "
                                             f"signed off ({format_date_be(version.signed_off_at.date())}).")
        newer = (GuidelineVersion.select().where(GuidelineVersion.signed_off_at.is_null(False)
                                                 & (GuidelineVersion.number > version.number)).first())
        if newer is not None:
            raise ValidationError("version", f"Version {version.number} is older than version "
                                             f"{newer.number}, which is already signed off.")
        GuidelineVersion.update(signed_off_by=actor.id, signed_off_at=utcnow()).where(
            GuidelineVersion.id == version.id).execute()
        version = GuidelineVersion.get_by_id(version.id)
        audit.record(actor, "guideline.signoff", "guideline", version.number,
                     {"signed_off_by": None, "signed_off_at": None},
                     {"signed_off_by": actor.username, "signed_off_at": version.signed_off_at})
    return version


# ---- acknowledgement -------------------------------------------------------------------

def acknowledgement_of(user, version: GuidelineVersion) -> GuidelineAcknowledgement | None:
    return GuidelineAcknowledgement.get_or_none(
        (GuidelineAcknowledgement.version == version.id) & (GuidelineAcknowledgement.user == user.id))


def needs_acknowledgement(user, today: dt.date | None = None) -> GuidelineVersion | None:
    """The current version if this account has not yet acknowledged it, else None
    (also None when no version is in force, or for an inactive account)."""
    if user is None or not getattr(user, "active", False) or getattr(user, "id", None) is None:
        return None
    version = current_version(today)
    if version is None or acknowledgement_of(user, version) is not None:
        return None
    return version


def acknowledge(user, version: GuidelineVersion | Any, today: dt.date | None = None) -> GuidelineAcknowledgement:
    """Record that ``user`` has read the version and will comply. Doing it again changes
    nothing and returns the first acknowledgement."""
    require(user, "guideline.acknowledge")
    if getattr(user, "id", None) is None:
        raise PermissionDenied("Only a user account can acknowledge the guideline.")
    if not isinstance(version, GuidelineVersion):
        version = get_version(version)
    with db.atomic():
        version = GuidelineVersion.get_by_id(version.id)
        if not is_signed_off(version):
            raise ValidationError("version", f"Version {version.number} of the guideline is not "
                                             "signed off yet; there is nothing to acknowledge.")
        if version.effective_on > _today(today):
            raise ValidationError("version", f"Version {version.number} of the guideline takes effect "
                                             f"on {format_date_be(version.effective_on)}.")
        current = current_version(today)
        if current is not None and current.number > version.number:
            raise ValidationError("version", f"Version {version.number} has been replaced by version "
                                             f"{current.number}; acknowledge that one.")
        existing = acknowledgement_of(user, version)
        if existing is not None:
            return existing
        inserted = (GuidelineAcknowledgement.insert(version=version.id, user=user.id, acknowledged_at=utcnow())
                    .on_conflict_ignore().execute())
        ack = acknowledgement_of(user, version)
        if inserted:
            audit.record(user, "guideline.acknowledge", "guideline", version.number,
                         after={"username": user.username, "acknowledged_at": ack.acknowledged_at})
    return ack


# ---- the report ------------------------------------------------------------------------

@dataclass
class StaffAcknowledgement:
    username: str
    name: str
    role: str
    acknowledged_at: dt.datetime | None


@dataclass
class DepartmentAcknowledgements:
    code: str
    name: str
    acknowledged: list[StaffAcknowledgement] = field(default_factory=list)
    pending: list[StaffAcknowledgement] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.acknowledged) + len(self.pending)


@dataclass
class AcknowledgementReport:
    version: GuidelineVersion
    departments: list[DepartmentAcknowledgements]

    @property
    def acknowledged(self) -> int:
        return sum(len(d.acknowledged) for d in self.departments)

    @property
    def pending(self) -> int:
        return sum(len(d.pending) for d in self.departments)

    def as_dict(self) -> dict[str, Any]:
        def staff(s: StaffAcknowledgement) -> dict[str, Any]:
            return {"username": s.username, "name": s.name, "role": s.role,
                    "acknowledged_at": s.acknowledged_at}

        return {
            "version": self.version.number,
            "title": self.version.title,
            "effective_on": self.version.effective_on,
            "signed_off_at": self.version.signed_off_at,
            "acknowledged": self.acknowledged,
            "pending": self.pending,
            "departments": [{"code": d.code, "name": d.name,
                             "acknowledged": [staff(s) for s in d.acknowledged],
                             "pending": [staff(s) for s in d.pending]} for d in self.departments],
        }


def acknowledgement_report(actor, version: GuidelineVersion | Any | None = None,
                           today: dt.date | None = None) -> AcknowledgementReport:
    """Who among the active accounts has and has not acknowledged the version (the current
    one by default), by department in code order; accounts without a department last."""
    require(actor, "guideline.report")
    if version is None:
        version = current_version(today)
        if version is None:
            raise NotFound("No version of the asset-use guideline is signed off and in effect yet.")
    elif not isinstance(version, GuidelineVersion):
        version = get_version(version)
    acks = GuidelineAcknowledgement.alias()
    rows = (User.select(User.username, User.role, Person.name, Department.code, Department.name.alias("dept_name"),
                        acks.acknowledged_at)
            .join(Person).join(Department, pw.JOIN.LEFT_OUTER).switch(User)
            .join(acks, pw.JOIN.LEFT_OUTER, on=((acks.user == User.id) & (acks.version == version.id)))
            .where(User.active == True)  # noqa: E712
            .order_by(Department.code.is_null(), Department.code, Person.name, User.username)
            .dicts())
    groups: dict[str, DepartmentAcknowledgements] = {}
    for row in rows:
        code, name = (row["code"], row["dept_name"]) if row["code"] is not None else NO_DEPARTMENT
        group = groups.setdefault(code, DepartmentAcknowledgements(code, name))
        entry = StaffAcknowledgement(row["username"], row["name"], row["role"], row["acknowledged_at"])
        (group.acknowledged if entry.acknowledged_at is not None else group.pending).append(entry)
    return AcknowledgementReport(version, list(groups.values()))


def may_see_report(user) -> bool:
    return can(user, "guideline.report")

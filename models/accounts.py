"""Accounts, roles and the permission matrix.

Every write in ``models`` starts with :func:`require`, so a permission holds
whatever calls it: the TUI, the command line, an import or a test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from . import audit
from .db import db
from .errors import AuthenticationError, NotFound, PermissionDenied, ValidationError
from .schema import ROLES, Department, Person, User, utcnow
from .values import clean_text

ROLE_NAMES = {
    "admin": ("ผู้ดูแลระบบ", "administrator"),
    "storekeeper": ("เจ้าหน้าที่พัสดุ", "storekeeper"),
    "dept_head": ("หัวหน้าหน่วยงาน", "department head"),
    "agency_head": ("หัวหน้าหน่วยงานของรัฐ", "agency head"),
    "auditor": ("ผู้ตรวจสอบ", "auditor"),
    "staff": ("เจ้าหน้าที่", "staff member"),
}

ALL = frozenset(ROLES)
WRITERS = frozenset({"admin", "storekeeper"})

# action -> roles allowed. One place for the whole product.
PERMISSIONS: dict[str, frozenset[str]] = {
    "asset.read": ALL,
    "asset.register": WRITERS,
    "asset.edit": WRITERS,
    "asset.move": WRITERS,
    "asset.import": WRITERS,
    "asset.export": ALL - {"staff"},
    "audit.read": frozenset({"admin", "auditor", "agency_head"}),
    "org.manage": frozenset({"admin"}),
    "user.manage": frozenset({"admin"}),
    "verify.run": ALL - {"staff"},
    "loan.read": ALL,
    "loan.request": ALL - {"auditor"},
    # Who may decide is narrowed per loan by its kind (models.loans.eligible_approvers).
    "loan.decide": frozenset({"dept_head", "agency_head", "storekeeper"}),
    "loan.issue": WRITERS,
    "loan.return": WRITERS,
    "loan.extend": WRITERS | {"dept_head", "agency_head"},
    "loan.follow_up": WRITERS | {"dept_head", "agency_head"},
    "damage.settle": WRITERS,
    "stockcheck.read": ALL,
    # The agency head appoints the committee; the supply unit prepares the order.
    "stockcheck.open": frozenset({"admin", "storekeeper", "agency_head"}),
    # Inspectors must not be supply officers, and auditors change nothing: scanning, review
    # and closing are narrowed per check to its committee (models.stockcheck).
    "stockcheck.scan": frozenset({"admin", "dept_head", "agency_head", "staff"}),
    "stockcheck.close": frozenset({"admin", "dept_head", "agency_head", "staff"}),
    "stockcheck.follow_up": frozenset({"admin", "storekeeper", "agency_head"}),
    "stockcheck.correct": WRITERS,
    "asset.repair": WRITERS,
    "asset.transfer": WRITERS,
    "asset.dispose": WRITERS,
    # The asset-use guideline: drafted by an administrator, signed off by the agency head,
    # acknowledged by every active account; who has not yet is for those who supervise.
    "guideline.read": ALL,
    "guideline.publish": frozenset({"admin"}),
    "guideline.signoff": frozenset({"agency_head"}),
    "guideline.acknowledge": ALL,
    "guideline.report": frozenset({"admin", "agency_head", "dept_head", "auditor"}),
    # Service statistics are published as open data.
    "stats.read": ALL,
}

# How each action reads in a refusal: "A staff member may not <phrase>."
ACTION_PHRASES = {
    "asset.read": "read the register",
    "asset.register": "register assets",
    "asset.edit": "edit assets",
    "asset.move": "move assets or change custodians",
    "asset.import": "import assets",
    "asset.export": "export the register",
    "audit.read": "read the audit log",
    "org.manage": "change departments, locations, categories or settings",
    "user.manage": "manage user accounts",
    "verify.run": "run the integrity check",
    "loan.read": "read the loan register",
    "loan.request": "request loans",
    "loan.decide": "approve or reject loans",
    "loan.issue": "hand over loaned items",
    "loan.return": "take back loaned items",
    "loan.extend": "extend loans",
    "loan.follow_up": "record loan follow-ups",
    "damage.settle": "settle damage cases",
    "stockcheck.read": "read stock checks",
    "stockcheck.open": "open stock checks",
    "stockcheck.scan": "scan for stock checks",
    "stockcheck.close": "review or close stock checks",
    "stockcheck.follow_up": "start the follow-on of stock checks",
    "stockcheck.correct": "confirm registry corrections",
    "asset.repair": "record repairs",
    "asset.transfer": "transfer assets between departments",
    "asset.dispose": "dispose of assets",
    "guideline.read": "read the asset-use guideline",
    "guideline.publish": "publish the asset-use guideline",
    "guideline.signoff": "sign off the asset-use guideline",
    "guideline.acknowledge": "acknowledge the asset-use guideline",
    "guideline.report": "see who has acknowledged the asset-use guideline",
    "stats.read": "read the service statistics",
}

MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)

_hasher = PasswordHasher()


class _System:
    """The product itself acting: database set-up and the demo builder."""

    username = audit.SYSTEM_ACTOR
    role = "system"
    id = None


SYSTEM = _System()


def role_label(role: str, lang: str = "th") -> str:
    th, en = ROLE_NAMES.get(role, (role, role))
    return th if lang == "th" else en


def can(user, action: str) -> bool:
    if user is SYSTEM:
        return True
    if user is None or not getattr(user, "active", False):
        return False
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}")
    return user.role in PERMISSIONS[action]


def require(user, action: str) -> None:
    """Refuse with one sentence unless ``user`` may do ``action``."""
    if can(user, action):
        return
    if user is None:
        raise PermissionDenied("You must log in first.")
    if not getattr(user, "active", False):
        raise PermissionDenied(f"The account '{user.username}' is deactivated.")
    allowed = ", ".join(role_label(r, "en") for r in ROLES if r in PERMISSIONS[action])
    role = role_label(user.role, "en")
    article = "An" if role[:1] in "aeiou" else "A"
    raise PermissionDenied(f"{article} {role} may not {ACTION_PHRASES.get(action, action)}; only: {allowed}.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _check_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def validate_password(password: str) -> str:
    if not password or len(password) < 4:
        raise ValidationError("password", "The password must be at least 4 characters long.")
    return password


def login(username: str, password: str, now: dt.datetime | None = None) -> User:
    """Check a password. Repeated failures lock the account for a while;
    deactivated accounts never log in. Every attempt is logged."""
    now = now or utcnow()
    user = User.get_or_none(User.username == (username or "").strip())
    if user is None:
        raise AuthenticationError("Wrong username or password.")
    if not user.active:
        raise AuthenticationError(f"The account '{user.username}' is deactivated.")
    if user.locked_until and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise AuthenticationError(
            f"The account '{user.username}' is locked after {MAX_FAILED_LOGINS} failed logins; "
            f"try again in {minutes} minutes or ask an administrator."
        )
    if not _check_password(user, password or ""):
        with db.atomic():
            failed = user.failed_logins + 1
            locked = now + LOCKOUT if failed >= MAX_FAILED_LOGINS else None
            User.update(failed_logins=0 if locked else failed, locked_until=locked).where(
                User.id == user.id).execute()
            audit.record(user, "user.login_failed", "user", user.username,
                         after={"failed_logins": failed, "locked_until": locked})
        if locked:
            raise AuthenticationError(
                f"The account '{user.username}' is now locked for {int(LOCKOUT.total_seconds() // 60)} minutes after {MAX_FAILED_LOGINS} failed logins."
            )
        raise AuthenticationError("Wrong username or password.")
    with db.atomic():
        User.update(failed_logins=0, locked_until=None, last_login_at=now).where(
            User.id == user.id).execute()
        audit.record(user, "user.login", "user", user.username)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    return user


def get_user(username: str) -> User:
    user = User.get_or_none(User.username == username)
    if user is None:
        raise NotFound(f"There is no user '{username}'.")
    return user


@dataclass
class NewUser:
    username: str
    password: str
    role: str
    name: str
    position: str = ""
    department: Department | None = None
    phone: str = ""


def _user_snapshot(user: User) -> dict:
    return {"username": user.username, "role": user.role, "name": user.person.name,
            "department": user.person.department.code if user.person.department_id else None,
            "active": user.active}


def create_user(actor, new: NewUser, password_hash: str | None = None) -> User:
    require(actor, "user.manage")
    username = (new.username or "").strip()
    if not username or not username.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise ValidationError("username", "The username must be letters, digits, '.', '-' or '_'.")
    if len(username) > 50:
        raise ValidationError("username", "The username is longer than 50 characters.")
    name = clean_text(new.name, "name", "user's full name", 200)
    position = clean_text(new.position, "position", "position", 200)
    phone = clean_text(new.phone, "phone", "phone number", 50)
    if new.role not in ROLES:
        raise ValidationError("role", f"The role '{new.role}' is unknown; roles are: {', '.join(ROLES)}.")
    if not name:
        raise ValidationError("name", "The user's full name is missing.")
    if new.role == "dept_head" and new.department is None:
        raise ValidationError("department", "A department head must belong to a department.")
    if password_hash is None:
        password_hash = hash_password(validate_password(new.password))
    with db.atomic():
        if User.select().where(User.username == username).exists():
            raise ValidationError("username", f"The username '{username}' is already taken.")
        person = Person.create(name=name, position=position,
                               department=new.department, phone=phone)
        user = User.create(username=username, password_hash=password_hash, role=new.role,
                           person=person)
        audit.record(actor, "user.create", "user", username, after=_user_snapshot(user))
    return user


def set_password(actor, username: str, password: str) -> None:
    user = get_user(username)
    if actor is not SYSTEM and getattr(actor, "id", None) != user.id:
        require(actor, "user.manage")
    digest = hash_password(validate_password(password))
    with db.atomic():
        User.update(password_hash=digest, failed_logins=0, locked_until=None).where(
            User.id == user.id).execute()
        audit.record(actor, "user.password", "user", username)


def set_active(actor, username: str, active: bool) -> User:
    require(actor, "user.manage")
    user = get_user(username)
    if getattr(actor, "id", None) == user.id and not active:
        raise ValidationError("active", "You cannot deactivate your own account.")
    with db.atomic():
        before = _user_snapshot(user)
        user.active = active
        user.save()
        audit.record(actor, "user.activate" if active else "user.deactivate", "user", username,
                     before=before, after=_user_snapshot(user))
    return user


def unlock(actor, username: str) -> None:
    require(actor, "user.manage")
    user = get_user(username)
    with db.atomic():
        User.update(failed_logins=0, locked_until=None).where(User.id == user.id).execute()
        audit.record(actor, "user.unlock", "user", username)

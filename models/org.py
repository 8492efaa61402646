"""The agency's reference data: settings, departments, locations, asset categories."""

from __future__ import annotations

from . import audit
from .accounts import require
from .db import db
from .errors import NotFound, ValidationError
from .schema import Category, Department, Location, Setting
from .values import clean_text

# The DLA (กรมส่งเสริมการปกครองท้องถิ่น) asset classes with default useful lives in years.
# Codes head the asset numbers (416-68-0001); both codes and lives are editable.
DEFAULT_CATEGORIES = [
    ("416", "สำนักงาน", "office", 8),
    ("417", "การศึกษา", "education", 5),
    ("418", "ยานพาหนะและขนส่ง", "vehicles and transport", 8),
    ("419", "การเกษตร", "agriculture", 5),
    ("420", "ก่อสร้าง", "construction", 5),
    ("421", "ไฟฟ้าและวิทยุ", "electrical and radio", 5),
    ("422", "โฆษณาและเผยแพร่", "advertising and publicity", 5),
    ("423", "วิทยาศาสตร์และการแพทย์", "science and medical", 5),
    ("424", "งานบ้านงานครัว", "household and kitchen", 5),
    ("425", "โรงงาน", "workshop", 10),
    ("426", "สำรวจ", "survey", 5),
    ("427", "ดนตรี", "music", 5),
    ("428", "อาวุธ", "weapons", 10),
    ("429", "กีฬา", "sports", 5),
    ("430", "คอมพิวเตอร์", "computer", 3),
    ("431", "สนาม", "field", 5),
    ("432", "เครื่องดับเพลิง", "firefighting", 5),
]

DEFAULT_SETTINGS = {
    "agency_name": "",
    "asset_number_pattern": "{category}-{yy}-{seq:04d}",
    "thai_digits": "0",
    "language": "th",
    # Who approves which kind of loan (DOMAIN.md, clause 207-211): a role name.
    "approver_inside": "dept_head",
    "approver_outside": "agency_head",
    "approver_agency": "agency_head",
    # Usernames (comma-separated) who may approve in the agency head's place.
    "agency_head_delegates": "",
    # Username of the head of the supply unit, who may approve loans used inside the premises.
    "supply_head": "",
    # Days after the due date within which an overdue loan must be chased.
    "follow_up_days": "7",
    # Extra days the agency is closed (ISO dates, comma-separated), besides weekends and Thai
    # public holidays: working-day deadlines such as the stock check report skip them.
    "closure_days": "",
    # Where the first year's depreciation starts: the month of acquisition (counted in full)
    # or the month after it.
    "depreciation_from": "acquisition_month",
}

APPROVER_ROLES = ("dept_head", "agency_head")
DEPRECIATION_STARTS = ("acquisition_month", "next_month")


def _one_of(key: str, value: str, allowed: tuple[str, ...]) -> str:
    text = value.strip().lower()
    if text not in allowed:
        raise ValidationError(key, f"The setting {key} must be one of {', '.join(allowed)}, "
                                   f"not '{value}'.")
    return text


def _usernames_of(key: str, value: str) -> str:
    from .schema import User

    names = [n.strip() for n in value.split(",") if n.strip()]
    for name in names:
        if not User.select().where(User.username == name).exists():
            raise ValidationError(key, f"The setting {key} names '{name}', who has no account.")
    return ",".join(names)


def _closure_days(key: str, value: str) -> str:
    from .values import parse_date

    days = sorted({parse_date(part.strip(), key, "closure day")
                   for part in value.split(",") if part.strip()})
    return ",".join(day.isoformat() for day in days)


def clean_setting(key: str, value: str) -> str:
    """The value as stored, or one sentence naming the setting when it cannot be one."""
    from .values import parse_bool

    if key not in DEFAULT_SETTINGS:
        raise ValidationError("key", f"There is no setting '{key}': the settings are "
                                     f"{', '.join(DEFAULT_SETTINGS)}.")
    value = (value or "").strip()
    if key == "agency_name":
        return _require_text(value, key, "agency's name", 200)
    if key == "asset_number_pattern":
        check_number_pattern(value)
        return value
    if key == "thai_digits":
        return "1" if parse_bool(value, key, "setting thai_digits") else "0"
    if key == "language":
        return _one_of(key, value, ("th", "en"))
    if key.startswith("approver_"):
        return _one_of(key, value, APPROVER_ROLES)
    if key in ("agency_head_delegates", "supply_head"):
        names = _usernames_of(key, value)
        if key == "supply_head" and "," in names:
            raise ValidationError(key, "The setting supply_head names one username.")
        return names
    if key == "follow_up_days":
        if not value.isdigit() or not 1 <= int(value) <= 365:
            raise ValidationError(key, f"The setting follow_up_days is a number of days from 1 "
                                       f"to 365, not '{value}'.")
        return str(int(value))
    if key == "closure_days":
        return _closure_days(key, value)
    if key == "depreciation_from":
        return _one_of(key, value, DEPRECIATION_STARTS)
    return value


def get_setting(key: str) -> str:
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row is not None else DEFAULT_SETTINGS.get(key, "")


def settings() -> dict[str, str]:
    """Every setting with its current value (the default where none was set)."""
    stored = dict(Setting.select(Setting.key, Setting.value).tuples())
    return {key: stored.get(key, default) for key, default in DEFAULT_SETTINGS.items()}


def set_setting(actor, key: str, value: str) -> None:
    require(actor, "org.manage")
    value = clean_setting(key, value)
    with db.atomic():
        before = get_setting(key)
        Setting.insert(key=key, value=value).on_conflict(
            conflict_target=[Setting.key], update={Setting.value: value}).execute()
        audit.record(actor, "setting.change", "setting", key, {"value": before}, {"value": value})


def check_number_pattern(pattern: str) -> None:
    try:
        sample = pattern.format(category="416", yy="68", yyyy="2568", seq=1)
    except (KeyError, IndexError, ValueError):
        raise ValidationError(
            "asset_number_pattern",
            "The asset number pattern may use only {category}, {yy}, {yyyy} and {seq}.") from None
    if "{seq" not in pattern or not sample:
        raise ValidationError("asset_number_pattern", "The asset number pattern must contain {seq}.")


def _strip_prefix(name: str) -> str:
    name = " ".join((name or "").split())
    for prefix in ("ครุภัณฑ์", "ประเภท"):
        if name.startswith(prefix):
            name = name[len(prefix):].strip()
    return name


def find_category(value: str, field: str = "category") -> Category:
    """A category by code, Thai name (with or without the word ครุภัณฑ์) or English name."""
    text = " ".join(str(value or "").split())
    if not text:
        raise ValidationError(field, "The category is missing.")
    bare = _strip_prefix(text)
    found = (Category.select().where((Category.code == text) | (Category.name == bare)
                                     | (Category.name_en == text.lower())).first())
    if found is None:
        raise ValidationError(field, f"The category '{text}' is unknown.")
    return found


def find_department(value: str, field: str = "department") -> Department:
    text = " ".join(str(value or "").split())
    if not text:
        raise ValidationError(field, "The department is missing.")
    found = Department.select().where((Department.code == text) | (Department.name == text)).first()
    if found is None:
        raise ValidationError(field, f"The department '{text}' is unknown.")
    return found


def find_location(value: str, field: str = "location") -> Location | None:
    text = " ".join(str(value or "").split())
    if not text:
        return None
    return Location.select().where((Location.code == text) | (Location.name == text)).first()


def _require_text(value: str, field: str, label: str, max_length: int) -> str:
    text = clean_text(value, field, label)
    if not text:
        raise ValidationError(field, f"The {label} is missing.")
    if len(text) > max_length:
        raise ValidationError(field, f"The {label} is longer than {max_length} characters.")
    return text


def add_department(actor, code: str, name: str, parent: Department | None = None) -> Department:
    require(actor, "org.manage")
    code = _require_text(code, "code", "department code", 20)
    name = _require_text(name, "name", "department name", 200)
    with db.atomic():
        if Department.select().where((Department.code == code) | (Department.name == name)).exists():
            raise ValidationError("code", f"A department '{code}' or '{name}' already exists.")
        dept = Department.create(code=code, name=name, parent=parent)
        audit.record(actor, "department.create", "department", code,
                     after={"code": code, "name": name, "parent": parent.code if parent else None})
    return dept


def add_location(actor, code: str, name: str, department: Department | None = None) -> Location:
    require(actor, "org.manage")
    code = _require_text(code, "code", "location code", 30)
    name = _require_text(name, "name", "location name", 200)
    with db.atomic():
        if Location.select().where((Location.code == code) | (Location.name == name)).exists():
            raise ValidationError("code", f"A location '{code}' or '{name}' already exists.")
        loc = Location.create(code=code, name=name, department=department)
        audit.record(actor, "location.create", "location", code,
                     after={"code": code, "name": name,
                            "department": department.code if department else None})
    return loc


def add_category(actor, code: str, name: str, useful_life_years: int, name_en: str = "") -> Category:
    require(actor, "org.manage")
    code = _require_text(code, "code", "category code", 10)
    name = _strip_prefix(_require_text(name, "name", "category name", 100))
    if not isinstance(useful_life_years, int) or useful_life_years <= 0:
        raise ValidationError("useful_life_years", "The useful life must be a whole number of years above 0.")
    with db.atomic():
        if Category.select().where((Category.code == code) | (Category.name == name)).exists():
            raise ValidationError("code", f"A category '{code}' or '{name}' already exists.")
        cat = Category.create(code=code, name=name, name_en=name_en, useful_life_years=useful_life_years)
        audit.record(actor, "category.create", "category", code,
                     after={"code": code, "name": name, "useful_life_years": useful_life_years})
    return cat


def departments() -> list[Department]:
    return list(Department.select().order_by(Department.code))


def locations() -> list[Location]:
    return list(Location.select().order_by(Location.code))


def categories() -> list[Category]:
    return list(Category.select().order_by(Category.code))


def get_department(code: str) -> Department:
    dept = Department.get_or_none(Department.code == code)
    if dept is None:
        raise NotFound(f"There is no department '{code}'.")
    return dept

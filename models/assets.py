"""The asset register (ทะเบียนคุมทรัพย์สิน): registering, editing, moving, searching,
bulk import, and each asset's history.

Asset numbers are made from the agency's pattern (``{category}-{yy}-{seq:04d}``:
category code, 2-digit BE year of acquisition, running number), never reused;
legacy numbers from an imported register are kept as they are.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import peewee as pw

from . import audit
from .accounts import require
from .db import db, insert_rows, is_postgres, is_sqlite
from .errors import NotFound, ValidationError
from .org import find_category, find_department, get_setting
from .schema import Asset, AssetNumberCounter, Category, Department, Location, Person, utcnow
from .values import BE_OFFSET, clean_text, parse_bool, parse_date, parse_money

FUNDING_SOURCES = {
    "budget": ("เงินงบประมาณ", "budget"),
    "subsidy": ("เงินอุดหนุน", "subsidy"),
    "off_budget": ("เงินนอกงบประมาณ", "off-budget"),
    "donation": ("บริจาค", "donation"),
}
ACQUISITION_METHODS = (
    "ประกวดราคาอิเล็กทรอนิกส์ (e-bidding)",
    "ตลาดอิเล็กทรอนิกส์ (e-market)",
    "วิธีคัดเลือก",
    "วิธีเฉพาะเจาะจง",
    "รับบริจาค",
    "รับโอน",
)

# Field code -> label used in messages (English) and on screen/paper (Thai).
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "asset_no": ("asset number", "รหัสครุภัณฑ์"),
    "name": ("name", "รายการ"),
    "description": ("description", "รายละเอียด/คุณลักษณะ"),
    "brand": ("brand", "ยี่ห้อ"),
    "model": ("model", "รุ่น"),
    "serial_no": ("serial number", "หมายเลขเครื่อง"),
    "category": ("category", "ประเภท"),
    "department": ("department", "หน่วยงาน"),
    "location": ("location", "สถานที่ตั้ง"),
    "custodian": ("custodian", "ผู้รับผิดชอบ"),
    "lendable": ("lendable", "ให้ยืมได้"),
    "acquired_on": ("acquisition date", "วันที่ได้มา"),
    "price": ("price", "ราคา (บาท)"),
    "unit": ("unit", "หน่วยนับ"),
    "funding_source": ("funding source", "แหล่งเงิน"),
    "acquisition_method": ("acquisition method", "วิธีการได้มา"),
    "supplier": ("seller/contractor/donor", "ผู้ขาย/ผู้รับจ้าง/ผู้บริจาค"),
    "document_no": ("document number", "เลขที่เอกสาร"),
    "useful_life_years": ("useful life", "อายุการใช้งาน (ปี)"),
    "remarks": ("remarks", "หมายเหตุ"),
}
EDITABLE = tuple(f for f in FIELD_LABELS if f != "asset_no")
TEXT_LIMITS = {"asset_no": 50, "name": 300, "brand": 100, "model": 100, "serial_no": 100,
               "unit": 30, "acquisition_method": 100, "supplier": 200, "document_no": 100}
FREE_TEXT_LIMIT = 4000  # description and remarks
REQUIRED = ("name", "category", "department", "acquired_on", "price", "funding_source")


def label(field_name: str, lang: str = "en") -> str:
    en, th = FIELD_LABELS.get(field_name, (field_name, field_name))
    return th if lang == "th" else en


def funding_label(code: str, lang: str = "th") -> str:
    th, en = FUNDING_SOURCES.get(code, (code, code))
    return th if lang == "th" else en


def parse_funding_source(value: Any) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise ValidationError("funding_source", "The funding source is missing.")
    for code, (th, en) in FUNDING_SOURCES.items():
        if text.lower() in (code, en) or text == th or text == th.removeprefix("เงิน") or "เงิน" + text == th:
            return code
    if text in ("รับบริจาค", "เงินบริจาค"):
        return "donation"
    choices = ", ".join(th for th, _ in FUNDING_SOURCES.values())
    raise ValidationError("funding_source", f"The funding source '{text}' is unknown; use one of: {choices}.")


class Lookups:
    """Reference data held in memory while many rows are validated (imports, demo)."""

    def __init__(self, create_missing: bool = False):
        self.create_missing = create_missing
        self.categories = {}
        for c in Category.select():
            for key in (c.code, c.name, "ครุภัณฑ์" + c.name, c.name_en.lower()):
                self.categories[key] = c
        self.departments = {}
        for d in Department.select():
            self.departments[d.code] = d
            self.departments[d.name] = d
        self.locations = {}
        for loc in Location.select():
            self.locations[loc.code] = loc
            self.locations[loc.name] = loc
        self.people = {p.name: p for p in Person.select().where(Person.external == False)}  # noqa: E712
        self.new_locations: list[str] = []
        self.new_people: list[str] = []

    def category(self, value: Any) -> Category:
        if isinstance(value, Category):
            return value
        text = " ".join(str(value or "").split())
        found = self.categories.get(text) or self.categories.get(text.lower())
        return found or find_category(text)

    def department(self, value: Any) -> Department:
        if isinstance(value, Department):
            return value
        text = " ".join(str(value or "").split())
        return self.departments.get(text) or find_department(text)

    def location(self, value: Any) -> Location | None:
        if value is None or isinstance(value, Location):
            return value
        text = clean_text(value, "location", "location", 200)
        if not text:
            return None
        if text in self.locations:
            return self.locations[text]
        if not self.create_missing:
            raise ValidationError("location", f"The location '{text}' is unknown.")
        self.new_locations.append(text)
        placeholder = Location(code=text[:30], name=text)
        self.locations[text] = placeholder
        return placeholder

    def custodian(self, value: Any) -> Person | None:
        if value is None or isinstance(value, Person):
            return value
        text = clean_text(value, "custodian", "custodian", 200)
        if not text:
            return None
        if text in self.people:
            return self.people[text]
        if not self.create_missing:
            raise ValidationError("custodian", f"The custodian '{text}' is not a known person.")
        self.new_people.append(text)
        placeholder = Person(name=text)
        self.people[text] = placeholder
        return placeholder


def _text(value: Any, field_name: str) -> str:
    return clean_text(value, field_name, label(field_name), TEXT_LIMITS.get(field_name))


# What a Code 128 label can carry: the printable ASCII characters.
_CODE128 = frozenset(chr(c) for c in range(32, 127))


def _asset_number(value: Any) -> str:
    number = _text(value, "asset_no")
    odd = sorted({ch for ch in number if ch not in _CODE128})
    if odd:
        raise ValidationError("asset_no", f"The asset number '{number}' has characters a Code 128 barcode "
                                          f"label cannot carry ({' '.join(odd[:5])}): use Latin letters, "
                                          "digits and punctuation such as - / .")
    return number


# Fields that are plain text, neither required nor looked up, with their labels.
_PLAIN_TEXT = {name: label(name) for name in ("brand", "model", "serial_no", "unit", "acquisition_method",
                                              "supplier", "document_no")}


def clean_field(name: str, value: Any, lookups: Lookups, today: dt.date | None = None) -> Any:
    """Turn one raw value into what the register stores, or raise naming the field."""
    if name in _PLAIN_TEXT:  # most of a row: text kept as typed, cleaned
        return clean_text(value, name, _PLAIN_TEXT[name], TEXT_LIMITS.get(name))
    lab = label(name)
    if name in REQUIRED and (value is None or (isinstance(value, str) and not value.strip())):
        raise ValidationError(name, f"The {lab} is missing.")
    if name == "category":
        return lookups.category(value)
    if name == "department":
        return lookups.department(value)
    if name == "location":
        return lookups.location(value)
    if name == "custodian":
        return lookups.custodian(value)
    if name == "acquired_on":
        when = parse_date(value, name, lab)
        if when > (today or dt.date.today()):
            raise ValidationError(name, f"The {lab} {when:%Y-%m-%d} is in the future.")
        if when.year < 1900:
            raise ValidationError(name, f"The {lab} {when:%Y-%m-%d} is too far in the past.")
        return when
    if name == "price":
        return parse_money(value, name, lab)
    if name == "lendable":
        return True if value is None or value == "" else parse_bool(value, name, lab)
    if name == "funding_source":
        return parse_funding_source(value)
    if name == "useful_life_years":
        if value is None or str(value).strip() == "":
            return None
        try:
            years = int(str(value).strip())
        except ValueError:
            raise ValidationError(name, f"The {lab} '{value}' is not a whole number of years.") from None
        if years <= 0 or years > 100:
            raise ValidationError(name, f"The {lab} must be between 1 and 100 years.")
        return years
    if name in ("description", "remarks"):
        return clean_text(value, name, lab, FREE_TEXT_LIMIT, multiline=True)
    text = _text(value, name)
    if name == "name" and not text:
        raise ValidationError(name, f"The {lab} is missing.")
    return text


def clean_asset(data: Mapping[str, Any], lookups: Lookups, *, partial: bool = False,
                collect: bool = False) -> tuple[dict[str, Any], list[ValidationError]]:
    """Validate a whole record. With ``collect`` every bad field is reported, not just the first."""
    clean: dict[str, Any] = {}
    errors: list[ValidationError] = []
    unknown = set(data) - set(FIELD_LABELS)
    if unknown:
        raise ValidationError(sorted(unknown)[0], f"The field '{sorted(unknown)[0]}' does not exist.")
    names = [n for n in FIELD_LABELS if n in data] if partial else list(FIELD_LABELS)
    for name in names:
        if name == "asset_no":
            if data.get("asset_no") not in (None, ""):
                try:
                    clean["asset_no"] = _asset_number(data["asset_no"])
                except ValidationError as exc:
                    errors.append(exc)
            continue
        try:
            clean[name] = clean_field(name, data.get(name), lookups)
        except ValidationError as exc:
            if exc.field != name:  # a lookup raised under its own field code
                exc = ValidationError(name, exc.message)
            errors.append(exc)
        if errors and not collect:
            raise errors[0]
    if not partial:
        for name, default in (("unit", "เครื่อง"),):
            if not clean.get(name):
                clean[name] = default
    return clean, errors


def search_text(clean: Mapping[str, Any]) -> str:
    custodian = clean.get("custodian")
    parts = [clean.get("asset_no"), clean.get("name"), clean.get("brand"), clean.get("model"),
             clean.get("serial_no"), custodian.name if custodian else ""]
    return " ".join(str(p) for p in parts if p).lower()


def snapshot(asset: Asset) -> dict[str, Any]:
    """The register row as people read it (codes for linked records): used by the audit
    log and by exports."""
    return {
        "asset_no": asset.asset_no,
        "name": asset.name,
        "description": asset.description,
        "brand": asset.brand,
        "model": asset.model,
        "serial_no": asset.serial_no,
        "category": asset.category.code,
        "department": asset.department.code,
        "location": asset.location.code if asset.location_id else None,
        "custodian": asset.custodian.name if asset.custodian_id else None,
        "status": asset.status,
        "lendable": asset.lendable,
        "acquired_on": asset.acquired_on,
        "price": asset.price,
        "unit": asset.unit,
        "funding_source": asset.funding_source,
        "acquisition_method": asset.acquisition_method,
        "supplier": asset.supplier,
        "document_no": asset.document_no,
        "useful_life_years": asset.useful_life_years,
        "remarks": asset.remarks,
    }


def _stored(clean: Mapping[str, Any]) -> dict[str, Any]:
    """Linked records to ids for insert/update."""
    row = dict(clean)
    for key in ("category", "department", "location", "custodian"):
        if key in row:
            row[key] = row[key].id if row[key] is not None else None
    return row


# ---- asset numbers -------------------------------------------------------------------

def counter_key(category: Category, acquired_on: dt.date) -> str:
    """The running-number counter an asset of this category acquired on this date draws from."""
    return f"{category.code}-{(acquired_on.year + BE_OFFSET) % 100:02d}"


def number_prefix(category: Category, acquired_on: dt.date) -> tuple[str, str]:
    """(counter key, pattern) for an asset of this category acquired on this date."""
    return counter_key(category, acquired_on), get_setting("asset_number_pattern")


def format_number(pattern: str, category: Category, acquired_on: dt.date, seq: int) -> str:
    be = acquired_on.year + BE_OFFSET
    return pattern.format(category=category.code, yy=f"{be % 100:02d}", yyyy=str(be), seq=seq)


def allocate_numbers(category: Category, acquired_on: dt.date, count: int) -> list[str]:
    """Reserve ``count`` fresh numbers; skips any already used (legacy imports)."""
    key, pattern = number_prefix(category, acquired_on)
    out: list[str] = []
    with db.atomic():
        AssetNumberCounter.insert(prefix=key, last=0).on_conflict_ignore().execute()
        while len(out) < count:
            need = count - len(out)
            AssetNumberCounter.update(last=AssetNumberCounter.last + need).where(
                AssetNumberCounter.prefix == key).execute()
            last = AssetNumberCounter.get_by_id(key).last
            candidates = [format_number(pattern, category, acquired_on, n)
                          for n in range(last - need + 1, last + 1)]
            taken = {a.asset_no for a in Asset.select(Asset.asset_no).where(Asset.asset_no.in_(candidates))}
            out.extend(n for n in candidates if n not in taken)
    return out


def number_reader(pattern: str, codes: Iterable[str]) -> re.Pattern | None:
    """A regex reading (category, yy, seq) back out of numbers made with ``pattern``."""
    codes = sorted(codes, key=len, reverse=True)
    groups = {"category": "(?:" + "|".join(re.escape(c) for c in codes) + ")",
              "yy": r"\d{2}", "yyyy": r"\d{4}", "seq": r"\d{1,9}"}
    parts, seen = [], set()
    for literal, name, _, _ in string.Formatter().parse(pattern):
        parts.append(re.escape(literal))
        if name is None:
            continue
        if name not in groups or name in seen:
            return None
        parts.append(f"(?P<{name}>{groups[name]})")
        seen.add(name)
    return re.compile("^" + "".join(parts) + "$") if codes and {"seq", "category"} <= seen else None


def advance_counters(numbers: Iterable[str]) -> None:
    """Numbers given by hand or by an import that follow the agency's pattern move their
    series past them, so a number, even of an old asset disposed long ago and missing
    from the imported register, is never handed out again."""
    reader = number_reader(get_setting("asset_number_pattern"),
                            [c for (c,) in Category.select(Category.code).tuples()])
    if reader is None:
        return
    top: dict[str, int] = {}
    for number in numbers:
        m = reader.match(number)
        if m is None:
            continue
        found = m.groupdict()
        yy = found.get("yy") or (found.get("yyyy") or "")[-2:]
        if yy:
            key = f"{found['category']}-{yy}"
            top[key] = max(top.get(key, 0), int(found["seq"]))
    for key, seq in top.items():
        AssetNumberCounter.insert(prefix=key, last=0).on_conflict_ignore().execute()
        AssetNumberCounter.update(last=seq).where(
            (AssetNumberCounter.prefix == key) & (AssetNumberCounter.last < seq)).execute()


# ---- single-asset operations ---------------------------------------------------------

def get_asset(asset_no: str) -> Asset:
    asset = (Asset.select(Asset, Category, Department, Location, Person)
             .join(Category).switch(Asset).join(Department)
             .switch(Asset).join(Location, pw.JOIN.LEFT_OUTER)
             .switch(Asset).join(Person, pw.JOIN.LEFT_OUTER)
             .where(Asset.asset_no == clean_text(asset_no, "asset_no", "asset number")).first())
    if asset is None:
        raise NotFound(f"There is no asset number '{asset_no}'.")
    return asset


def register_asset(actor, data: Mapping[str, Any]) -> Asset:
    """Register one asset; its number is generated unless a (legacy) number is given."""
    require(actor, "asset.register")
    with db.atomic():
        clean, _ = clean_asset(data, Lookups())
        return get_asset(_insert_assets(actor, [clean], "asset.register")[0])


# From this many rows on, the SQLite trigram index is filled in one statement after the
# rows are in, instead of row by row by its trigger: several times faster for an import.
BULK_INDEX_ROWS = 1000


@contextmanager
def _search_index_filled_after(count: int) -> Iterator[None]:
    """Insert many assets with the SQLite search index's insert trigger set aside, then add
    the new rows to the index in one pass and put the trigger back, all in one transaction:
    if anything fails, the trigger, the rows and the index roll back together."""
    if count < BULK_INDEX_ROWS or not _has_search_index():
        yield
        return
    with db.atomic():
        trigger = db.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                 "AND name = 'asset_search_insert'").fetchone()
        if trigger is None:
            yield
            return
        before = Asset.select(pw.fn.MAX(Asset.id)).scalar() or 0
        db.execute_sql("DROP TRIGGER asset_search_insert")
        yield
        db.execute_sql("INSERT INTO asset_search(rowid, search_text) "
                       "SELECT id, search_text FROM asset WHERE id > ?", (before,))
        db.execute_sql(trigger[0])


def _insert_assets(actor, rows: list[dict[str, Any]], action: str, batch: int = 500) -> list[str]:
    """Insert validated rows: numbers for those without, one audit event each. Returns the
    new assets' numbers, in the order of ``rows``."""
    given = [r["asset_no"] for r in rows if r.get("asset_no")]
    if given:
        taken = set()
        for start in range(0, len(given), batch):
            chunk = given[start:start + batch]
            taken |= {a.asset_no for a in Asset.select(Asset.asset_no).where(Asset.asset_no.in_(chunk))}
        if taken:
            raise ValidationError("asset_no", f"The asset number '{sorted(taken)[0]}' is already registered.")
        advance_counters(given)
    needing: dict[tuple[int, str], list[dict]] = {}
    for r in rows:
        if not r.get("asset_no"):
            key = counter_key(r["category"], r["acquired_on"])
            needing.setdefault((r["category"].id, key), []).append(r)
    for group in needing.values():
        numbers = allocate_numbers(group[0]["category"], group[0]["acquired_on"], len(group))
        for r, number in zip(group, numbers, strict=True):
            r["asset_no"] = number
    now = utcnow()
    stored = []
    for r in rows:
        row = _stored(r)
        row["search_text"] = search_text(r)
        row["created_at"] = row["updated_at"] = now
        row.setdefault("lendable", True)
        stored.append(row)
    with _search_index_filled_after(len(stored)):
        insert_rows(Asset, stored, batch)
    defaults = {f.name: f.default for f, _ in Asset._meta.defaults.items() if not callable(f.default)}
    changes = []
    for r, row in zip(rows, stored, strict=True):
        # The new row as snapshot() reads an Asset, without building one per row.
        new = SimpleNamespace(**{**defaults, **row, "status": "available",
                                 "location_id": row.get("location"), "custodian_id": row.get("custodian")})
        for key in ("category", "department", "location", "custodian"):
            setattr(new, key, r.get(key))
        changes.append(audit.Change(action, "asset", r["asset_no"], None, snapshot(new)))
    audit.record_many(actor, changes, keep=False)
    return [r["asset_no"] for r in rows]


def update_asset(actor, asset_no: str, changes: Mapping[str, Any], action: str = "asset.edit") -> Asset:
    """Change register fields of one asset; only real changes are written and logged."""
    require(actor, action if action in ("asset.edit", "asset.move") else "asset.edit")
    if "asset_no" in changes:
        raise ValidationError("asset_no", "An asset number never changes once registered.")
    with db.atomic():
        if is_postgres():  # hold the row: a hand-over may be changing its status right now
            list(Asset.select(Asset.id).where(Asset.asset_no == str(asset_no or "").strip()).for_update())
        asset = get_asset(asset_no)
        if asset.status == "disposed":
            raise ValidationError("status", f"Asset {asset.asset_no} is disposed; its record can no longer change.")
        clean, _ = clean_asset(changes, Lookups(), partial=True)
        before = snapshot(asset)
        for key, value in clean.items():
            setattr(asset, key, value)
        after = snapshot(asset)
        diff = [k for k in after if after[k] != before[k]]
        if not diff:
            return asset
        asset.search_text = search_text({**after, "custodian": asset.custodian})
        asset.updated_at = utcnow()
        # Only what changed: writing the whole row would put back a status read before
        # another desk's hand-over or return.
        asset.save(only=[Asset._meta.fields[k] for k in diff] + [Asset.search_text, Asset.updated_at])
        audit.record(actor, action, "asset", asset.asset_no,
                     {k: before[k] for k in diff}, {k: after[k] for k in diff})
    return asset


def move_asset(actor, asset_no: str, department: Any = None, location: Any = None) -> Asset:
    """Move an asset to another department and/or location."""
    changes = {}
    if department not in (None, ""):
        changes["department"] = department
    if location is not None:
        changes["location"] = location
    if not changes:
        raise ValidationError("department", "Name the department or location to move the asset to.")
    return update_asset(actor, asset_no, changes, action="asset.move")


def change_custodian(actor, asset_no: str, custodian: Any) -> Asset:
    return update_asset(actor, asset_no, {"custodian": custodian}, action="asset.move")


def set_lendable(actor, asset_no: str, lendable: bool) -> Asset:
    return update_asset(actor, asset_no, {"lendable": lendable})


@dataclass
class HistoryEntry:
    seq: int
    at: str
    actor: str
    action: str
    before: dict
    after: dict
    ref: str = ""  # the loan or damage case an entry belongs to, if any


# Loan events that concern every item of the loan; hand-over and return concern one item.
_LOAN_WIDE = ("loan.request", "loan.approve", "loan.reject", "loan.cancel", "loan.extend",
              "loan.follow_up")


def asset_history(asset_no: str) -> list[HistoryEntry]:
    """Everything that happened to one asset, oldest first, from the audit log: its register
    changes, the loans it was on (request, decision, hand-over, return, extension, follow-up)
    and its damage cases."""
    from .schema import AuditEvent, DamageCase, Loan, LoanItem

    asset = get_asset(asset_no)
    number = asset.asset_no
    columns = (AuditEvent.seq, AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.before,
               AuditEvent.after, AuditEvent.entity_id)

    def events(where: pw.Expression) -> Iterator[tuple]:  # plain rows: an asset may have hundreds
        return AuditEvent.select(*columns).where(where).order_by(AuditEvent.seq).tuples().iterator()

    decode = audit.decode
    entries = [HistoryEntry(seq, at, actor, action, decode(before), decode(after))
               for seq, at, actor, action, before, after, _ in
               events((AuditEvent.entity == "asset") & (AuditEvent.entity_id == number))]
    items = list(LoanItem.select(LoanItem.id, Loan.loan_no).join(Loan).where(LoanItem.asset == asset.id).tuples())
    loan_nos = sorted({no for _, no in items})
    for start in range(0, len(loan_nos), 500):
        chunk = loan_nos[start:start + 500]
        for seq, at, actor, action, before, after, loan_no in events(
                (AuditEvent.entity == "loan") & AuditEvent.entity_id.in_(chunk)):
            after = decode(after)
            if action in _LOAN_WIDE or after.get("asset_no") == number:
                entries.append(HistoryEntry(seq, at, actor, action, decode(before), after, loan_no))
    cases = [str(c) for (c,) in DamageCase.select(DamageCase.id)
             .where(DamageCase.item.in_([i for i, _ in items])).tuples()] if items else []
    if cases:
        for seq, at, actor, action, before, after, _ in events(
                (AuditEvent.entity == "damage_case") & AuditEvent.entity_id.in_(cases)):
            after = decode(after)
            entries.append(HistoryEntry(seq, at, actor, action, decode(before), after,
                                        after.get("loan_no", "")))
    return sorted(entries, key=lambda h: h.seq)


# ---- search --------------------------------------------------------------------------

SORTS = {
    "asset_no": Asset.asset_no,
    "name": Asset.name,
    "acquired_on": Asset.acquired_on,
    "price": Asset.price,
}


@dataclass
class AssetFilter:
    query: str = ""
    department: str | None = None
    category: str | None = None
    location: str | None = None
    status: str | None = None
    sort: str = "asset_no"
    descending: bool = False
    include_disposed: bool = False  # disposed assets leave the active register


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_search_index: dict[int, bool] = {}


def _has_search_index() -> bool:
    """Whether the bound SQLite database has the trigram index (asked once per database)."""
    key = id(db.obj)
    if key not in _search_index:
        _search_index[key] = is_sqlite() and db.table_exists("asset_search")
    return _search_index[key]


def _matches(term: str) -> pw.Expression:
    """Assets whose number, name, brand, model, serial or custodian contain ``term``.
    On SQLite, terms of three characters or more go through the trigram index."""
    contains = Asset.search_text.contains(term)
    if len(term) >= 3 and _has_search_index():
        phrase = '"' + term.replace('"', '""') + '"'
        hits = pw.SQL("(SELECT rowid FROM asset_search WHERE asset_search MATCH ?)", [phrase])
        return Asset.id.in_(hits) & contains
    return contains


def _filtered(q: pw.ModelSelect, f: AssetFilter) -> pw.ModelSelect:
    """The filter's conditions, all on the asset's own columns (linked records by id), so
    that a count needs no join."""
    for term in (f.query or "").lower().split():
        q = q.where(_matches(term))
    if f.department:
        # by id, not by the joined code: the database then pages the department's assets in
        # order straight from the (department, name, number) index rather than sorting them
        q = q.where(Asset.department == Department.select(Department.id).where(Department.code == f.department))
    if f.category:
        q = q.where(Asset.category == Category.select(Category.id).where(Category.code == f.category))
    if f.location:
        q = q.where(Asset.location == Location.select(Location.id).where(Location.code == f.location))
    if f.status:
        q = q.where(Asset.status == f.status)
    elif not f.include_disposed:
        q = q.where(Asset.status != "disposed")
    return q


def asset_query(f: AssetFilter) -> pw.ModelSelect:
    """The register filtered and sorted in the database; page it with ``.paginate``."""
    q = _filtered(Asset.select(Asset, Category, Department, Location, Person)
                  .join(Category).switch(Asset).join(Department)
                  .switch(Asset).join(Location, pw.JOIN.LEFT_OUTER)
                  .switch(Asset).join(Person, pw.JOIN.LEFT_OUTER), f)
    column = SORTS.get(f.sort, Asset.asset_no)
    order = [column.desc() if f.descending else column]
    if column is not Asset.asset_no:
        order.append(Asset.asset_no)
    return q.order_by(*order)


def find_assets(query: str, limit: int = 50, offset: int = 0) -> list[Asset]:
    """Search number, name, serial, brand, model and custodian (partial words, Thai or English).
    An exact asset number comes first."""
    query = (query or "").strip()
    exact = Asset.get_or_none(Asset.asset_no == query) if query else None
    rows = list(asset_query(AssetFilter(query=query)).limit(limit).offset(offset))
    if exact is not None and offset == 0:
        rows = [get_asset(query)] + [a for a in rows if a.asset_no != query][: limit - 1]
    return rows


def count_assets(f: AssetFilter, cap: int | None = None) -> int:
    """How many assets the filter selects: one count over the asset table alone. With
    ``cap``, counting stops past ``cap`` (the answer is then ``cap + 1``): a search for one or
    two letters, which no index serves, need not read the whole register just to say
    "more than 10,000"."""
    if cap is None:
        return _filtered(Asset.select(pw.fn.COUNT(Asset.id)), f).scalar() or 0
    return _filtered(Asset.select(Asset.id), f).limit(cap + 1).count()


# ---- import --------------------------------------------------------------------------

@dataclass
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {label(self.field)}: {self.message}"


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    new_locations: list[str] = field(default_factory=list)
    new_custodians: list[str] = field(default_factory=list)
    first_asset_no: str | None = None
    last_asset_no: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def import_assets(actor, rows: Iterable[tuple[int, Mapping[str, Any]]], dry_run: bool = False) -> ImportReport:
    """All-or-nothing import of register rows ``(line number, {field: raw value})``.
    Every bad row is reported by line and field; if any is bad, nothing is written.
    Unknown locations and custodians are created and listed; unknown categories
    and departments are errors."""
    require(actor, "asset.import")
    report = ImportReport(dry_run=dry_run)
    lookups = Lookups(create_missing=True)
    cleaned: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, data in rows:
        report.rows += 1
        try:
            clean, errors = clean_asset(data, lookups, collect=True)
        except ValidationError as exc:
            report.errors.append(RowError(line, exc.field, exc.message))
            continue
        for exc in errors:
            report.errors.append(RowError(line, exc.field, exc.message))
        number = clean.get("asset_no")
        if number:
            if number in seen:
                report.errors.append(RowError(line, "asset_no", f"The asset number '{number}' also appears on line {seen[number]}."))
            seen.setdefault(number, line)
        if not errors:
            clean["_line"] = line
            cleaned.append(clean)
    if seen:
        numbers = list(seen)
        for start in range(0, len(numbers), 500):
            for a in Asset.select(Asset.asset_no).where(Asset.asset_no.in_(numbers[start:start + 500])):
                report.errors.append(RowError(seen[a.asset_no], "asset_no",
                                              f"The asset number '{a.asset_no}' is already registered."))
    if report.rows == 0:
        report.errors.append(RowError(0, "file", "The file holds no asset rows."))
    report.errors.sort(key=lambda e: (e.line, list(FIELD_LABELS).index(e.field) if e.field in FIELD_LABELS else 99))
    report.new_locations = list(dict.fromkeys(lookups.new_locations))
    report.new_custodians = list(dict.fromkeys(lookups.new_people))
    if report.errors or dry_run:
        return report
    with db.atomic():
        created_locations = {}
        created = []
        for name in report.new_locations:
            code = _free_location_code(name)
            loc = Location.create(code=code, name=name)
            created.append(audit.Change("location.create", "location", code, None,
                                        {"code": code, "name": name, "source": "import"}))
            created_locations[name] = loc
        created_people = {}
        for name in report.new_custodians:
            person = Person.create(name=name)
            created.append(audit.Change("person.create", "person", str(person.id), None,
                                        {"name": name, "source": "import"}))
            created_people[name] = person
        audit.record_many(actor, created)
        for clean in cleaned:
            clean.pop("_line")
            loc = clean.get("location")
            if loc is not None and loc.id is None:
                clean["location"] = created_locations[loc.name]
            person = clean.get("custodian")
            if person is not None and person.id is None:
                clean["custodian"] = created_people[person.name]
        numbers = _insert_assets(actor, cleaned, "asset.import")
    report.imported = len(numbers)
    if numbers:
        report.first_asset_no, report.last_asset_no = numbers[0], numbers[-1]
    return report


def _free_location_code(name: str) -> str:
    base = name[:26]
    code, n = base, 1
    while Location.select().where(Location.code == code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def total_value(f: AssetFilter | None = None) -> Decimal:
    q = asset_query(f or AssetFilter())
    total = q.select(pw.fn.COALESCE(pw.fn.SUM(Asset.price), 0)).order_by().scalar() or 0
    return Decimal(str(total)).quantize(Decimal("0.01"))

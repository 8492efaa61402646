"""The tables. Rules that use them live in the neighbouring modules.

Glossary (code name - Thai name):
    Asset - ครุภัณฑ์; Category - ประเภทครุภัณฑ์; Department - กอง / สำนัก / ฝ่าย;
    Location - สถานที่ตั้ง; Person - บุคคล (staff, custodians, outside borrowers);
    User - บัญชีผู้ใช้; AuditEvent - บันทึกการเปลี่ยนแปลง (hash-chained log).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import peewee as pw

from .db import db


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class MoneyField(pw.DecimalField):
    """Baht with 2 places, read back as a Decimal with exactly 2 places on every database."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("auto_round", False)
        super().__init__(**kwargs)

    def python_value(self, value):
        value = super().python_value(value)
        return value.quantize(Decimal("0.01")) if value is not None else None


class BaseModel(pw.Model):
    class Meta:
        database = db
        legacy_table_names = False


class Setting(BaseModel):
    """Agency-wide settings, one text value per key (see ``models.settings``)."""

    key = pw.CharField(max_length=64, primary_key=True)
    value = pw.TextField()


class Department(BaseModel):
    code = pw.CharField(max_length=20, unique=True)
    name = pw.CharField(max_length=200, unique=True)
    parent = pw.ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    active = pw.BooleanField(default=True)


class Location(BaseModel):
    code = pw.CharField(max_length=30, unique=True)
    name = pw.CharField(max_length=200, unique=True)
    department = pw.ForeignKeyField(Department, null=True, backref="locations", on_delete="RESTRICT")
    active = pw.BooleanField(default=True)


class Category(BaseModel):
    """An asset class of the DLA classification; its code heads the asset number."""

    code = pw.CharField(max_length=10, unique=True)
    name = pw.CharField(max_length=100, unique=True)  # Thai, without the word ครุภัณฑ์
    name_en = pw.CharField(max_length=100, default="")
    useful_life_years = pw.IntegerField(constraints=[pw.Check("useful_life_years > 0")])
    active = pw.BooleanField(default=True)


class Person(BaseModel):
    """Anyone the register names: staff, custodians, outside borrowers."""

    name = pw.CharField(max_length=200)
    position = pw.CharField(max_length=200, default="")
    department = pw.ForeignKeyField(Department, null=True, backref="people", on_delete="RESTRICT")
    phone = pw.CharField(max_length=50, default="")
    email = pw.CharField(max_length=200, default="")
    external = pw.BooleanField(default=False)
    organisation = pw.CharField(max_length=200, default="")
    address = pw.TextField(default="")
    thai_id = pw.CharField(max_length=13, default="")
    active = pw.BooleanField(default=True)

    class Meta:
        indexes = ((("name",), False),)


ROLES = ("admin", "storekeeper", "dept_head", "agency_head", "auditor", "staff")


class User(BaseModel):
    username = pw.CharField(max_length=50, unique=True)
    password_hash = pw.CharField(max_length=255)
    role = pw.CharField(max_length=20, constraints=[pw.Check("role in ('" + "','".join(ROLES) + "')")])
    person = pw.ForeignKeyField(Person, unique=True, backref="accounts", on_delete="RESTRICT")
    active = pw.BooleanField(default=True)
    failed_logins = pw.IntegerField(default=0)
    locked_until = pw.DateTimeField(null=True)
    last_login_at = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=utcnow)


ASSET_STATUSES = ("available", "on_loan", "repair", "lost", "disposed")


class Asset(BaseModel):
    """A durable asset (ครุภัณฑ์) with the register header fields of clause 203."""

    asset_no = pw.CharField(max_length=50, unique=True)
    name = pw.CharField(max_length=300)
    description = pw.TextField(default="")
    brand = pw.CharField(max_length=100, default="")
    model = pw.CharField(max_length=100, default="")
    serial_no = pw.CharField(max_length=100, default="", index=True)
    category = pw.ForeignKeyField(Category, backref="assets", on_delete="RESTRICT")
    department = pw.ForeignKeyField(Department, backref="assets", on_delete="RESTRICT")
    location = pw.ForeignKeyField(Location, null=True, backref="assets", on_delete="RESTRICT")
    custodian = pw.ForeignKeyField(Person, null=True, backref="assets_held", on_delete="RESTRICT")
    status = pw.CharField(
        max_length=20,
        default="available",
        index=True,
        constraints=[pw.Check("status in ('" + "','".join(ASSET_STATUSES) + "')")],
    )
    lendable = pw.BooleanField(default=True)
    acquired_on = pw.DateField(index=True)
    price = MoneyField(constraints=[pw.Check("price >= 0")])
    unit = pw.CharField(max_length=30, default="เครื่อง")
    funding_source = pw.CharField(max_length=30)
    acquisition_method = pw.CharField(max_length=100, default="")
    supplier = pw.CharField(max_length=200, default="")
    document_no = pw.CharField(max_length=100, default="")
    useful_life_years = pw.IntegerField(null=True)
    remarks = pw.TextField(default="")
    search_text = pw.TextField(default="")
    created_at = pw.DateTimeField(default=utcnow)
    updated_at = pw.DateTimeField(default=utcnow)


class AssetNumberCounter(BaseModel):
    """The last running number handed out per prefix (e.g. ``416-68``); never goes back."""

    prefix = pw.CharField(max_length=40, primary_key=True)
    last = pw.IntegerField(default=0)


class AuditEvent(BaseModel):
    """One entry of the append-only, hash-chained log. Times are UTC ISO text so that
    the hash recomputes byte for byte on any database."""

    seq = pw.BigIntegerField(primary_key=True)
    at = pw.CharField(max_length=32)
    actor = pw.CharField(max_length=50)
    action = pw.CharField(max_length=50)
    entity = pw.CharField(max_length=30)
    entity_id = pw.CharField(max_length=60)
    before = pw.TextField(default="")
    after = pw.TextField(default="")
    prev_hash = pw.CharField(max_length=64)
    hash = pw.CharField(max_length=64, unique=True)

    class Meta:
        indexes = ((("entity", "entity_id", "seq"), False),)


class AuditHead(BaseModel):
    """The single row holding the chain's last sequence number and hash; writers lock it."""

    id = pw.IntegerField(primary_key=True)
    seq = pw.BigIntegerField(default=0)
    hash = pw.CharField(max_length=64)


MODELS = [Setting, Department, Location, Category, Person, User, Asset, AssetNumberCounter,
          AuditEvent, AuditHead]


# ---- loans (ทะเบียนการยืมทรัพย์สินของราชการ) ----------------------------------------------

LOAN_STATUSES = ("requested", "approved", "rejected", "cancelled", "active", "returned")
LOAN_KINDS = ("inside", "outside", "agency")
CONDITIONS = ("usable", "damaged", "lost")


class Loan(BaseModel):
    """A loan slip (ใบยืมพัสดุ): request, decision, hand-over and return of one or more assets."""

    loan_no = pw.CharField(max_length=30, unique=True)
    kind = pw.CharField(max_length=10, constraints=[pw.Check("kind in ('inside','outside','agency')")])
    place = pw.CharField(max_length=10, constraints=[pw.Check("place in ('inside','outside')")])
    borrower = pw.ForeignKeyField(Person, backref="loans", on_delete="RESTRICT")
    department = pw.ForeignKeyField(Department, backref="loans", on_delete="RESTRICT")
    purpose = pw.TextField()
    start_on = pw.DateField()
    due_on = pw.DateField(index=True)
    status = pw.CharField(
        max_length=12, default="requested", index=True,
        constraints=[pw.Check("status in ('" + "','".join(LOAN_STATUSES) + "')")])
    requested_by = pw.ForeignKeyField(User, backref="loans_requested", on_delete="RESTRICT")
    requested_at = pw.DateTimeField(default=utcnow)
    decided_by = pw.ForeignKeyField(User, null=True, backref="loans_decided", on_delete="RESTRICT")
    decided_at = pw.DateTimeField(null=True)
    decision_note = pw.TextField(default="")
    issued_on = pw.DateField(null=True)
    returned_on = pw.DateField(null=True)

    class Meta:
        constraints = [pw.SQL("CHECK (due_on >= start_on)")]


class LoanItem(BaseModel):
    loan = pw.ForeignKeyField(Loan, backref="items", on_delete="RESTRICT")
    asset = pw.ForeignKeyField(Asset, backref="loan_items", on_delete="RESTRICT")
    value_at_loan = MoneyField()
    issued_at = pw.DateTimeField(null=True)
    issued_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    returned_at = pw.DateTimeField(null=True)
    returned_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    returned_condition = pw.CharField(
        max_length=10, null=True,
        constraints=[pw.Check("returned_condition is null or returned_condition in ('usable','damaged','lost')")])
    return_note = pw.TextField(default="")
    # 1 while the item is out (handed over, not back); NULL otherwise. A unique index on
    # (asset, out_flag) lets the database itself refuse an asset on two open loans.
    out_flag = pw.IntegerField(null=True)

    class Meta:
        indexes = (
            (("loan", "asset"), True),
            (("asset", "out_flag"), True),
        )


class LoanFollowUp(BaseModel):
    """A chase of an overdue loan (ติดตามทวงคืน): letter, phone or visit."""

    loan = pw.ForeignKeyField(Loan, backref="follow_ups", on_delete="RESTRICT")
    on_date = pw.DateField()
    method = pw.CharField(max_length=10, constraints=[pw.Check("method in ('letter','phone','visit')")])
    by_user = pw.ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    note = pw.TextField(default="")
    created_at = pw.DateTimeField(default=utcnow)


class DamageCase(BaseModel):
    """An item returned damaged or lost: open until repaired, replaced or paid."""

    item = pw.ForeignKeyField(LoanItem, unique=True, backref="damage_cases", on_delete="RESTRICT")
    condition = pw.CharField(max_length=10)
    opened_at = pw.DateTimeField(default=utcnow)
    suggested_amount = MoneyField()
    status = pw.CharField(max_length=10, default="open",
                          constraints=[pw.Check("status in ('open','settled')")])
    referred = pw.BooleanField(default=False)  # sent to a fact-finding committee
    settlement = pw.CharField(max_length=10, null=True)  # repaired / replaced / paid
    amount = MoneyField(null=True)
    settled_at = pw.DateTimeField(null=True)
    settled_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    note = pw.TextField(default="")


MODELS += [Loan, LoanItem, LoanFollowUp, DamageCase]


# ---- annual stock check (การตรวจสอบพัสดุประจำปี), its follow-on, repairs, transfers, disposal ----

STOCK_CHECK_STATUSES = ("open", "closed")
FOUND_CONDITIONS = ("in_use", "damaged", "deteriorated", "not_needed")
# What became of each row when the check closed.
STOCK_CHECK_RESULTS = ("found", "misplaced", "on_loan", "in_repair", "missing", "unexpected")
SCAN_OUTCOMES = ("found", "misplaced", "duplicate", "unexpected")


def _choice(column: str, values: tuple[str, ...], null: bool = False) -> pw.Check:
    allowed = column + " in ('" + "','".join(values) + "')"
    return pw.Check(f"{column} is null or {allowed}" if null else allowed)


class StockCheck(BaseModel):
    """One annual stock check of a fiscal year (BE), for all assets or a chosen scope."""

    fiscal_year = pw.IntegerField(index=True)  # BE year the checked fiscal year ends in
    cutoff_on = pw.DateField()                 # 30 Sep of that year: assets on hand as of then
    starts_on = pw.DateField()                 # first working day of the next fiscal year
    deadline_on = pw.DateField()               # report due: 30 working days after the start
    scope = pw.TextField(default="")           # JSON {"departments": [...], "locations": [...], "categories": [...]}
    status = pw.CharField(max_length=10, default="open", constraints=[_choice("status", STOCK_CHECK_STATUSES)])
    opened_by = pw.ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    opened_at = pw.DateTimeField(default=utcnow)
    closed_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    closed_at = pw.DateTimeField(null=True)
    results_hash = pw.CharField(max_length=64, default="")  # SHA-256 of the results as closed
    followed_up_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    followed_up_at = pw.DateTimeField(null=True)


class StockCheckMember(BaseModel):
    """An inspector (กรรมการตรวจสอบพัสดุ); seat 1 chairs the committee."""

    check = pw.ForeignKeyField(StockCheck, backref="members", on_delete="RESTRICT")
    user = pw.ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    seat = pw.IntegerField()

    class Meta:
        indexes = ((("check", "user"), True), (("check", "seat"), True))


class StockCheckItem(BaseModel):
    """One row of the check: an asset expected as the register stood at opening (frozen
    copies of its number, name, department, location, status and price), or a code found
    that was not expected. Counting sets the found columns once; closing sets ``result``."""

    check = pw.ForeignKeyField(StockCheck, backref="items", on_delete="RESTRICT")
    code = pw.CharField(max_length=100)  # the asset number, or what was scanned
    expected = pw.BooleanField()
    asset = pw.ForeignKeyField(Asset, null=True, backref="+", on_delete="RESTRICT")
    name = pw.CharField(max_length=300, default="")
    department = pw.ForeignKeyField(Department, null=True, backref="+", on_delete="RESTRICT")
    location = pw.ForeignKeyField(Location, null=True, backref="+", on_delete="RESTRICT")
    asset_status = pw.CharField(max_length=20, default="")
    price = MoneyField(null=True)
    reason = pw.TextField(default="")  # why an unexpected code is not on the list
    found_at = pw.DateTimeField(null=True)
    found_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    found_location = pw.ForeignKeyField(Location, null=True, backref="+", on_delete="RESTRICT")
    condition = pw.CharField(max_length=15, null=True, constraints=[_choice("condition", FOUND_CONDITIONS, True)])
    note = pw.TextField(default="")
    explanation = pw.TextField(default="")  # the committee's, before closing
    wear_and_tear = pw.BooleanField(default=False)
    result = pw.CharField(max_length=12, null=True, constraints=[_choice("result", STOCK_CHECK_RESULTS, True)])
    loan_no = pw.CharField(max_length=30, default="")  # the loan holding it when it closed

    class Meta:
        indexes = ((("check", "code"), True), (("check", "location"), False))


class StockCheckScan(BaseModel):
    """Every scan as it happened, duplicates included."""

    check = pw.ForeignKeyField(StockCheck, backref="scans", on_delete="RESTRICT")
    code = pw.CharField(max_length=100)
    item = pw.ForeignKeyField(StockCheckItem, null=True, backref="scans", on_delete="RESTRICT")
    outcome = pw.CharField(max_length=12, constraints=[_choice("outcome", SCAN_OUTCOMES)])
    location = pw.ForeignKeyField(Location, null=True, backref="+", on_delete="RESTRICT")
    condition = pw.CharField(max_length=15, constraints=[_choice("condition", FOUND_CONDITIONS)])
    note = pw.TextField(default="")
    scanned_by = pw.ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    scanned_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("check", "id"), False),)


class FactFindingCase(BaseModel):
    """A loss or damage sent to a fact-finding committee (คณะกรรมการสอบหาข้อเท็จจริง)."""

    asset = pw.ForeignKeyField(Asset, backref="fact_finding_cases", on_delete="RESTRICT")
    check = pw.ForeignKeyField(StockCheck, null=True, backref="fact_finding_cases", on_delete="RESTRICT")
    kind = pw.CharField(max_length=10, constraints=[_choice("kind", ("loss", "damage"))])
    status = pw.CharField(max_length=10, default="open", constraints=[_choice("status", ("open", "closed"))])
    note = pw.TextField(default="")
    opened_by = pw.ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    opened_at = pw.DateTimeField(default=utcnow)
    closed_at = pw.DateTimeField(null=True)


class DisposalCandidate(BaseModel):
    """An item proposed for disposal: no longer needed, worn out, or damaged by wear and tear."""

    asset = pw.ForeignKeyField(Asset, backref="disposal_candidacies", on_delete="RESTRICT")
    check = pw.ForeignKeyField(StockCheck, null=True, backref="disposal_candidates", on_delete="RESTRICT")
    reason = pw.CharField(max_length=15, constraints=[_choice("reason", ("not_needed", "worn_out"))])
    status = pw.CharField(max_length=10, default="pending",
                          constraints=[_choice("status", ("pending", "disposed", "dropped"))])
    note = pw.TextField(default="")
    created_by = pw.ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    created_at = pw.DateTimeField(default=utcnow)


class RegistryCorrection(BaseModel):
    """A misplaced item's new location, applied only when a storekeeper confirms it."""

    check = pw.ForeignKeyField(StockCheck, backref="corrections", on_delete="RESTRICT")
    asset = pw.ForeignKeyField(Asset, backref="+", on_delete="RESTRICT")
    from_location = pw.ForeignKeyField(Location, null=True, backref="+", on_delete="RESTRICT")
    to_location = pw.ForeignKeyField(Location, backref="+", on_delete="RESTRICT")
    status = pw.CharField(max_length=10, default="pending",
                          constraints=[_choice("status", ("pending", "applied", "rejected"))])
    decided_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    decided_at = pw.DateTimeField(null=True)
    note = pw.TextField(default="")

    class Meta:
        indexes = ((("check", "asset"), True),)


class Repair(BaseModel):
    """The back of the register card: an asset sent for repair and back."""

    asset = pw.ForeignKeyField(Asset, backref="repairs", on_delete="RESTRICT")
    sent_on = pw.DateField()
    vendor = pw.CharField(max_length=200)
    problem = pw.TextField(default="")
    cost = MoneyField(null=True, constraints=[pw.Check("cost is null or cost >= 0")])
    returned_on = pw.DateField(null=True)
    sent_by = pw.ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    returned_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    note = pw.TextField(default="")
    # 1 while the asset is away; NULL once back: the database allows one open repair per asset.
    open_flag = pw.IntegerField(null=True)

    class Meta:
        indexes = ((("asset", "open_flag"), True),)


class AssetTransfer(BaseModel):
    """An asset handed from one department to another, with who approved it."""

    asset = pw.ForeignKeyField(Asset, backref="transfers", on_delete="RESTRICT")
    from_department = pw.ForeignKeyField(Department, backref="+", on_delete="RESTRICT")
    to_department = pw.ForeignKeyField(Department, backref="+", on_delete="RESTRICT")
    on_date = pw.DateField()
    approved_by = pw.ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    recorded_by = pw.ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    recorded_at = pw.DateTimeField(default=utcnow)
    note = pw.TextField(default="")


DISPOSAL_METHODS = ("sale", "auction", "exchange", "transfer", "destruction", "write_off")


class Disposal(BaseModel):
    """The disposal (จำหน่าย) of one asset: method, order, completion, proceeds, report."""

    asset = pw.ForeignKeyField(Asset, unique=True, backref="+", on_delete="RESTRICT")
    method = pw.CharField(max_length=12, constraints=[_choice("method", DISPOSAL_METHODS)])
    ordered_on = pw.DateField()
    approved_by = pw.ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    recipient = pw.CharField(max_length=200, default="")  # buyer, agency or charity
    completed_on = pw.DateField(null=True)
    amount = MoneyField(null=True, constraints=[pw.Check("amount is null or amount >= 0")])
    reported_on = pw.DateField(null=True)  # to the State Audit Office (สตง.)
    document_no = pw.CharField(max_length=100, default="")
    note = pw.TextField(default="")
    recorded_by = pw.ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    recorded_at = pw.DateTimeField(default=utcnow)


MODELS += [StockCheck, StockCheckMember, StockCheckItem, StockCheckScan, FactFindingCase,
           DisposalCandidate, RegistryCorrection, Repair, AssetTransfer, Disposal]


# ---- the asset-use guideline (ประกาศแนวทางปฏิบัติการใช้ทรัพย์สินของราชการ) and its acknowledgement ----

GUIDELINE_TITLE = "ประกาศแนวทางปฏิบัติการใช้ทรัพย์สินของราชการ"


class GuidelineVersion(BaseModel):
    """One version of the agency's asset-use and borrowing guideline. It binds staff only
    once the agency head has signed it off and its effective date has come."""

    number = pw.IntegerField(unique=True, constraints=[pw.Check("number > 0")])
    title = pw.CharField(max_length=300, default=GUIDELINE_TITLE)
    text_th = pw.TextField()
    text_en = pw.TextField(default="")
    effective_on = pw.DateField()
    published_by = pw.ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    published_at = pw.DateTimeField(default=utcnow)
    signed_off_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    signed_off_at = pw.DateTimeField(null=True)


class GuidelineAcknowledgement(BaseModel):
    """A staff member's "I have read and will comply" for one version, once."""

    version = pw.ForeignKeyField(GuidelineVersion, backref="acknowledgements", on_delete="RESTRICT")
    user = pw.ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    acknowledged_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("version", "user"), True),)


MODELS += [GuidelineVersion, GuidelineAcknowledgement]

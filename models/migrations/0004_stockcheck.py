"""The annual stock check and the end of an asset's life: checks, their committees,
frozen expected lists and scans; fact-finding cases, disposal candidates and registry
corrections that follow a check; repairs, transfers between departments and disposals.

Frozen copies of the tables as they were at this step. The tables they point to are
declared only by name and are not touched.
"""

import datetime as dt
from decimal import Decimal

import peewee as pw

_db = pw.DatabaseProxy()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class MoneyField(pw.DecimalField):
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
        database = _db
        legacy_table_names = False


class User(BaseModel):
    pass


class Department(BaseModel):
    pass


class Location(BaseModel):
    pass


class Asset(BaseModel):
    pass


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


TABLES = [StockCheck, StockCheckMember, StockCheckItem, StockCheckScan, FactFindingCase,
          DisposalCandidate, RegistryCorrection, Repair, AssetTransfer, Disposal]


def up(migrator, db):
    _db.initialize(db)
    db.create_tables(TABLES)

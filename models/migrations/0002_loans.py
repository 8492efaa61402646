"""Loans: requests, hand-over and return per item, follow-ups and damage cases.

Frozen copies of the tables as they were at this step. The tables they point to are
declared only by name (``_Ref``) and are not touched.
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


class Person(BaseModel):
    pass


class Department(BaseModel):
    pass


class User(BaseModel):
    pass


class Asset(BaseModel):
    pass


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




def up(migrator, db):
    _db.initialize(db)
    db.create_tables([Loan, LoanItem, LoanFollowUp, DamageCase])

"""Open-data exports (ITA item O14): the asset register, the loan register, the results of
a stock check and the audit log as machine-readable CSV, JSON or XLSX.

Keys are stable; the first thirteen asset keys are the ones PRODUCT.md publishes and
the rest follow them. Values:

* ``category``, ``department``, ``location`` and ``funding_source`` are the Thai names a
  person reads; the ``*_code`` columns beside them carry the codes a program joins on.
* ``status`` is the code (``available``, ``on_loan``, ``repair``, ``lost``, ``disposed``).
* dates are ISO ``YYYY-MM-DD``; CSV and XLSX add ``acquired_on_be`` (``15/3/2567``).
* amounts are decimal strings with two places (``25900.00``); XLSX writes real numbers
  and dates so that sums and filters work in Excel.
* ``lendable`` is ``true``/``false`` (a JSON boolean).

The loan register (ทะเบียนการยืม) carries the keys ``loan_no``, ``kind`` (``inside``,
``outside``, ``agency``), ``borrower``, ``organisation`` (an outside borrower's), ``department``
(the Thai name of the unit lending; ``department_code`` beside it), ``purpose``, ``place``,
``status`` (the code), ``requested_on``, ``approved_by`` (the approver's name), ``start_on``,
``due_on``, ``issued_on``, ``returned_on`` and ``items``. In JSON ``items`` is a list of
``{"asset_no", "name", "returned_condition"}``; CSV and XLSX write one row per item with the
loan repeated, ``items`` holding all the loan's asset numbers (``, ``-separated) and
``asset_no``, ``item_name``, ``returned_condition`` that row's item, then the ``*_be`` twin of
every date.

The results of a stock check (การตรวจสอบพัสดุประจำปี), one record per row of the check in
asset-number order, carry the keys ``check_id``, ``fiscal_year``, ``check_status`` (``open``
while counting, ``closed`` when final), ``no``, ``asset_no`` (``null`` for a scanned code that
is not one of our asset numbers), ``code`` (what was scanned or listed), ``name``, ``brand``,
``department`` (Thai name; ``department_code`` beside it), ``location`` (the Thai name of the
location the register gave when the check opened), ``expected_location`` (its code),
``found_location`` (the code where it was scanned), ``status`` (``found``, ``misplaced``,
``missing``, ``on_loan``, ``in_repair``, ``unexpected``; while the check is open, the result
so far), ``condition`` (``in_use``, ``damaged``, ``deteriorated``, ``not_needed``, or ``null``
when not scanned), ``scanned_by`` (username), ``scanned_at`` (UTC, ISO 8601 with ``Z``),
``loan_no`` (the loan an unscanned asset was out on), ``explanation`` (the committee's),
``reason`` (why a code was unexpected), ``wear_and_tear`` (boolean), ``price`` (the register
price when the check opened), ``acquired_on`` and ``custodian``; CSV and XLSX add
``acquired_on_be`` and ``scanned_at_be`` (local time, ``5/10/2569 09:30``).

CSV is UTF-8 with a byte-order mark so that Excel shows Thai; JSON is one list of objects.
Text a spreadsheet would run as a formula, one starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return, gets a leading apostrophe in CSV (``'=SUM(A1)``; a number such as
``-12.50`` does not) and is a plain string cell in XLSX; the import removes that apostrophe
again, as should anyone who reads the CSV as data (the audit log's hashes cover the text
without it). JSON holds the text as it is.
Everything streams: rows are read in pages and written as they come, so a register of
100,000 assets never sits in memory at once. A CSV or XLSX export reads back through
:mod:`forms.spreadsheet` and re-imports into an empty register.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO

import peewee as pw

from forms.spreadsheet import FORMULA_STARTS, quote_formula
from models.assets import funding_label
from models.db import plain_dicts
from models.loans import LoanFilter, loan_query
from models.schema import (
    Asset,
    AuditEvent,
    Category,
    DamageCase,
    Department,
    Loan,
    LoanFollowUp,
    LoanItem,
    Location,
    Person,
    User,
)
from models.values import format_date_be, local_date

FORMATS = ("csv", "json", "xlsx")
PAGE_SIZE = 1000

# The keys of PRODUCT.md "Open data", in order, then the register's other fields.
PUBLISHED_ASSET_KEYS = (
    "asset_no", "name", "category", "department", "location", "custodian", "status",
    "lendable", "acquired_on", "price", "funding_source", "acquisition_method", "serial_no",
)
ASSET_KEYS = PUBLISHED_ASSET_KEYS + (
    "brand", "model", "unit", "supplier", "document_no", "useful_life_years", "description",
    "remarks", "category_code", "department_code", "location_code", "funding_source_code",
)
# CSV and XLSX, read by people, also carry the acquisition date in the Buddhist Era.
ASSET_COLUMNS = ASSET_KEYS + ("acquired_on_be",)
_LENDABLE = ASSET_KEYS.index("lendable")

# The loan register's keys of PRODUCT.md "Open data", in order.
PUBLISHED_LOAN_KEYS = (
    "loan_no", "kind", "borrower", "organisation", "department", "purpose", "place", "status",
    "requested_on", "approved_by", "start_on", "due_on", "issued_on", "returned_on", "items",
)
LOAN_KEYS = PUBLISHED_LOAN_KEYS + ("department_code",)
LOAN_DATES = ("requested_on", "start_on", "due_on", "issued_on", "returned_on")
# CSV and XLSX: one row per item, then the dates in the Buddhist Era.
LOAN_COLUMNS = (PUBLISHED_LOAN_KEYS + ("asset_no", "item_name", "returned_condition",
                                       "department_code")
                + tuple(f"{key}_be" for key in LOAN_DATES))

# The results of a stock check; CSV and XLSX add the Buddhist Era twins.
STOCKCHECK_KEYS = (
    "check_id", "fiscal_year", "check_status", "no", "asset_no", "code", "name", "brand",
    "department", "department_code", "location", "expected_location", "found_location", "status",
    "condition", "scanned_by", "scanned_at", "loan_no", "explanation", "reason", "wear_and_tear",
    "price", "acquired_on", "custodian",
)
STOCKCHECK_COLUMNS = STOCKCHECK_KEYS + ("acquired_on_be", "scanned_at_be")

AUDIT_KEYS = ("seq", "at", "actor", "action", "entity", "entity_id", "before", "after", "hash",
              "prev_hash")


def format_for(filename: str | None, given: str | None = None) -> str | None:
    """The export format named by ``given`` or by the file's extension."""
    if given:
        return given.lower()
    if filename:
        suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if suffix in FORMATS:
            return suffix
        return None
    return "csv"


# ---- reading the register in pages -------------------------------------------------------

def _asset_select() -> pw.ModelSelect:
    return (Asset.select(
        Asset.asset_no, Asset.name, Asset.description, Asset.brand, Asset.model, Asset.serial_no,
        Asset.status, Asset.lendable, Asset.acquired_on, Asset.price, Asset.unit,
        Asset.funding_source, Asset.acquisition_method, Asset.supplier, Asset.document_no,
        Asset.useful_life_years, Asset.remarks,
        Category.name.alias("category"), Category.code.alias("category_code"),
        Department.name.alias("department"), Department.code.alias("department_code"),
        Location.name.alias("location"), Location.code.alias("location_code"),
        Person.name.alias("custodian"))
        .join(Category).switch(Asset).join(Department)
        .switch(Asset).join(Location, pw.JOIN.LEFT_OUTER)
        .switch(Asset).join(Person, pw.JOIN.LEFT_OUTER))


# Read straight from the driver: the price is the only value whose type differs between
# SQLite and PostgreSQL in a way the writers below care about.
_ASSET_CONVERT = {"price": Asset.price.python_value}


def iter_asset_rows(page_size: int = PAGE_SIZE) -> Iterator[dict[str, Any]]:
    """Every asset as a flat row, in asset-number order, one page of ``page_size`` at a time
    (keyset paging, so memory stays flat on SQLite and PostgreSQL alike)."""
    last: str | None = None
    while True:
        q = _asset_select().order_by(Asset.asset_no).limit(page_size)
        if last is not None:
            q = q.where(Asset.asset_no > last)
        page = list(plain_dicts(q, _ASSET_CONVERT))
        if not page:
            return
        yield from page
        if len(page) < page_size:
            return
        last = page[-1]["asset_no"]


def rows_for(asset_nos: Iterable[str]) -> list[dict[str, Any]]:
    """The flat rows of the given assets, in the order given."""
    wanted = list(asset_nos)
    found = {r["asset_no"]: r
             for r in plain_dicts(_asset_select().where(Asset.asset_no.in_(wanted)), _ASSET_CONVERT)}
    return [found[n] for n in wanted if n in found]


def asset_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """One asset with the open-data keys and JSON-ready values."""
    price = row["price"]
    return {
        "asset_no": row["asset_no"],
        "name": row["name"],
        "category": row["category"],
        "department": row["department"],
        "location": row["location"],
        "custodian": row["custodian"],
        "status": row["status"],
        "lendable": bool(row["lendable"]),
        "acquired_on": _iso(row["acquired_on"]),
        "price": None if price is None else f"{Decimal(price):.2f}",
        "funding_source": funding_label(row["funding_source"], "th"),
        "acquisition_method": row["acquisition_method"],
        "serial_no": row["serial_no"],
        "brand": row["brand"],
        "model": row["model"],
        "unit": row["unit"],
        "supplier": row["supplier"],
        "document_no": row["document_no"],
        "useful_life_years": row["useful_life_years"],
        "description": row["description"],
        "remarks": row["remarks"],
        "category_code": row["category_code"],
        "department_code": row["department_code"],
        "location_code": row["location_code"],
        "funding_source_code": row["funding_source"],
    }


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value))


def _text_cells(record: Mapping[str, Any], row: Mapping[str, Any]) -> list[str]:
    """The asset's CSV cells: text as is, no value as an empty cell, ``lendable`` as
    ``true``/``false``, then the Buddhist Era date. Runs once per asset of an export, so it
    is written for speed."""
    out = ["" if (value := record[key]) is None else str(value) for key in ASSET_KEYS]
    out[_LENDABLE] = "true" if record["lendable"] else "false"
    out.append(format_date_be(_as_date(row["acquired_on"]), short=True))
    return out


# ---- writers ---------------------------------------------------------------------------------

def export_assets(out: BinaryIO, fmt: str = "csv",
                  rows: Iterable[Mapping[str, Any]] | None = None) -> int:
    """Write the register (or the given flat rows) to a binary stream; returns the count."""
    rows = iter_asset_rows() if rows is None else rows
    fmt = fmt.lower()
    if fmt == "csv":
        return _write_csv(out, ASSET_COLUMNS,
                          (_text_cells(asset_record(r), r) for r in rows))
    if fmt == "json":
        return _write_json(out, (asset_record(r) for r in rows))
    if fmt == "xlsx":
        return _write_xlsx(out, "ทะเบียนครุภัณฑ์", ASSET_COLUMNS,
                           (_xlsx_asset_cells(asset_record(r), r) for r in rows),
                           dates=("acquired_on",), money=("price",))
    raise ValueError(f"unknown export format {fmt!r}")


# ---- the loan register ---------------------------------------------------------------

def _loan_select(f: LoanFilter | None = None) -> pw.ModelSelect:
    """The register's flat rows, filtered by the domain's own query."""
    approver = User.alias("approver")
    approver_person = Person.alias("approver_person")
    return (loan_query(f or LoanFilter())
            .select(Loan.id, Loan.loan_no, Loan.kind, Loan.place, Loan.purpose, Loan.status,
                    Loan.requested_at, Loan.decided_by, Loan.start_on, Loan.due_on,
                    Loan.issued_on, Loan.returned_on,
                    Person.name.alias("borrower"), Person.organisation.alias("organisation"),
                    Department.name.alias("department"), Department.code.alias("department_code"),
                    approver_person.name.alias("approver"))
            .switch(Loan).join(approver, pw.JOIN.LEFT_OUTER, on=(Loan.decided_by == approver.id))
            .join(approver_person, pw.JOIN.LEFT_OUTER, on=(approver.person == approver_person.id)))


def _with_items(page: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Attach each loan's items (one query for the whole page), in asset-number order."""
    by_loan: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in page}
    if by_loan:
        items = (LoanItem.select(LoanItem.loan, LoanItem.returned_condition,
                                 Asset.asset_no, Asset.name)
                 .join(Asset).where(LoanItem.loan.in_(list(by_loan)))
                 .order_by(LoanItem.loan, Asset.asset_no).dicts())
        for item in items:
            by_loan[item["loan"]].append(item)
    for row in page:
        row["items"] = by_loan[row["id"]]
    return page


def iter_loan_rows(f: LoanFilter | None = None, page_size: int = PAGE_SIZE,
                   newest_first: bool = False) -> Iterator[dict[str, Any]]:
    """Every loan the filter selects as a flat row with its items, oldest first (the order
    of the register book) or newest first, one page at a time (keyset paging on the id)."""
    order = Loan.id.desc() if newest_first else Loan.id
    last: int | None = None
    while True:
        q = _loan_select(f).order_by(order).limit(page_size)
        if last is not None:
            q = q.where(Loan.id < last if newest_first else Loan.id > last)
        page = list(q.dicts())
        if not page:
            return
        yield from _with_items(page)
        if len(page) < page_size:
            return
        last = page[-1]["id"]


def loan_rows_for(loan_nos: Iterable[str]) -> list[dict[str, Any]]:
    """The flat rows of the given loans, in the order given."""
    wanted = list(loan_nos)
    found = {r["loan_no"]: r for r in _with_items(list(
        _loan_select().where(Loan.loan_no.in_(wanted)).dicts()))}
    return [found[n] for n in wanted if n in found]


def loan_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """One loan with the open-data keys and JSON-ready values."""
    approved = row["decided_by"] is not None and row["status"] != "rejected"
    return {
        "loan_no": row["loan_no"],
        "kind": row["kind"],
        "borrower": row["borrower"],
        "organisation": row["organisation"],
        "department": row["department"],
        "purpose": row["purpose"],
        "place": row["place"],
        "status": row["status"],
        "requested_on": _iso(local_date(row["requested_at"]) if isinstance(row["requested_at"], dt.datetime)
                             else row["requested_at"]),
        "approved_by": row["approver"] if approved else None,
        "start_on": _iso(row["start_on"]),
        "due_on": _iso(row["due_on"]),
        "issued_on": _iso(row["issued_on"]),
        "returned_on": _iso(row["returned_on"]),
        "items": [{"asset_no": i["asset_no"], "name": i["name"],
                   "returned_condition": i["returned_condition"]} for i in row["items"]],
        "department_code": row["department_code"],
    }


def _loan_lines(record: Mapping[str, Any], typed: bool = False) -> Iterator[list[Any]]:
    """One line per item (a loan without items still gets one line). ``typed`` keeps
    real dates for XLSX; otherwise every cell is text."""
    items = record["items"] or [{"asset_no": None, "name": None, "returned_condition": None}]
    numbers = ", ".join(i["asset_no"] for i in record["items"])
    for item in items:
        line: list[Any] = []
        for key in LOAN_COLUMNS:
            if key == "items":
                value: Any = numbers
            elif key == "item_name":
                value = item["name"]
            elif key in ("asset_no", "returned_condition"):
                value = item[key]
            elif key.endswith("_be"):
                day = _as_date(record[key[:-3]])
                value = format_date_be(day, short=True) if day else None
            elif key in LOAN_DATES and typed:
                value = _as_date(record[key])
            else:
                value = record[key]
            if typed:
                line.append(None if value == "" else value)
            else:
                line.append("" if value is None else str(value))
        yield line


def export_loans(out: BinaryIO, fmt: str = "csv", f: LoanFilter | None = None) -> int:
    """Write the loan register (or the loans ``f`` selects) to a binary stream, oldest loan
    first; returns the number of loans."""
    fmt = fmt.lower()
    count = 0

    def records() -> Iterator[dict[str, Any]]:
        nonlocal count
        for row in iter_loan_rows(f):
            count += 1
            yield loan_record(row)

    if fmt == "csv":
        _write_csv(out, LOAN_COLUMNS, (line for r in records() for line in _loan_lines(r)))
    elif fmt == "json":
        _write_json(out, records())
    elif fmt == "xlsx":
        _write_xlsx(out, "ทะเบียนการยืม", LOAN_COLUMNS,
                    (line for r in records() for line in _loan_lines(r, typed=True)),
                    dates=LOAN_DATES)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return count


def _stamp(value: dt.datetime | None) -> str | None:
    """A stored UTC time as ISO 8601 with its zone."""
    return None if value is None else value.replace(microsecond=0).isoformat() + "Z"


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def loan_detail(loan_no: str) -> dict[str, Any]:
    """Everything on the loan slip (ใบยืมพัสดุ), JSON-ready: the register's keys, then the
    borrower's details, the decision, the period in the Buddhist Era, every item with its
    hand-over and return, the follow-ups and the damage cases."""
    from models.loans import get_loan, loan_items

    loan = get_loan(loan_no)
    [row] = loan_rows_for([loan.loan_no])
    record = loan_record(row)
    borrower = loan.borrower
    requester = User.select(User, Person).join(Person).where(User.id == loan.requested_by_id).get()
    decider = (User.select(User, Person).join(Person).where(User.id == loan.decided_by_id).get()
               if loan.decided_by_id else None)
    items = loan_items(loan)
    cases = {c.item_id: c for c in DamageCase.select().where(
        DamageCase.item.in_([i.id for i in items]))} if items else {}
    users = {u.id: u.username for u in User.select(User.id, User.username).where(User.id.in_(
        [i.issued_by_id for i in items] + [i.returned_by_id for i in items]
        + [c.settled_by_id for c in cases.values()]))}
    follow_ups = (LoanFollowUp.select(LoanFollowUp, User).join(User)
                  .where(LoanFollowUp.loan == loan.id)
                  .order_by(LoanFollowUp.on_date, LoanFollowUp.id))
    unit = (Department.get_by_id(borrower.department_id).name
            if borrower.department_id else None)
    record.update({
        "borrower_position": borrower.position,
        "borrower_unit": unit,
        "borrower_phone": borrower.phone,
        "borrower_address": borrower.address,
        "borrower_external": borrower.external,
        "requested_by": requester.username,
        "requested_by_name": requester.person.name,
        "requested_at": _stamp(loan.requested_at),
        "decided_by": decider.username if decider else None,
        "decided_by_name": decider.person.name if decider else None,
        "decided_at": _stamp(loan.decided_at),
        "decision_note": loan.decision_note,
        **{f"{key}_be": format_date_be(_as_date(record[key]), short=True) or None
           for key in LOAN_DATES},
        "items": [{
            "asset_no": i.asset.asset_no,
            "name": i.asset.name,
            "value_at_loan": _money(i.value_at_loan),
            "issued_at": _stamp(i.issued_at),
            "issued_by": users.get(i.issued_by_id),
            "returned_at": _stamp(i.returned_at),
            "returned_by": users.get(i.returned_by_id),
            "returned_condition": i.returned_condition,
            "return_note": i.return_note,
        } for i in items],
        "follow_ups": [{
            "on_date": _iso(fu.on_date),
            "on_date_be": format_date_be(fu.on_date, short=True),
            "method": fu.method,
            "by": fu.by_user.username,
            "note": fu.note,
        } for fu in follow_ups],
        "damage_cases": [{
            "asset_no": i.asset.asset_no,
            "condition": c.condition,
            "suggested_amount": _money(c.suggested_amount),
            "status": c.status,
            "referred": c.referred,
            "settlement": c.settlement,
            "amount": _money(c.amount),
            "settled_at": _stamp(c.settled_at),
            "settled_by": users.get(c.settled_by_id),
            "note": c.note,
        } for i in items if (c := cases.get(i.id)) is not None],
    })
    return record


# ---- the results of a stock check -----------------------------------------------------

def stockcheck_records(check_id: Any) -> list[dict[str, Any]]:
    """Every row of a stock check with the open-data keys and JSON-ready values, plus the
    raw acquisition date and scan time under ``_acquired_on`` and ``_scanned_at``."""
    from models.stockcheck import get_check, result_rows

    check = get_check(check_id)
    depts = dict(Department.select(Department.code, Department.name).tuples())
    places = dict(Location.select(Location.code, Location.name).tuples())
    records = []
    for row in result_rows(check.id):
        records.append({
            "check_id": check.id,
            "fiscal_year": check.fiscal_year,
            "check_status": check.status,
            "no": row["no"],
            "asset_no": row["asset_no"],
            "code": row["code"],
            "name": row["name"] or None,
            "brand": row["brand"] or None,
            "department": depts.get(row["department"]),
            "department_code": row["department"],
            "location": places.get(row["location"]),
            "expected_location": row["location"],
            "found_location": row["found_location"],
            "status": row["result"],
            "condition": row["condition"],
            "scanned_by": row["found_by"],
            "scanned_at": _stamp(row["found_at"]),
            "loan_no": row["loan_no"],
            "explanation": row["explanation"] or None,
            "reason": row["reason"] or None,
            "wear_and_tear": bool(row["wear_and_tear"]),
            "price": _money(row["price"]),
            "acquired_on": _iso(row["acquired_on"]),
            "custodian": row["custodian"],
            "_acquired_on": _as_date(row["acquired_on"]),
            "_scanned_at": row["found_at"],
        })
    return records


def _stockcheck_line(record: Mapping[str, Any], typed: bool = False) -> list[Any]:
    from models.values import local_datetime

    line: list[Any] = []
    for key in STOCKCHECK_COLUMNS:
        if key == "acquired_on_be":
            value: Any = format_date_be(record["_acquired_on"], short=True) or None
        elif key == "scanned_at_be":
            moment = local_datetime(record["_scanned_at"])
            value = f"{format_date_be(moment.date(), short=True)} {moment:%H:%M}" if moment else None
        elif typed and key == "acquired_on":
            value = record["_acquired_on"]
        elif typed and key == "price":
            value = None if record["price"] is None else Decimal(record["price"])
        else:
            value = record[key]
        if typed:
            line.append(None if value == "" else value)
        elif value is None:
            line.append("")
        elif isinstance(value, bool):
            line.append("true" if value else "false")
        else:
            line.append(str(value))
    return line


def export_stockcheck(out: BinaryIO, fmt: str, check_id: Any) -> int:
    """Write the results of one stock check; returns the number of rows."""
    fmt = fmt.lower()
    records = stockcheck_records(check_id)
    if fmt == "csv":
        return _write_csv(out, STOCKCHECK_COLUMNS, (_stockcheck_line(r) for r in records))
    if fmt == "json":
        return _write_json(out, ({k: r[k] for k in STOCKCHECK_KEYS} for r in records))
    if fmt == "xlsx":
        return _write_xlsx(out, "ผลการตรวจสอบพัสดุ", STOCKCHECK_COLUMNS,
                           (_stockcheck_line(r, typed=True) for r in records),
                           dates=("acquired_on",), money=("price",))
    raise ValueError(f"unknown export format {fmt!r}")


# ---- the audit log ---------------------------------------------------------------------

def iter_audit_rows(page_size: int = PAGE_SIZE) -> Iterator[dict[str, Any]]:
    last = 0
    while True:
        page = list(AuditEvent.select().where(AuditEvent.seq > last)
                    .order_by(AuditEvent.seq).limit(page_size).dicts())
        if not page:
            return
        yield from page
        last = page[-1]["seq"]


def audit_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """One audit event. ``before``/``after`` stay the exact canonical JSON text the hash
    covers, so anyone can recompute the chain from the export alone."""
    return {"seq": row["seq"], "at": row["at"], "actor": row["actor"], "action": row["action"],
            "entity": row["entity"], "entity_id": row["entity_id"], "before": row["before"],
            "after": row["after"], "hash": row["hash"], "prev_hash": row["prev_hash"]}


def export_audit(out: BinaryIO, fmt: str = "csv") -> int:
    """Write the whole audit log, oldest event first; returns the count."""
    fmt = fmt.lower()
    records = (audit_record(r) for r in iter_audit_rows())
    if fmt == "csv":
        return _write_csv(out, AUDIT_KEYS, ([str(r[k]) for k in AUDIT_KEYS] for r in records))
    if fmt == "json":
        return _write_json(out, records)
    if fmt == "xlsx":
        return _write_xlsx(out, "audit", AUDIT_KEYS, ([r[k] for k in AUDIT_KEYS] for r in records))
    raise ValueError(f"unknown export format {fmt!r}")


# The first characters of a CSV cell that quote_formula may have to change.
_CSV_QUOTABLE = FORMULA_STARTS | {"'"}


def _write_csv(out: BinaryIO, header: Iterable[str], lines: Iterable[list[str]]) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=False)
    count = 0
    try:
        writer = csv.writer(text)
        writer.writerow(list(header))
        for line in lines:
            if any(cell[:1] in _CSV_QUOTABLE for cell in line):
                line = [quote_formula(cell) for cell in line]
            writer.writerow(line)
            count += 1
        text.flush()
    finally:
        text.detach()
    return count


def _write_json(out: BinaryIO, records: Iterable[Mapping[str, Any]]) -> int:
    count = 0
    out.write(b"[")
    for record in records:
        out.write(b",\n" if count else b"\n")
        out.write(json.dumps(record, ensure_ascii=False).encode("utf-8"))
        count += 1
    out.write(b"\n]\n" if count else b"]\n")
    out.flush()
    return count


def _xlsx_asset_cells(record: Mapping[str, Any], row: Mapping[str, Any]) -> list[Any]:
    cells: list[Any] = []
    for key in ASSET_COLUMNS:
        if key == "acquired_on":
            cells.append(_as_date(row["acquired_on"]))
        elif key == "price":
            cells.append(None if row["price"] is None else Decimal(row["price"]))
        elif key == "acquired_on_be":
            cells.append(format_date_be(_as_date(row["acquired_on"]), short=True))
        else:
            value = record[key]
            cells.append(None if value == "" else value)  # empty cells are not written at all
    return cells


_XLSX_RETYPED = frozenset("=#")


def _write_xlsx(out: BinaryIO, title: str, header: Iterable[str], lines: Iterable[list[Any]],
                dates: tuple[str, ...] = (), money: tuple[str, ...] = ()) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    header = list(header)
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(title)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    head_cells = []
    for name in header:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        head_cells.append(cell)
    ws.append(head_cells)
    formats = {i: "yyyy-mm-dd" for i, k in enumerate(header) if k in dates}
    formats.update({i: "#,##0.00" for i, k in enumerate(header) if k in money})
    count = 0
    for line in lines:
        line = list(line)
        for i, value in enumerate(line):
            # openpyxl stores text starting with "=" as a formula and "#N/A" and the like
            # as errors; every other text is a string cell already.
            if type(value) is str and value[:1] in _XLSX_RETYPED:
                cell = WriteOnlyCell(ws, value=value)
                cell.data_type = "s"
                line[i] = cell
        for i, number_format in formats.items():
            if line[i] is not None:
                cell = WriteOnlyCell(ws, value=line[i])
                cell.number_format = number_format
                line[i] = cell
        ws.append(line)
        count += 1
    workbook.save(out)
    return count


# ---- the service statistics -------------------------------------------------------------

def stats_records(statistics: Any) -> list[dict[str, Any]]:
    """The rows of ``models.stats.ServiceStatistics`` with JSON-ready values: counts as
    numbers, baht and hours as decimal strings, ``null`` where nothing applies."""
    out = []
    for row in statistics.rows():
        out.append({key: (f"{value}" if isinstance(value, Decimal) else value)
                    for key, value in row.items()})
    return out


def export_stats(out: BinaryIO, fmt: str, statistics: Any) -> int:
    """Write the service statistics of a fiscal year (``models.stats.service_statistics``):
    one row per month and department, per month, per department and for the year (``level``
    says which). Returns the number of rows."""
    fmt = fmt.lower()
    records = stats_records(statistics)
    columns = [f.name for f in DATASETS["stats"].fields]
    if fmt == "csv":
        return _write_csv(out, columns, ([_text(r[k]) for k in columns] for r in records))
    if fmt == "json":
        return _write_json(out, records)
    if fmt == "xlsx":
        return _write_xlsx(out, "สถิติการให้บริการ", columns,
                           ([_typed_stat(r[k]) for k in columns] for r in records))
    raise ValueError(f"unknown export format {fmt!r}")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _typed_stat(value: Any) -> Any:
    if isinstance(value, str) and value.replace(".", "", 1).isdigit() and "." in value:
        return Decimal(value)
    return None if value == "" else value


# ---- the data dictionary -----------------------------------------------------------------
#
# One description of every published column, in code: the CSV and JSON writers above take
# their columns from the same key lists, ``docs/data-dictionary.md`` is generated from it
# (a test keeps the committed file equal to it), ``export --help`` lists it, and the
# evidence pack writes it as a Frictionless Data Package (``datapackage.json``), so anyone
# can validate the published files against it with standard tools.

@dataclass(frozen=True)
class DataField:
    """One published column. ``type`` is a Table Schema type (string, integer, number,
    boolean, date, datetime, array); ``json_type`` where the JSON file differs (a loan's
    ``items`` is a list in JSON and a text of asset numbers in CSV). ``only`` says whether
    the column is in both files or only in the CSV (the Buddhist Era twins) or the JSON."""

    name: str
    type: str
    title: str
    description: str
    enum: tuple[str, ...] = ()
    required: bool = False
    pattern: str = ""
    only: str = ""           # "", "csv" or "json"
    json_type: str = ""


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    description: str
    fields: tuple[DataField, ...]
    command: str

    def columns(self, fmt: str) -> list[str]:
        other = "json" if fmt == "csv" else "csv"
        return [f.name for f in self.fields if f.only != other]


BE_DATE = r"^\d{1,2}/\d{1,2}/\d{4}$"


def _be(name: str, of: str) -> DataField:
    return DataField(name, "string", f"{of} (พ.ศ.)",
                     f"The same date as {name[:-3]} in the Buddhist Era, day/month/year (15/3/2567).",
                     pattern=BE_DATE, only="csv")


def _dataset_assets() -> Dataset:
    from models.assets import FUNDING_SOURCES
    from models.schema import ASSET_STATUSES

    fields = (
        DataField("asset_no", "string", "หมายเลขครุภัณฑ์", "The asset number on the label, unique.",
                  required=True),
        DataField("name", "string", "รายการ", "What the asset is.", required=True),
        DataField("category", "string", "ประเภท", "The category's Thai name (DLA classification)."),
        DataField("department", "string", "หน่วยงาน", "The Thai name of the department holding it."),
        DataField("location", "string", "สถานที่ตั้ง", "The Thai name of where it is kept."),
        DataField("custodian", "string", "ผู้ใช้/ผู้รับผิดชอบ", "The staff member responsible for it."),
        DataField("status", "string", "สถานะ", "available, on_loan, repair, lost or disposed.",
                  enum=ASSET_STATUSES, required=True),
        DataField("lendable", "boolean", "ให้ยืมได้", "Whether it may be lent (true/false)."),
        DataField("acquired_on", "date", "วันที่ได้มา", "Date acquired, ISO YYYY-MM-DD."),
        DataField("price", "number", "ราคา (บาท)", "Price in baht, two decimal places."),
        DataField("funding_source", "string", "แหล่งเงิน", "The source of the money, in Thai.",
                  enum=tuple(th for th, _ in FUNDING_SOURCES.values())),
        DataField("acquisition_method", "string", "วิธีการได้มา", "How it was procured."),
        DataField("serial_no", "string", "หมายเลขเครื่อง", "The maker's serial number."),
        DataField("brand", "string", "ยี่ห้อ", "Brand."),
        DataField("model", "string", "รุ่น", "Model."),
        DataField("unit", "string", "หน่วยนับ", "Unit of count (เครื่อง, ตัว, ...)."),
        DataField("supplier", "string", "ผู้ขาย/ผู้รับจ้าง/ผู้บริจาค", "Seller, contractor or donor."),
        DataField("document_no", "string", "เลขที่เอกสาร", "The supporting document's number."),
        DataField("useful_life_years", "integer", "อายุการใช้งาน (ปี)",
                  "Useful life for depreciation, in years."),
        DataField("description", "string", "รายละเอียด", "Description and specification."),
        DataField("remarks", "string", "หมายเหตุ", "Remarks."),
        DataField("category_code", "string", "รหัสประเภท", "The category's code (e.g. 416)."),
        DataField("department_code", "string", "รหัสหน่วยงาน", "The department's code."),
        DataField("location_code", "string", "รหัสสถานที่", "The location's code."),
        DataField("funding_source_code", "string", "รหัสแหล่งเงิน", "The funding source as a code.",
                  enum=tuple(FUNDING_SOURCES)),
        _be("acquired_on_be", "วันที่ได้มา"),
    )
    assert tuple(f.name for f in fields if f.only != "csv") == ASSET_KEYS
    assert tuple(f.name for f in fields if f.only != "json") == ASSET_COLUMNS
    return Dataset("assets", "ทะเบียนครุภัณฑ์ (asset register)",
                   "Every asset in the register, one row each, in asset-number order.", fields,
                   "export assets")


def _dataset_loans() -> Dataset:
    from models.schema import CONDITIONS, LOAN_KINDS, LOAN_STATUSES

    fields = (
        DataField("loan_no", "string", "เลขที่ใบยืม", "The loan's number.", required=True),
        DataField("kind", "string", "ประเภทการยืม",
                  "inside (used inside the premises), outside (taken outside), agency (to "
                  "another state agency).", enum=LOAN_KINDS, required=True),
        DataField("borrower", "string", "ผู้ยืม",
                  "The borrower's name (no ID number, phone or address is published)."),
        DataField("organisation", "string", "หน่วยงาน/องค์กรของผู้ยืม",
                  "An outside borrower's organisation."),
        DataField("department", "string", "หน่วยงานเจ้าของทรัพย์สิน",
                  "The Thai name of the department lending."),
        DataField("purpose", "string", "วัตถุประสงค์", "The official purpose stated."),
        DataField("place", "string", "สถานที่ใช้", "inside or outside the premises.",
                  enum=("inside", "outside")),
        DataField("status", "string", "สถานะ",
                  "requested, approved, rejected, cancelled, active (out) or returned.",
                  enum=LOAN_STATUSES, required=True),
        DataField("requested_on", "date", "วันที่ขอยืม", "ISO YYYY-MM-DD."),
        DataField("approved_by", "string", "ผู้อนุมัติ", "The approver's name (empty until approved)."),
        DataField("start_on", "date", "ยืมตั้งแต่", "ISO YYYY-MM-DD."),
        DataField("due_on", "date", "กำหนดคืน", "ISO YYYY-MM-DD."),
        DataField("issued_on", "date", "วันที่ส่งมอบ", "ISO YYYY-MM-DD, when every item was out."),
        DataField("returned_on", "date", "วันที่คืน", "ISO YYYY-MM-DD, when every item was back."),
        DataField("items", "string", "รายการ",
                  "CSV: the loan's asset numbers, comma-separated. JSON: a list of "
                  "{asset_no, name, returned_condition}.", json_type="array"),
        DataField("asset_no", "string", "หมายเลขครุภัณฑ์", "This row's item (CSV: a row per item).",
                  only="csv"),
        DataField("item_name", "string", "ชื่อรายการ", "This row's item's name.", only="csv"),
        DataField("returned_condition", "string", "สภาพเมื่อคืน", "usable, damaged or lost.",
                  enum=CONDITIONS, only="csv"),
        DataField("department_code", "string", "รหัสหน่วยงาน", "The lending department's code."),
        *(_be(f"{key}_be", title) for key, title in (
            ("requested_on", "วันที่ขอยืม"), ("start_on", "ยืมตั้งแต่"), ("due_on", "กำหนดคืน"),
            ("issued_on", "วันที่ส่งมอบ"), ("returned_on", "วันที่คืน"))),
    )
    assert tuple(f.name for f in fields if f.only != "csv") == LOAN_KEYS
    assert tuple(f.name for f in fields if f.only != "json") == LOAN_COLUMNS
    return Dataset("loans", "ทะเบียนการยืมทรัพย์สินของราชการ (loan register)",
                   "Every loan request, oldest first; CSV has one row per item with the loan "
                   "repeated.", fields, "export loans")


def _dataset_stockcheck() -> Dataset:
    from models.schema import FOUND_CONDITIONS, STOCK_CHECK_RESULTS, STOCK_CHECK_STATUSES

    fields = (
        DataField("check_id", "integer", "ครั้งที่ตรวจ", "The stock check's number.", required=True),
        DataField("fiscal_year", "integer", "ปีงบประมาณ", "The fiscal year checked (BE).",
                  required=True),
        DataField("check_status", "string", "สถานะการตรวจ", "open while counting, closed when final.",
                  enum=STOCK_CHECK_STATUSES),
        DataField("no", "integer", "ลำดับ", "Row number."),
        DataField("asset_no", "string", "หมายเลขครุภัณฑ์",
                  "Empty for a scanned code that is not one of our asset numbers."),
        DataField("code", "string", "รหัสที่สแกน", "What was scanned or listed."),
        DataField("name", "string", "รายการ", "The asset's name."),
        DataField("brand", "string", "ยี่ห้อ", "Brand."),
        DataField("department", "string", "หน่วยงาน", "Thai name of the department."),
        DataField("department_code", "string", "รหัสหน่วยงาน", "The department's code."),
        DataField("location", "string", "สถานที่ตามทะเบียน", "Where the register said it was."),
        DataField("expected_location", "string", "รหัสสถานที่ตามทะเบียน", "Its code."),
        DataField("found_location", "string", "รหัสสถานที่ที่พบ", "Where it was scanned."),
        DataField("status", "string", "ผลการตรวจ",
                  "found, misplaced, missing, on_loan, in_repair or unexpected.",
                  enum=STOCK_CHECK_RESULTS),
        DataField("condition", "string", "สภาพ", "in_use, damaged, deteriorated or not_needed.",
                  enum=FOUND_CONDITIONS),
        DataField("scanned_by", "string", "ผู้ตรวจนับ", "The inspector's username."),
        DataField("scanned_at", "datetime", "เวลาที่ตรวจนับ", "UTC, ISO 8601 with Z."),
        DataField("loan_no", "string", "เลขที่ใบยืม", "The loan an unscanned asset was out on."),
        DataField("explanation", "string", "คำชี้แจงของคณะกรรมการ", "The committee's explanation."),
        DataField("reason", "string", "เหตุผล", "Why a scanned code was unexpected."),
        DataField("wear_and_tear", "boolean", "เสื่อมสภาพตามปกติ", "Damage judged wear and tear."),
        DataField("price", "number", "ราคาตามทะเบียน (บาท)", "The register price when the check opened."),
        DataField("acquired_on", "date", "วันที่ได้มา", "ISO YYYY-MM-DD."),
        DataField("custodian", "string", "ผู้ใช้", "The asset's custodian."),
        _be("acquired_on_be", "วันที่ได้มา"),
        DataField("scanned_at_be", "string", "เวลาที่ตรวจนับ (พ.ศ.)",
                  "Local time in the Buddhist Era, 5/10/2569 09:30.",
                  pattern=r"^\d{1,2}/\d{1,2}/\d{4} \d{2}:\d{2}$", only="csv"),
    )
    assert tuple(f.name for f in fields if f.only != "csv") == STOCKCHECK_KEYS
    assert tuple(f.name for f in fields if f.only != "json") == STOCKCHECK_COLUMNS
    return Dataset("stockcheck", "ผลการตรวจสอบพัสดุประจำปี (stock check results)",
                   "One row per asset or scanned code of a stock check, in asset-number order.",
                   fields, "export stockcheck ID")


def _dataset_stats() -> Dataset:
    from models import stats

    types = {"integer": "integer", "decimal": "number", "text": "string"}
    english = {
        "fiscal_year": "The fiscal year (BE).",
        "level": "What the row totals: month_department, month, department or year.",
        "month": "The month, YYYY-MM (Gregorian); empty on department and year rows.",
        "month_be": "The month in Thai and the BE year (ต.ค. 2568); ทั้งปี for the year.",
        "department_code": "The code of the department whose assets were lent; empty for all.",
        "department_name": "Its Thai name (ทุกหน่วยงาน for all).",
    }
    fields = []
    for entry in stats.data_dictionary():
        name = entry["column"]
        fields.append(DataField(
            name, types[entry["type"]], entry["description"],
            english.get(name) or _STAT_NOTES.get(name, "A count of the month and department."),
            enum=("month_department", "month", "department", "year") if name == "level" else (),
            required=name in ("fiscal_year", "level")))
    return Dataset("stats", "สถิติการให้บริการ (service statistics)",
                   "The borrowing service's statistics of a fiscal year: a row per month and "
                   "department, per month, per department and for the year (level).",
                   tuple(fields), "export stats --fiscal-year BE")


_STAT_NOTES = {
    "loans_requested": "Loan requests made in the month.",
    "loans_approved": "Requests approved in the month.",
    "loans_rejected": "Requests rejected in the month.",
    "loans_returned_on_time": "Loans whose last item came back in the month, by the due date.",
    "loans_returned_late": "Loans whose last item came back in the month, after the due date.",
    "loans_overdue_now": "Loans due in the month still out past due on the day drawn (as_of).",
    "external_requested": "Requests by outside borrowers (outside or agency loans).",
    "external_approved": "Outside borrowers' requests approved.",
    "external_rejected": "Outside borrowers' requests rejected.",
    "damage_opened": "Damage and loss cases opened in the month.",
    "damage_lost": "Of those, items lost.",
    "damage_settled": "Cases settled in the month.",
    "damage_repaired": "Settled by repair.",
    "damage_replaced": "Settled by replacement in kind.",
    "damage_paid": "Settled by payment.",
    "damage_amount_paid": "Baht paid in the month's settlements (two decimals).",
    "damage_open_now": "Cases opened in the month still open.",
    "decisions": "Requests decided in the month.",
    "median_decision_hours": "Median hours from request to decision; empty with no decisions.",
    "stockcheck_expected": "Department and year rows: assets the stock check expected.",
    "stockcheck_counted": "Department and year rows: assets counted.",
    "stockcheck_found": "Department and year rows: found where expected.",
    "stockcheck_misplaced": "Department and year rows: found elsewhere.",
    "stockcheck_on_loan": "Department and year rows: out on loan.",
    "stockcheck_in_repair": "Department and year rows: in repair.",
    "stockcheck_missing": "Department and year rows: not found (when the check closed).",
    "stockcheck_unexpected": "Department and year rows: scanned codes not in the register's list.",
    "stockcheck_damaged": "Department and year rows: found damaged.",
    "stockcheck_deteriorated": "Department and year rows: found deteriorated.",
    "stockcheck_not_needed": "Department and year rows: no longer needed.",
}


def _datasets() -> dict[str, Dataset]:
    return {d.name: d for d in (_dataset_assets(), _dataset_loans(), _dataset_stockcheck(),
                                _dataset_stats())}


DATASETS: dict[str, Dataset] = _datasets()


def table_schema(dataset: str, fmt: str = "csv") -> dict[str, Any]:
    """The Frictionless Table Schema of one dataset's CSV or JSON file."""
    d = DATASETS[dataset]
    other = "json" if fmt == "csv" else "csv"
    fields = []
    for f in d.fields:
        if f.only == other:
            continue
        kind = f.json_type if fmt == "json" and f.json_type else f.type
        spec: dict[str, Any] = {"name": f.name, "type": kind, "title": f.title,
                                "description": f.description}
        if kind == "boolean":
            spec["trueValues"], spec["falseValues"] = ["true"], ["false"]
        if kind == "number":
            spec["bareNumber"] = True
        if kind == "datetime":
            spec["format"] = "%Y-%m-%dT%H:%M:%SZ"
        constraints: dict[str, Any] = {}
        if f.enum:
            constraints["enum"] = list(f.enum)
        if f.required:
            constraints["required"] = True
        if f.pattern:
            constraints["pattern"] = f.pattern
        if constraints:
            spec["constraints"] = constraints
        fields.append(spec)
    return {"fields": fields, "missingValues": [""]}


def datapackage(resources: Iterable[tuple[str, str, str]], title: str = "",
                description: str = "", base: Any = None) -> dict[str, Any]:
    """A Frictionless Data Package describing files written: ``(dataset, format, path)``
    with the path relative to the package (``base``, a folder, when given). JSON resources
    are lists of objects; an empty list is left out when ``base`` lets it be seen, since
    Frictionless cannot read a table from ``[]``: its CSV twin, a header alone, stands
    for it."""
    from pathlib import Path

    out = []
    for dataset, fmt, path in resources:
        if fmt == "json" and base is not None:
            with open(Path(base) / path, "rb") as f:
                if f.read(64).strip() == b"[]":
                    continue
        d = DATASETS[dataset]
        resource: dict[str, Any] = {
            "name": f"{dataset}-{fmt}", "path": path, "profile": "tabular-data-resource",
            "title": d.title, "description": d.description, "format": fmt,
            "mediatype": "text/csv" if fmt == "csv" else "application/json",
            "encoding": "utf-8-sig" if fmt == "csv" else "utf-8",
            "schema": table_schema(dataset, fmt),
        }
        out.append(resource)
    package: dict[str, Any] = {"profile": "tabular-data-package", "name": "assets-tui-open-data",
                               "resources": out}
    if title:
        package["title"] = title
    if description:
        package["description"] = description
    return package


def dictionary_summary() -> str:
    """The columns of each dataset in a few lines (for ``export --help``)."""
    lines = []
    for d in DATASETS.values():
        both = [f.name for f in d.fields if not f.only]
        csv_only = [f.name for f in d.fields if f.only == "csv"]
        text = f"{d.command}: {', '.join(both)}"
        if csv_only:
            text += f"; CSV/XLSX also {', '.join(csv_only)}"
        lines.append(text + ".")
    return "\n".join(lines)


def dictionary_markdown() -> str:
    """The data dictionary as Markdown (``docs/data-dictionary.md`` is this text)."""
    out = [
        "# Data dictionary of the open data",
        "",
        "Generated from `forms/opendata.py` (`python -m forms.opendata > docs/data-dictionary.md`);",
        "a test keeps this file equal to what the code publishes. The same dictionary is written",
        "as a Frictionless Data Package (`datapackage.json`) beside the files of the ITA evidence",
        "pack, so the files can be validated with standard tools (e.g. `frictionless validate",
        "datapackage.json`).",
        "",
        "Common rules: CSV is UTF-8 with a byte-order mark (Excel shows Thai), one header row;",
        "JSON is a list of objects with the same keys. Dates are ISO `YYYY-MM-DD`; CSV adds a",
        "`*_be` twin in the Buddhist Era (`15/3/2567`). Amounts are decimal strings with two",
        "places (`25900.00`). An empty CSV cell or a JSON `null` means no value. No ID number,",
        "phone number or address of any borrower is published.",
    ]
    for d in DATASETS.values():
        out += ["", f"## {d.name}: {d.title}", "", d.description,
                f"Written by `assets-tui {d.command} --format csv|json`.", "",
                "| column | type | Thai | meaning | values | in |",
                "|---|---|---|---|---|---|"]
        for f in d.fields:
            kind = f.type + (f" (JSON: {f.json_type})" if f.json_type else "")
            values = ", ".join(f"`{v}`" for v in f.enum)
            if f.pattern:
                values = (values + " " if values else "") + f"pattern `{f.pattern}`"
            if f.required:
                values = (values + "; " if values else "") + "always present"
            where = {"": "CSV, JSON", "csv": "CSV", "json": "JSON"}[f.only]
            out.append(f"| `{f.name}` | {kind} | {f.title} | {f.description.replace('|', '/')} "
                       f"| {values} | {where} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # python -m forms.opendata > docs/data-dictionary.md
    import sys

    sys.stdout.write(dictionary_markdown())
